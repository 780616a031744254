/** The Topology Manager: NUMA masks, hints, the merge, the four policies, options and scopes. */
export * from "./bench-inputs.js";
export * from "./bitmask.js";
export * from "./compare.js";
export * from "./errors.js";
export { goQuote } from "./go-strconv.js";
export * from "./hint.js";
export * from "./hint-family.js";
export * from "./hint-mode.js";
export { countFamilyHints, familyHints, forEachFamilyHint } from "./family-listing.js";
export { type Covering, type SubsetProblem, SubsetSearch } from "./subset-search.js";
export * from "./manager.js";
export * from "./merge.js";
export * from "./numa-info.js";
export * from "./options.js";
export * from "./policy.js";
export * from "./provider.js";
export * from "./trace.js";
export { popcount32 } from "./mask-space.js";
export {
  iterationOrder,
  lowestPosition,
  MAX_TABULATED_NODES,
  NodePositions,
  positionsOf,
  subsetSums,
} from "./subset-tables.js";
/** Readers of the topology conformance vectors, shared by the conformance suites and the merge tests. */
export * as topologyVectors from "./vectors.js";
