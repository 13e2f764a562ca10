// The renewal card against a mocked IPC: the sign-in only when the administrator is not signed in
// yet, the passphrase asked for only when an export is sealed, the secret shown once, and the old
// secret removed on the second click only.
import { mockIPC, clearMocks } from '@tauri-apps/api/mocks';
import { render, screen, fireEvent, waitFor } from '@testing-library/svelte';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { AppSecret, Diagnosis, ProfileHealth, RenewalPlan, RenewedOnce } from './bindings';
import RenewalPanel from './RenewalPanel.svelte';

afterEach(() => clearMocks());

const old: AppSecret = {
  key_id: '11111111-2222-3333-4444-555555555555',
  display_name: 'first',
  hint: 'san',
  expires: '2027-01-01T00:00:00Z',
  days_left: 25,
};

const plan = (sealed: boolean): RenewalPlan => ({
  profile: 'alice@contoso.test',
  tenant_id: 'tenant',
  client_id: 'client',
  app: { object_id: 'object', display_name: 'Helpdesk mail', secrets: [old] },
  current: old,
  resume: null,
  new_name: 'm365-onboard renewal 2026-12-07',
  months: 24,
  profiles: ['alice@contoso.test'],
  exports: sealed
    ? [
        {
          profile: 'alice@contoso.test',
          export: { path: '/srv/channel.json', format: 'json', secrets: 'encrypted', options: {}, written_at: '2026-12-01T00:00:00Z' },
          action: 'rewrite-with-passphrase',
        },
      ]
    : [],
  steps: ['Add a client secret.', 'Prove it.'],
} as unknown as RenewalPlan);

const health = { profile: 'alice@contoso.test', status: 'OK', checks: [] } as unknown as ProfileHealth;
const renewed = {
  renewed: {
    secret_id: '99999999-2222-3333-4444-555555555555',
    expires: '2028-12-07T00:00:00Z',
    proof: { detail: 'The newest message was read.' },
    exports: [{ profile: 'alice@contoso.test', path: '/srv/channel.json', written: true, note: 'Written again.' }],
    health: [health],
    old,
  },
  secret_value: 'new~secret-value',
} as unknown as RenewedOnce;

const notSignedIn: Diagnosis = {
  code: 'register.not_signed_in',
  title: 'Sign in as an administrator first',
  detail: '',
  fix: '',
  docs_url: null,
  field: null,
};

/** The IPC of a renewal; `signedIn` says whether the first plan succeeds. Records each call. */
function mockRenewal(signedIn: boolean, sealed: boolean) {
  const calls: { cmd: string; args: Record<string, unknown> }[] = [];
  let admin = signedIn;
  mockIPC((cmd, args) => {
    calls.push({ cmd, args: args as Record<string, unknown> });
    switch (cmd) {
      case 'renewal_plan':
        return admin ? plan(sealed) : Promise.reject(notSignedIn);
      case 'renewal_sign_in_start':
        return { user_code: 'ABCD-EFGH', verification_uri: 'https://login.example/devicelogin', expires_in: 900, interval: 5 };
      case 'admin_sign_in_finish':
        admin = true;
        return null;
      case 'renewal_apply':
        return renewed;
      case 'renewal_retire':
        return old;
      case 'plugin:event|listen':
        return 1;
      case 'plugin:event|unlisten':
        return null;
      default:
        throw new Error(cmd);
    }
  });
  return calls;
}

describe('RenewalPanel', () => {
  it('signs the administrator in, asks for the sealed export’s passphrase, shows the secret once', async () => {
    const calls = mockRenewal(false, true);
    const onrenewed = vi.fn();
    render(RenewalPanel, { profile: 'alice@contoso.test', onrenewed, onclose: vi.fn() });
    await fireEvent.click(screen.getByRole('button', { name: 'Show the plan' }));
    const field = await screen.findByLabelText('Passphrase of the sealed exports');
    expect(calls.map((c) => c.cmd).filter((c) => c.startsWith('renewal_') || c.startsWith('admin_'))).toEqual([
      'renewal_plan',
      'renewal_sign_in_start',
      'admin_sign_in_finish',
      'renewal_plan',
    ]);
    expect(calls.find((c) => c.cmd === 'renewal_sign_in_start')?.args.profile).toBe('alice@contoso.test');

    await fireEvent.input(field, { target: { value: 'horse' } });
    await fireEvent.click(screen.getByRole('button', { name: 'Renew the secret' }));
    await screen.findByText('new~secret-value');
    expect(calls.find((c) => c.cmd === 'renewal_apply')?.args.passphrase).toBe('horse');
    expect(onrenewed).toHaveBeenCalledWith([health]);
  });

  it('plans at once when signed in, sends no passphrase without a sealed export, removes on the second click', async () => {
    const calls = mockRenewal(true, false);
    render(RenewalPanel, { profile: 'alice@contoso.test', onrenewed: vi.fn(), onclose: vi.fn() });
    await fireEvent.click(screen.getByRole('button', { name: 'Show the plan' }));
    await screen.findByRole('button', { name: 'Renew the secret' });
    expect(screen.queryByLabelText('Passphrase of the sealed exports')).toBeNull();
    expect(calls.some((c) => c.cmd === 'renewal_sign_in_start')).toBe(false);

    await fireEvent.click(screen.getByRole('button', { name: 'Renew the secret' }));
    await fireEvent.click(await screen.findByRole('button', { name: 'Remove the old secret…' }));
    expect(calls.some((c) => c.cmd === 'renewal_retire')).toBe(false);
    expect(calls.find((c) => c.cmd === 'renewal_apply')?.args.passphrase).toBeNull();
    await fireEvent.click(screen.getByRole('button', { name: 'Remove it now' }));
    await waitFor(() => expect(screen.getByTestId('old-removed').textContent).toContain(old.key_id));
    expect(calls.find((c) => c.cmd === 'renewal_retire')?.args).toMatchObject({ profile: 'alice@contoso.test', keyId: old.key_id });
  });
});
