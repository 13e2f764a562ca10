import { describe, expect, it } from 'vitest';
import { checkLabel, checkedAgo, chip, expiryText } from './health';

describe('health', () => {
  it('names every status and an unchecked profile', () => {
    expect(['OK', 'WARNING', 'CRITICAL', 'UNKNOWN', null].map((s) => chip(s as never).tone)).toEqual([
      'ok',
      'warn',
      'bad',
      'muted',
      'muted',
    ]);
    expect(chip(null).text).toBe('Not checked');
  });

  it('tells the two XOAUTH2 sign-ins apart', () => {
    expect(checkLabel('imap-auth', 'Sign in with XOAUTH2')).toBe('IMAP: Sign in with XOAUTH2');
    expect(checkLabel('smtp-auth', 'Sign in with XOAUTH2')).toBe('SMTP: Sign in with XOAUTH2');
    expect(checkLabel('token', 'Access token')).toBe('Access token');
  });

  it('says when a profile was checked', () => {
    const now = new Date('2026-12-07T12:00:00Z');
    expect(checkedAgo('2026-12-07T11:59:30Z', now)).toBe('checked just now');
    expect(checkedAgo('2026-12-07T11:55:00Z', now)).toBe('checked 5 minutes ago');
    expect(checkedAgo('2026-12-07T11:00:00Z', now)).toBe('checked 1 hour ago');
    expect(checkedAgo('2026-12-04T12:00:00Z', now)).toBe('checked 3 days ago');
  });

  it('names each expiring profile with its days left', () => {
    const e = (profile: string, days_left: number, expires_on: string) => ({ profile, days_left, expires_on, fix: null });
    expect(expiryText([e('helpdesk', 12, '2026-12-19')])).toBe(
      "The app's client secret of helpdesk (12 days left, 2026-12-19) needs renewing.",
    );
    expect(expiryText([e('a', -2, '2026-12-05'), e('b', 0, '2026-12-07')])).toBe(
      'App secrets need renewing: a (expired 2026-12-05), b (expires today).',
    );
  });
});
