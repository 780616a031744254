import type { Machine } from "../../machine/index.js";
import type { Node, NodeConfig } from "../../node/index.js";
import type { DeviceSpec } from "../../machine/index.js";
import type { FileOpHook } from "./durable-write.js";

/**
 * One acknowledged change to the node, as the agent applies it. `pod` is the object as the client
 * sent it (parsed JSON/YAML, before validation): the state directory keeps it so that a restart
 * knows every admitted pod's spec, which the kubelet's own checkpoints do not carry.
 */
export type StateOp =
  | { kind: "admit"; pod: unknown; podUID: string; admitted: boolean }
  | { kind: "remove"; podUID: string }
  | { kind: "removeContainer"; podUID: string; container: string }
  | { kind: "updateDevices"; resource: string; devices: readonly DeviceSpec[] };

export interface StateDirOptions {
  /** The agent's state directory (the kubelet's layout: cpu_manager_state, memory_manager_state, device-plugins/). */
  dir: string;
  machine: Machine;
  /** Carries the Kubernetes version whose checkpoint formats are written. */
  config: NodeConfig;
  /** fsync files and the directory before `commit` resolves (default true; tests of logic may turn it off). */
  durable?: boolean;
  /** Called before every step that changes the disk (tests: crashes and I/O errors at any step). */
  fileOpHook?: FileOpHook;
}

/** A state directory opened, verified and loaded into an engine. */
export interface StateDir {
  /** The engine restored from the directory; the caller applies operations to it, then commits them. */
  readonly node: Node;
  /** Admitted pods' objects as recorded, by UID, in admission order. */
  readonly podObjects: ReadonlyMap<string, unknown>;
  /** Warnings from loading (a migrated format, a roll-forward after a crash), one line each. */
  readonly warnings: readonly string[];
  /**
   * Makes the node's current state durable after `op` was applied to `node` (and a rejected
   * admission, which changes state too, is committed as well). Resolves only once every file is on disk.
   */
  commit(op: StateOp): Promise<void>;
  /** Waits for pending commits, then releases the directory's lock; later commits reject. */
  close(): Promise<void>;
  /**
   * Set when the state is someone else's to change (shadow mode: the kubelet's checkpoints): why
   * every change is refused before it touches the node.
   */
  readonly readOnly?: string;
  /** A read-only state's way to take a node rebuilt from its source (see `AgentEngine.replaceNode`). */
  replaceNode?(node: Node, podObjects: ReadonlyMap<string, unknown>): void;
}

/** What `openStateDir` returns: a `StateDir` that also tells where it is and how far it got. */
export interface OpenedStateDir extends StateDir {
  readonly dir: string;
  /** The generation of the last record written (0 before the first). */
  readonly generation: number;
}
