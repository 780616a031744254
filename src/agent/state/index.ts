/**
 * The node agent's durable state directory: the kubelet's checkpoint files (`cpu_manager_state`,
 * `memory_manager_state`, `device-plugins/kubelet_internal_checkpoint`) in the configured
 * version's formats, and podpin's own record (`podpin_agent_state`) of the admitted pods' objects,
 * which is also the write-ahead log that keeps the files consistent across a crash.
 */
export type { OpenedStateDir, StateDir, StateDirOptions, StateOp } from "./types.js";
export { openStateDir } from "./state-dir.js";
export { StateDirError, type StateDirErrorReason } from "./errors.js";
export {
  type DurableWriteOptions,
  type FileOp,
  type FileOpHook,
  type FileOpKind,
  isTemporaryName,
  makeDirectoryDurably,
  removeTemporaryFiles,
  syncDirectory,
  temporaryNameFor,
  writeFileDurably,
} from "./durable-write.js";
export {
  CHECKPOINT_FILES,
  type CheckpointFileName,
  checkpointBytesOf,
  contentHash,
  STATE_RECORD_FILE,
} from "./files.js";
export { LOCK_FILE } from "./lock.js";
export {
  type PodNames,
  podsFromCheckpointState,
  type RestoredStates,
  type RestoreNodeOptions,
  restoreNode,
} from "./restore.js";
export {
  type FileVerdict,
  type FileVerification,
  type Verification,
  type VerifyOptions,
  verifyStateDir,
} from "./verify.js";
export { type MigrateOptions, type Migration, type MigrationStep, migrateStateDir } from "./migrate.js";
