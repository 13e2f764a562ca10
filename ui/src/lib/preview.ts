// The preview's display rules. Pure functions, tested by Vitest.
import type { Diagnosis, MessageSummary, MessageView } from './bindings';

/** "812 B", "14 KB", "3.2 MB"; an empty string when the size is unknown (Graph gives none). */
export function formatSize(bytes: number | null): string {
  if (bytes === null || !Number.isFinite(bytes) || bytes < 0) return '';
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

/**
 * The sanitized HTML as an iframe document. The frame is sandboxed without scripts; its own CSP
 * also loads nothing but inline images, so even a sanitizer miss cannot reach the network.
 */
export function srcdocFor(sanitizedHtml: string): string {
  const csp = "default-src 'none'; img-src data:; style-src 'unsafe-inline'; font-src data:";
  return `<!doctype html><html><head><meta charset="utf-8"><meta http-equiv="Content-Security-Policy" content="${csp}"><base target="_blank"><style>body{font:14px/1.45 system-ui,sans-serif;margin:12px;word-wrap:break-word}img{max-width:100%;height:auto}</style></head><body>${sanitizedHtml}</body></html>`;
}

/** The sender as the list shows it: the name alone when there is one (the address is on
 * hover), else the address. */
export function senderName(from: string): string {
  const m = /^\s*"?([^"<]*?)"?\s*<[^>]*>\s*$/.exec(from);
  return m && m[1] ? m[1] : from;
}

/** Whether the list is scrolled close enough to its end to load the next page. */
export function nearEnd(scrollTop: number, scrollHeight: number, clientHeight: number, margin = 200): boolean {
  return scrollHeight - (scrollTop + clientHeight) <= margin;
}

/** A listed message and the folder it is in (IMAP ids are only unique within a folder). */
export type Row = { message: MessageSummary; folder: string };

export const rowKey = (r: Row) => `${r.folder}\n${r.message.id}`;

/** Pages appended: a message already listed (mail arrived between pages) is not listed twice. */
export function appendPage(list: Row[], page: Row[]): Row[] {
  const seen = new Set(list.map(rowKey));
  return [...list, ...page.filter((r) => !seen.has(rowKey(r)))];
}

/** A refusal that only a new interactive sign-in fixes (the saved one expired or was revoked). */
export function needsSignIn(d: Diagnosis | null): boolean {
  return d?.code.startsWith('reauth.') ?? false;
}

/**
 * Why allowed remote images were left out, grouped by the core's reason: "2 remote images could
 * not be loaded and are left out: points into your local network (1), unreachable (1)."
 */
export function remoteImagesNotice(view: Pick<MessageView, 'remote_images' | 'remote_image_failures'>): string {
  const n = view.remote_images;
  const head = n === 1 ? '1 remote image could not be loaded and is left out' : `${n} remote images could not be loaded and are left out`;
  const counts = new Map<string, number>();
  for (const f of view.remote_image_failures) counts.set(f.summary, (counts.get(f.summary) ?? 0) + 1);
  if (counts.size === 0) return `${head}.`;
  const only = counts.size === 1 && view.remote_image_failures.length === n;
  const why = [...counts].map(([summary, count]) => (only ? summary : `${summary} (${count})`));
  return `${head}: ${why.join(', ')}.`;
}
