import type { Quantity } from "../core/quantity.js";
import type { Container, FeatureGates, Pod, QOSClass } from "./types.js";

/** pod-level.md §1.1 / PL-9: `cpu`, `memory` and every `hugepages-*` (both versions). */
export function isSupportedPodLevelResource(name: string): boolean {
  return name === "cpu" || name === "memory" || name.startsWith("hugepages-");
}

/** `IsPodLevelResourcesSet`: some supported resource appears in pod-level requests or limits. */
export function isPodLevelResourcesSet(pod: Pod): boolean {
  const r = pod.resources;
  if (!r) return false;
  const keys = [...Object.keys(r.requests), ...Object.keys(r.limits)];
  return keys.some(isSupportedPodLevelResource);
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
  for (const name of ["cpu", "memory"]) {
    const req = r.requests[name];
    const lim = r.limits[name];
    if (!nonZero(req) || !lim || !req!.equals(lim)) return false;
  }
  return true;
}

/** Both pod-level gates on (the condition podpin uses for the pod-level path, pod-level.md §1.6). */
export function podLevelGatesOn(gates: FeatureGates): boolean {
  return gates.PodLevelResources && gates.PodLevelResourceManagers;
}

/** Pod-level set and `PodLevelResourceManagers` on: the managers use the pod budget. */
export function usesPodLevelResources(pod: Pod, gates: FeatureGates): boolean {
  return gates.PodLevelResourceManagers && isPodLevelResourcesSet(pod);
}

const ZERO_QUANTITY_CHECK = (q: Quantity | undefined): Quantity | undefined =>
  q && !q.isZero() ? q : undefined;

/** QoS from `.spec.resources` alone (pod-level.md §1.1, gate `PodLevelResources` on). */
function podLevelQOS(pod: Pod): QOSClass {
  const r = pod.resources!;
  if (Object.keys(r.requests).length === 0 && Object.keys(r.limits).length === 0) return "BestEffort";
  let anyNonZero = false;
  let allNonZero = true;
  for (const name of ["cpu", "memory"]) {
    const req = ZERO_QUANTITY_CHECK(r.requests[name]);
    const lim = ZERO_QUANTITY_CHECK(r.limits[name]);
    const equal = req === undefined ? lim === undefined : lim !== undefined && req.equals(lim);
    if (!equal) return "Burstable";
    if (req) anyNonZero = true;
    else allNonZero = false;
  }
  if (allNonZero) return "Guaranteed";
  return anyNonZero ? "Burstable" : "BestEffort";
}

const QOS_RESOURCES = (name: string): boolean =>
  name === "cpu" || name === "memory" || name.startsWith("hugepages-");

/** The classic per-container QoS computation (core v1 `ComputePodQOS`). */
function containerQOS(pod: Pod): QOSClass {
  const requests = new Map<string, Quantity>();
  const limits = new Map<string, Quantity>();
  let isGuaranteed = true;
  for (const c of [...pod.initContainers, ...pod.containers]) {
    const r = c.resources ?? { requests: {}, limits: {} };
    for (const [name, q] of Object.entries(r.requests)) {
      if (!(name === "cpu" || name === "memory") || q.isZero()) continue;
      const prev = requests.get(name);
      requests.set(name, prev ? prev.add(q) : q);
    }
    const qosLimitsFound = new Set<string>();
    for (const [name, q] of Object.entries(r.limits)) {
      if (!QOS_RESOURCES(name) || q.isZero()) continue;
      if (name === "cpu" || name === "memory") {
        qosLimitsFound.add(name);
        const prev = limits.get(name);
        limits.set(name, prev ? prev.add(q) : q);
      }
    }
    if (!qosLimitsFound.has("cpu") || !qosLimitsFound.has("memory")) isGuaranteed = false;
  }
  if (requests.size === 0 && limits.size === 0) return "BestEffort";
  if (isGuaranteed) {
    for (const [name, req] of requests) {
      const lim = limits.get(name);
      if (!lim?.equals(req)) {
        isGuaranteed = false;
        break;
      }
    }
  }
  if (isGuaranteed && requests.size === limits.size) return "Guaranteed";
  return "Burstable";
}

/** `GetPodQOS`: the stored class if any, else computed (pod-level rules when the gate allows). */
export function podQOS(pod: Pod, gates: Pick<FeatureGates, "PodLevelResources">): QOSClass {
  if (pod.qosClass) return pod.qosClass;
  if (gates.PodLevelResources && pod.resources) return podLevelQOS(pod);
  return containerQOS(pod);
}
