import { ManagerError } from "../../core/index.js";

/** The kubelet's `TopologyAffinityError` type, the admission reason of every alignment failure. */
export const TOPOLOGY_AFFINITY_ERROR = "TopologyAffinityError";

export const TOPOLOGY_AFFINITY_MESSAGE = "Resources cannot be allocated with Topology locality";

/** The text `admitUsingPodResources` gives its pod-level `TopologyAffinityError`. */
export const POD_LEVEL_ADMISSION_FAILURE_TEXT =
  "pod with pod-level resources failed admission under pod-scope topology manager";

/** `TopologyAffinityError{}`: the merged hint was not admitted by the policy (§8). */
export function topologyAffinityError(): ManagerError {
  return new ManagerError(TOPOLOGY_AFFINITY_MESSAGE, TOPOLOGY_AFFINITY_ERROR);
}

/** The pod-level variant: same reason, message `"Pod Scope " + text` (pod-level.md §6.1). */
export function podLevelTopologyAffinityError(text: string = TOPOLOGY_AFFINITY_MESSAGE): ManagerError {
  return new ManagerError(`Pod Scope ${text}`, TOPOLOGY_AFFINITY_ERROR);
}
