import type { Quantity } from "../core/index.js";
import { podMemo } from "./admission-memo.js";
import {
  type Container,
  type FeatureGates,
  isEmptyRecord,
  type Pod,
  type QOSClass,
  type ResourceList,
  type ResourceRequirements,
} from "./types.js";

/** pod-level.md §1.1 / PL-9: `cpu`, `memory` and every `hugepages-*` (both versions). */
export function isSupportedPodLevelResource(name: string): boolean {
  return name === "cpu" || name === "memory" || name.startsWith("hugepages-");
}

/** `IsPodLevelResourcesSet`: some supported resource appears in pod-level requests or limits. */
export function isPodLevelResourcesSet(pod: Pod): boolean {
  const r = pod.resources;
  if (!r) return false;
  // Asked many times per admission: no key arrays.
  for (const name in r.requests) if (isSupportedPodLevelResource(name)) return true;
  for (const name in r.limits) if (isSupportedPodLevelResource(name)) return true;
  return false;
}

function nonZero(q: Quantity | undefined): boolean {
  return q !== undefined && !q.isZero();
}

/**
 * `IsContainerEquivalentQOSGuaranteed`: non-zero CPU request equal to the CPU limit and non-zero
 * memory request equal to the memory limit (hugepages not inspected).
 */
export function isContainerEquivalentGuaranteed(c: Container): boolean {
  const r = c.resources;
  if (!r) return false;
  return requestEqualsLimit(r, "cpu") && requestEqualsLimit(r, "memory");
}

/** A non-zero request for `name` with a limit of the same value. */
function requestEqualsLimit(r: ResourceRequirements, name: string): boolean {
  const req = r.requests[name];
  const lim = r.limits[name];
  return nonZero(req) && lim !== undefined && req!.equals(lim);
}

/** Both pod-level gates on (the condition podpin uses for the pod-level path, pod-level.md §1.6). */
export function podLevelGatesOn(gates: FeatureGates): boolean {
  return gates.PodLevelResources && gates.PodLevelResourceManagers;
}

/** Pod-level set and `PodLevelResourceManagers` on: the managers use the pod budget. */
export function usesPodLevelResources(pod: Pod, gates: FeatureGates): boolean {
  return gates.PodLevelResourceManagers && isPodLevelResourcesSet(pod);
}

/** `supportedQoSComputeResources`: only these two decide a QoS class (hugepages never do). */
const isQOSComputeResource = (name: string): boolean => name === "cpu" || name === "memory";

/**
 * Accumulates one resource list the way core v1 `ComputePodQOS` does: positive `cpu`/`memory`
 * values only, summed per name. Returns whether the list had positive values for both of them.
 */
function accumulate(list: ResourceList, into: Map<string, Quantity>): boolean {
  let cpu = false;
  let memory = false;
  // Resource lists are plain records: `for…in` walks their own names, without an entry array.
  for (const name in list) {
    const q = list[name];
    if (!isQOSComputeResource(name) || q.sign() <= 0) continue;
    if (name === "cpu") cpu = true;
    else memory = true;
    const prev = into.get(name);
    into.set(name, prev ? prev.add(q) : q);
  }
  return cpu && memory;
}

function classify(
  requests: Map<string, Quantity>,
  limits: Map<string, Quantity>,
  guaranteed: boolean,
): QOSClass {
  if (requests.size === 0 && limits.size === 0) return "BestEffort";
  if (guaranteed) {
    for (const [name, req] of requests) {
      if (!limits.get(name)?.equals(req)) return "Burstable";
    }
    if (requests.size === limits.size) return "Guaranteed";
  }
  return "Burstable";
}

/**
 * QoS from `.spec.resources` alone (pod-level.md §1.1). As in the API code, pod-level limits that
 * are empty do not by themselves rule out Guaranteed; requests without equal limits do.
 */
function podLevelQOS(r: ResourceRequirements): QOSClass {
  const requests = new Map<string, Quantity>();
  const limits = new Map<string, Quantity>();
  accumulate(r.requests, requests);
  let guaranteed = true;
  if (!isEmptyRecord(r.limits) && !accumulate(r.limits, limits)) guaranteed = false;
  return classify(requests, limits, guaranteed);
}

/** The classic per-container computation; every container needs positive cpu and memory limits. */
function containerQOS(pod: Pod): QOSClass {
  const requests = new Map<string, Quantity>();
  const limits = new Map<string, Quantity>();
  const appGuaranteed = accumulateContainers(pod.containers, requests, limits);
  const initGuaranteed = accumulateContainers(pod.initContainers, requests, limits);
  return classify(requests, limits, appGuaranteed && initGuaranteed);
}

/** Accumulates every container's lists; returns whether each had positive cpu and memory limits. */
function accumulateContainers(
  containers: readonly Container[],
  requests: Map<string, Quantity>,
  limits: Map<string, Quantity>,
): boolean {
  let guaranteed = true;
  for (const c of containers) {
    // A container without resources has no limits: it rules out Guaranteed and adds nothing.
    if (!c.resources) {
      guaranteed = false;
      continue;
    }
    accumulate(c.resources.requests, requests);
    if (!accumulate(c.resources.limits, limits)) guaranteed = false;
  }
  return guaranteed;
}

/**
 * `ComputePodQOS`: with gate `PodLevelResources` on and `.spec.resources` present, the pod-level
 * budget alone decides (PL-8: the same rule in both versions); otherwise the containers do.
 */
export function computePodQOS(pod: Pod, gates: Pick<FeatureGates, "PodLevelResources">): QOSClass {
  if (gates.PodLevelResources && pod.resources) return podLevelQOS(pod.resources);
  return containerQOS(pod);
}

/**
 * `GetPodQOS`: the stored class (`status.qosClass`) if any, else `computePodQOS`, worked out once
 * per pod inside `withAdmissionMemo` (the managers ask once per container, and each answer walks
 * every container: n² for n containers without it).
 */
export function podQOS(pod: Pod, gates: Pick<FeatureGates, "PodLevelResources">): QOSClass {
  if (pod.qosClass !== undefined && pod.qosClass !== null) return pod.qosClass;
  const memo = podMemo(pod);
  if (memo === null) return computePodQOS(pod, gates);
  if (gates.PodLevelResources) return (memo.qosGateOn ??= computePodQOS(pod, gates));
  return (memo.qosGateOff ??= computePodQOS(pod, gates));
}
