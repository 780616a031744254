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
  limitError,
} from "./errors.js";
import {
  CheckpointLimitError,
  MAX_CONTAINERS_PER_POD,
  MAX_DEVICE_ENTRIES,
  MAX_PODS,
  checkCount,
  checkId,
  checkSize,
} from "./limits.js";

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
  try {
    if (content !== null)
      checkSize(typeof content === "string" ? Buffer.byteLength(content, "utf8") : content.length);
    const result = readUnbounded(content, opts, path);
    checkDeviceBounds(result.state);
    return result;
  } catch (err) {
    if (!(err instanceof CheckpointLimitError)) throw err;
    // Beyond podpin's bounds: reported like a file the kubelet cannot restore (it starts empty).
    const verdict: DeviceRestoreVerdict = {
      error: err.message,
      loadedAs: null,
      restored: null,
      warnings: [],
      hint: "this is a bound of podpin's reader (docs/limits.md), not a kubelet error",
    };
    return {
      format: "none",
      state: emptyDeviceState(),
      verdict,
      error: limitError("device", path, err),
      warnings: [],
    };
  }
}

/** podpin's bounds on the restored records (docs/limits.md): counts and identifier lengths. */
function checkDeviceBounds(s: DeviceStateData): void {
  checkCount("pods with device records", s.podDevices.size, MAX_PODS);
  checkCount("registered resources", s.registeredResources.length, MAX_DEVICE_ENTRIES);
  let records = 0;
  for (const [pod, containers] of s.podDevices) {
    checkId("pod UID", pod);
    checkCount(`containers in pod ${pod}`, containers.size, MAX_CONTAINERS_PER_POD);
    for (const [name, resources] of containers) {
      checkId("container name", name);
      for (const [resource, record] of resources) {
        checkId("resource name", resource);
        records++;
        for (const ids of record.deviceIDs.values()) for (const id of ids) checkId("device ID", id);
      }
    }
  }
  checkCount("device records", records, MAX_DEVICE_ENTRIES);
  for (const r of s.registeredResources) checkId("resource name", r);
}

function readUnbounded(
  content: string | Uint8Array | null,
  opts: DeviceReadOptions,
  path: string,
): DeviceReadResult {
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
