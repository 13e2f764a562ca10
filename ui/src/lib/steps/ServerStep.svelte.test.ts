// The Server step against a mocked IPC: it sends what is typed and shows what Rust answers.
import { mockIPC, clearMocks } from '@tauri-apps/api/mocks';
import { render, screen, fireEvent, waitFor } from '@testing-library/svelte';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Diagnosis, ServerCheck, ServerCheckInput } from '../bindings';
import ServerStep from './ServerStep.svelte';

afterEach(() => clearMocks());

const ok = (input: ServerCheckInput): ServerCheck => ({
  kind: input.kind,
  host: { ascii: input.fqdn, unicode: input.fqdn, port: null, path: '', notes: [] },
  callback_url: `https://${input.fqdn}/cb`,
  callback_url_display: `https://${input.fqdn}/cb`,
  platform: 'Web',
  requirements: ['Register under Web.'],
  notes: [],
});

const bad: Diagnosis = {
  code: 'fqdn.underscore',
  title: 'Check the field “FQDN”',
  detail: 'It has an underscore.',
  fix: 'Use a hyphen.',
  docs_url: null,
  field: 'FQDN',
};

describe('ServerStep', () => {
  it('shows the callback URL from Rust and reports the step valid', async () => {
    const calls: ServerCheckInput[] = [];
    mockIPC((cmd, args) => {
      if (cmd !== 'check_server') throw new Error(cmd);
      const input = (args as { input: ServerCheckInput }).input;
      calls.push(input);
      return ok(input);
    });
    const onvalidity = vi.fn();
    // The wizard passes its draft as reactive state; so does the test.
    const server = $state({ kind: 'zammad-graph' as const, fqdn: '', callback_template: '' });
    render(ServerStep, { server, onvalidity });
    await fireEvent.input(screen.getByLabelText('Host name (FQDN)'), { target: { value: 'desk.example.com' } });
    await waitFor(() => expect(screen.getByText('https://desk.example.com/cb')).toBeTruthy());
    expect(calls.at(-1)).toEqual({ kind: 'zammad-graph', fqdn: 'desk.example.com', callback_template: null });
    expect(onvalidity).toHaveBeenLastCalledWith('valid');
  });

  it('shows the diagnosis, marks the field invalid and reports the step invalid', async () => {
    mockIPC(() => Promise.reject(bad));
    const onvalidity = vi.fn();
    render(ServerStep, {
      server: { kind: 'zammad-graph', fqdn: 'help_desk.example.com', callback_template: '' },
      onvalidity,
    });
    await waitFor(() => expect(screen.getByRole('alert').textContent).toContain('Use a hyphen.'));
    expect(screen.getByLabelText('Host name (FQDN)').getAttribute('aria-invalid')).toBe('true');
    expect(onvalidity).toHaveBeenLastCalledWith('invalid');
  });
});
