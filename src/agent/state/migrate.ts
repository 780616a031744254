/**
 * Rewriting a state directory's checkpoints in another Kubernetes version's formats
 * (`podpin checkpoint migrate`): each file is read with the fullest reading, written as the target
 * kubelet writes it, and refused when the target format would not give the same state back (pod-
 * level entries into a format without them). The writes are durable and atomic per file; in an
 * agent's directory they go through the record as a new generation, so a crash midway leaves a
 * directory the agent completes at its next start. The Device Manager's file has one format in
 * every version and is left as it is.
 */
import { join } from "node:path";
import {
  CPU_CHECKPOINT_FILE,
  type CPUReadResult,
  type CheckpointSettings,
  cpuWriteFormat,
  DEVICE_CHECKPOINT_FILE,
  encodeCPUCheckpoint,
  encodeMemoryCheckpoint,
  MEMORY_CHECKPOINT_FILE,
  type MemoryReadResult,
  memoryWriteFormat,
  writeCPUCheckpoint,
  writeMemoryCheckpoint,
} from "../../checkpoint/index.js";
import type { CPUStateData } from "../../managers/cpu/index.js";
import type { MemoryStateData } from "../../managers/memory/index.js";
import { type DurableWriteOptions, writeFileDurably } from "./durable-write.js";
import { StateDirError, quoted } from "./errors.js";
import {
  CHECKPOINT_FILES,
  type CheckpointFileName,
  contentHash,
  type FileBytes,
  STATE_RECORD_FILE,
} from "./files.js";
import { type OnDisk, writeGeneration } from "./generation.js";
import { acquireLock } from "./lock.js";
import {
  EVERY_READING,
  readCheckpointFiles,
  readCPUFile,
  readDeviceFile,
  readMemoryFile,
  readRecord,
  readWithOwnPolicy,
} from "./read.js";

export interface MigrateOptions {
  /** The target kubelet: its version and PodLevelResourceManagers gate. */
  to: CheckpointSettings;
  dryRun?: boolean;
  write?: DurableWriteOptions;
}

export interface MigrationStep {
  file: string;
  /** `V4`, ...; null when there is no file. */
  from: string | null;
  to: string | null;
  action: "rewrite" | "unchanged" | "absent";
}

export interface Migration {
  steps: MigrationStep[];
  /** The record's generation before and after, in an agent's directory. */
  record: { from: number; to: number } | null;
  written: boolean;
}

type ManagerFile = typeof CPU_CHECKPOINT_FILE | typeof MEMORY_CHECKPOINT_FILE;

function canonical(file: ManagerFile, state: CPUStateData | MemoryStateData): string {
  return file === CPU_CHECKPOINT_FILE
    ? encodeCPUCheckpoint(state as CPUStateData, "v4", true)
    : encodeMemoryCheckpoint(state as MemoryStateData, "v3", { podEntries: true });
}

function targetText(
  file: ManagerFile,
  state: CPUStateData | MemoryStateData,
  to: CheckpointSettings,
): string {
  return file === CPU_CHECKPOINT_FILE
    ? writeCPUCheckpoint(state as CPUStateData, to)
    : writeMemoryCheckpoint(state as MemoryStateData, to);
}

function targetFormat(file: ManagerFile, to: CheckpointSettings): string {
  return (file === CPU_CHECKPOINT_FILE ? cpuWriteFormat(to) : memoryWriteFormat(to)).toUpperCase();
}

/** Why the target format does not give `state` back, on one line. */
function cannotCarry(
  dir: string,
  file: ManagerFile,
  state: CPUStateData | MemoryStateData,
  back: CPUStateData | MemoryStateData,
  to: CheckpointSettings,
): StateDirError {
  const lost = [...state.podEntries.keys()].filter((uid) => !back.podEntries.has(uid));
  const what =
    lost.length > 0
      ? `the pod-level entries of ${lost.length} pod${lost.length === 1 ? "" : "s"} (${lost.slice(0, 3).join(", ")}${lost.length > 3 ? ", ..." : ""})`
      : "its state";
  const gate = to.gates.PodLevelResourceManagers ? "on" : "off";
  const fix = to.gates.PodLevelResourceManagers
    ? "keep the directory in its current version"
    : "migrate with --feature-gates PodLevelResourceManagers=true, or remove those pods first";
  return new StateDirError(
    `${file}: Kubernetes ${to.version} with PodLevelResourceManagers ${gate} writes ${targetFormat(file, to)}, which cannot carry ${what}: ${fix}`,
    "migration",
    join(dir, file),
  );
}

