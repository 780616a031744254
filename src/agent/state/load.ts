/**
 * Loading a state directory at start-up: the record and the files are made consistent (an
 * interrupted write is finished from the record), each file is read as the configured kubelet
 * reads it, the node is restarted on the result with the managers' start-up validation, and the
 * restarted node must reproduce what it was started from. What needs writing afterwards (a
 * directory without record, an older format) is reported, not written: the caller writes the
 * next generation.
 */
import { dirname, join } from "node:path";
import {
  CPU_CHECKPOINT_FILE,
  cpuWriteFormat,
  DEVICE_CHECKPOINT_FILE,
  MEMORY_CHECKPOINT_FILE,
  memoryWriteFormat,
  writeCPUCheckpoint,
  writeDeviceCheckpoint,
  writeMemoryCheckpoint,
} from "../../checkpoint/index.js";
import { type Pod, readPodInputs } from "../../k8s/index.js";
import type { DeviceSpec, Machine } from "../../machine/index.js";
import { Node, type NodeConfig, NodeConfigError } from "../../node/index.js";
import { type DurableWriteOptions, makeDirectoryDurably, writeFileDurably } from "./durable-write.js";
import { StateDirError, quoted } from "./errors.js";
import {
  CHECKPOINT_FILES,
  type CheckpointFileName,
  checkpointBytesOf,
  contentHash,
  STATE_RECORD_FILE,
  settingsOf,
} from "./files.js";
import {
  type DiskBytes,
  droppedState,
  droppedStateError,
  policiesOf,
  readCPUFile,
  readDeviceFile,
  readMemoryFile,
} from "./read.js";
import { recordAdvice, type StateRecord } from "./record.js";
import { type RestoredStates, restoreNode } from "./restore.js";

export interface KnownPod {
  name: string;
  namespace: string;
  containers: string[];
}

export interface LoadedState {
  node: Node;
  record: StateRecord | null;
  /** Pods the record knows by their objects. */
  objects: Map<string, unknown>;
  /** Pods known only from checkpoints. */
  known: Map<string, KnownPod>;
  /** Device lists the plugins reported (they replace the machine's). */
  deviceLists: Map<string, DeviceSpec[]>;
  /** The files' hashes on disk now (null: no file). */
  disk: Record<CheckpointFileName, string | null>;
  /** Whether the files must be written again (no record yet, an older format). */
  rewrite: boolean;
  warnings: string[];
}

export interface LoadContext {
  dir: string;
  machine: Machine;
  config: NodeConfig;
  write: DurableWriteOptions;
}

function hashOf(bytes: Buffer | null): string | null {
  return bytes === null ? null : contentHash(bytes);
}

function mismatch(ctx: LoadContext, path: string, what: string, record: StateRecord): StateDirError {
  const rec = join(ctx.dir, STATE_RECORD_FILE);
  return new StateDirError(
    `state mismatch: ${quoted(path)} ${what} ${quoted(rec)} records (generation ${record.generation}): another program wrote the directory (a kubelet, a restore from backup); stop it, then delete ${quoted(rec)} to load the checkpoint files as a kubelet restart does (pods are then known by UID only), or drain this node and delete the state directory`,
    "mismatch",
    path,
  );
}

/**
 * Brings each file to the record's generation: a file still at an earlier version the record
 * lists is rewritten from the record; any other content is refused, with the kubelet's verdict
 * when the kubelet itself would refuse it.
 */
async function rollForward(ctx: LoadContext, record: StateRecord, disk: DiskBytes, warnings: string[]) {
  const settings = settingsOf(ctx.config);
  const policies = policiesOf(ctx.config);
  for (const name of CHECKPOINT_FILES) {
    const path = join(ctx.dir, name);
    const entry = record.files[name];
    const hash = hashOf(disk[name]);
    if (hash === entry.hash) continue;
    if (entry.previous.includes(hash) && entry.content !== undefined) {
      if (contentHash(entry.content) !== entry.hash) {
        const rec = join(ctx.dir, STATE_RECORD_FILE);
        throw new StateDirError(
          `podpin agent state ${quoted(rec)} is corrupted: files.${name}: the content does not match its hash; ${recordAdvice()}`,
          "corrupted",
          rec,
        );
      }
      await makeDirectoryDurably(dirname(path), ctx.write);
      await writeFileDurably(path, entry.content, { ...ctx.write, mode: 0o644 });
      disk[name] = Buffer.from(entry.content, "utf8");
      warnings.push(
        `${name}: finished an interrupted write (the agent stopped after recording generation ${record.generation} and before writing this file)`,
      );
      continue;
    }
    if (disk[name] === null) throw mismatch(ctx, path, "is missing, but", record);
    // The kubelet's verdict first: a damaged file is refused with its message.
    if (name === CPU_CHECKPOINT_FILE) readCPUFile(ctx.dir, disk[name], settings, policies.cpu);
    else if (name === MEMORY_CHECKPOINT_FILE) readMemoryFile(ctx.dir, disk[name], settings, policies.memory);
    else readDeviceFile(ctx.dir, disk[name], settings);
    throw mismatch(ctx, path, "verifies, but it is not the content", record);
  }
}

