/**
 * Checking a state directory without changing it (`podpin checkpoint verify`): each kubelet
 * checkpoint as the configured kubelet (or, without a configuration, the fullest reading, with
 * each file's own policy) would restore it, the managers' start-up validation against a machine,
 * and podpin's record with the files it vouches for. The verdicts are the ones opening the
 * directory would give.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import {
  CPU_CHECKPOINT_FILE,
  type CPUReadResult,
  type CheckpointSettings,
  DEVICE_CHECKPOINT_FILE,
  type DeviceReadResult,
  MEMORY_CHECKPOINT_FILE,
  type MemoryReadResult,
} from "../../checkpoint/index.js";
import { type KubernetesVersion, readPodInputs } from "../../k8s/index.js";
import type { Machine } from "../../machine/index.js";
import { Node, type NodeConfig, NodeConfigError } from "../../node/index.js";
import { isTemporaryName } from "./durable-write.js";
import { StateDirError, quoted } from "./errors.js";
import { CHECKPOINT_FILES, contentHash, STATE_RECORD_FILE, settingsOf } from "./files.js";
import { LOCK_FILE } from "./lock.js";
import {
  droppedState,
  droppedStateError,
  FULL_READ,
  readCPUFile,
  readDeviceFile,
  readMemoryFile,
  readRecord,
  readWithOwnPolicy,
} from "./read.js";
import type { StateRecord } from "./record.js";
import { type RestoredStates, restoreNode } from "./restore.js";

export interface VerifyOptions {
  /** The node's configuration; null: each file's own policy, the fullest reading of `version`. */
  config: NodeConfig | null;
  /** The version to read as when there is no configuration. */
  version: KubernetesVersion;
  /** Runs the managers' start-up validation (with `config` only). */
  machine: Machine | null;
}

export type FileVerdict = "ok" | "absent" | "problem";

export interface FileVerification {
  /** Relative to the directory. */
  file: string;
  verdict: FileVerdict;
  /** `V4`, ...; null when absent or unreadable. */
  format: string | null;
  /** One line: what the file holds, when it reads. */
  summary: string;
  problems: string[];
  warnings: string[];
}

export interface Verification {
  dir: string;
  /** How the files were read: `Kubernetes 1.37 with PodLevelResourceManagers on`. */
  readAs: string;
  files: FileVerification[];
  /** What was not checked, and why, and other facts about the directory. */
  notes: string[];
}

type ManagerFile = typeof CPU_CHECKPOINT_FILE | typeof MEMORY_CHECKPOINT_FILE;

function entryFor(file: string): FileVerification {
  return { file, verdict: "ok", format: null, summary: "", problems: [], warnings: [] };
}

function fail(entry: FileVerification, message: string): void {
  entry.verdict = "problem";
  entry.problems.push(message);
}

function messageOf(err: unknown): string {
  if (err instanceof StateDirError) return err.message;
  throw err;
}

function plural(n: number, one: string): string {
  return `${n} ${one}${n === 1 ? "" : "s"}`;
}

function readBytes(dir: string, name: string, entry: FileVerification): Buffer | null {
  const path = join(dir, name);
  if (!existsSync(path)) {
    entry.verdict = "absent";
    return null;
  }
  try {
    return readFileSync(path);
  } catch (err) {
    fail(entry, `could not read ${quoted(path)}: ${(err as Error).message}`);
    return null;
  }
}

function cpuSummary(r: CPUReadResult): string {
  const s = r.state;
  const pods = new Set([...s.entries.keys(), ...s.podEntries.keys()]).size;
  return `${r.format.toUpperCase()}, policy ${s.policyName || "-"}, default CPU set ${s.defaultCpuSet.toString() || "-"}, ${plural(pods, "pod")} holding CPUs`;
}

function memorySummary(r: MemoryReadResult): string {
  const s = r.state;
  const pods = new Set([...s.entries.keys(), ...s.podEntries.keys()]).size;
  return `${r.format.toUpperCase()}, policy ${s.policyName || "-"}, ${plural(s.machineState.size, "NUMA node")}, ${plural(pods, "pod")} holding memory`;
}

function deviceSummary(r: DeviceReadResult): string {
  let records = 0;
  for (const containers of r.state.podDevices.values())
    for (const resources of containers.values()) records += resources.size;
  const registered = r.state.registeredResources.join(", ") || "none";
  return `${r.format.toUpperCase()}, ${plural(records, "device record")} for ${plural(r.state.podDevices.size, "pod")}, registered: ${registered}`;
}

