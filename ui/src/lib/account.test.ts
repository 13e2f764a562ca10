import { describe, expect, it } from 'vitest';
import { describeProfile, flowsFor, needsAddress } from './account';
import type { Profile } from './bindings';

const profile = (mailbox: Profile['mailbox'], flow: Profile['flow'] = 'browser'): Profile => ({
  version: 2,
  name: mailbox.address,
  mailbox,
  identity: { object_id: 'o', tenant_id: 't', username: 'alice@contoso.test', display_name: null },
  tenant_id: 't',
  client_id: 'c',
  confidential_client: true,
  cloud: { kind: 'sandbox' },
  channel: 'imap-delegated',
  flow,
  scopes: { graph: [], outlook: [] },
  access_expires_at: null,
  last_refreshed_at: null,
  signed_in_at: '2026-11-22T00:00:00Z',
  created_at: '2026-11-22T00:00:00Z',
  channel_setup: null,
});

describe('the account step', () => {
  it('offers only the sign-in methods a channel can use', () => {
    expect(flowsFor('graph-application')).toEqual(['client-credentials']);
    expect(flowsFor('graph-delegated')).not.toContain('client-credentials');
    expect(flowsFor('imap-delegated')).toContain('client-credentials');
  });

  it('asks for the address when nobody signs in as the mailbox', () => {
    expect(needsAddress(false, 'browser')).toBe(false);
    expect(needsAddress(true, 'browser')).toBe(true);
    expect(needsAddress(false, 'client-credentials')).toBe(true);
  });

  it('describes profiles by mailbox and who reaches it', () => {
    expect(describeProfile(profile({ kind: 'user', address: 'alice@contoso.test' }))).toBe(
      'alice@contoso.test — user mailbox',
    );
    const delegate = { object_id: 'o', tenant_id: 't', username: 'bob@contoso.test', display_name: null };
    expect(describeProfile(profile({ kind: 'shared', address: 'support@contoso.test', delegate }))).toBe(
      'support@contoso.test — shared, via bob@contoso.test',
    );
    expect(
      describeProfile(profile({ kind: 'shared', address: 'support@contoso.test', delegate }, 'client-credentials')),
    ).toBe('support@contoso.test — app-only');
  });
});
