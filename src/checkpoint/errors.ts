/**
 * Checkpoint errors. A restore failure carries the kubelet's own text, wrapped as the kubelet wraps
 * it when it refuses to start (checkpoints.md §5); `detail` is the inner error alone. The Device
 * Manager's kubelet does not refuse: it logs the error and starts empty (§9.5 step 7).
 */
import { goQuote } from "./gostring.js";

export type CheckpointManagerName = "cpu" | "memory" | "device";

export const DEFAULT_STATE_DIR = "/var/lib/kubelet";
export const CPU_CHECKPOINT_FILE = "cpu_manager_state";
export const MEMORY_CHECKPOINT_FILE = "memory_manager_state";
/** Relative to the kubelet root dir: the directory of the device plugin sockets. */
export const DEVICE_CHECKPOINT_FILE = "device-plugins/kubelet_internal_checkpoint";

export class CheckpointError extends Error {
  override name = "CheckpointError";
  constructor(
    message: string,
    readonly manager: CheckpointManagerName,
    /** The checkpoint file the error is about. */
    readonly path: string,
    /** The kubelet's inner error (`checkpoint is corrupted`, `configured policy ...`). */
    readonly detail: string,
    /** An explanation beyond the kubelet's words, for people; null when there is none. */
    readonly hint: string | null = null,
  ) {
    super(message);
  }
}

/** The kubelet's start-up refusal for a checkpoint it cannot restore. */
export function restoreError(
  manager: "cpu" | "memory",
  path: string,
  detail: string,
  hint: string | null = null,
): CheckpointError {
  const who = manager === "cpu" ? "CPU manager" : "memory manager";
  const message = `could not restore state from checkpoint: ${detail}, please drain this node and delete the ${who} checkpoint file ${goQuote(path)} before restarting Kubelet`;
  return new CheckpointError(message, manager, path, detail, hint);
}

/**
 * The Device Manager's restore failure: the kubelet logs `detail` with this message and continues
 * with no device allocations and no registered resources.
 */
export function deviceRestoreError(
  path: string,
  detail: string,
  hint: string | null = null,
): CheckpointError {
  const message = `Continue after failing to read checkpoint file. Device allocation info may NOT be up-to-date: ${detail} (device checkpoint ${goQuote(path)}; the kubelet starts with no device allocations)`;
  return new CheckpointError(message, "device", path, detail, hint);
}

/** A file that could not be read or written at all (permissions, missing directory, ...). */
export function fileError(
  manager: CheckpointManagerName,
  path: string,
  action: string,
  cause: unknown,
): CheckpointError {
  const why = cause instanceof Error ? cause.message : String(cause);
  const detail = `could not ${action} checkpoint file ${goQuote(path)}: ${why}`;
  return new CheckpointError(detail, manager, path, detail);
}

/**
 * A file beyond one of podpin's input bounds (docs/limits.md): podpin's refusal, not the
 * kubelet's, on one line naming the file.
 */
export function limitError(manager: CheckpointManagerName, path: string, cause: Error): CheckpointError {
  const detail = `${goQuote(path)}: ${cause.message}`;
  return new CheckpointError(
    `podpin does not read checkpoint file ${detail}`,
    manager,
    path,
    cause.message,
    "this is a bound of podpin's reader (docs/limits.md), not a kubelet error",
  );
}

/** The inner error text of the kubelet's checksum verification. */
export const CORRUPTED = "checkpoint is corrupted";
