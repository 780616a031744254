import { CPUSet } from "../../core/index.js";
import { isSidecar, type Pod } from "../../k8s/index.js";
import type { CPUPolicyMetrics } from "./policy-metrics.js";
import type { ContainerCPURequests } from "./requests.js";
import type { CPUState } from "./state.js";

/** What partitioning a bubble needs from the policy. */
export interface PartitionContext {
  readonly state: CPUState;
  readonly metrics: CPUPolicyMetrics;
  /** The policy's take-by-topology; throws `ManagerError`. */
  take(available: CPUSet, numCPUs: number): CPUSet;
}

/**
 * Splits a pod's bubble among its containers (pod-level.md §2.3 steps 8–11) and stores every
 * container's set. Containers listed in `restored` keep their stored set and take no CPUs, but
 * count as if just computed (a restored exclusive sidecar still leaves the pool for good, a
 * restored exclusive app container still leaves the pod shared pool), so a missing container
 * sees exactly what a fresh run would give it (pod-level.md §8). Only newly stored containers move
 * the counters. `requests` are the pod's `containerGuaranteedCPUs`. Throws the take's
 * `ManagerError`, in which case nothing is stored.
 */
export function partitionPodCPUs(
  ctx: PartitionContext,
  pod: Pod,
  bubble: CPUSet,
  restored: ReadonlyMap<string, CPUSet>,
  requests: ContainerCPURequests,
): void {
  const { metrics } = ctx;
  const exclusive = new Map<string, CPUSet>();
  let sidecarCPUs = CPUSet.empty;

  for (let i = 0; i < pod.initContainers.length; i++) {
    const c = pod.initContainers[i];
    const n = requests.init[i];
    const stored = restored.get(c.name);
    if (n > 0) {
      let cset = stored;
      if (!cset) {
        metrics.pinningRequest();
        cset = ctx.take(bubble.difference(sidecarCPUs), n);
        metrics.assignment("pod_exclusive");
      }
      exclusive.set(c.name, cset);
      // A sidecar's CPUs leave the pool for good; a standard init container's are reused later.
      if (isSidecar(c)) sidecarCPUs = sidecarCPUs.union(cset);
    } else if (!isSidecar(c)) {
      if (stored) exclusive.set(c.name, stored);
      else {
        exclusive.set(c.name, bubble.difference(sidecarCPUs));
        metrics.assignment("pod_shared");
      }
    }
  }

  let podSharedPool = bubble.difference(sidecarCPUs);
  for (let i = 0; i < pod.containers.length; i++) {
    const c = pod.containers[i];
    const n = requests.apps[i];
    if (n === 0) continue;
    let cset = restored.get(c.name);
    if (!cset) {
      metrics.pinningRequest();
      cset = ctx.take(podSharedPool, n);
      metrics.assignment("pod_exclusive");
    }
    exclusive.set(c.name, cset);
    podSharedPool = podSharedPool.difference(cset);
  }

  // Container order (init containers, then app containers), without listing them anew.
  for (const c of pod.initContainers) store(ctx, pod.uid, c.name, restored, exclusive, podSharedPool);
  for (const c of pod.containers) store(ctx, pod.uid, c.name, restored, exclusive, podSharedPool);
}

/** Stores one container's set: its exclusive one, else the pod shared pool. */
function store(
  ctx: PartitionContext,
  podUID: string,
  name: string,
  restored: ReadonlyMap<string, CPUSet>,
  exclusive: ReadonlyMap<string, CPUSet>,
  podSharedPool: CPUSet,
): void {
  if (restored.has(name)) return;
  const cset = exclusive.get(name);
  if (cset) ctx.state.setCPUSet(podUID, name, cset);
  else {
    ctx.state.setCPUSet(podUID, name, podSharedPool);
    ctx.metrics.assignment("pod_shared");
  }
  ctx.metrics.allocation("pod");
}
