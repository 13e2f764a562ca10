import { describe, expect, it } from 'vitest';
import type { Folder } from './bindings';
import { emptyForm, filterCount, folderPath, progressLine, resultLine, toQuery } from './search';

const folder = (id: string, path: string, children: Folder[] = []): Folder => ({
  id,
  name: path.split('/').pop() ?? path,
  path,
  parent: null,
  total: 0,
  unread: 0,
  well_known: null,
  hidden: false,
  children,
});
const tree = [folder('INBOX', 'Inbox', [folder('INBOX/Inquiries', 'Inbox/Inquiries')]), folder('Archive', 'Archive')];

describe('search', () => {
  it('sends what was typed, empty fields as not given, in the chosen scope', () => {
    const form = { ...emptyForm(), text: 'invoice', from: '  ', since: '2026-11-01', has_attachments: true };
    expect(toQuery(form, 'INBOX')).toEqual({
      text: 'invoice',
      from: null,
      subject: null,
      since: '2026-11-01',
      before: null,
      has_attachments: true,
      scope: { kind: 'folder', folder: 'INBOX' },
    });
    expect(toQuery({ ...form, allFolders: true }, 'INBOX').scope).toEqual({ kind: 'all_folders' });
    expect(toQuery(form, null).scope).toEqual({ kind: 'all_folders' });
  });

  it('counts the filters set', () => {
    expect(filterCount(emptyForm())).toBe(0);
    expect(filterCount({ ...emptyForm(), text: 'x', subject: 'y', before: '2026-12-01', has_attachments: true })).toBe(3);
  });

  it('names folders by their path', () => {
    expect(folderPath('INBOX/Inquiries', tree)).toBe('Inbox/Inquiries');
    expect(folderPath('gone', tree)).toBe('gone');
    expect(progressLine({ folder: 'INBOX/Inquiries', folders_done: 2, folders_total: 3, found: 1 }, tree)).toBe(
      'Searching Inbox/Inquiries… 2 of 3 folders, 1 found',
    );
  });

  it('says when a result is capped, stopped or goes on', () => {
    const done = { next: null, capped: null, stopped: false };
    expect(resultLine(1, done, 'Inbox')).toBe('1 message found in Inbox.');
    expect(resultLine(50, { ...done, next: 'c' }, 'all folders')).toBe('50 messages found in all folders so far. Scroll for more.');
    expect(resultLine(3, { ...done, next: 'c', stopped: true }, 'all folders')).toBe(
      '3 messages found in all folders before the search was stopped.',
    );
    expect(resultLine(1000, { ...done, capped: 1000 }, 'Inbox')).toBe(
      "1000 messages found in Inbox: the first 1,000 matches, Microsoft's limit for a search. More may match: narrow it with a sender, subject or dates.",
    );
  });
});
