import type { Node } from "../../node/index.js";
import type { LogFields } from "../log.js";
import type { CgroupDriver } from "./cgroup-names.js";
import type { CriRuntime } from "./cri-client.js";
import type { LinuxContainerResources } from "./cri-types.js";

/** The agent's log, or anything with its three levels (one line per call). */
export interface EnforceLog {
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
}

export interface EnforcerOptions {
  /** The container runtime's CRI socket, `unix:///run/containerd/containerd.sock` for containerd. */
  runtimeEndpoint: string;
  /** Write for real; false is a dry run that logs each write it would make and writes nothing. */
  enforce: boolean;
  /** The kubelet's `cgroupRoot` (default "/"). */
  cgroupRoot?: string;
  /** The kubelet's `cgroupDriver` (default "cgroupfs"). */
  cgroupDriver?: CgroupDriver;
  /** Where the cgroup filesystem is mounted (default /sys/fs/cgroup). */
  cgroupMount?: string;
  /** The kubelet's `cgroupsPerQOS` (default true); without it there are no pod cgroups to write. */
  cgroupsPerQOS?: boolean;
  /** The reconcile loop's period, the kubelet's `cpuManagerReconcilePeriod` (default 10 s). */
  reconcilePeriodMs?: number;
  /** Deadline of each CRI call (default 10 s). */
  criTimeoutMs?: number;
  log: EnforceLog;
  /** A runtime to talk to instead of connecting to `runtimeEndpoint` (tests). */
  runtime?: CriRuntime;
}

/** Which pod (and container) a write or failure belongs to. */
export interface EnforceTarget {
  podUID: string;
  /** `namespace/name`. */
  pod: string;
}

export type EnforceWrite =
  | (EnforceTarget & {
      kind: "container";
      container: string;
      containerId: string;
      /** The fields sent with UpdateContainerResources (or that would be). */
      resources: LinuxContainerResources;
      applied: boolean;
    })
  | (EnforceTarget & {
      kind: "pod-cgroup";
      /** The cgroup interface file. */
      path: string;
      value: string;
      applied: boolean;
    });

export interface EnforceFailure {
  podUID: string | null;
  pod: string | null;
  container: string | null;
  containerId: string | null;
  message: string;
}

/** Something of an admitted pod the runtime does not run yet: a container, or (null) the pod cgroup. */
export interface PendingContainer extends EnforceTarget {
  container: string | null;
}

/** What one pass did: nothing here is thrown. */
export interface EnforceResult {
  enforce: boolean;
  /** Writes made (enforce) or that would be made (dry run, each reported once), in order. */
  writes: EnforceWrite[];
  failures: EnforceFailure[];
  /** Containers of admitted pods not running (yet), pod cgroups not made yet: retried by the next pass. */
  pending: PendingContainer[];
  /** Containers and pod cgroup files found as they should be. */
  unchanged: number;
}

export interface Enforcer {
  readonly enforce: boolean;
  /**
   * One pass over the node's admitted pods: every container's update and every pod cgroup file
   * that is not as decided. Passes never overlap (a call waits for the one in progress).
   */
  apply(node: NodeLike): Promise<EnforceResult>;
  /** Runs `apply` now and then every reconcile period until `stop`. */
  start(node: NodeLike | (() => NodeLike)): void;
  /** Ends the loop, waits for a pass in progress and closes the runtime connection. */
  stop(): Promise<void>;
}

/** The engine whose admitted pods are enforced (its decisions and feature gates are read, never changed). */
export type NodeLike = Node;
