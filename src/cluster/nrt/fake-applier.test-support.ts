import type { NodeResourceTopologyObject, NrtApplier } from "../types.js";

/** An NrtApplier that records what it is given and can be told to fail the next applies. */
export interface FakeApplier extends NrtApplier {
  readonly applied: NodeResourceTopologyObject[];
  readonly calls: number;
  failNext(times: number, message?: string): void;
  /** Resolves after the next `n` calls (successful or not) have returned. */
  waitForCalls(n: number): Promise<void>;
}

export function fakeApplier(opts: { delayMs?: number } = {}): FakeApplier {
  const applied: NodeResourceTopologyObject[] = [];
  let calls = 0;
  let failures = 0;
  let failureMessage = "the API server is unavailable";
  const waiters: { at: number; resolve: () => void }[] = [];
  const settle = () => {
    for (const w of [...waiters])
      if (calls >= w.at) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve();
      }
  };
  return {
    applied,
    get calls() {
      return calls;
    },
    failNext(times, message) {
      failures = times;
      if (message) failureMessage = message;
    },
    waitForCalls(n) {
      return new Promise((resolve) => {
        waiters.push({ at: calls + n, resolve });
        settle();
      });
    },
    async applyNodeResourceTopology(object) {
      await new Promise((resolve) => setTimeout(resolve, opts.delayMs ?? 0));
      try {
        if (failures > 0) {
          failures--;
          throw new Error(failureMessage);
        }
        applied.push(structuredClone(object));
      } finally {
        calls++;
        queueMicrotask(settle);
      }
    },
  };
}
