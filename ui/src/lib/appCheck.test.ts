import { describe, expect, it } from 'vitest';
import { appCheckOk, defaultChannel } from './appCheck';
import type { AppCheck, CheckStep } from './bindings';

const step = (id: string, status: CheckStep['status']): CheckStep => ({
  id,
  label: id,
  status,
  millis: 1,
  detail: '',
  diagnosis: null,
});

const check = (steps: CheckStep[]): AppCheck => ({
  client_id: 'x',
  tenant: null,
  steps,
  secret_expiry: null,
  checklist: [],
  permissions_page: '',
  credentials_page: '',
  notes: [],
});

describe('the app check', () => {
  it('passes when the secret was accepted, whatever the expiry step says', () => {
    expect(appCheckOk(check([step('tenant', 'ok'), step('app', 'ok'), step('secret-expiry', 'skipped')]))).toBe(true);
    expect(appCheckOk(check([step('tenant', 'ok'), step('app', 'ok'), step('secret-expiry', 'warning')]))).toBe(true);
  });

  it('fails when a step failed or the secret was never tried', () => {
    expect(appCheckOk(check([step('tenant', 'failed'), step('app', 'skipped')]))).toBe(false);
    expect(appCheckOk(check([step('tenant', 'ok'), step('app', 'skipped')]))).toBe(false);
    expect(appCheckOk(check([step('tenant', 'ok'), step('app', 'ok'), step('secret-expiry', 'failed')]))).toBe(false);
  });

  it('picks the channel the helpdesk uses', () => {
    expect(defaultChannel('zammad-graph')).toBe('graph-delegated');
    expect(defaultChannel('freescout')).toBe('imap-delegated');
  });
});
