import type { Quantity } from "../../core/index.js";
import {
  type Container,
  type FeatureGates,
  isContainerEquivalentGuaranteed,
  isPodLevelResourcesSet,
  isSidecar,
  type Pod,
  podQOS,
  AdmissionKey,
  admissionValue,
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
  return ownCPUs(container, gates.PodLevelResourceManagers && isPodLevelResourcesSet(pod));
}

/** `guaranteedCPUs` once the pod is known Guaranteed; `podLevel`: the pod-level rule applies. */
function ownCPUs(container: Container, podLevel: boolean): number {
  if (podLevel && !isContainerEquivalentGuaranteed(container)) return 0;
  const q = cpuRequest(container);
  if (!q || !isIntegralCPUAmount(q)) return 0;
  return Number(q.value());
}

/** `guaranteedCPUs` of every init container and every app container, in spec order. */
export interface ContainerCPURequests {
  readonly init: readonly number[];
  readonly apps: readonly number[];
}

const NONE: readonly number[] = Object.freeze([]);

function zeros(n: number): readonly number[] {
  return n === 0 ? NONE : new Array<number>(n).fill(0);
}

/** The counts of `ContainerCPURequests`, for a caller that walks the containers more than once. */
export function containerGuaranteedCPUs(pod: Pod, gates: FeatureGates): ContainerCPURequests {
  // What `guaranteedCPUs` reads of the pod is read once, not once per container.
  if (podQOS(pod, gates) !== "Guaranteed")
    return { init: zeros(pod.initContainers.length), apps: zeros(pod.containers.length) };
  const podLevel = gates.PodLevelResourceManagers && isPodLevelResourcesSet(pod);
  const init = pod.initContainers.length === 0 ? NONE : pod.initContainers.map((c) => ownCPUs(c, podLevel));
  return { init, apps: pod.containers.map((c) => ownCPUs(c, podLevel)) };
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
  // Every container's `guaranteedCPUs` is 0 outside Guaranteed, and so is their combination.
  if (podQOS(pod, gates) !== "Guaranteed") return 0;
  let byInit = 0;
  let bySidecars = 0;
  for (const c of pod.initContainers) {
    if (!cpuRequest(c)) continue;
    const n = ownCPUs(c, false);
    if (isSidecar(c)) bySidecars += n;
    else if (bySidecars + n > byInit) byInit = bySidecars + n;
  }
  let byApps = 0;
  for (const c of pod.containers) {
    if (!cpuRequest(c)) continue;
    byApps += ownCPUs(c, false);
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

/** The admission's counts, with the gates they were counted under (nested work may share the memo). */
const ADMISSION_COUNTS = new AdmissionKey<{ gates: FeatureGates; requests: ContainerCPURequests }[]>(
  "CPU Manager container counts",
);

/** `containerGuaranteedCPUs`, counted once per admission (inside `withAdmissionMemo`). */
export function admissionContainerGuaranteedCPUs(pod: Pod, gates: FeatureGates): ContainerCPURequests {
  const counted = admissionValue(pod, ADMISSION_COUNTS, () => []);
  for (const c of counted) if (c.gates === gates) return c.requests;
  const requests = containerGuaranteedCPUs(pod, gates);
  counted.push({ gates, requests });
  return requests;
}
