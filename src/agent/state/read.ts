/**
 * Reading a state directory's files as the configured kubelet reads them, with every refusal
 * turned into a one-line `StateDirError` that keeps the kubelet's own message.
 */
import { readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import {
  CheckpointError,
  type CheckpointSettings,
  CPU_CHECKPOINT_FILE,
  type CPUReadResult,
  DEVICE_CHECKPOINT_FILE,
  type DeviceReadResult,
  deviceReaderGeneration,
  encodeCPUCheckpoint,
  encodeMemoryCheckpoint,
  MEMORY_CHECKPOINT_FILE,
  type MemoryReadResult,
  readCheckpointBytes,
  readCPUCheckpoint,
  readDeviceCheckpoint,
  readMemoryCheckpoint,
} from "../../checkpoint/index.js";
import type { CPUStateData } from "../../managers/cpu/index.js";
import type { MemoryStateData } from "../../managers/memory/index.js";
import type { NodeConfig } from "../../node/index.js";
import { StateDirError, ioError, quoted } from "./errors.js";
import { CHECKPOINT_FILES, type CheckpointFileName, STATE_RECORD_FILE } from "./files.js";
import { MAX_RECORD_BYTES, type StateRecord, decodeRecord } from "./record.js";

export type DiskBytes = Record<CheckpointFileName, Buffer | null>;

/** The three files' bytes (null: no file). */
export function readCheckpointFiles(dir: string): DiskBytes {
  const manager = { cpu_manager_state: "cpu", memory_manager_state: "memory" } as const;
  const out = {} as DiskBytes;
  for (const name of CHECKPOINT_FILES) {
    const path = join(dir, name);
    try {
      const bytes = readCheckpointBytes(path, name === DEVICE_CHECKPOINT_FILE ? "device" : manager[name]);
      out[name] = bytes === null ? null : Buffer.from(bytes);
    } catch (err) {
      if (!(err instanceof CheckpointError)) throw err;
      const reason = err.detail.startsWith("could not ") ? "io" : "corrupted";
      throw new StateDirError(err.message, reason, path, { cause: err });
    }
  }
  return out;
}

/** The record, or null when there is none. */
export async function readRecord(dir: string): Promise<StateRecord | null> {
  const path = join(dir, STATE_RECORD_FILE);
  try {
    const size = (await stat(path)).size;
    if (size > MAX_RECORD_BYTES)
      throw new StateDirError(
        `podpin agent state ${quoted(path)} is ${size} bytes; podpin reads at most ${MAX_RECORD_BYTES}`,
        "corrupted",
        path,
      );
    return decodeRecord(await readFile(path, "utf8"), path);
  } catch (err) {
    if (err instanceof StateDirError) throw err;
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw ioError("read", path, err);
  }
}

/** A kubelet refusal as a state-directory error: a policy the file contradicts, or a damaged file. */
function refusal(err: CheckpointError): StateDirError {
  const reason = /configured policy /.test(err.detail) ? "restore" : "corrupted";
  return new StateDirError(err.message, reason, err.path, { cause: err });
}

export interface ReadPolicies {
  cpu: string;
  memory: string;
}

export function policiesOf(config: NodeConfig): ReadPolicies {
  return { cpu: config.cpuManagerPolicy, memory: config.memoryManagerPolicy };
}

/** A manager's file read under the configured policy, a refusal as a `StateDirError`. */
function readManagerFile<R>(
  path: string,
  bytes: Buffer | null,
  settings: CheckpointSettings,
  policy: string,
  read: (text: string | null, opts: CheckpointSettings & { configuredPolicy: string; path: string }) => R,
): R {
  try {
    return read(bytes?.toString("utf8") ?? null, { ...settings, configuredPolicy: policy, path });
  } catch (err) {
    if (err instanceof CheckpointError) throw refusal(err);
    throw err;
  }
}

export function readCPUFile(
  dir: string,
  bytes: Buffer | null,
  settings: CheckpointSettings,
  policy: string,
): CPUReadResult {
  return readManagerFile(join(dir, CPU_CHECKPOINT_FILE), bytes, settings, policy, readCPUCheckpoint);
}

export function readMemoryFile(
  dir: string,
  bytes: Buffer | null,
  settings: CheckpointSettings,
  policy: string,
): MemoryReadResult {
  return readManagerFile(join(dir, MEMORY_CHECKPOINT_FILE), bytes, settings, policy, readMemoryCheckpoint);
}

/**
 * The device file as the kubelet restores it. Where the kubelet would log the error and start
 * with no device allocations, the agent refuses: its own directory must not lose them silently.
 */
export function readDeviceFile(
  dir: string,
  bytes: Buffer | null,
  settings: CheckpointSettings,
): DeviceReadResult {
  const path = join(dir, DEVICE_CHECKPOINT_FILE);
  const r = readDeviceCheckpoint(bytes, { path, generation: deviceReaderGeneration(settings.version) });
  if (r.error)
    throw new StateDirError(
      `could not restore the device checkpoint ${quoted(path)}: ${r.error.detail} (a kubelet would log this and start with no device allocations): drain this node and delete the file before restarting`,
      "corrupted",
      path,
      { cause: r.error },
    );
  return r;
}

/** The reading that loses nothing: the newest kubelet with pod-level resource managers on. */
export const FULL_READ: CheckpointSettings = { version: "1.37", gates: { PodLevelResourceManagers: true } };

function canonicalCPU(s: CPUStateData): string {
  return encodeCPUCheckpoint(s, "v4", true);
}

function canonicalMemory(s: MemoryStateData): string {
  return encodeMemoryCheckpoint(s, "v3", { podEntries: true });
}

function someUIDs(uids: string[]): string {
  const shown = uids.slice(0, 3).join(", ");
  return uids.length > 3 ? `${shown}, ...` : shown;
}

/**
 * What the configured reading of a file drops that the fullest reading keeps (a 1.36 kubelet
 * reading a 1.37 file, pod-level entries read with the gate off), or null when nothing is lost.
 */
export function droppedState(
  dir: string,
  file: typeof CPU_CHECKPOINT_FILE | typeof MEMORY_CHECKPOINT_FILE,
  bytes: Buffer,
  read: CPUStateData | MemoryStateData,
  policy: string,
): string | null {
  let full: CPUStateData | MemoryStateData;
  try {
    full =
      file === CPU_CHECKPOINT_FILE
        ? readCPUFile(dir, bytes, FULL_READ, policy).state
        : readMemoryFile(dir, bytes, FULL_READ, policy).state;
  } catch {
    // Only the configured kubelet reads it (an interim format): nothing to compare with.
    return null;
  }
  const same =
    file === CPU_CHECKPOINT_FILE
      ? canonicalCPU(full as CPUStateData) === canonicalCPU(read as CPUStateData)
      : canonicalMemory(full as MemoryStateData) === canonicalMemory(read as MemoryStateData);
  if (same) return null;
  const lost = [...full.podEntries.keys()].filter((uid) => !read.podEntries.has(uid));
  return lost.length > 0
    ? `the pod-level entries of ${lost.length} pod${lost.length === 1 ? "" : "s"} (${someUIDs(lost)})`
    : "part of its state";
}

/** The refusal for a file the configured kubelet would read only in part. */
export function droppedStateError(
  dir: string,
  file: CheckpointFileName,
  config: NodeConfig,
  what: string,
): StateDirError {
  const path = join(dir, file);
  const gate = config.featureGates.PodLevelResourceManagers ? "on" : "off";
  return new StateDirError(
    `restoring ${quoted(path)} as Kubernetes ${config.kubernetesVersion} with PodLevelResourceManagers ${gate} drops ${what}: start with the version and feature gates that wrote it, or drain this node and delete the file before restarting`,
    "restore",
    path,
  );
}

/** The policy names each manager's checkpoint may carry, the configured kubelet's first. */
const POLICIES = {
  [CPU_CHECKPOINT_FILE]: ["static", "none"],
  [MEMORY_CHECKPOINT_FILE]: ["Static", "None"],
} as const;

/**
 * A CPU or Memory Manager file read as a kubelet configured with the file's own policy would
 * read it, under the first of `settings` that restores it (for checking files without the
 * node's configuration). Throws the first reading's refusal when none restores it.
 */
export function readWithOwnPolicy(
  dir: string,
  file: typeof CPU_CHECKPOINT_FILE | typeof MEMORY_CHECKPOINT_FILE,
  bytes: Buffer,
  settings: readonly CheckpointSettings[],
): { read: CPUReadResult | MemoryReadResult; policy: string; settings: CheckpointSettings } {
  let first: unknown = null;
  for (const s of settings)
    for (const policy of POLICIES[file]) {
      try {
        const read =
          file === CPU_CHECKPOINT_FILE
            ? readCPUFile(dir, bytes, s, policy)
            : readMemoryFile(dir, bytes, s, policy);
        return { read, policy, settings: s };
      } catch (err) {
        if (!(err instanceof StateDirError)) throw err;
        // A policy mismatch only says which policy the file has: try the other.
        if (err.reason !== "restore") first ??= err;
      }
    }
  throw (
    first ??
    new StateDirError(
      `${quoted(join(dir, file))}: no policy podpin knows restores it`,
      "restore",
      join(dir, file),
    )
  );
}

/** Every reading podpin models, the fullest first. */
export const EVERY_READING: readonly CheckpointSettings[] = [
  FULL_READ,
  { version: "1.37", gates: { PodLevelResourceManagers: false } },
  { version: "1.36", gates: { PodLevelResourceManagers: true } },
  { version: "1.36", gates: { PodLevelResourceManagers: false } },
];
