/**
 * Checkpoint files on disk. Writes are atomic (OPEN CK-4, checkpoints.md §8): the content goes to a
 * temporary file in the same directory, is flushed to disk, and replaces the target by rename, so
 * a reader (or a crash) sees the old file or the new one, never a mixture.
 */
import {
  closeSync,
  fstatSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  unlinkSync,
  writeSync,
} from "node:fs";
import { basename, dirname, join } from "node:path";
import { randomBytes } from "node:crypto";
import { type CPUReadOptions, type CPUReadResult, readCPUCheckpoint, writeCPUCheckpoint } from "./cpu.js";
import type { DeviceStateData } from "../managers/device/index.js";
import { writeDeviceCheckpoint } from "./device.js";
import { type DeviceReadResult, deviceReaderGeneration, readDeviceCheckpoint } from "./device-read.js";
import {
  CPU_CHECKPOINT_FILE,
  CheckpointError,
  type CheckpointManagerName,
  DEVICE_CHECKPOINT_FILE,
  MEMORY_CHECKPOINT_FILE,
  fileError,
  limitError,
} from "./errors.js";
import { CheckpointLimitError, checkSize } from "./limits.js";
import { type MemoryReadResult, readMemoryCheckpoint, writeMemoryCheckpoint } from "./memory.js";
import type { CheckpointSettings } from "./settings.js";
import type { CPUStateData } from "../managers/cpu/index.js";
import type { MemoryStateData } from "../managers/memory/index.js";

function errnoOf(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException | null)?.code;
}

