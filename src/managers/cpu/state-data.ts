import type { CPUSet } from "../../core/index.js";

/**
 * The CPU Manager's persistent state as plain data (the kubelet's `cpumanager/state`): what its
 * state object holds and what the `cpu_manager_state` checkpoint carries. The manager keeps its
 * live state in this shape so that checkpoints read and write it without translation.
 */
export interface CPUStateData {
  policyName: string;
  /** The node shared pool. */
  defaultCpuSet: CPUSet;
  /** podUID -> container name -> exclusive (or pod-pool) CPU set. */
  entries: Map<string, Map<string, CPUSet>>;
  /** podUID -> pod bubble (KEP-5526). */
  podEntries: Map<string, CPUSet>;
}
