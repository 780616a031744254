/**
 * How the Device Manager generates topology hints. The defaults are what the node runs; the switch
 * exists so that tests and the bench can run the reference implementation in the same process.
 */
export interface DeviceHintSettings {
  /** `tables`: per-subset device counts from tables; `reference`: the rule mask by mask, no fast path. */
  enumeration: "tables" | "reference";
  /** Under `single-numa-node`, answer with the single-node hints only (same merge, same verdict). */
  singleNUMAFastPath: boolean;
  /**
   * ... on machines of more NUMA nodes than this. Below, the full list is cheap and `explain`
   * shows every hint the kubelet would list; above, it would list 2^N - 1 of them.
   */
  singleNUMAFastPathAboveNodes: number;
}

/** Above the kubelet's default `max-allowable-numa-nodes`, only single-node hints are listed. */
export const deviceHintSettings: DeviceHintSettings = {
  enumeration: "tables",
  singleNUMAFastPath: true,
  singleNUMAFastPathAboveNodes: 8,
};
