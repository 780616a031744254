/**
 * Kubelet-compatible checkpoint files: `cpu_manager_state` and `memory_manager_state` in every
 * version the pod-level-era kubelets read (CPU V1–V4, memory V1–V3), written byte for byte as the
 * selected Kubernetes version writes them (checkpoints.md), and the Device Manager's
 * `device-plugins/kubelet_internal_checkpoint` (current layout and V1, checkpoints.md §9).
 *
 * Reading throws `CheckpointError` with the kubelet's start-up message when the kubelet would
 * refuse the file; accepted quirks come back as `warnings`. A device checkpoint is never refused
 * (the kubelet starts empty): its result carries the kubelet's error instead.
 */
/** The managers' state shapes these files carry, re-exported for callers that read checkpoints. */
export type { CPUStateData } from "../managers/cpu/index.js";
export type {
  MemoryBlock,
  MemoryStateData,
  MemoryTable,
  NUMANodeMap,
  NUMANodeState,
} from "../managers/memory/index.js";
export type { DeviceStateData } from "../managers/device/index.js";
export type { CheckpointSettings, ReadOptions } from "./settings.js";
export {
  CheckpointError,
  type CheckpointManagerName,
  CPU_CHECKPOINT_FILE,
  DEFAULT_STATE_DIR,
  DEVICE_CHECKPOINT_FILE,
  MEMORY_CHECKPOINT_FILE,
} from "./errors.js";
export {
  type CPUCheckpointFormat,
  type CPUReadOptions,
  type CPUReadResult,
  type CPUWriteFormat,
  type InitialContainers,
  cpuWriteFormat,
  encodeCPUCheckpoint,
  readCPUCheckpoint,
  writeCPUCheckpoint,
} from "./cpu.js";
export {
  type MemoryCheckpointFormat,
  type MemoryEncodeOptions,
  type MemoryReadResult,
  type MemoryWriteFormat,
  encodeMemoryCheckpoint,
  memoryWriteFormat,
  readMemoryCheckpoint,
  writeMemoryCheckpoint,
} from "./memory.js";
export {
  type CheckpointDevicesPerNUMA,
  type DeviceCheckpointData,
  type DeviceCheckpointDecode,
  type DeviceCheckpointEntryV1,
  type DeviceCheckpointEntryV2,
  type DeviceCheckpointLayout,
  type RegisteredDevices,
  canonicalDeviceCheckpoint,
  decodeDeviceCheckpoint,
  deviceCheckpointChecksum,
  deviceCheckpointFromState,
  deviceCheckpointHashInput,
  encodeDeviceCheckpoint,
  writeDeviceCheckpoint,
} from "./device.js";
export {
  type DeviceReaderGeneration,
  type DeviceRestoreOptions,
  type DeviceRestoreVerdict,
  type RestoredDeviceEntry,
  type RestoredDeviceState,
  type SkippedDeviceEntry,
  SKIPPED_ALLOCRESP,
  restoreDeviceCheckpoint,
} from "./device-restore.js";
export {
  type DeviceCheckpointFormat,
  type DeviceReadOptions,
  type DeviceReadResult,
  deviceReaderGeneration,
  readDeviceCheckpoint,
} from "./device-read.js";
export {
  type AllocRespDecode,
  type ContainerAllocateResponse,
  type DeviceSpec,
  type Mount,
  type ProtobufDialect,
  decodeContainerAllocateResponse,
  emptyAllocateResponse,
  encodeContainerAllocateResponse,
} from "./allocresp.js";
export {
  type DeviceStateToWrite,
  type Outcome,
  type StateDirReadOptions,
  type StateDirReadResult,
  readCheckpointBytes,
  readCheckpointFile,
  readStateDir,
  writeFileAtomic,
  writeStateDir,
} from "./io.js";
export { dataChecksum } from "./checksum.js";
export { fnv1a32 } from "./fnv.js";
