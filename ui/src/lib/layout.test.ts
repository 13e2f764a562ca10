import { describe, expect, it } from 'vitest';
import { DEFAULT_LAYOUT, loadLayout, sane, saveLayout, step } from './layout';

const memory = () => {
  const items = new Map<string, string>();
  return { getItem: (k: string) => items.get(k) ?? null, setItem: (k: string, v: string) => void items.set(k, v), items };
};

describe('layout', () => {
  it('keeps widths in their limits and falls back on what it cannot read', () => {
    expect(sane({ folders: 10, list: 5000, detail: false })).toEqual({ folders: 120, list: 900, detail: false });
    expect(sane({ folders: 'wide', list: NaN })).toEqual(DEFAULT_LAYOUT);
    expect(sane(null)).toEqual(DEFAULT_LAYOUT);
  });

  it('remembers the layout, and survives a broken entry', () => {
    const store = memory();
    expect(loadLayout(store)).toEqual(DEFAULT_LAYOUT);
    saveLayout({ folders: 250.4, list: 500, detail: false }, store);
    expect(loadLayout(store)).toEqual({ folders: 250, list: 500, detail: false });
    store.items.set('preview.layout', '{broken');
    expect(loadLayout(store)).toEqual(DEFAULT_LAYOUT);
  });

  it('moves through the list and stops at its ends', () => {
    expect(step(0, -1, 3)).toBe(0);
    expect(step(1, 1, 3)).toBe(2);
    expect(step(2, 1, 3)).toBe(2);
    expect(step(0, 1, 0)).toBe(-1);
  });
});
