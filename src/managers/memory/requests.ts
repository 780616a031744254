import { ManagerError, type Quantity } from "../../core/index.js";
import {
  type Container,
  type FeatureGates,
  isContainerEquivalentGuaranteed,
  isPodLevelResourcesSet,
  isSidecar,
  type Pod,
} from "../../k8s/index.js";
import { addU64, u64 } from "./u64.js";

/** Resource name -> bytes (uint64), keys in ascending order so every walk over it is deterministic. */
export type ResourceRequest = ReadonlyMap<string, bigint>;

export const QUANTITY_NOT_INT64 = "[memorymanager] failed to represent quantity as int64";

/** `memory` and every `hugepages-<size>`: the resources the Memory Manager pins. */
export function isMemoryManagerResource(name: string): boolean {
  return name === "memory" || name.startsWith("hugepages-");
}

/** The request of a container or pod that asks for no memory (shared: a request is read-only). */
const EMPTY_REQUEST: ResourceRequest = new Map();

function byName([a]: [string, bigint], [b]: [string, bigint]): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Whether the names are ascending already (resource lists usually are: they are few and written so). */
function isAscending(request: ReadonlyMap<string, bigint>): boolean {
  let last: string | null = null;
  for (const name of request.keys()) {
    if (last !== null && !(last < name)) return false;
    last = name;
  }
  return true;
}

/** The request with names ascending: itself when they are already, so that most need no sort. */
export function sortedRequest(request: Map<string, bigint>): ResourceRequest {
  if (request.size === 0) return EMPTY_REQUEST;
  return request.size === 1 || isAscending(request) ? request : new Map([...request].sort(byName));
}

/** apimachinery's `AsInt64` read as the kubelet's uint64 (memory-manager.md "Quantities as whole bytes"). */
function asBytes(q: Quantity): bigint | ManagerError {
  const v = q.asInt64();
  return v === null ? new ManagerError(QUANTITY_NOT_INT64) : u64(v);
}

/** Gate `PodLevelResourceManagers` on and a pod-level budget: the managers read the pod budget. */
function podBudgetApplies(pod: Pod, gates: FeatureGates): boolean {
  return gates.PodLevelResourceManagers && isPodLevelResourcesSet(pod);
}

/**
 * `getContainerRequestedResources` (memory-manager.md §3, pod-level.md §1.4): every memory and
 * hugepages request of the container in bytes, zeros kept; an empty map for a container that is
 * not equivalent-Guaranteed in a pod with a pod-level budget.
 */
export function containerRequestedResources(
  pod: Pod,
  container: Container,
  gates: FeatureGates,
): ResourceRequest | ManagerError {
  if (podBudgetApplies(pod, gates) && !isContainerEquivalentGuaranteed(container)) return EMPTY_REQUEST;
  const requests = container.resources?.requests;
  const out = new Map<string, bigint>();
  // Resource lists are plain records: `for…in` walks their own names without an entry array.
  for (const name in requests) {
    if (!isMemoryManagerResource(name)) continue;
    const bytes = asBytes(requests[name]);
    if (bytes instanceof ManagerError) return bytes;
    out.set(name, bytes);
  }
  return sortedRequest(out);
}

/** A container's request, as `containerRequestedResources` gives it. */
export type ContainerRequestOf = (container: Container) => ResourceRequest | ManagerError;

/**
 * `containerRequestedResources` for the containers of one pod, each read once: one pod-level
 * admission reads every container's request for the budget, the validation and the partition.
 */
export function containerRequestsOf(pod: Pod, gates: FeatureGates): ContainerRequestOf {
  // The last container asked about, and a map of the others once there are others: the container
  // path asks about one container at a time, the pod path about each in turn.
  let last: Container | null = null;
  let lastRequest: ResourceRequest | ManagerError = EMPTY_REQUEST;
  let known: Map<Container, ResourceRequest | ManagerError> | null = null;
  return (container) => {
    if (container === last) return lastRequest;
    const request = known?.get(container) ?? containerRequestedResources(pod, container, gates);
    if (last !== null) (known ??= new Map()).set(last, lastRequest);
    last = container;
    lastRequest = request;
    return request;
  };
}

/** The pod-level budget: memory and hugepages of `.spec.resources.requests`, values <= 0 dropped. */
function podLevelRequest(pod: Pod): ResourceRequest | ManagerError {
  const requests = pod.resources?.requests;
  const out = new Map<string, bigint>();
  for (const name in requests) {
    if (!isMemoryManagerResource(name)) continue;
    const v = requests[name].asInt64();
    if (v === null) return new ManagerError(QUANTITY_NOT_INT64);
    if (v <= 0n) continue;
    out.set(name, v);
  }
  return sortedRequest(out);
}

/**
 * `getPodRequestedResources` (memory-manager.md §3, pod-level.md §1.5). Classic form: per resource,
 * the larger of the long-running sum (app containers + sidecars) and the largest standard init
 * container plus the sidecars declared before it; only resources some app container requests
 * appear (a kubelet quirk kept on purpose).
 */
export function podRequestedResources(
  pod: Pod,
  gates: FeatureGates,
  requestOf: ContainerRequestOf = (c) => containerRequestedResources(pod, c, gates),
): ResourceRequest | ManagerError {
  if (podBudgetApplies(pod, gates)) return podLevelRequest(pod);
  const initPeak = new Map<string, bigint>();
  const sidecars = new Map<string, bigint>();
  for (const c of pod.initContainers) {
    const req = requestOf(c);
    if (req instanceof ManagerError) return req;
    for (const [name, size] of req) {
      if (!initPeak.has(name)) initPeak.set(name, 0n);
      if (isSidecar(c)) {
        sidecars.set(name, addU64(sidecars.get(name) ?? 0n, size));
        continue;
      }
      const withSidecars = addU64(sidecars.get(name) ?? 0n, size);
      if (withSidecars > initPeak.get(name)!) initPeak.set(name, withSidecars);
    }
  }
  const apps = new Map<string, bigint>();
  for (const c of pod.containers) {
    const req = requestOf(c);
    if (req instanceof ManagerError) return req;
    for (const [name, size] of req) apps.set(name, addU64(apps.get(name) ?? 0n, size));
  }
  // Without init containers the long-running sum is the answer (a uint64 plus nothing).
  if (pod.initContainers.length === 0) return sortedRequest(apps);
  const out = new Map<string, bigint>();
  for (const [name, appSum] of apps) {
    const longRunning = addU64(appSum, sidecars.get(name) ?? 0n);
    const peak = initPeak.get(name) ?? 0n;
    out.set(name, longRunning < peak ? peak : longRunning);
  }
  return sortedRequest(out);
}
