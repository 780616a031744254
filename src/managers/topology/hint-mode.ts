/**
 * How the Topology Manager asks its providers for hints. `implicit` (what the node runs): the CPU
 * and Memory Managers answer with hint families (hint-family.ts) that the merge decides from
 * without listing 2^N masks; `explicit`: every provider lists its hints, as the kubelet does,
 * kept as the reference the implicit path is checked and benchmarked against.
 */
export type HintMode = "implicit" | "explicit";

export interface TopologyHintSettings {
  hintMode: HintMode;
}

/** Read at every admission, so tests and benchmarks can switch it in one process. */
export const topologyHintSettings: TopologyHintSettings = { hintMode: "implicit" };
