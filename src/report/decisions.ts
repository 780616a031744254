import type { MemoryBlock } from "../managers/memory/index.js";
import type { CPUSet } from "../core/index.js";
import type { AssignmentType, ContainerKind, DeviceAssignment } from "../node/index.js";
import { formatBytes } from "./units.js";

/** One container of a decisions table (the shape of the Node's `ContainerDecision`). */
export interface ContainerRow {
  name: string;
  kind: ContainerKind;
  /** How the container holds its CPUs. */
  assignmentType: AssignmentType;
  /** How it holds its memory, when known and reported separately (`node_shared` = no blocks). */
  memoryAssignmentType?: AssignmentType;
  /** Its CPU assignment, or the node shared pool when `hasCPUAssignment` is false. */
  cpus: CPUSet;
  hasCPUAssignment: boolean;
  /** NUMA affinity the Topology Manager stored (null = any node). */
  numaAffinity: number[] | null;
  cpusetMems: number[] | null;
  memory: readonly MemoryBlock[] | null;
  cfsQuotaUs: number | null;
  /** Device-plugin devices the container holds (absent: not known to this front end). */
  devices?: readonly DeviceAssignment[];
  /** Pod-level pods: the error of the device allocation at container creation. */
  deviceError?: string | null;
}

/** One pod of a decisions table: the verdict, the pod-level results, and its containers. */
export interface DecisionRow {
  pod: { uid: string; name: string; namespace: string };
  admitted: boolean;
  reason: string | null;
  message: string | null;
  bubble: CPUSet | null;
  podSharedPool: CPUSet | null;
  podMemory: readonly MemoryBlock[] | null;
  /** Pod cgroup CPU quota: -1 unlimited, a quota, or null when none is set. */
  podCpuQuotaUs: number | null;
  containers: ContainerRow[];
  /** Pod-level path: the devices were chosen at container start, not reserved at admission. */
  devicesDeferred?: boolean;
  /** What the kubelet accepts silently but a user should know. */
  warnings?: readonly string[];
}

/** `12Gi @0` for memory, `hugepages-2Mi 1Gi @0,1` otherwise, comma separated; `-` without blocks. */
export function formatBlocks(blocks: readonly MemoryBlock[] | null): string {
  if (!blocks || blocks.length === 0) return "-";
  return blocks
    .map(
      (b) => `${b.type === "memory" ? "" : `${b.type} `}${formatBytes(b.size)} @${b.numaAffinity.join(",")}`,
    )
    .join(", ");
}

/** A CFS quota as the cgroup shows it: `max` for -1, the quota in µs, or `-` when unset. */
export function formatQuota(q: number | null): string {
  if (q === null || q === 0) return "-";
  return q < 0 ? "max" : String(q);
}

/** The container's CPUs: its own set, or `shared (<default set>)` for the node shared pool. */
export function formatContainerCpus(c: Pick<ContainerRow, "cpus" | "hasCPUAssignment">): string {
  const list = c.cpus.toString() || "-";
  return c.hasCPUAssignment ? list : `shared (${list})`;
}
