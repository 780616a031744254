import { type FeatureGates, isSidecar, type Pod } from "../../k8s/index.js";
import { type ContainerCPURequests, containerGuaranteedCPUs, podGuaranteedCPUs } from "./requests.js";

/**
 * `validatePodScopeResources`, CPU version (pod-level.md §2.4): whether the pod's exclusive
 * containers leave CPUs for its shared ones. Returns the kubelet's rejection text, or null.
 * `podTotal` and `requests` are what `podGuaranteedCPUs` and `containerGuaranteedCPUs` give, for a
 * caller that has them already.
 */
export function validatePodScopeResources(
  pod: Pod,
  gates: FeatureGates,
  podTotal: number = podGuaranteedCPUs(pod, gates),
  requests: ContainerCPURequests = containerGuaranteedCPUs(pod, gates),
): string | null {
  let sumLongRunning = 0;
  let hasSharedLongRunning = false;

  for (let i = 0; i < pod.initContainers.length; i++) {
    const c = pod.initContainers[i];
    const n = requests.init[i];
    if (!isSidecar(c)) {
      // Standard init containers run one at a time beside the sidecars declared before them.
      const pool = podTotal - sumLongRunning;
      if (n > 0) {
        if (n > pool) {
          return `pod rejected, largest exclusive init container requests ${n} cpus, but only ${pool} available`;
        }
      } else if (sumLongRunning >= podTotal) {
        return "pod rejected, pod has shared init containers but no cpus available for them";
      }
      continue;
    }
    if (n === 0) hasSharedLongRunning = true;
    else sumLongRunning += n;
  }

  for (const n of requests.apps) {
    if (n === 0) hasSharedLongRunning = true;
    else sumLongRunning += n;
  }

  if (hasSharedLongRunning && sumLongRunning >= podTotal) {
    return "pod rejected, sum of exclusive container cpu requests equals pod budget, leaving no cpus for shared containers";
  }
  return null;
}
