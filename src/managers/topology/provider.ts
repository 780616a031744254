import type { ManagerError } from "../../core/index.js";
import type { Container, Pod } from "../../k8s/index.js";
import type { ProviderHints, TopologyHint } from "./hint.js";
import type { ProviderAnswer } from "./hint-family.js";

/**
 * A Topology Manager hint provider (the Device, CPU and Memory Managers): hints for a container
 * or a whole pod, and allocation once the pod is admitted. Errors are values.
 */
export interface HintProvider {
  readonly resource: "device" | "cpu" | "memory";
  getTopologyHints(pod: Pod, container: Container): ProviderHints;
  getPodTopologyHints(pod: Pod): ProviderHints;
  allocate(pod: Pod, container: Container): ManagerError | null;
  /** The pod-level path (pod-level.md §2.1): one call computes every container's assignment. */
  allocatePod(pod: Pod): ManagerError | null;
  /**
   * The same answers as `getTopologyHints` / `getPodTopologyHints`, with lists that follow a
   * rule given as hint families (hint-family.ts); providers without them are asked for lists.
   */
  getTopologyHintFamilies?(pod: Pod, container: Container): ProviderAnswer;
  getPodTopologyHintFamilies?(pod: Pod): ProviderAnswer;
}

/** Where providers read the NUMA affinity the Topology Manager stored for a container. */
export interface AffinityStore {
  /** The stored hint, or the zero hint `{affinity: null, preferred: false}` when unknown. */
  getAffinity(podUID: string, containerName: string): TopologyHint;
}
