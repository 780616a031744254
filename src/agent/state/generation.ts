/**
 * Writing one generation of a state directory: the record first (the write-ahead: it holds the
 * new content of every file that is to change and the hashes of the versions that may still be
 * on disk), then each changed checkpoint file. `onDisk` tracks, per file, the versions that may be
 * on disk; it is updated as the writes go, so that after a failure the next generation still
 * lists every version a crash could leave.
 */
import { dirname, join } from "node:path";
import type { DeviceSpec } from "../../machine/index.js";
import { type DurableWriteOptions, makeDirectoryDurably, writeFileDurably } from "./durable-write.js";
import {
  CHECKPOINT_FILES,
  type CheckpointFileName,
  contentHash,
  type FileBytes,
  STATE_RECORD_FILE,
} from "./files.js";
import { encodeRecord, type RecordedFile, type RecordedPod, type StateRecord } from "./record.js";

export type OnDisk = Map<CheckpointFileName, Set<string | null>>;

export interface Generation {
  generation: number;
  kubernetesVersion: string;
  podLevelResourceManagers: boolean;
  files: FileBytes;
  pods: RecordedPod[];
  devices: Record<string, DeviceSpec[]>;
  devicesInUse: Record<string, string[]>;
}

export function hashesOf(files: FileBytes): Record<CheckpointFileName, string> {
  const out = {} as Record<CheckpointFileName, string>;
  for (const f of CHECKPOINT_FILES) out[f] = contentHash(files[f]);
  return out;
}

/** Whether every file is known to be on disk at exactly this content. */
export function isSettled(onDisk: OnDisk, hashes: Record<CheckpointFileName, string>): boolean {
  return CHECKPOINT_FILES.every((f) => {
    const versions = onDisk.get(f);
    return versions !== undefined && versions.size === 1 && versions.has(hashes[f]);
  });
}

/** The record of `g`, given what may be on disk before it is written. */
export function recordOf(g: Generation, onDisk: OnDisk): StateRecord {
  const hashes = hashesOf(g.files);
  const files = {} as Record<CheckpointFileName, RecordedFile>;
  for (const f of CHECKPOINT_FILES) {
    const previous = [...(onDisk.get(f) ?? [])].filter((h) => h !== hashes[f]);
    files[f] =
      previous.length > 0
        ? { hash: hashes[f], previous, content: g.files[f] }
        : { hash: hashes[f], previous };
  }
  return {
    generation: g.generation,
    kubernetesVersion: g.kubernetesVersion,
    podLevelResourceManagers: g.podLevelResourceManagers,
    files,
    pods: g.pods,
    devices: g.devices,
    devicesInUse: g.devicesInUse,
  };
}

/** Writes `g` into `dir`: the record, then each file not already on disk at its content. */
export async function writeGeneration(
  dir: string,
  g: Generation,
  onDisk: OnDisk,
  write: DurableWriteOptions,
): Promise<void> {
  const hashes = hashesOf(g.files);
  await writeFileDurably(join(dir, STATE_RECORD_FILE), encodeRecord(recordOf(g, onDisk)), {
    ...write,
    mode: 0o600,
  });
  for (const f of CHECKPOINT_FILES) {
    let versions = onDisk.get(f);
    if (versions?.size === 1 && versions.has(hashes[f])) continue;
    if (!versions) onDisk.set(f, (versions = new Set()));
    const path = join(dir, f);
    // From here the new version may be on disk, whatever happens next.
    versions.add(hashes[f]);
    await makeDirectoryDurably(dirname(path), write);
    await writeFileDurably(path, g.files[f], { ...write, mode: 0o644 });
    onDisk.set(f, new Set([hashes[f]]));
  }
}
