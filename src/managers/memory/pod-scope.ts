import type { MemoryBlock } from "./state-data.js";
import { ManagerError } from "../../core/index.js";
import { type FeatureGates, isSidecar, type Pod } from "../../k8s/index.js";
import {
  type ContainerRequestOf,
  containerRequestsOf,
  podRequestedResources,
  type ResourceRequest,
  sortedRequest,
} from "./requests.js";
import type { MemoryCounters } from "./counters.js";
import { blocksOn } from "./memory-state.js";
import { addU64, subU64 } from "./u64.js";

/**
 * The memory version of `validatePodScopeResources` (pod-level.md §2.4): the pod budget must
 * leave room for the largest exclusive standard init container and, when any container runs in the
 * pod shared pool, something for that pool. The budget minus the sidecars is a uint64 difference
 * (it wraps when sidecars exceed the budget). Resources are visited in ascending name order.
 */
export function validatePodScopeResources(
  pod: Pod,
  gates: FeatureGates,
  requestOf: ContainerRequestOf = containerRequestsOf(pod, gates),
  podTotal: ResourceRequest | ManagerError = podRequestedResources(pod, gates, requestOf),
): ManagerError | null {
  if (podTotal instanceof ManagerError) return podTotal;
  let hasSharedLongRunning = false;
  // Only the budget's resources are ever compared: the exclusive sums are kept for those alone,
  // by position in the budget.
  const sumLongRunning = new Array<bigint>(podTotal.size).fill(0n);

  for (const c of pod.initContainers) {
    const req = requestOf(c);
    if (req instanceof ManagerError) return req;
    if (!isSidecar(c)) {
      let i = 0;
      for (const [r, total] of podTotal) {
        const pool = subU64(total, sumLongRunning[i]);
        if (req.size > 0) {
          const asked = req.get(r) ?? 0n;
          if (asked > pool) {
            return new ManagerError(
              `pod rejected, largest exclusive init container requests ${asked} of ${r}, but only ${pool} available`,
            );
          }
        } else if (sumLongRunning[i] >= total) {
          return new ManagerError(
            `pod rejected, pod has shared init containers but no ${r} available for them`,
          );
        }
        i++;
      }
      continue;
    }
    if (req.size === 0) hasSharedLongRunning = true;
    else addOver(podTotal, sumLongRunning, req);
  }
  for (const c of pod.containers) {
    const req = requestOf(c);
    if (req instanceof ManagerError) return req;
    if (req.size === 0) hasSharedLongRunning = true;
    else addOver(podTotal, sumLongRunning, req);
  }
  if (hasSharedLongRunning) {
    let i = 0;
    for (const [r, total] of podTotal) {
      if (sumLongRunning[i++] >= total) {
        return new ManagerError(
          `pod rejected, sum of exclusive container ${r} requests equals pod budget, leaving no memory for shared containers`,
        );
      }
    }
  }
  return null;
}

/** Adds a request into sums kept by position in the budget (its other resources are never read). */
function addOver(podTotal: ResourceRequest, sums: bigint[], req: ResourceRequest): void {
  let i = 0;
  for (const r of podTotal.keys()) {
    const size = req.get(r);
    if (size !== undefined) sums[i] = addU64(sums[i], size);
    i++;
  }
}

function addInto(sums: Map<string, bigint>, req: ResourceRequest): void {
  for (const [r, size] of req) sums.set(r, addU64(sums.get(r) ?? 0n, size));
}

/** How `AllocatePod` divides the pod budget among the containers (pod-level.md §2.6 step 6). */
export interface PodMemoryPartition {
  /** Containers with their own blocks: exclusive requests, or a standard init container's runnable pool. */
  exclusive: Map<string, MemoryBlock[]>;
  /** What every other container shares: budget − sidecar exclusives − app exclusives, per resource. */
  sharedPool: MemoryBlock[];
}

function blocksOf(sizes: ReadonlyMap<string, bigint>, bits: readonly number[]): MemoryBlock[] {
  return blocksOn(sizes, bits, true);
}

/** The budget less the sidecars' exclusive memory, per resource in budget order (uint64 differences). */
function remainderAfter(
  podTotal: ResourceRequest,
  sidecarMemory: ReadonlyMap<string, bigint> | null,
): Map<string, bigint> {
  const out = new Map<string, bigint>();
  for (const [r, total] of podTotal) out.set(r, subU64(total, sidecarMemory?.get(r) ?? 0n));
  return out;
}

/**
 * Partitions the pod budget on the chosen NUMA nodes. Blocks are bookkeeping only: the machine
 * state is charged once with the pod budget. Counts the per-container metrics of the init and app
 * loops (pinning requests, pod_exclusive, and pod_shared for standard init containers).
 */
export function partitionPodMemory(
  pod: Pod,
  gates: FeatureGates,
  podTotal: ResourceRequest,
  bits: readonly number[],
  counters: MemoryCounters,
  requestOf: ContainerRequestOf = containerRequestsOf(pod, gates),
): PodMemoryPartition | ManagerError {
  const exclusive = new Map<string, MemoryBlock[]>();
  // Made when a sidecar has exclusive memory (sidecars usually run in the shared pool).
  let sidecarMemory: Map<string, bigint> | null = null;

  for (const c of pod.initContainers) {
    const req = requestOf(c);
    if (req instanceof ManagerError) return req;
    counters.inc(counters.pinningRequests);
    if (req.size === 0) {
      if (isSidecar(c)) continue;
      exclusive.set(c.name, blocksOf(remainderAfter(podTotal, sidecarMemory), bits));
      counters.inc(counters.podShared);
      continue;
    }
    exclusive.set(c.name, blocksOf(req, bits));
    counters.inc(counters.podExclusive);
    if (isSidecar(c)) addInto((sidecarMemory ??= new Map()), req);
  }

  const appPool = remainderAfter(podTotal, sidecarMemory);
  for (const c of pod.containers) {
    const req = requestOf(c);
    if (req instanceof ManagerError) return req;
    if (req.size === 0) continue;
    counters.inc(counters.pinningRequests);
    exclusive.set(c.name, blocksOf(req, bits));
    // The kubelet subtracts from a zero-valued uint64 when the budget lacks the resource, so the
    // shared pool then carries a wrapped block of 2^64 − request for it. pod-level.md §2.6 reads
    // this as "no pool accounting"; the code read in the kubelet wraps, and podpin follows the code.
    for (const [r, size] of req) if (size > 0n) appPool.set(r, subU64(appPool.get(r) ?? 0n, size));
    counters.inc(counters.podExclusive);
  }
  return { exclusive, sharedPool: blocksOf(sortedRequest(appPool), bits) };
}
