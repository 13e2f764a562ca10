import { afterEach, describe, expect, it, vi } from 'vitest';
import { debounce, latestOnly } from './timing';

afterEach(() => vi.useRealTimers());

describe('debounce', () => {
  it('calls once with the last arguments after quiet time', () => {
    vi.useFakeTimers();
    const fn = vi.fn();
    const d = debounce(fn, 100);
    d.call(1);
    d.call(2);
    vi.advanceTimersByTime(99);
    expect(fn).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(fn).toHaveBeenCalledExactlyOnceWith(2);
  });

  it('flush runs a pending call at once, and only once', () => {
    vi.useFakeTimers();
    const fn = vi.fn();
    const d = debounce(fn, 100);
    d.call('x');
    d.flush();
    vi.advanceTimersByTime(500);
    d.flush();
    expect(fn).toHaveBeenCalledExactlyOnceWith('x');
  });
});

describe('latestOnly', () => {
  it('drops an answer that arrives after a newer call', async () => {
    const resolvers: ((v: string) => void)[] = [];
    const slow = latestOnly((_: string) => new Promise<string>((r) => resolvers.push(r)));
    const first = slow('a');
    const second = slow('b');
    resolvers[1]('B');
    resolvers[0]('A');
    expect(await second).toEqual({ ok: true, value: 'B' });
    expect(await first).toBeNull();
  });

  it('delivers errors of the latest call as outcomes', async () => {
    const failing = latestOnly(async () => {
      throw new Error('boom');
    });
    const outcome = await failing();
    expect(outcome?.ok).toBe(false);
  });
});
