/**
 * The kubelet's three checkpoint files under its root directory, read as the configured kubelet
 * reads them (its version's formats, checksums, policy names), never written. A file that does
 * not verify (caught mid-write, damaged) is logged once and retried on the next read; until it
 * verifies again, the last state read from it stays the truth.
 */
import { createHash } from "node:crypto";
import { join } from "node:path";
import {
  CheckpointError,
  type CheckpointManagerName,
  CPU_CHECKPOINT_FILE,
  DEVICE_CHECKPOINT_FILE,
  deviceReaderGeneration,
  MEMORY_CHECKPOINT_FILE,
  readCheckpointBytes,
  readCPUCheckpoint,
  readDeviceCheckpoint,
  readMemoryCheckpoint,
} from "../../checkpoint/index.js";
import type { AgentLog } from "../../agent/index.js";
import type { RestoredStates } from "../../agent/state/index.js";
import type { NodeConfig } from "../../node/index.js";

export const KUBELET_FILES = [CPU_CHECKPOINT_FILE, MEMORY_CHECKPOINT_FILE, DEVICE_CHECKPOINT_FILE] as const;
export type KubeletFileName = (typeof KUBELET_FILES)[number];

const MANAGER: Record<KubeletFileName, CheckpointManagerName> = {
  [CPU_CHECKPOINT_FILE]: "cpu",
  [MEMORY_CHECKPOINT_FILE]: "memory",
  [DEVICE_CHECKPOINT_FILE]: "device",
};

interface Accepted {
  /** sha256 of the bytes accepted (null: no file). */
  hash: string | null;
  state: RestoredStates[keyof RestoredStates];
}

export interface KubeletReading {
  restored: RestoredStates;
  /** Whether any file's accepted content differs from the previous reading's. */
  changed: boolean;
  /** One line per file that did not verify this time (its last good state was kept). */
  problems: string[];
  /** A fingerprint of the accepted contents (equal fingerprints: the same truth). */
  fingerprint: string;
}

/** Reads the kubelet's checkpoints, keeping the last good state of each file. */
export class KubeletFiles {
  private readonly accepted = new Map<KubeletFileName, Accepted>();
  /** The problem logged for each file that is failing now (so it is logged once). */
  private readonly failing = new Map<KubeletFileName, string>();

  constructor(
    readonly rootDir: string,
    private readonly config: NodeConfig,
    private readonly log?: AgentLog,
  ) {}

  read(): KubeletReading {
    let changed = false;
    const problems: string[] = [];
    for (const name of KUBELET_FILES) {
      const path = join(this.rootDir, name);
      let next: Accepted;
      try {
        next = this.readOne(name, path);
      } catch (err) {
        if (!(err instanceof CheckpointError)) throw err;
        const problem = err.message;
        problems.push(problem);
        if (this.failing.get(name) !== problem) {
          this.failing.set(name, problem);
          this.log?.warn("kubelet checkpoint not read; keeping its last good state", {
            file: path,
            error: problem,
          });
        }
        continue;
      }
      if (this.failing.delete(name)) this.log?.info("kubelet checkpoint read again", { file: path });
      if (this.accepted.get(name)?.hash !== next.hash || !this.accepted.has(name)) changed = true;
      this.accepted.set(name, next);
    }
    return { restored: this.restored(), changed, problems, fingerprint: this.fingerprint() };
  }

  private readOne(name: KubeletFileName, path: string): Accepted {
    const bytes = readCheckpointBytes(path, MANAGER[name]);
    const hash = bytes === null ? null : createHash("sha256").update(bytes).digest("hex");
    const known = this.accepted.get(name);
    if (known && known.hash === hash) return known;
    const settings = { version: this.config.kubernetesVersion, gates: this.config.featureGates, path };
    if (name === DEVICE_CHECKPOINT_FILE) {
      const r = readDeviceCheckpoint(bytes, { path, generation: deviceReaderGeneration(settings.version) });
      if (r.error) throw r.error;
      return { hash, state: r.format === "none" ? undefined : r.state };
    }
    const text = bytes === null ? null : Buffer.from(bytes).toString("utf8");
    const r =
      name === CPU_CHECKPOINT_FILE
        ? readCPUCheckpoint(text, { ...settings, configuredPolicy: this.config.cpuManagerPolicy })
        : readMemoryCheckpoint(text, { ...settings, configuredPolicy: this.config.memoryManagerPolicy });
    return { hash, state: r.format === "none" ? undefined : r.state };
  }

  private restored(): RestoredStates {
    const of = (name: KubeletFileName) => this.accepted.get(name)?.state;
    return {
      cpu: of(CPU_CHECKPOINT_FILE) as RestoredStates["cpu"],
      memory: of(MEMORY_CHECKPOINT_FILE) as RestoredStates["memory"],
      device: of(DEVICE_CHECKPOINT_FILE) as RestoredStates["device"],
    };
  }

  private fingerprint(): string {
    return KUBELET_FILES.map((n) => this.accepted.get(n)?.hash ?? "-").join(",");
  }
}