function podsOfRecord(ctx: LoadContext, record: StateRecord) {
  const rec = join(ctx.dir, STATE_RECORD_FILE);
  const pods: Pod[] = [];
  const objects = new Map<string, unknown>();
  const known = new Map<string, KnownPod>();
  const seen = new Set<string>();
  for (const p of record.pods) {
    const bad = (what: string) =>
      new StateDirError(
        `podpin agent state ${quoted(rec)} is corrupted: pod ${p.uid}: ${what}; ${recordAdvice()}`,
        "corrupted",
        rec,
      );
    if (seen.has(p.uid)) throw bad("listed twice");
    seen.add(p.uid);
    if ("object" in p) {
      // Read again exactly as the agent read the request (validation, canonical quantities).
      let pod: Pod;
      try {
        const inputs = readPodInputs(JSON.stringify(p.object), `${rec} pod ${p.uid}`);
        if (inputs.length !== 1 || inputs[0].origin.kind !== "Pod") throw new Error("not one Pod object");
        pod = inputs[0].pod;
      } catch (err) {
        if (!(err instanceof Error)) throw err;
        throw bad(err.message);
      }
      pods.push(pod.uid === p.uid ? pod : { ...pod, uid: p.uid });
      objects.set(p.uid, p.object);
    } else {
      const k = p.fromCheckpoints;
      known.set(p.uid, k);
      pods.push({
        uid: p.uid,
        name: k.name,
        namespace: k.namespace,
        initContainers: [],
        containers: k.containers.map((name) => ({ name, resources: null })),
        resources: null,
      });
    }
  }
  return { pods, objects, known };
}

/**
 * The kubelet's start-up refusal, with the file to remove: the configuration alone, or the
 * manager whose restored state the validation refuses.
 */
function startupError(
  ctx: LoadContext,
  err: NodeConfigError,
  attempt: (r: RestoredStates) => void,
  restored: RestoredStates,
): StateDirError {
  try {
    new Node({ machine: ctx.machine, config: ctx.config });
  } catch (alone) {
    if (alone instanceof NodeConfigError) return new StateDirError(alone.message, "config", ctx.dir);
    throw alone;
  }
  const fails = (r: RestoredStates) => {
    try {
      attempt(r);
      return false;
    } catch (e) {
      if (e instanceof NodeConfigError) return true;
      throw e;
    }
  };
  const file = fails({ cpu: restored.cpu, device: restored.device })
    ? CPU_CHECKPOINT_FILE
    : MEMORY_CHECKPOINT_FILE;
  const path = join(ctx.dir, file);
  return new StateDirError(
    `${err.message}: invalid state, please drain node and remove policy state file ${quoted(path)}`,
    "startup",
    path,
    { cause: err },
  );
}

function formatName(format: string): string {
  return format.toUpperCase();
}

