export {
  affinitySatisfiesRequest,
  calculateHints,
  chooseAffinity,
  ERR_DEFAULT_AFFINITY,
  ERR_DEFAULT_PREFERRED,
  ERR_EXTEND,
  ERR_EXTENDED_PREFERRED,
  ERR_GROUP_RULE,
  findBestHint,
  type MemoryHints,
  NO_REUSE,
  type ReusableLookup,
  regenerateHints,
  violatesNUMAAllocations,
} from "./hints.js";
export {
  checkSystemReserved,
  defaultMachineState,
  machineStatesEqual,
  MEMORY,
  type NUMAMemoryMap,
  numaNodeIds,
  type ReservedMemory,
  releaseMemory,
  reserveMemory,
} from "./machine-state.js";
export {
  cloneMachineState,
  cloneMemoryState,
  emptyMemoryState,
  getMemoryBlocks,
} from "./memory-state.js";
export { type PodMemoryPartition, partitionPodMemory, validatePodScopeResources } from "./pod-scope.js";
export {
  containerRequestedResources,
  isMemoryManagerResource,
  podRequestedResources,
  QUANTITY_NOT_INT64,
  type ResourceRequest,
} from "./requests.js";
export { InitContainerReusableMemory, type ReusableMemorySeed } from "./reusable-memory.js";
export {
  type ContainerKey,
  STATIC_POLICY_NAME,
  StaticPolicy,
  type StaticPolicyOptions,
} from "./static-policy.js";
export type {
  MemoryBlock,
  MemoryStateData,
  MemoryTable,
  NUMANodeMap,
  NUMANodeState,
} from "./state-data.js";
export { addU64, subU64, u64 } from "./u64.js";
export { type MemoryHintSettings, memoryHintSettings } from "./hints-settings.js";
