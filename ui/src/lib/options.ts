// The channel options step's rules. Pure functions, tested by Vitest.
import type { Folder, OptionsDraft, Profile } from './bindings';

/** The tree as rows for a picker: each folder with its depth, parents first. */
export function folderRows(tree: Folder[], depth = 0): { folder: Folder; depth: number }[] {
  return tree.flatMap((f) => [{ folder: f, depth }, ...folderRows(f.children, depth + 1)]);
}

/** Today as YYYY-MM-DD (UTC), the default archive cut-off. */
export function today(now = new Date()): string {
  return now.toISOString().slice(0, 10);
}

/** "3 mails on or before 2026-11-15 will be archived, 2 newer ones imported as new tickets." */
export function countsSentence(before: number, after: number, day: string): string {
  const mails = (n: number) => `${n} ${n === 1 ? 'mail' : 'mails'}`;
  return `${mails(before)} on or before ${day} will be archived, ${after} newer ${after === 1 ? 'one' : 'ones'} imported as new tickets.`;
}

/**
 * The options when the wizard switches to `profile`: a folder belongs to one mailbox, so the
 * profile's own kept options (from its last export) replace the ones on screen; without any,
 * only the folder is cleared (the group and the import rules are the helpdesk's, not the
 * mailbox's).
 */
export function optionsForProfile(current: OptionsDraft, profile: Profile | null): OptionsDraft {
  const setup = profile?.channel_setup;
  if (!setup) return { ...current, folder_id: '', folder_path: '' };
  return {
    folder_id: setup.folder.id,
    folder_path: setup.folder.path,
    // Kept as the helpdesk stores it (its group id when picked from its list): exported the same.
    group: setup.group,
    group_id: '',
    keep_on_server: setup.keep_on_server,
    archive: setup.archive !== null,
    archive_before: setup.archive?.before.slice(0, 10) ?? current.archive_before,
    archive_state: setup.archive?.state ?? current.archive_state,
  };
}