/** Loads the directory (its files already read into `disk`); throws `StateDirError` on refusal. */
export async function loadState(
  ctx: LoadContext,
  record: StateRecord | null,
  disk: DiskBytes,
  warnings: string[],
): Promise<LoadedState> {
  const { config } = ctx;
  const settings = settingsOf(config);
  const policies = policiesOf(config);
  if (record) await rollForward(ctx, record, disk, warnings);

  const cpu = readCPUFile(ctx.dir, disk[CPU_CHECKPOINT_FILE], settings, policies.cpu);
  const memory = readMemoryFile(ctx.dir, disk[MEMORY_CHECKPOINT_FILE], settings, policies.memory);
  const device = readDeviceFile(ctx.dir, disk[DEVICE_CHECKPOINT_FILE], settings);
  for (const [file, read, policy] of [
    [CPU_CHECKPOINT_FILE, cpu.state, policies.cpu],
    [MEMORY_CHECKPOINT_FILE, memory.state, policies.memory],
  ] as const) {
    const bytes = disk[file];
    if (bytes === null) continue;
    const lost = droppedState(ctx.dir, file, bytes, read, policy);
    if (lost) throw droppedStateError(ctx.dir, file, config, lost);
  }
  for (const w of cpu.warnings) warnings.push(`${CPU_CHECKPOINT_FILE}: ${w}`);
  for (const w of memory.warnings) warnings.push(`${MEMORY_CHECKPOINT_FILE}: ${w}`);
  for (const w of device.warnings) warnings.push(`${DEVICE_CHECKPOINT_FILE}: ${w}`);

  const restored: RestoredStates = {
    cpu: cpu.format === "none" ? undefined : cpu.state,
    memory: memory.format === "none" ? undefined : memory.state,
    device: device.format === "none" ? undefined : device.state,
  };
  const fromRecord = record ? podsOfRecord(ctx, record) : null;
  const devicesInUse = record ? new Map(Object.entries(record.devicesInUse)) : undefined;
  const attempt = (r: RestoredStates) =>
    restoreNode({
      machine: ctx.machine,
      config,
      restored: r,
      runningPods: fromRecord?.pods,
      devicesInUse: r.device ? devicesInUse : undefined,
      // A long-running agent sees pods come and go without end; its live pods bound its memory.
      admissionLimit: null,
    });
  let node: Node;
  try {
    node = attempt(restored);
  } catch (err) {
    if (err instanceof NodeConfigError) throw startupError(ctx, err, attempt, restored);
    throw err;
  }
  const deviceLists = new Map(Object.entries(record?.devices ?? {}));
  for (const [resource, devices] of [...deviceLists].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
    node.updateDevices(resource, devices);

  const rewrite = reproduce(ctx, node, restored, disk, { cpu: cpu.format, memory: memory.format }, warnings);
  if (!record && CHECKPOINT_FILES.some((f) => disk[f] !== null))
    warnings.push(
      `no ${STATE_RECORD_FILE} in ${quoted(ctx.dir)}: loaded the kubelet checkpoint files as a kubelet restart does; ${node.admittedPods().length} running pods are known by UID and container names only`,
    );
  const disked = {} as Record<CheckpointFileName, string | null>;
  for (const f of CHECKPOINT_FILES) disked[f] = hashOf(disk[f]);
  return {
    node,
    record,
    objects: fromRecord?.objects ?? new Map(),
    known:
      fromRecord?.known ??
      new Map(
        node
          .admittedPods()
          .map((p) => [
            p.uid,
            { name: p.name, namespace: p.namespace, containers: p.containers.map((c) => c.name) },
          ]),
      ),
    deviceLists,
    disk: disked,
    rewrite: rewrite || !record,
    warnings,
  };
}

/**
 * The restarted node must hold exactly what it was started from: its own encoding of each
 * restored state equals what the node writes now. Then a file in an older format (or a kubelet's
 * file in another order) is to be rewritten; returns whether any is.
 */
function reproduce(
  ctx: LoadContext,
  node: Node,
  restored: RestoredStates,
  disk: DiskBytes,
  formats: { cpu: string; memory: string },
  warnings: string[],
): boolean {
  const settings = settingsOf(ctx.config);
  const out = checkpointBytesOf(node);
  const fromState: Partial<Record<CheckpointFileName, string>> = {};
  if (node.cpuPolicy && restored.cpu)
    fromState[CPU_CHECKPOINT_FILE] = writeCPUCheckpoint(restored.cpu, settings);
  if (node.memoryPolicy && restored.memory)
    fromState[MEMORY_CHECKPOINT_FILE] = writeMemoryCheckpoint(restored.memory, settings);
  const devicesOnly = (s: typeof restored.device) =>
    s ? writeDeviceCheckpoint({ podDevices: s.podDevices, registeredResources: [] }) : null;
  let rewrite = false;
  for (const name of CHECKPOINT_FILES) {
    const bytes = disk[name];
    if (bytes === null || bytes.toString("utf8") === out[name]) {
      rewrite ||= bytes === null;
      continue;
    }
    const path = join(ctx.dir, name);
    const reproduced =
      name === DEVICE_CHECKPOINT_FILE
        ? devicesOnly(restored.device) === devicesOnly(node.deviceManager.stateData())
        : fromState[name] === undefined || fromState[name] === out[name];
    if (!reproduced)
      throw new StateDirError(
        `state mismatch: ${quoted(path)} does not come back from a restart (the node restored from it holds other state): drain this node and delete the state directory before restarting`,
        "mismatch",
        path,
      );
    rewrite = true;
    if (name === CPU_CHECKPOINT_FILE || name === MEMORY_CHECKPOINT_FILE) {
      const from = name === CPU_CHECKPOINT_FILE ? formats.cpu : formats.memory;
      const to = name === CPU_CHECKPOINT_FILE ? cpuWriteFormat(settings) : memoryWriteFormat(settings);
      warnings.push(
        from === to
          ? `${name}: rewritten as the kubelet ${settings.version} writes it (same ${formatName(to)} format)`
          : `${name}: migrated from the ${formatName(from)} format to ${formatName(to)}, the one Kubernetes ${settings.version} writes`,
      );
    } else {
      warnings.push(
        `${name}: rewritten from the restored state (entries in podpin's order, registered devices as the machine and the plugins report them)`,
      );
    }
  }
  return rewrite;
}
