import { Quantity } from "../../core/index.js";
import {
  aggregateContainerRequests,
  type FeatureGates,
  isPodLevelResourcesSet,
  isSupportedPodLevelResource,
  type Pod,
  type ResourceList,
} from "../../k8s/index.js";
import { amountOf, PODS, requestAmountsOf } from "./resources.js";

/**
 * A pod's effective request (component-helpers `PodRequests`): the containers' aggregate by the
 * sidecar formula, pod-level requests in place of it for `cpu`, `memory` and `hugepages-*` (gate
 * `PodLevelResources`), then the overhead. Quantities stay exact until the single conversion.
 */

/** `IsPodLevelRequestsSet`: pod-level requests name `cpu`, `memory` or a hugepage size. */
export function isPodLevelRequestsSet(pod: Pod): boolean {
  const requests = pod.resources?.requests;
  if (!requests) return false;
  // Asked more than once per admission: no key arrays (resource lists are plain records).
  for (const name in requests) if (isSupportedPodLevelResource(name)) return true;
  return false;
}

function applyPodLevelRequests(into: ResourceList, pod: Pod): void {
  const requests = pod.resources?.requests;
  if (!requests) return;
  for (const name in requests) if (isSupportedPodLevelResource(name)) into[name] = requests[name];
}

function addOverhead(into: ResourceList, pod: Pod): void {
  const overhead = pod.overhead;
  if (!overhead) return;
  for (const name in overhead) {
    const q = overhead[name];
    into[name] = into[name] ? into[name].add(q) : q;
  }
}

/** The effective request as quantities (§3 steps 1–3 of node-admission.md). */
export function podRequestList(pod: Pod, gates: Pick<FeatureGates, "PodLevelResources">): ResourceList {
  const reqs: ResourceList = { ...aggregateContainerRequests(pod) };
  if (gates.PodLevelResources && isPodLevelRequestsSet(pod)) applyPodLevelRequests(reqs, pod);
  addOverhead(reqs, pod);
  return reqs;
}

/** The effective request as integers, the names the fit check knows (§3 step 4). */
export function podRequestAmounts(
  pod: Pod,
  gates: Pick<FeatureGates, "PodLevelResources">,
): Map<string, bigint> {
  // Without pod-level requests or overhead the request is the aggregate itself: read, not copied.
  if (!(gates.PodLevelResources && isPodLevelRequestsSet(pod)) && pod.overhead === undefined)
    return requestAmountsOf(aggregateContainerRequests(pod));
  return requestAmountsOf(podRequestList(pod, gates));
}

/**
 * The request the critical-pod preemption weighs a candidate by (`GetResourceRequest` of
 * `pkg/api/v1/resource`). It differs from `podRequestList` on purpose, as the kubelet's does:
 * with the gate on and pod-level resources set (requests or limits), container requests are not
 * looked at; pod-level requests replace the containers' whenever they are set, whatever the gate
 * (that helper never asks to skip them); overhead is added only to a non-zero amount; `pods` is 1.
 */
export function preemptionRequest(
  pod: Pod,
  resource: string,
  gates: Pick<FeatureGates, "PodLevelResources">,
): bigint {
  if (resource === PODS) return 1n;
  const skipContainers = gates.PodLevelResources && isPodLevelResourcesSet(pod);
  const reqs: ResourceList = skipContainers ? {} : { ...aggregateContainerRequests(pod) };
  if (isPodLevelRequestsSet(pod)) applyPodLevelRequests(reqs, pod);
  let q = reqs[resource] ?? Quantity.zero();
  const overhead = pod.overhead?.[resource];
  if (overhead && !q.isZero()) q = q.add(overhead);
  return amountOf(resource, q);
}
