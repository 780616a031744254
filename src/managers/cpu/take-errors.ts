import { ManagerError } from "../../core/index.js";

/** The kubelet's text when the CPUs on offer are fewer than requested (every offered id counts). */
export function notEnoughCPUsError(requested: number, available: number): ManagerError {
  return new ManagerError(
    `not enough cpus available to satisfy request: requested=${requested}, available=${available}`,
  );
}

/**
 * OPEN CPU-1 (cpu-manager.md §11): kubelet v1.36 loops forever when the remainder cannot be
 * handed out in whole groups (kubernetes/kubernetes#140730). podpin stops and reports it instead;
 * both remainder loops (the balance simulation and the allocation) raise this one error.
 */
export function distributedRemainderStallError(remaining: number, groupSize: number): ManagerError {
  return new ManagerError(
    `distributed allocation cannot place the remaining ${remaining} CPUs: no NUMA node in the chosen set has ${groupSize} free CPUs (kubelet v1.36 does not terminate here, kubernetes/kubernetes#140730)`,
  );
}
