import type { Quantity } from "../../core/index.js";
import {
  type Container,
  type FeatureGates,
  isContainerEquivalentGuaranteed,
  isPodLevelResourcesSet,
  isSidecar,
  type Pod,
  podQOS,
} from "../../k8s/index.js";

/** `isIntegralCPUAmount`: `Value()·1000 == MilliValue()` (`Value()` rounds up, so `1500m` is not). */
export function isIntegralCPUAmount(q: Quantity): boolean {
  return q.isIntegral();
}

function cpuRequest(c: Container): Quantity | undefined {
  return c.resources?.requests.cpu;
}

/**
 * `guaranteedCPUs` (pod-level.md §1.2): exclusive CPUs one container asks for; 0 keeps it in a
 * shared pool. Only `PodLevelResourceManagers` is consulted for the pod-level rule, as in the kubelet.
 */
export function guaranteedCPUs(pod: Pod, container: Container, gates: FeatureGates): number {
  if (podQOS(pod, gates) !== "Guaranteed") return 0;
  if (
    gates.PodLevelResourceManagers &&
    isPodLevelResourcesSet(pod) &&
    !isContainerEquivalentGuaranteed(container)
  ) {
    return 0;
  }
  const q = cpuRequest(container);
  if (!q || !isIntegralCPUAmount(q)) return 0;
  return Number(q.value());
}

/** `guaranteedCPUs` of every init container and every app container, in spec order. */
export interface ContainerCPURequests {
  readonly init: readonly number[];
  readonly apps: readonly number[];
}

/** The counts of `ContainerCPURequests`, for a caller that walks the containers more than once. */
export function containerGuaranteedCPUs(pod: Pod, gates: FeatureGates): ContainerCPURequests {
  return {
    init: pod.initContainers.map((c) => guaranteedCPUs(pod, c, gates)),
    apps: pod.containers.map((c) => guaranteedCPUs(pod, c, gates)),
  };
}

/**
 * `podGuaranteedCPUs` (pod-level.md §1.3): the pod-level integral CPU budget when the pod uses
 * pod-level resources, otherwise the classic sidecar-aware formula over its containers.
 */
export function podGuaranteedCPUs(pod: Pod, gates: FeatureGates): number {
  if (gates.PodLevelResourceManagers && isPodLevelResourcesSet(pod)) {
    if (podQOS(pod, gates) !== "Guaranteed") return 0;
    const q = pod.resources?.requests.cpu;
    return q && isIntegralCPUAmount(q) ? Number(q.value()) : 0;
  }
  let byInit = 0;
  let bySidecars = 0;
  for (const c of pod.initContainers) {
    if (!cpuRequest(c)) continue;
    const n = guaranteedCPUs(pod, c, gates);
    if (isSidecar(c)) bySidecars += n;
    else if (bySidecars + n > byInit) byInit = bySidecars + n;
  }
  let byApps = 0;
  for (const c of pod.containers) {
    if (!cpuRequest(c)) continue;
    byApps += guaranteedCPUs(pod, c, gates);
  }
  return Math.max(byInit, byApps + bySidecars);
}

/**
 * `resourcesQualifyForExclusiveCPUs`: equivalent-Guaranteed with an integral CPU limit; decides the
 * isolation level of a pod-level pod's container (pod-level.md §4.1).
 */
export function resourcesQualifyForExclusiveCPUs(container: Container): boolean {
  if (!isContainerEquivalentGuaranteed(container)) return false;
  const limit = container.resources?.limits.cpu;
  return limit !== undefined && isIntegralCPUAmount(limit);
}