function verifyManagerFile(
  dir: string,
  file: ManagerFile,
  settings: CheckpointSettings,
  config: NodeConfig | null,
): { entry: FileVerification; read: CPUReadResult | MemoryReadResult | null } {
  const entry = entryFor(file);
  const bytes = readBytes(dir, file, entry);
  if (bytes === null) {
    if (entry.verdict === "absent") entry.summary = "no file (the manager starts empty)";
    return { entry, read: null };
  }
  let read: CPUReadResult | MemoryReadResult;
  let policy: string;
  try {
    if (config) {
      policy = file === CPU_CHECKPOINT_FILE ? config.cpuManagerPolicy : config.memoryManagerPolicy;
      read =
        file === CPU_CHECKPOINT_FILE
          ? readCPUFile(dir, bytes, settings, policy)
          : readMemoryFile(dir, bytes, settings, policy);
    } else {
      ({ read, policy } = readWithOwnPolicy(dir, file, bytes, [settings]));
    }
  } catch (err) {
    fail(entry, messageOf(err));
    return { entry, read: null };
  }
  entry.format = read.format.toUpperCase();
  entry.warnings.push(...read.warnings);
  entry.summary =
    file === CPU_CHECKPOINT_FILE
      ? cpuSummary(read as CPUReadResult)
      : memorySummary(read as MemoryReadResult);
  const lost = droppedState(dir, file, bytes, read.state, policy);
  if (lost) {
    const as =
      config ?? ({ kubernetesVersion: settings.version, featureGates: settings.gates } as NodeConfig);
    fail(entry, droppedStateError(dir, file, as, lost).message);
  }
  return { entry, read };
}

function verifyDeviceFile(
  dir: string,
  settings: CheckpointSettings,
): { entry: FileVerification; read: DeviceReadResult | null } {
  const entry = entryFor(DEVICE_CHECKPOINT_FILE);
  const bytes = readBytes(dir, DEVICE_CHECKPOINT_FILE, entry);
  if (bytes === null) {
    if (entry.verdict === "absent") entry.summary = "no file (the Device Manager starts empty)";
    return { entry, read: null };
  }
  try {
    const read = readDeviceFile(dir, bytes, settings);
    entry.format = read.format.toUpperCase();
    entry.warnings.push(...read.warnings);
    entry.summary = deviceSummary(read);
    return { entry, read };
  } catch (err) {
    fail(entry, messageOf(err));
    return { entry, read: null };
  }
}

/** The CPU and Memory Managers' start with each restored state, as a restart runs it. */
function startupValidation(
  dir: string,
  machine: Machine,
  config: NodeConfig,
  reads: { cpu: FileVerification; memory: FileVerification },
  restored: RestoredStates,
  notes: string[],
): void {
  try {
    new Node({ machine, config });
  } catch (err) {
    if (!(err instanceof NodeConfigError)) throw err;
    notes.push(
      `the managers' start-up validation did not run: the configuration does not start (${err.message})`,
    );
    return;
  }
  const check = (entry: FileVerification, state: RestoredStates, on: boolean, what: string) => {
    if (entry.verdict !== "ok" || Object.values(state).every((v) => v === undefined)) return;
    if (!on) {
      notes.push(
        `the ${what}'s start-up validation did not run: its configured policy does not use the file`,
      );
      return;
    }
    try {
      restoreNode({ machine, config, restored: state });
    } catch (err) {
      if (!(err instanceof NodeConfigError)) throw err;
      fail(
        entry,
        `${err.message}: invalid state, please drain node and remove policy state file ${quoted(join(dir, entry.file))}`,
      );
    }
  };
  check(reads.cpu, { cpu: restored.cpu }, config.cpuManagerPolicy === "static", "CPU Manager");
  check(reads.memory, { memory: restored.memory }, config.memoryManagerPolicy === "Static", "Memory Manager");
}

