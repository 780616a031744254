import type { AgentLog } from "../../agent/index.js";
import type { NodeResourceTopologyObject, NrtApplier } from "../types.js";
import { Backoff } from "../watch/index.js";

export interface NrtPublisherOptions {
  /** The object as the node is now (read when a publication starts, never earlier). */
  build: () => NodeResourceTopologyObject | Promise<NodeResourceTopologyObject>;
  applier: NrtApplier;
  /** How long changes gather before one publication (default 1000 ms). */
  debounceMs?: number;
  /** The first retry's delay after a failed apply, doubled each time up to `maxRetryMs` (default 1000 ms). */
  retryMs?: number;
  maxRetryMs?: number;
  log?: Pick<AgentLog, "info" | "warn">;
}

export interface NrtPublisher {
  /** Publishes now (the start: a restarted agent re-publishes whatever the object says). */
  publishNow(): Promise<void>;
  /** Something changed: publish after the debounce, once for any number of changes. */
  changed(): void;
  /** Cancels the timers, waits for an apply in flight and makes one last try for a pending change. */
  stop(): Promise<void>;
  /** Applies that succeeded, failed, and publications skipped because nothing changed. */
  readonly stats: { applied: number; failed: number; skipped: number };
}

/**
 * Publishes the node's NodeResourceTopology object: at start, then after changes, debounced so a
 * burst of changes makes one or two applies; an object equal to the last one applied is not sent
 * again; a failed apply is retried with backoff until it succeeds or a newer change replaces it.
 */
export function createNrtPublisher(opts: NrtPublisherOptions): NrtPublisher {
  const debounceMs = opts.debounceMs ?? 1000;
  // Retries are not jittered: one agent per node publishes one object of its own.
  const retries = new Backoff({
    initialMs: opts.retryMs ?? 1000,
    maxMs: opts.maxRetryMs ?? 60_000,
    jitter: 0,
  });
  const stats = { applied: 0, failed: 0, skipped: 0 };
  let lastApplied: string | null = null;
  let pending = false;
  let timer: NodeJS.Timeout | null = null;
  let inFlight: Promise<void> | null = null;
  let stopped = false;

  const schedule = (delayMs: number) => {
    if (stopped || timer || inFlight) return;
    timer = setTimeout(() => {
      timer = null;
      void runOnce();
    }, delayMs);
  };

  /** Builds and applies once; the delay before a retry when it failed, else null. */
  const attempt = async (): Promise<number | null> => {
    try {
      const object = await opts.build();
      const text = JSON.stringify(object);
      if (text === lastApplied) {
        stats.skipped++;
      } else {
        await opts.applier.applyNodeResourceTopology(object);
        lastApplied = text;
        stats.applied++;
      }
      retries.reset();
      return null;
    } catch (err) {
      stats.failed++;
      pending = true;
      const delay = retries.next();
      opts.log?.warn("publishing the NodeResourceTopology object failed; retrying", {
        error: err instanceof Error ? err.message : String(err),
        retryInMs: stopped ? undefined : delay,
      });
      return delay;
    }
  };

  /** One publication; afterwards, a change that arrived meanwhile or a failure schedules the next. */
  const runOnce = (): Promise<void> => {
    if (inFlight) return inFlight;
    pending = false;
    inFlight = attempt().then((retryDelay) => {
      inFlight = null;
      if (retryDelay !== null) schedule(retryDelay);
      else if (pending) schedule(debounceMs);
    });
    return inFlight;
  };

  return {
    stats,
    publishNow: () => runOnce(),
    changed() {
      pending = true;
      schedule(debounceMs);
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      timer = null;
      if (inFlight) await inFlight;
      if (pending) {
        pending = false;
        await runOnce();
      }
    },
  };
}
