import type { ContainerDecision } from "../../node/index.js";
import type { LinuxContainerResources } from "./cri-types.js";

/**
 * The `UpdateContainerResources` fields enforcement sends for a container, as the kubelet's CPU
 * and Memory Managers set them (cpu-manager.md §9, memory-manager.md §8, pod-level.md §4–§5):
 * - `cpuset_cpus`: the container's CPU assignment (exclusive CPUs, a pod shared pool or a runnable
 *   pool), or the node shared pool (the default CPU set) when it has none; never empty; unset when
 *   the CPU Manager policy is `none`.
 * - `cpuset_mems`: the NUMA nodes of its memory blocks, comma-joined; unset without blocks.
 * - `cpu_quota` -1 for a container with exclusive CPUs (DisableCPUQuotaWithExclusiveCPUs); any
 *   other quota is the container's own CPU limit, which a kubelet whose managers are `none` has
 *   already set at creation, so it is left alone (an update's unset fields are not changed).
 */
export function containerUpdate(
  decision: ContainerDecision,
  cpuManagerStatic = true,
): LinuxContainerResources {
  const out: LinuxContainerResources = {};
  // The `none` policy pins nothing (the kubelet runs no reconcile loop for it).
  if (cpuManagerStatic && !decision.cpus.isEmpty()) out.cpuset_cpus = decision.cpus.toString();
  if (decision.cpusetMems && decision.cpusetMems.length > 0) out.cpuset_mems = decision.cpusetMems.join(",");
  if (decision.cfsQuotaUs === -1) out.cpu_quota = -1;
  return out;
}

/** `cpuset_cpus=1-3 cpuset_mems=0 cpu_quota=-1`: the fields of an update, for logs and change tracking. */
export function describeUpdate(update: LinuxContainerResources): string {
  const parts: string[] = [];
  if (update.cpuset_cpus !== undefined) parts.push(`cpuset_cpus=${update.cpuset_cpus}`);
  if (update.cpuset_mems !== undefined) parts.push(`cpuset_mems=${update.cpuset_mems}`);
  if (update.cpu_quota !== undefined) parts.push(`cpu_quota=${update.cpu_quota}`);
  return parts.join(" ");
}