/** The record, and each file against it. */
async function verifyRecord(
  dir: string,
  files: Record<string, FileVerification>,
): Promise<{ entry: FileVerification; record: StateRecord | null }> {
  const entry = entryFor(STATE_RECORD_FILE);
  let record: StateRecord | null;
  try {
    record = await readRecord(dir);
  } catch (err) {
    fail(entry, messageOf(err));
    return { entry, record: null };
  }
  if (record === null) {
    entry.verdict = "absent";
    entry.summary = "no record (a kubelet's directory: an agent would know its pods by UID only)";
    return { entry, record };
  }
  const rec = join(dir, STATE_RECORD_FILE);
  let behind = 0;
  for (const name of CHECKPOINT_FILES) {
    const path = join(dir, name);
    const bytes = existsSync(path) ? readFileSync(path) : null;
    const hash = bytes === null ? null : contentHash(bytes);
    const want = record.files[name];
    if (hash === want.hash) continue;
    if (want.previous.includes(hash)) {
      behind++;
      files[name].warnings.push(
        `one write behind ${STATE_RECORD_FILE} (generation ${record.generation}): an agent stopped while writing it, and finishes the write at its next start`,
      );
      continue;
    }
    fail(
      files[name],
      `state mismatch: ${quoted(path)} ${bytes === null ? "is missing, but" : "is not the content"} ${quoted(rec)} records (generation ${record.generation}): another program wrote the directory; an agent refuses to start with it`,
    );
  }
  let objects = 0;
  for (const p of record.pods) {
    if (!("object" in p)) continue;
    objects++;
    try {
      const pods = readPodInputs(JSON.stringify(p.object), `${rec} pod ${p.uid}`);
      if (pods.length !== 1) throw new Error("not one Pod object");
    } catch (err) {
      fail(entry, `pod ${p.uid}: ${(err as Error).message}`);
    }
  }
  entry.format = "V1";
  entry.summary = `generation ${record.generation}, ${plural(record.pods.length, "running pod")}, ${objects} known by their objects, written for Kubernetes ${record.kubernetesVersion}, ${behind > 0 ? `${plural(behind, "file")} one write behind` : "every file at this generation"}`;
  return { entry, record };
}

function temporaryFiles(dir: string): string[] {
  const out: string[] = [];
  for (const sub of ["", "device-plugins"]) {
    try {
      for (const n of readdirSync(join(dir, sub))) if (isTemporaryName(n)) out.push(sub ? `${sub}/${n}` : n);
    } catch {
      // No such directory.
    }
  }
  return out;
}

/** Verifies `dir` (read only). Files that are all absent are reported as such, not refused. */
export async function verifyStateDir(dir: string, opts: VerifyOptions): Promise<Verification> {
  const settings: CheckpointSettings = opts.config
    ? settingsOf(opts.config)
    : { version: opts.version, gates: FULL_READ.gates };
  const gate = settings.gates.PodLevelResourceManagers ? "on" : "off";
  const readAs = `Kubernetes ${settings.version} with PodLevelResourceManagers ${gate}${opts.config ? "" : ", each file with its own policy"}`;
  const notes: string[] = [];
  const cpu = verifyManagerFile(dir, CPU_CHECKPOINT_FILE, settings, opts.config);
  const memory = verifyManagerFile(dir, MEMORY_CHECKPOINT_FILE, settings, opts.config);
  const device = verifyDeviceFile(dir, settings);
  const byName: Record<string, FileVerification> = {
    [CPU_CHECKPOINT_FILE]: cpu.entry,
    [MEMORY_CHECKPOINT_FILE]: memory.entry,
    [DEVICE_CHECKPOINT_FILE]: device.entry,
  };
  const record = await verifyRecord(dir, byName);
  if (opts.machine && opts.config) {
    const restored: RestoredStates = {
      cpu: cpu.read && cpu.read.format !== "none" ? (cpu.read as CPUReadResult).state : undefined,
      memory:
        memory.read && memory.read.format !== "none" ? (memory.read as MemoryReadResult).state : undefined,
    };
    startupValidation(
      dir,
      opts.machine,
      opts.config,
      { cpu: cpu.entry, memory: memory.entry },
      restored,
      notes,
    );
  } else {
    notes.push(
      opts.machine
        ? "the managers' start-up validation (CPUs and memory against the machine) did not run: it needs the node's kubelet configuration (-c)"
        : "the managers' start-up validation (CPUs and memory against the machine) did not run: name the node's machine with -m (-m this on the node) and its kubelet configuration with -c",
    );
  }
  const leftovers = temporaryFiles(dir);
  if (leftovers.length > 0)
    notes.push(
      `temporary files of an interrupted write (an agent removes them at its start): ${leftovers.join(", ")}`,
    );
  if (existsSync(join(dir, LOCK_FILE)))
    notes.push(`${LOCK_FILE} exists: an agent holds the directory, or one stopped without releasing it`);
  return { dir, readAs, files: [cpu.entry, memory.entry, device.entry, record.entry], notes };
}
