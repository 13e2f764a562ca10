import { describe, expect, it } from 'vitest';
import type { Diagnosis, MessageSummary } from './bindings';
import { appendPage, formatHeaderDate, formatReceived, formatSize, nearEnd, needsSignIn, remoteImagesNotice, srcdocFor } from './preview';

const msg = (id: string): MessageSummary => ({
  id,
  from: 'a@b',
  subject: id,
  received: '2026-11-21T09:30:00Z',
  size: null,
  has_attachments: false,
  is_read: false,
});

describe('preview', () => {
  it('formats sizes and leaves unknown ones empty', () => {
    expect(formatSize(null)).toBe('');
    expect(formatSize(812)).toBe('812 B');
    expect(formatSize(14 * 1024 + 100)).toBe('14 KB');
    expect(formatSize(3.25 * 1024 * 1024)).toBe('3.3 MB');
  });

  it('shows ISO dates as date and minute, other text unchanged', () => {
    expect(formatReceived('2026-11-21T09:30:00Z')).toBe('2026-11-21 09:30');
    expect(formatReceived('yesterday')).toBe('yesterday');
  });

  it("shows a Date header on the sender's clock, with its offset", () => {
    expect(formatHeaderDate('2017-12-30T20:50:01+01:00')).toBe('2017-12-30 20:50 +01:00');
    expect(formatHeaderDate('2026-11-21T09:30:00Z')).toBe('2026-11-21 09:30 UTC');
    expect(formatHeaderDate('Sat, 30 Dec 2017')).toBe('Sat, 30 Dec 2017');
  });

  it('gives the HTML frame a CSP that loads nothing remote', () => {
    const doc = srcdocFor('<p>hi</p>');
    expect(doc).toContain("default-src 'none'; img-src data:");
    expect(doc).not.toMatch(/img-src[^;]*http/);
    expect(doc).toContain('<body><p>hi</p></body>');
  });

  it('loads more only near the end of the list', () => {
    expect(nearEnd(0, 2000, 500)).toBe(false);
    expect(nearEnd(1400, 2000, 500)).toBe(true);
  });

  it('appends pages without listing a message twice', () => {
    const list = appendPage([msg('1'), msg('2')], [msg('2'), msg('3')]);
    expect(list.map((m) => m.id)).toEqual(['1', '2', '3']);
  });

  it('offers a new sign-in only for refusals a sign-in fixes', () => {
    const d = (code: string): Diagnosis => ({ code, title: '', detail: '', fix: '', docs_url: null, field: null });
    expect(needsSignIn(d('reauth.700082'))).toBe(true);
    expect(needsSignIn(d('reauth.no_refresh_token'))).toBe(true);
    expect(needsSignIn(d('net.refused'))).toBe(false);
    expect(needsSignIn(d('aadsts.7000222'))).toBe(false);
    expect(needsSignIn(null)).toBe(false);
  });
});

describe('remote images notice', () => {
  const fail = (summary: string) => ({ url: 'http://x/y.png', reason: `${summary} (details)`, summary });

  it('says why, grouped by reason', () => {
    const view = {
      remote_images: 3,
      remote_image_failures: [fail('points into your local network'), fail('unreachable'), fail('points into your local network')],
    };
    expect(remoteImagesNotice(view)).toBe(
      '3 remote images could not be loaded and are left out: points into your local network (2), unreachable (1).',
    );
  });

  it('gives one reason without a count, and none when the core listed none', () => {
    expect(remoteImagesNotice({ remote_images: 1, remote_image_failures: [fail('points into your local network')] })).toBe(
      '1 remote image could not be loaded and is left out: points into your local network.',
    );
    expect(remoteImagesNotice({ remote_images: 2, remote_image_failures: [] })).toBe(
      '2 remote images could not be loaded and are left out.',
    );
  });
});
