import type { Machine } from "../../machine/index.js";
import { Node, type NodeConfig } from "../../node/index.js";
import type { StateDir, StateOp } from "../state/index.js";

/** A StateDir kept in memory, recording every commit in order, for the agent's own tests. */
export interface MemoryStateDir extends StateDir {
  /** Every committed operation, in commit order. */
  readonly ops: StateOp[];
  readonly closed: boolean;
  /** Makes the next commit reject with `err` (a full disk, say). */
  failNextCommit(err: Error): void;
}

export interface MemoryStateDirOptions {
  machine: Machine;
  config: NodeConfig;
  /** Waits this long in each commit, as an fsync would (default 0: the next tick). */
  commitDelayMs?: number;
  now?: () => number;
}

export function memoryStateDir(opts: MemoryStateDirOptions): MemoryStateDir {
  const node = new Node({ machine: opts.machine, config: opts.config, now: opts.now });
  const podObjects = new Map<string, unknown>();
  const ops: StateOp[] = [];
  let closed = false;
  let failure: Error | null = null;
  return {
    node,
    podObjects,
    warnings: [],
    ops,
    get closed() {
      return closed;
    },
    failNextCommit(err) {
      failure = err;
    },
    async commit(op) {
      if (closed) throw new Error("commit after close");
      await new Promise((resolve) => setTimeout(resolve, opts.commitDelayMs ?? 0));
      if (failure) {
        const err = failure;
        failure = null;
        throw err;
      }
      ops.push(op);
      if (op.kind === "admit" && op.admitted) podObjects.set(op.podUID, op.pod);
      if (op.kind === "remove") podObjects.delete(op.podUID);
    },
    async close() {
      closed = true;
    },
  };
}
