// The Server step against a mocked IPC: it sends what is typed and shows what Rust answers.
import { mockIPC, clearMocks } from '@tauri-apps/api/mocks';
import { render, screen, fireEvent, waitFor } from '@testing-library/svelte';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Diagnosis, CheckStep, ServerCheck, ServerCheckInput, ServerProbe } from '../bindings';
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

const step = (id: string, label: string, status: CheckStep['status'], detail: string, diagnosis: Diagnosis | null = null) => ({
  id,
  label,
  status,
  millis: status === 'skipped' ? 0 : 12,
  detail,
  diagnosis,
});

const expired: Diagnosis = {
  code: 'tls.expired',
  title: 'The certificate of desk.example.com has expired',
  detail: 'It expired on 2021-01-01 00:00 UTC (1900 days ago).',
  fix: 'Renew the certificate and reload the web server.',
  docs_url: null,
  field: null,
};

const failedProbe: ServerProbe = {
  checks: [
    step('dns', 'DNS', 'ok', 'desk.example.com → 192.0.2.10'),
    step('https', 'HTTPS', 'failed', expired.detail, expired),
    step('answer', 'Server answers', 'skipped', 'not run: HTTPS failed'),
    step('callback', 'Callback URL', 'skipped', 'not run: HTTPS failed'),
  ],
};

const goodProbe: ServerProbe = {
  checks: [
    step('dns', 'DNS', 'ok', 'desk.example.com → 192.0.2.10'),
    step('https', 'HTTPS', 'ok', 'TLS 1.3, certificate valid for desk.example.com'),
    step('answer', 'Server answers', 'ok', 'https://desk.example.com/: HTTP 200 OK, Server: nginx'),
    step('callback', 'Callback URL', 'ok', 'https://desk.example.com/cb: HTTP 302 Found'),
  ],
};

/** Answers the offline check and the live one (with `probe`), recording the live calls. */
function mockServer(probe: ServerProbe) {
  const probed: ServerCheckInput[] = [];
  mockIPC((cmd, args) => {
    const input = (args as { input: ServerCheckInput }).input;
    if (cmd === 'check_server') return ok(input);
    if (cmd === 'probe_server') {
      probed.push(input);
      return probe;
    }
    throw new Error(cmd);
  });
  return probed;
}

const rows = () => screen.getByTestId('server-probe').querySelectorAll('li[data-step]');

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

  it('runs the live checks on request and shows each step, a failure with its fix, and does not block Next', async () => {
    const probed = mockServer(failedProbe);
    const onvalidity = vi.fn();
    const server = $state({ kind: 'zammad-graph' as const, fqdn: 'desk.example.com', callback_template: '' });
    render(ServerStep, { server, onvalidity });
    const button = await screen.findByRole('button', { name: 'Check server' });
    expect(probed).toEqual([]); // not for every keystroke
    await fireEvent.click(button);
    await waitFor(() => expect(rows()).toHaveLength(4));
    expect(probed).toEqual([{ kind: 'zammad-graph', fqdn: 'desk.example.com', callback_template: null }]);
    const [dns, https, answer, callback] = Array.from(rows()) as HTMLElement[];
    expect(dns.dataset.status).toBe('ok');
    expect(dns.textContent).toContain('✓');
    expect(dns.textContent).toContain('12 ms');
    expect(dns.textContent).toContain('desk.example.com → 192.0.2.10');
    expect(https.dataset.status).toBe('failed');
    expect(https.textContent).toContain('✗');
    const card = https.querySelector('[data-code="tls.expired"]');
    expect(card?.textContent).toContain('Fix: Renew the certificate');
    expect(card?.textContent).toContain('2021-01-01');
    for (const skipped of [answer, callback]) {
      expect(skipped.dataset.status).toBe('skipped');
      expect(skipped.textContent).toContain('–');
      expect(skipped.textContent).toContain('not run: HTTPS failed');
      expect(skipped.textContent).not.toContain(' ms');
    }
    expect(screen.getByTestId('probe-warning').textContent).toContain('You can still continue');
    expect(onvalidity).toHaveBeenLastCalledWith('valid');
    expect(screen.getByRole('button', { name: 'Check again' })).toBeTruthy();
  });

  it('shows no warning when every live check passes, and forgets the checks when the input changes', async () => {
    mockServer(goodProbe);
    const server = $state({ kind: 'zammad-graph' as const, fqdn: 'desk.example.com', callback_template: '' });
    render(ServerStep, { server, onvalidity: vi.fn() });
    await fireEvent.click(await screen.findByRole('button', { name: 'Check server' }));
    await waitFor(() => expect(rows()).toHaveLength(4));
    expect(Array.from(rows()).map((r) => (r as HTMLElement).dataset.status)).toEqual(['ok', 'ok', 'ok', 'ok']);
    expect(screen.queryByTestId('probe-warning')).toBeNull();
    expect(screen.getByTestId('server-probe').textContent).toContain('Server: nginx');

    await fireEvent.input(screen.getByLabelText('Host name (FQDN)'), { target: { value: 'other.example.com' } });
    await waitFor(() => expect(screen.getByText('https://other.example.com/cb')).toBeTruthy());
    expect(rows()).toHaveLength(0);
    expect(screen.getByRole('button', { name: 'Check server' })).toBeTruthy();
  });
});
