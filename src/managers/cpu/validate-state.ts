import { CPUSet, ManagerError } from "../../core/index.js";
import type { CPUState } from "./state.js";

export interface StateCheck {
  /** Every CPU of the machine. */
  allCPUs: CPUSet;
  reserved: CPUSet;
  /** `strict-cpu-reservation`: reserved CPUs must stay out of the default set. */
  strictReservation: boolean;
  /** `PodLevelResourceManagers`: pod bubbles count as known CPUs. */
  countPodBubbles: boolean;
}

/**
 * `validateState` at Start (cpu-manager.md §6.3): an empty state becomes the whole machine (minus
 * strictly reserved CPUs); a restored one must be consistent with the machine and the reservation.
 */
export function validateState(s: CPUState, check: StateCheck): ManagerError | null {
  const current = s.getDefaultCPUSet();
  const { reserved } = check;
  const allCPUs = check.strictReservation ? check.allCPUs.difference(reserved) : check.allCPUs;

  if (current.isEmpty()) {
    if (s.getCPUAssignments().size !== 0) return new ManagerError("default cpuset cannot be empty");
    s.setDefaultCPUSet(allCPUs);
    return null;
  }

  if (check.strictReservation) {
    const present = reserved.intersect(current);
    if (!present.isEmpty()) {
      return new ManagerError(
        `some of strictly reserved cpus: "${present}" are present in defaultCpuSet: "${current}"`,
      );
    }
  } else if (!reserved.isSubsetOf(current)) {
    return new ManagerError(
      `not all reserved cpus: "${reserved}" are present in defaultCpuSet: "${current}"`,
    );
  }

  // OPEN CPU-5 (cpu-manager.md §11): the kubelet reports the first overlap in Go map order;
  // podpin walks pods and containers in ascending order.
  for (const { podUID, containerName } of s.containerKeys()) {
    const cset = s.getCPUSet(podUID, containerName)!;
    if (cset.intersects(current)) {
      return new ManagerError(
        `pod: ${podUID}, container: ${containerName} cpuset: "${cset}" overlaps with default cpuset "${current}"`,
      );
    }
  }

  const known = [current, s.assignedCPUs()];
  if (check.countPodBubbles) known.push(...s.getPodCPUAssignments().values());
  const total = CPUSet.empty.union(...known);
  if (!total.equals(allCPUs)) {
    return new ManagerError(
      `current set of available CPUs "${allCPUs}" doesn't match with CPUs in state "${total}"`,
    );
  }
  return null;
}
