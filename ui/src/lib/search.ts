// The preview's search: the form as the user fills it, the query the core validates, and the
// lines that say what a result covers. Pure functions, tested by Vitest.
import type { Folder, SearchPage, SearchProgress, SearchQuery } from './bindings';
import { folderRows } from './options';

export type SearchForm = {
  text: string;
  from: string;
  subject: string;
  since: string;
  before: string;
  has_attachments: boolean;
  allFolders: boolean;
};

export const emptyForm = (): SearchForm => ({
  text: '',
  from: '',
  subject: '',
  since: '',
  before: '',
  has_attachments: false,
  allFolders: false,
});

/** The query for the core, which trims, validates and names the field at fault. */
export function toQuery(form: SearchForm, folder: string | null): SearchQuery {
  const given = (v: string) => (v.trim() === '' ? null : v);
  return {
    text: given(form.text),
    from: given(form.from),
    subject: given(form.subject),
    since: given(form.since),
    before: given(form.before),
    has_attachments: form.has_attachments,
    scope: form.allFolders || !folder ? { kind: 'all_folders' } : { kind: 'folder', folder },
  };
}

/** How many of the structured filters are set (shown on the Filters button while closed). */
export function filterCount(form: SearchForm): number {
  return [form.from, form.subject, form.since, form.before].filter((v) => v.trim() !== '').length + (form.has_attachments ? 1 : 0);
}

/** A folder id (Graph's id, IMAP's name) as the path the folder tree shows. */
export function folderPath(id: string, tree: Folder[]): string {
  return folderRows(tree).find((r) => r.folder.id === id)?.folder.path ?? id;
}

/** The result line: how many were found where, and whether more could be there. */
export function resultLine(found: number, page: Pick<SearchPage, 'next' | 'capped' | 'stopped'>, where: string): string {
  const n = `${found} ${found === 1 ? 'message' : 'messages'} found in ${where}`;
  if (page.stopped) return `${n} before the search was stopped.`;
  if (page.capped !== null)
    return `${n}: the first ${page.capped.toLocaleString('en')} matches, Microsoft's limit for a search. More may match: narrow it with a sender, subject or dates.`;
  if (page.next) return `${n} so far. Scroll for more.`;
  return `${n}.`;
}

/** "Searching Inbox/Inquiries… 3 of 7 folders, 2 found". */
export function progressLine(p: SearchProgress, tree: Folder[]): string {
  return `Searching ${folderPath(p.folder, tree)}… ${p.folders_done} of ${p.folders_total} folders, ${p.found} found`;
}
