/**
 * The agent's state directory: opened, verified and loaded into a node, then kept durable one
 * generation per committed operation.
 *
 * Several files cannot be replaced atomically together, so the record is a write-ahead log: each
 * generation first replaces the record (which holds the new content of every file that changes,
 * and the hashes of the versions that may still be on disk), then each changed checkpoint file.
 * A crash at any step leaves every file either at the record's generation or at a version the
 * record lists as earlier, and the next open finishes the write from the record. A failed write
 * (an I/O error) keeps both versions in the list until a later generation writes the file again,
 * so that later commits stay recoverable too.
 */
import { dirname, join } from "node:path";
import { containersInOrder } from "../../k8s/index.js";
import type { DeviceSpec } from "../../machine/index.js";
import type { Node } from "../../node/index.js";
import { type DurableWriteOptions, makeDirectoryDurably, removeTemporaryFiles } from "./durable-write.js";
import { StateDirError, quoted } from "./errors.js";
import { CHECKPOINT_FILES, type CheckpointFileName, checkpointBytesOf, type FileBytes } from "./files.js";
import { hashesOf, isSettled, type OnDisk, writeGeneration } from "./generation.js";
import { type KnownPod, type LoadContext, loadState, type LoadedState } from "./load.js";
import { acquireLock, type StateDirLock } from "./lock.js";
import { readCheckpointFiles, readRecord } from "./read.js";
import { jsonOf, type RecordedPod } from "./record.js";
import type { OpenedStateDir, StateDirOptions, StateOp } from "./types.js";

/** What one generation writes: taken when `commit` is called, written in commit order. */
interface Snapshot {
  files: FileBytes;
  hashes: Record<CheckpointFileName, string>;
  pods: RecordedPod[];
  devices: Record<string, DeviceSpec[]>;
  devicesInUse: Record<string, string[]>;
  /** Everything above as one string: equal keys, equal directory content. */
  key: string;
}

class AgentStateDir implements OpenedStateDir {
  readonly node: Node;
  readonly podObjects: Map<string, unknown>;
  readonly warnings: readonly string[];
  private readonly known: Map<string, KnownPod>;
  private readonly deviceLists: Map<string, DeviceSpec[]>;
  /** Per file, the versions that may be on disk now (one once a write has completed). */
  private readonly onDisk: OnDisk = new Map();
  private generationNumber: number;
  /** The key of the last generation written completely; null when unknown (after a failure). */
  private durableKey: string | null = null;
  private queue: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(
    private readonly ctx: LoadContext,
    loaded: LoadedState,
    private readonly lock: StateDirLock,
  ) {
    this.node = loaded.node;
    this.podObjects = loaded.objects;
    this.known = loaded.known;
    this.deviceLists = loaded.deviceLists;
    this.warnings = loaded.warnings;
    this.generationNumber = loaded.record?.generation ?? 0;
    for (const f of CHECKPOINT_FILES) this.onDisk.set(f, new Set([loaded.disk[f]]));
    if (loaded.record && !loaded.rewrite) this.durableKey = this.snapshot().key;
  }

  /** The generation of the last record written. */
  get generation(): number {
    return this.generationNumber;
  }

  get dir(): string {
    return this.ctx.dir;
  }

  commit(op: StateOp): Promise<void> {
    if (this.closed)
      return Promise.reject(
        new StateDirError(`state directory ${quoted(this.ctx.dir)} is closed`, "closed", this.ctx.dir),
      );
    this.apply(op);
    return this.enqueue(this.snapshot());
  }

  /** Writes the current state as the next generation (the open's own write). */
  writeCurrent(): Promise<void> {
    return this.enqueue(this.snapshot());
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.queue;
    await this.lock.release();
  }

  private enqueue(snap: Snapshot): Promise<void> {
    const run = this.queue.then(() => this.write(snap));
    this.queue = run.catch(() => {});
    return run;
  }