/** Writes `content` to `path` atomically; throws `CheckpointError` naming the file. */
export function writeFileAtomic(
  path: string,
  content: string | Uint8Array,
  manager: CheckpointManagerName = "cpu",
  mode = 0o644,
): void {
  const dir = dirname(path);
  const tmp = join(dir, `.${basename(path)}.tmp-${process.pid}-${randomBytes(6).toString("hex")}`);
  const bytes = typeof content === "string" ? Buffer.from(content, "utf8") : content;
  try {
    const fd = openSync(tmp, "wx", mode);
    try {
      let off = 0;
      while (off < bytes.length) off += writeSync(fd, bytes, off, bytes.length - off);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  } catch (err) {
    try {
      unlinkSync(tmp);
    } catch {
      // The temporary file was never created, or is already gone.
    }
    throw fileError(manager, path, "write", err);
  }
  syncDirectory(dir);
}

/** Makes the rename itself durable; some file systems cannot sync a directory, which is fine. */
function syncDirectory(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, "r");
    fsyncSync(fd);
  } catch {
    // Not supported here (EISDIR/EINVAL/EPERM on some platforms): the data itself is synced.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/**
 * The file's bytes, or null when it does not exist; a file larger than podpin reads
 * (`MAX_CHECKPOINT_BYTES`, docs/limits.md) is refused before it is read.
 */
function readBounded(path: string, manager: CheckpointManagerName): Buffer | null {
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch (err) {
    if (errnoOf(err) === "ENOENT") return null;
    throw fileError(manager, path, "read", err);
  }
  try {
    const size = fstatSync(fd).size;
    try {
      checkSize(size);
    } catch (err) {
      if (err instanceof CheckpointLimitError) throw limitError(manager, path, err);
      throw err;
    }
    return readFileSync(fd);
  } catch (err) {
    if (err instanceof CheckpointError) throw err;
    throw fileError(manager, path, "read", err);
  } finally {
    closeSync(fd);
  }
}

/** The file's text, or null when it does not exist; other failures throw `CheckpointError`. */
export function readCheckpointFile(path: string, manager: CheckpointManagerName): string | null {
  return readBounded(path, manager)?.toString("utf8") ?? null;
}

/** The file's bytes, or null when it does not exist (the device checkpoint is read as Go reads bytes). */
export function readCheckpointBytes(path: string, manager: CheckpointManagerName): Uint8Array | null {
  return readBounded(path, manager);
}

export type Outcome<T> = { ok: true; result: T } | { ok: false; error: CheckpointError };

export interface StateDirReadOptions extends CheckpointSettings {
  /** The CPU Manager policy (`none` | `static`). */
  cpuPolicy: string;
  /** The Memory Manager policy (`None` | `Static`). */
  memoryPolicy: string;
  initialContainers?: CPUReadOptions["initialContainers"];
  ignoreChecksums?: boolean;
}

export interface StateDirReadResult {
  cpu: Outcome<CPUReadResult>;
  memory: Outcome<MemoryReadResult>;
  /**
   * `device-plugins/kubelet_internal_checkpoint`. A file the kubelet cannot restore is still `ok`
   * (the kubelet starts with no device state): its `error` says why. `ok: false` only when the
   * file exists but cannot be read at all.
   */
  device: Outcome<DeviceReadResult>;
}

function attempt<T>(fn: () => T): Outcome<T> {
  try {
    return { ok: true, result: fn() };
  } catch (err) {
    if (err instanceof CheckpointError) return { ok: false, error: err };
    throw err;
  }
}

/**
 * Restores the managers' state from a kubelet state directory (`/var/lib/kubelet`): CPU, memory and
 * device files. Each file is read on its own, so one damaged file does not hide another; a missing
 * file is an empty state.
 */
export function readStateDir(dir: string, opts: StateDirReadOptions): StateDirReadResult {
  const common = { version: opts.version, gates: opts.gates, ignoreChecksums: opts.ignoreChecksums };
  const cpuPath = join(dir, CPU_CHECKPOINT_FILE);
  const memoryPath = join(dir, MEMORY_CHECKPOINT_FILE);
  const devicePath = join(dir, DEVICE_CHECKPOINT_FILE);
  return {
    cpu: attempt(() =>
      readCPUCheckpoint(readCheckpointFile(cpuPath, "cpu"), {
        ...common,
        configuredPolicy: opts.cpuPolicy,
        path: cpuPath,
        initialContainers: opts.initialContainers,
      }),
    ),
    memory: attempt(() =>
      readMemoryCheckpoint(readCheckpointFile(memoryPath, "memory"), {
        ...common,
        configuredPolicy: opts.memoryPolicy,
        path: memoryPath,
      }),
    ),
    device: attempt(() =>
      readDeviceCheckpoint(readCheckpointBytes(devicePath, "device"), {
        path: devicePath,
        generation: deviceReaderGeneration(opts.version),
        ignoreChecksums: opts.ignoreChecksums,
      }),
    ),
  };
}

/** What the Device Manager checkpoint is written from. */
export interface DeviceStateToWrite {
  state: DeviceStateData;
  /** Each registered resource's healthy device ids (a resource missing here is written with `[]`). */
  healthyDevices?: ReadonlyMap<string, Iterable<string>>;
}

/**
 * Writes the managers' state into a kubelet state directory in the formats `settings` select, each
 * file atomically. Only the states given are written. The device file is the same for every
 * version (the current layout, in podpin's canonical order); its `device-plugins` directory is
 * created when missing.
 */
export function writeStateDir(
  dir: string,
  states: { cpu?: CPUStateData; memory?: MemoryStateData; device?: DeviceStateToWrite },
  settings: CheckpointSettings,
): void {
  if (states.cpu)
    writeFileAtomic(join(dir, CPU_CHECKPOINT_FILE), writeCPUCheckpoint(states.cpu, settings), "cpu");
  if (states.memory) {
    writeFileAtomic(
      join(dir, MEMORY_CHECKPOINT_FILE),
      writeMemoryCheckpoint(states.memory, settings),
      "memory",
    );
  }
  if (states.device) {
    const path = join(dir, DEVICE_CHECKPOINT_FILE);
    try {
      mkdirSync(dirname(path), { recursive: true });
    } catch (err) {
      throw fileError("device", path, "write", err);
    }
    writeFileAtomic(path, writeDeviceCheckpoint(states.device.state, states.device.healthyDevices), "device");
  }
}
