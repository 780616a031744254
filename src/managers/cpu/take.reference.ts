/**
 * The reference take-by-topology algorithms: the plain statement of cpu-manager.md §3–§5 that the
 * fast ones in take.ts are tested against (take.differential.test.ts) and benchmarked with.
 */
export { takeByTopologyNUMAPackedReference } from "./take-packed.reference.js";
export { takeByTopologyNUMADistributedReference } from "./take-distributed.reference.js";
