import { describe, expect, it } from 'vitest';
import type { Folder } from './bindings';
import { countsSentence, folderRows, today } from './options';

const folder = (path: string, children: Folder[] = []): Folder => ({
  id: path,
  name: path.split('/').pop() ?? path,
  path,
  parent: null,
  total: 1,
  unread: 0,
  well_known: null,
  hidden: false,
  children,
});

describe('the channel options', () => {
  it('lists nested folders under their parents with their depth', () => {
    const tree = [folder('Inbox', [folder('Inbox/Inquiries', [folder('Inbox/Inquiries/Tech-Support')])]), folder('Archive')];
    expect(folderRows(tree).map((r) => [r.folder.path, r.depth])).toEqual([
      ['Inbox', 0],
      ['Inbox/Inquiries', 1],
      ['Inbox/Inquiries/Tech-Support', 2],
      ['Archive', 0],
    ]);
  });

  it('says what archive mode will do', () => {
    expect(countsSentence(3, 2, '2026-11-15')).toBe(
      '3 mails on or before 2026-11-15 will be archived, 2 newer ones imported as new tickets.',
    );
    expect(countsSentence(1, 1, '2026-11-15')).toContain('1 mail on or before');
    expect(today(new Date('2026-11-22T23:30:00Z'))).toBe('2026-11-22');
  });
});
