import { describe, expect, it } from 'vitest';
import type { ChannelSetup, Folder, OptionsDraft, Profile } from './bindings';
import { countsSentence, folderRows, optionsForProfile, today } from './options';

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

  describe('switching profiles', () => {
    const onScreen: OptionsDraft = {
      folder_id: 'AAMkAD-alice-inquiries',
      folder_path: 'Inbox/Inquiries',
      group: 'Users',
      group_id: '',
      keep_on_server: false,
      archive: true,
      archive_before: '2026-11-01',
      archive_state: 'closed',
    };
    const profile = (channel_setup: ChannelSetup | null) => ({ name: 'support@contoso.test', channel_setup }) as unknown as Profile;

    it("clears the folder of another mailbox and keeps the helpdesk's choices", () => {
      expect(optionsForProfile(onScreen, profile(null))).toEqual({ ...onScreen, folder_id: '', folder_path: '' });
      expect(optionsForProfile(onScreen, null).folder_id).toBe('');
    });

    it("takes the profile's kept options, as the export would write them again", () => {
      const kept: ChannelSetup = {
        server: 'zammad-graph',
        callback_url: 'https://desk.contoso.test/cb',
        group: '3',
        folder: { id: 'INBOX/Tech', path: 'INBOX/Tech' },
        keep_on_server: true,
        archive: { before: '2026-10-31T23:59:59Z', state: 'merged' },
      };
      expect(optionsForProfile(onScreen, profile(kept))).toEqual({
        folder_id: 'INBOX/Tech',
        folder_path: 'INBOX/Tech',
        group: '3',
        group_id: '',
        keep_on_server: true,
        archive: true,
        archive_before: '2026-10-31',
        archive_state: 'merged',
      });
      const noArchive = optionsForProfile(onScreen, profile({ ...kept, archive: null }));
      expect([noArchive.archive, noArchive.archive_before, noArchive.archive_state]).toEqual([false, '2026-11-01', 'closed']);
    });
  });
});