  /** What the operation tells the record beyond the node's state: pod objects and device lists. */
  private apply(op: StateOp): void {
    if (op.kind === "admit" && op.admitted && this.node.pod(op.podUID)) {
      this.podObjects.delete(op.podUID);
      // A copy: the caller's object may change later, the recorded one must not.
      this.podObjects.set(op.podUID, structuredClone(op.pod));
    } else if (op.kind === "remove") {
      this.podObjects.delete(op.podUID);
      this.known.delete(op.podUID);
    } else if (op.kind === "updateDevices") {
      this.deviceLists.set(op.resource, []);
    }
    // Pods the node no longer holds (removed, or evicted for a critical pod).
    for (const uid of [...this.podObjects.keys()]) if (!this.node.pod(uid)) this.podObjects.delete(uid);
    for (const uid of [...this.known.keys()]) if (!this.node.pod(uid)) this.known.delete(uid);
  }

  private snapshot(): Snapshot {
    const files = checkpointBytesOf(this.node);
    const hashes = hashesOf(files);
    const pods: RecordedPod[] = this.node.admittedPods().map((p) => {
      if (this.podObjects.has(p.uid)) return { uid: p.uid, object: this.podObjects.get(p.uid) };
      const known = this.known.get(p.uid) ?? {
        name: p.name,
        namespace: p.namespace,
        containers: containersInOrder(p).map((c) => c.name),
      };
      return { uid: p.uid, fromCheckpoints: known };
    });
    const resources = this.node.deviceResources();
    const devices: Record<string, DeviceSpec[]> = {};
    for (const name of [...this.deviceLists.keys()].sort())
      devices[name] = (resources.get(name)?.devices ?? []).map((d) => ({
        id: d.id,
        numaNodes: d.numaNodes === null ? null : [...d.numaNodes],
        healthy: d.healthy,
      }));
    const devicesInUse = Object.fromEntries(this.node.deviceManager.allocatedDeviceIDs());
    const key = jsonOf([hashes, pods, devices, devicesInUse]);
    return { files, hashes, pods, devices, devicesInUse, key };
  }

  private async write(snap: Snapshot): Promise<void> {
    if (snap.key === this.durableKey && isSettled(this.onDisk, snap.hashes)) return;
    const config = this.node.config;
    const generation = ++this.generationNumber;
    // Unknown until the whole generation is written: a failure may leave any part of it.
    this.durableKey = null;
    await writeGeneration(
      this.ctx.dir,
      {
        generation,
        kubernetesVersion: config.kubernetesVersion,
        podLevelResourceManagers: config.featureGates.PodLevelResourceManagers,
        files: snap.files,
        pods: snap.pods,
        devices: snap.devices,
        devicesInUse: snap.devicesInUse,
      },
      this.onDisk,
      this.ctx.write,
    );
    this.durableKey = snap.key;
  }
}

/**
 * Opens the agent's state directory (created 0700 when missing): takes its lock, removes what an
 * interrupted write left, loads and verifies the files as the configured kubelet would, restores
 * the node, and writes the directory in the configured formats when it is new, has no record yet,
 * or holds an older format. Rejects with `StateDirError` where the kubelet would refuse to start.
 */
export async function openStateDir(opts: StateDirOptions): Promise<OpenedStateDir> {
  const write: DurableWriteOptions = { durable: opts.durable ?? true, hook: opts.fileOpHook };
  const ctx: LoadContext = { dir: opts.dir, machine: opts.machine, config: opts.config, write };
  await makeDirectoryDurably(opts.dir, { ...write, mode: 0o700 });
  const lock = await acquireLock(opts.dir);
  try {
    const warnings: string[] = [];
    if (lock.staleOwner !== null)
      warnings.push(`took over the lock of process ${lock.staleOwner}, which is no longer running`);
    const removed = [
      ...(await removeTemporaryFiles(opts.dir, write)),
      ...(await removeTemporaryFiles(join(opts.dir, dirname(CHECKPOINT_FILES[2])), write)).map(
        (n) => `${dirname(CHECKPOINT_FILES[2])}/${n}`,
      ),
    ];
    if (removed.length > 0)
      warnings.push(`removed temporary files an interrupted write left: ${removed.join(", ")}`);
    const record = await readRecord(opts.dir);
    const loaded = await loadState(ctx, record, readCheckpointFiles(opts.dir), warnings);
    const stateDir = new AgentStateDir(ctx, loaded, lock);
    if (loaded.rewrite) await stateDir.writeCurrent();
    return stateDir;
  } catch (err) {
    await lock.release();
    throw err;
  }
}
