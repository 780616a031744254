import type { ManagerError } from "../../core/index.js";
import { AdmissionKey, admissionValue, type FeatureGates, type Pod } from "../../k8s/index.js";
import { validatePodScopeResources } from "./pod-scope.js";
import {
  type ContainerRequestOf,
  containerRequestsOf,
  podRequestedResources,
  type ResourceRequest,
} from "./requests.js";

/**
 * A pod's memory requests as one admission reads them, each worked out on first use: the hints and
 * the allocations of an admission read the same container requests, pod total and pod-scope check.
 */
export class PodRequests {
  readonly requestOf: ContainerRequestOf;
  private total: ResourceRequest | ManagerError | undefined;
  private scopeError: ManagerError | null | undefined;

  constructor(
    private readonly pod: Pod,
    readonly gates: FeatureGates,
  ) {
    this.requestOf = containerRequestsOf(pod, gates);
  }

  /** `podRequestedResources`. */
  podTotal(): ResourceRequest | ManagerError {
    this.total ??= podRequestedResources(this.pod, this.gates, this.requestOf);
    return this.total;
  }

  /** `validatePodScopeResources` against the pod total. */
  podScopeError(): ManagerError | null {
    if (this.scopeError === undefined)
      this.scopeError = validatePodScopeResources(this.pod, this.gates, this.requestOf, this.podTotal());
    return this.scopeError;
  }
}

/** The readings of this admission, with the gates they were read under (nested work may share the memo). */
const ADMISSION_REQUESTS = new AdmissionKey<PodRequests[]>("Memory Manager requests");

/**
 * The pod's requests for this admission: inside `withAdmissionMemo` one reading shared by every
 * call about the pod, outside a fresh one per call.
 */
export function podRequestsFor(pod: Pod, gates: FeatureGates): PodRequests {
  const readings = admissionValue(pod, ADMISSION_REQUESTS, () => []);
  for (const r of readings) if (r.gates === gates) return r;
  const reading = new PodRequests(pod, gates);
  readings.push(reading);
  return reading;
}
