export interface BackoffOptions {
  /** First wait (default 800 ms, as client-go's reflector). */
  initialMs: number;
  /** Longest wait (default 30 s). */
  maxMs: number;
  /** Each wait is stretched by up to this fraction at random (default 1.0, as client-go). */
  jitter: number;
  random?: () => number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { initialMs: 800, maxMs: 30_000, jitter: 1 };

/** Exponential backoff between failed attempts: doubling from `initialMs` up to `maxMs`, jittered. */
export class Backoff {
  private failures = 0;

  constructor(private readonly opts: BackoffOptions = DEFAULT_BACKOFF) {}

  /** The wait before the next attempt, after one more failure. */
  next(): number {
    const base = Math.min(this.opts.maxMs, this.opts.initialMs * 2 ** this.failures);
    this.failures = Math.min(this.failures + 1, 40);
    const random = this.opts.random ?? Math.random;
    return Math.min(this.opts.maxMs, base * (1 + this.opts.jitter * random()));
  }

  reset(): void {
    this.failures = 0;
  }
}

/** Resolves after `ms`, or at once when `signal` aborts. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done);
  });
}
