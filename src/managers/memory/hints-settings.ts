/**
 * How the Memory Manager generates topology hints. The defaults are what the node runs; the switch
 * exists so that tests and the bench can run the reference implementation in the same process.
 */
export interface MemoryHintSettings {
  /** `tables`: per-subset sums from tables; `reference`: the rule mask by mask, and no shortcut. */
  enumeration: "tables" | "reference";
  /** Under `single-numa-node`, answer with the hints that survive its filter (same merge and verdict). */
  singleNUMAFastPath: boolean;
  /**
   * ... on machines of more NUMA nodes than this. Below, the full list is cheap and `explain`
   * shows every hint the kubelet would list; above, it would list 2^N - 1 of them.
   */
  singleNUMAFastPathAboveNodes: number;
  /**
   * Above this many NUMA nodes the best hint of a default or extended affinity is searched by
   * size instead of read from the full table (tests raise it to exercise the table).
   */
  searchAboveNodes: number;
  /** Small machines: the best hint by walking masks narrowest first (hints-narrowest.ts). */
  narrowestWalk: boolean;
}

export const memoryHintSettings: MemoryHintSettings = {
  enumeration: "tables",
  singleNUMAFastPath: true,
  singleNUMAFastPathAboveNodes: 8,
  searchAboveNodes: 0,
  narrowestWalk: true,
};
