/**
 * The agent's state in shadow mode: the node rebuilt from the kubelet's checkpoints, never
 * committed by the agent. Every change is refused before it reaches the node (the engine checks
 * `readOnly`), and `replaceNode` installs the next rebuild.
 */
import { ReadOnlyStateError, type StateDir } from "../../agent/index.js";
import type { Node } from "../../node/index.js";

export function shadowReadOnlyReason(rootDir: string): string {
  return `shadow mode: the kubelet decides; podpin reads its checkpoints under ${rootDir} and only reports where it would have decided otherwise`;
}

export interface ShadowStateDir extends StateDir {
  readonly readOnly: string;
  readonly closed: boolean;
  replaceNode(node: Node, podObjects: ReadonlyMap<string, unknown>): void;
}

export function shadowStateDir(
  rootDir: string,
  initial: Node,
  podObjects: ReadonlyMap<string, unknown>,
  warnings: readonly string[] = [],
): ShadowStateDir {
  let node = initial;
  let objects = podObjects;
  let closed = false;
  const readOnly = shadowReadOnlyReason(rootDir);
  return {
    readOnly,
    warnings,
    get node() {
      return node;
    },
    get podObjects() {
      return objects;
    },
    get closed() {
      return closed;
    },
    async commit() {
      throw new ReadOnlyStateError(readOnly);
    },
    replaceNode(next, nextObjects) {
      node = next;
      objects = nextObjects;
    },
    async close() {
      closed = true;
    },
  };
}
