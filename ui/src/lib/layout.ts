// The preview's layout as the user left it: the folder and list panes' widths and whether the
// message pane is shown, kept in the webview's storage between starts.

export type Layout = { folders: number; list: number; detail: boolean };

export const DEFAULT_LAYOUT: Layout = { folders: 180, list: 360, detail: true };
const KEY = 'preview.layout';
export const LIMITS = { folders: [120, 420], list: [220, 900] } as const;

const clamp = (v: unknown, [lo, hi]: readonly [number, number], fallback: number) =>
  typeof v === 'number' && Number.isFinite(v) ? Math.round(Math.min(hi, Math.max(lo, v))) : fallback;

/** A stored layout made sane: widths in their limits, anything unreadable the default. */
export function sane(value: unknown): Layout {
  const v = (typeof value === 'object' && value !== null ? value : {}) as Partial<Record<keyof Layout, unknown>>;
  return {
    folders: clamp(v.folders, LIMITS.folders, DEFAULT_LAYOUT.folders),
    list: clamp(v.list, LIMITS.list, DEFAULT_LAYOUT.list),
    detail: typeof v.detail === 'boolean' ? v.detail : DEFAULT_LAYOUT.detail,
  };
}

export function loadLayout(store: Pick<Storage, 'getItem'> = localStorage): Layout {
  try {
    return sane(JSON.parse(store.getItem(KEY) ?? 'null'));
  } catch {
    return { ...DEFAULT_LAYOUT };
  }
}

export function saveLayout(layout: Layout, store: Pick<Storage, 'setItem'> = localStorage): void {
  try {
    store.setItem(KEY, JSON.stringify(sane(layout)));
  } catch {
    // Storage full or disabled: the layout is not remembered, nothing else is lost.
  }
}

/** The index `delta` rows from `current` in a list of `length`, held at its ends. */
export function step(current: number, delta: number, length: number): number {
  if (length === 0) return -1;
  return Math.min(length - 1, Math.max(0, current + delta));
}
