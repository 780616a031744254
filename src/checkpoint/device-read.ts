/**
 * Reading `kubelet_internal_checkpoint` for podpin's `--state` and `checkpoint` (checkpoints.md
 * §9.6): the kubelet's verdict, and the Device Manager state it starts from. A file the kubelet
 * cannot restore is not a refusal: the kubelet logs the error and starts with no device state, and
 * so does this reader (OPEN CK-6, checkpoints.md §9.7: podpin's own agent may refuse instead, on
 * `error`).
 */
import type { DeviceStateData } from "../managers/device/index.js";
import type { KubernetesVersion } from "../k8s/index.js";
import {
  type DeviceReaderGeneration,
  type DeviceRestoreVerdict,
  emptyDeviceState,
  restoreDeviceCheckpoint,
} from "./device-restore.js";
import {
  type CheckpointError,
  DEFAULT_STATE_DIR,
  DEVICE_CHECKPOINT_FILE,
  deviceRestoreError,
} from "./errors.js";

/** `none`: no file, or one the kubelet does not restore (see `error`). */
export type DeviceCheckpointFormat = "none" | "v2" | "v1";

export interface DeviceReadOptions {
  /** The file, for messages; defaults to the file under `/var/lib/kubelet`. */
  path?: string;
  /** Which kubelets' reading to follow; defaults to `current` (1.30 and later). */
  generation?: DeviceReaderGeneration;
  /** Restore a file whose only fault is its checksum, with a warning (OPEN CK-1, checkpoints.md §8). */
  ignoreChecksums?: boolean;
}

export interface DeviceReadResult {
  format: DeviceCheckpointFormat;
  /** What the Device Manager starts from: empty when the file is absent or not restored. */
  state: DeviceStateData;
  /** The kubelet's verdict in full (restored records with their decoded answers, skipped entries). */
  verdict: DeviceRestoreVerdict;
  /** The kubelet's restore error, which it logs before starting empty; null when it restores. */
  error: CheckpointError | null;
  warnings: string[];
}

/** Every Kubernetes version podpin models reads device checkpoints without the V1 fallback. */
export function deviceReaderGeneration(_version: KubernetesVersion): DeviceReaderGeneration {
  return "current";
}

/** Restores a device checkpoint's content (`null`: no file) as the kubelet would. */
export function readDeviceCheckpoint(
  content: string | Uint8Array | null,
  opts: DeviceReadOptions = {},
): DeviceReadResult {
  const path = opts.path ?? `${DEFAULT_STATE_DIR}/${DEVICE_CHECKPOINT_FILE}`;
  const verdict = restoreDeviceCheckpoint(content, opts.generation ?? "current", {
    ignoreChecksum: opts.ignoreChecksums,
  });
  if (verdict.error !== null || verdict.restored === null) {
    const error = deviceRestoreError(path, verdict.error ?? "not restored", verdict.hint);
    return { format: "none", state: emptyDeviceState(), verdict, error, warnings: [] };
  }
  const format = verdict.loadedAs === "V2" ? "v2" : verdict.loadedAs === "V1" ? "v1" : "none";
  return { format, state: verdict.restored.state, verdict, error: null, warnings: verdict.warnings };
}
