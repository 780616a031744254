import { type BitMask, iterateBitMasks, maskOf } from "./bitmask.js";
import type { TopologyHint } from "./hint.js";

/**
 * Merge cases shared by every merge implementation (the reference enumeration and each strategy
 * of the fast merge); merge.test.ts runs the table against each. Expected values follow
 * topology-manager.md §4.
 */
export interface MergeCase {
  name: string;
  nodes: number[];
  /** Distance rows by node id; given only with `prefer-closest-numa-nodes`. */
  distances?: number[][];
  slots: TopologyHint[][];
  expected: { numaNodes: number[]; preferred: boolean };
  /** The cross product is too large for the reference enumeration. */
  tooLargeForReference?: boolean;
}

const P = (...ids: number[]): TopologyHint => ({ affinity: maskOf(...ids), preferred: true });
const N = (...ids: number[]): TopologyHint => ({ affinity: maskOf(...ids), preferred: false });
const ANY: TopologyHint = { affinity: null, preferred: true };
const ANY_NOT_PREFERRED: TopologyHint = { affinity: null, preferred: false };

const FOUR = [0, 1, 2, 3];
/** Two pairs of close nodes: 0-1 and 2-3 at 11, across at 20 (node 3 -> 2 at 12: rows need not be symmetric). */
const PAIRS = [
  [10, 11, 20, 20],
  [11, 10, 20, 20],
  [20, 20, 10, 11],
  [20, 20, 12, 10],
];

/** Every mask over `nodes`, preferred exactly when it equals `preferred`. */
function everyMask(nodes: number[], preferred: BitMask): TopologyHint[] {
  const out: TopologyHint[] = [];
  iterateBitMasks(nodes, (m) => {
    out.push({ affinity: m, preferred: m === preferred });
    return true;
  });
  return out;
}

const SIXTEEN = Array.from({ length: 16 }, (_, i) => i);

export const MERGE_CASES: MergeCase[] = [
  {
    name: "no slots: one empty permutation, all nodes preferred",
    nodes: FOUR,
    slots: [],
    expected: { numaNodes: FOUR, preferred: true },
  },
  {
    name: "machine without NUMA nodes",
    nodes: [],
    slots: [[P(0)]],
    expected: { numaNodes: [], preferred: false },
  },
  {
    name: "an empty slot empties the product",
    nodes: FOUR,
    slots: [[P(0)], []],
    expected: { numaNodes: FOUR, preferred: false },
  },
  {
    name: "same mask in both slots",
    nodes: FOUR,
    slots: [[P(1)], [P(1)]],
    expected: { numaNodes: [1], preferred: true },
  },
  {
    name: "preferred {0} and preferred {0,1} merge to {0}, not preferred",
    nodes: FOUR,
    slots: [[P(0)], [P(0, 1)]],
    expected: { numaNodes: [0], preferred: false },
  },
  {
    name: "preferred null hints everywhere keep one slot's mask preferred",
    nodes: FOUR,
    slots: [[ANY, P(2, 3)], [ANY], [ANY, N(0)]],
    expected: { numaNodes: [2, 3], preferred: true },
  },
  {
    name: "a non-preferred null hint is only the default affinity",
    nodes: FOUR,
    slots: [[ANY_NOT_PREFERRED]],
    expected: { numaNodes: FOUR, preferred: false },
  },
  {
    name: "masks naming absent nodes differ although their AND with the machine is the same",
    nodes: [0, 1],
    slots: [[P(0, 2)], [P(0)]],
    expected: { numaNodes: [0], preferred: false },
  },
  {
    name: "identical masks naming an absent node stay preferred",
    nodes: [0, 1],
    slots: [[P(0, 2)], [P(0, 2)]],
    expected: { numaNodes: [0], preferred: true },
  },
  {
    name: "only absent nodes: every AND is empty",
    nodes: [0, 1],
    slots: [[P(4)], [N(5, 6)]],
    expected: { numaNodes: [0, 1], preferred: false },
  },
  {
    name: "narrowest preferred wins, then the smaller mask",
    nodes: FOUR,
    slots: [
      [P(2, 3), P(1, 2), P(3), P(1)],
      [P(1, 2), P(2, 3), P(3), P(1), ANY],
    ],
    expected: { numaNodes: [1], preferred: true },
  },
  {
    name: "non-preferred: creep up to B (3) rather than take the narrowest",
    nodes: FOUR,
    slots: [
      [N(0), N(0, 1, 2)],
      [N(0, 1, 2), N(0, 1, 2, 3), N(1, 2, 3)],
    ],
    expected: { numaNodes: [0, 1, 2], preferred: false },
  },
  {
    name: "non-preferred: any count below B beats a count above it (B = 2: {0} over {0,1,2})",
    nodes: FOUR,
    slots: [
      [N(0), N(0, 1, 2)],
      [N(0, 1, 2), N(2, 3)],
    ],
    expected: { numaNodes: [0], preferred: false },
  },
  {
    name: "non-preferred: an empty mask hint never wins",
    nodes: FOUR,
    slots: [[N(), N(0, 1, 2)], [N(1, 2, 3)]],
    expected: { numaNodes: [1, 2], preferred: false },
  },
  {
    name: "closest: equal counts decided by average distance",
    nodes: FOUR,
    distances: PAIRS,
    slots: [[N(1, 2), N(2, 3)], [N(0, 1, 2, 3)]],
    expected: { numaNodes: [2, 3], preferred: false },
  },
  {
    name: "closest: asymmetric rows average both directions ({0,1} 10.5 beats {2,3} 10.75)",
    nodes: FOUR,
    distances: PAIRS,
    slots: [[P(2, 3), P(0, 1)]],
    expected: { numaNodes: [0, 1], preferred: true },
  },
  {
    name: "closest: fewer nodes still beat a closer wider mask",
    nodes: FOUR,
    distances: PAIRS,
    slots: [[P(0, 1), P(3)]],
    expected: { numaNodes: [3], preferred: true },
  },
  {
    name: "16 nodes, every mask in two slots, preferred masks disagree",
    nodes: SIXTEEN,
    slots: [everyMask(SIXTEEN, maskOf(5)), everyMask(SIXTEEN, maskOf(9))],
    expected: { numaNodes: [0], preferred: false },
    tooLargeForReference: true,
  },
  {
    name: "16 nodes, every mask in two slots, one preferred mask shared",
    nodes: SIXTEEN,
    slots: [everyMask(SIXTEEN, maskOf(7, 8)), everyMask(SIXTEEN, maskOf(7, 8))],
    expected: { numaNodes: [7, 8], preferred: true },
    tooLargeForReference: true,
  },
  {
    name: "40 nodes (bigint masks): pairs in one slot, singles in the other",
    nodes: Array.from({ length: 40 }, (_, i) => i),
    slots: [
      [N(35, 39), N(38, 39), N(2, 36)],
      [N(39), N(36), N(38)],
    ],
    expected: { numaNodes: [36], preferred: false },
  },
];
