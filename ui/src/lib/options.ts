// The channel options step's rules. Pure functions, tested by Vitest.
import type { Folder } from './bindings';

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
