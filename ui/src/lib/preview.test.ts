import { describe, expect, it } from 'vitest';
import type { Diagnosis, MessageSummary } from './bindings';
import { appendPage, formatSize, nearEnd, needsSignIn, remoteImagesNotice, senderName, srcdocFor, type Row } from './preview';

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

  it('gives the HTML frame a CSP that loads nothing remote', () => {
    const doc = srcdocFor('<p>hi</p>');
    expect(doc).toContain("default-src 'none'; img-src data:");
    expect(doc).not.toMatch(/img-src[^;]*http/);
    expect(doc).toContain('<body><p>hi</p></body>');
  });

  it('lists senders by name, by address when they have none', () => {
    expect(senderName('Doug Sauder <doug@penguin.example.com>')).toBe('Doug Sauder');
    expect(senderName('"Person, Anne" <aperson@example.com>')).toBe('Person, Anne');
    expect(senderName('<foo@bar.baz>')).toBe('<foo@bar.baz>');
    expect(senderName('xx@xx.dk')).toBe('xx@xx.dk');
  });

  it('loads more only near the end of the list', () => {
    expect(nearEnd(0, 2000, 500)).toBe(false);
    expect(nearEnd(1400, 2000, 500)).toBe(true);
  });

  it('appends pages without listing a message twice, telling folders apart', () => {
    const row = (id: string, folder = 'INBOX'): Row => ({ message: msg(id), folder });
    const list = appendPage([row('1'), row('2')], [row('2'), row('3'), row('2', 'Archive')]);
    expect(list.map((r) => `${r.folder}:${r.message.id}`)).toEqual(['INBOX:1', 'INBOX:2', 'INBOX:3', 'Archive:2']);
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
