// The import card against a mocked IPC: the file is picked once, the passphrase asked for only
// when the file's secrets are encrypted, and a wrong one keeps the file and the field.
import { mockIPC, clearMocks } from '@tauri-apps/api/mocks';
import { render, screen, fireEvent, waitFor } from '@testing-library/svelte';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Diagnosis, Imported, Profile } from './bindings';
import ImportPanel from './ImportPanel.svelte';

afterEach(() => clearMocks());

const refusal = (code: string, title: string): Diagnosis => ({
  code,
  title,
  detail: 'Nothing was imported.',
  fix: 'Give the passphrase used for the export.',
  docs_url: null,
  field: 'Passphrase',
});

const imported: Imported = {
  profile: {
    name: 'support@contoso.test',
    mailbox: { kind: 'shared', address: 'support@contoso.test', delegate: { username: 'alice@contoso.test' } },
    flow: 'browser',
  } as unknown as Profile,
  keyring_keys: ['profile/support@contoso.test/refresh-token'],
  missing: ['the client secret: enter it in step 2'],
};

/** Picks `/exports/channel.json`; the import wants the passphrase "right"; records each call. */
function mockImport() {
  const calls: { path: string; passphrase: string | null }[] = [];
  mockIPC((cmd, args) => {
    if (cmd === 'choose_import_file') return '/exports/channel.json';
    if (cmd !== 'import_profile') throw new Error(cmd);
    const call = args as { path: string; passphrase: string | null };
    calls.push(call);
    if (call.passphrase === null) return Promise.reject(refusal('import.passphrase_needed', 'A passphrase is needed'));
    if (call.passphrase !== 'right') return Promise.reject(refusal('import.wrong_passphrase', 'Wrong passphrase'));
    return imported;
  });
  return calls;
}

describe('ImportPanel', () => {
  it('asks for the passphrase of encrypted secrets, refuses a wrong one and imports with the right one', async () => {
    const calls = mockImport();
    const onimported = vi.fn();
    render(ImportPanel, { onimported });
    await fireEvent.click(screen.getByRole('button', { name: 'Choose the file…' }));
    const field = await screen.findByLabelText('Passphrase of channel.json');
    expect(screen.getByRole('alert').dataset.code).toBe('import.passphrase_needed');

    await fireEvent.input(field, { target: { value: 'wrong' } });
    await fireEvent.click(screen.getByRole('button', { name: 'Import' }));
    await waitFor(() => expect(screen.getByRole('alert').dataset.code).toBe('import.wrong_passphrase'));
    expect(onimported).not.toHaveBeenCalled();

    await fireEvent.input(screen.getByLabelText('Passphrase of channel.json'), { target: { value: 'right' } });
    await fireEvent.click(screen.getByRole('button', { name: 'Import' }));
    await waitFor(() => expect(screen.getByTestId('imported').textContent).toContain('support@contoso.test — shared'));
    expect(screen.getByText(/Not in the file: the client secret/)).toBeTruthy();
    expect(screen.queryByLabelText('Passphrase of channel.json')).toBeNull();
    expect(onimported).toHaveBeenCalledWith('support@contoso.test');
    expect(calls).toEqual([
      { path: '/exports/channel.json', passphrase: null },
      { path: '/exports/channel.json', passphrase: 'wrong' },
      { path: '/exports/channel.json', passphrase: 'right' },
    ]);
  });

  it('does nothing when the dialog is cancelled', async () => {
    const calls: string[] = [];
    mockIPC((cmd) => {
      calls.push(cmd);
      return null;
    });
    render(ImportPanel, { onimported: vi.fn() });
    await fireEvent.click(screen.getByRole('button', { name: 'Choose the file…' }));
    await waitFor(() => expect(calls).toEqual(['choose_import_file']));
    expect(screen.queryByRole('alert')).toBeNull();
  });
});