/**
 * Plans, and unless `dryRun` performs, the migration of `dir` to `opts.to`. Throws
 * `StateDirError`: a file no kubelet reads, a format that cannot carry the state, an agent's
 * directory that is mid-write or held by a running agent.
 */
export async function migrateStateDir(dir: string, opts: MigrateOptions): Promise<Migration> {
  const lock = opts.dryRun ? null : await acquireLock(dir);
  try {
    const record = await readRecord(dir);
    const disk = readCheckpointFiles(dir);
    if (record)
      for (const name of CHECKPOINT_FILES) {
        const hash = disk[name] === null ? null : contentHash(disk[name]);
        if (hash === record.files[name].hash) continue;
        const path = join(dir, name);
        const rec = join(dir, STATE_RECORD_FILE);
        throw new StateDirError(
          record.files[name].previous.includes(hash)
            ? `${quoted(path)} is one write behind ${quoted(rec)}: an agent stopped while writing it; start the agent once (it finishes the write), stop it, then migrate`
            : `state mismatch: ${quoted(path)} is not the content ${quoted(rec)} records (generation ${record.generation}); run "podpin checkpoint verify" on the directory`,
          "mismatch",
          path,
        );
      }
    const steps: MigrationStep[] = [];
    const next = {} as FileBytes;
    let changed = false;
    for (const file of [CPU_CHECKPOINT_FILE, MEMORY_CHECKPOINT_FILE] as const) {
      const bytes = disk[file];
      if (bytes === null) {
        steps.push({ file, from: null, to: null, action: "absent" });
        continue;
      }
      const { read, policy } = readWithOwnPolicy(dir, file, bytes, EVERY_READING);
      const state = (read as CPUReadResult | MemoryReadResult).state;
      const text = targetText(file, state, opts.to);
      const back =
        file === CPU_CHECKPOINT_FILE
          ? readCPUFile(dir, Buffer.from(text), opts.to, policy).state
          : readMemoryFile(dir, Buffer.from(text), opts.to, policy).state;
      if (canonical(file, back) !== canonical(file, state))
        throw cannotCarry(dir, file, state, back, opts.to);
      const same = text === bytes.toString("utf8");
      changed ||= !same;
      next[file] = text;
      steps.push({
        file,
        from: read.format.toUpperCase(),
        to: targetFormat(file, opts.to),
        action: same ? "unchanged" : "rewrite",
      });
    }
    const device = disk[DEVICE_CHECKPOINT_FILE];
    if (device === null) steps.push({ file: DEVICE_CHECKPOINT_FILE, from: null, to: null, action: "absent" });
    else {
      const read = readDeviceFile(dir, device, opts.to);
      next[DEVICE_CHECKPOINT_FILE] = device.toString("utf8");
      const format = read.format.toUpperCase();
      steps.push({ file: DEVICE_CHECKPOINT_FILE, from: format, to: format, action: "unchanged" });
    }
    const generations = record && changed ? { from: record.generation, to: record.generation + 1 } : null;
    if (opts.dryRun || !changed) return { steps, record: generations, written: false };
    const write = opts.write ?? {};
    if (record) {
      const onDisk: OnDisk = new Map();
      for (const f of CHECKPOINT_FILES) onDisk.set(f, new Set([record.files[f].hash]));
      await writeGeneration(
        dir,
        {
          generation: record.generation + 1,
          kubernetesVersion: opts.to.version,
          podLevelResourceManagers: opts.to.gates.PodLevelResourceManagers,
          files: next,
          pods: record.pods,
          devices: record.devices,
          devicesInUse: record.devicesInUse,
        },
        onDisk,
        write,
      );
    } else {
      for (const step of steps)
        if (step.action === "rewrite")
          await writeFileDurably(join(dir, step.file), next[step.file as CheckpointFileName], {
            ...write,
            mode: 0o644,
          });
    }
    return { steps, record: generations, written: true };
  } finally {
    await lock?.release();
  }
}
