// Small timing helpers for inputs that trigger Rust calls.

/** Calls `fn` once input has been quiet for `ms`; `flush` runs a pending call now. */
export function debounce<A extends unknown[]>(fn: (...args: A) => void, ms: number) {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let pending: A | undefined;
  const run = () => {
    timer = undefined;
    if (pending) {
      const args = pending;
      pending = undefined;
      fn(...args);
    }
  };
  return {
    call(...args: A) {
      pending = args;
      clearTimeout(timer);
      timer = setTimeout(run, ms);
    },
    flush() {
      clearTimeout(timer);
      run();
    },
  };
}

export type Outcome<T> = { ok: true; value: T } | { ok: false; error: unknown };

/**
 * Wraps an async function so that only the answer to the latest call is delivered (`null` for a
 * stale one): a slow answer to older input must never overwrite the verdict on what is typed now.
 */
export function latestOnly<A extends unknown[], T>(fn: (...args: A) => Promise<T>) {
  let seq = 0;
  return async (...args: A): Promise<Outcome<T> | null> => {
    const mine = ++seq;
    let outcome: Outcome<T>;
    try {
      outcome = { ok: true, value: await fn(...args) };
    } catch (error) {
      outcome = { ok: false, error };
    }
    return mine === seq ? outcome : null;
  };
}
