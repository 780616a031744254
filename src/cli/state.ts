import { statSync } from "node:fs";
import {
  readCPUCheckpoint,
  readDeviceCheckpoint,
  readMemoryCheckpoint,
  readStateDir,
} from "../checkpoint/index.js";
import type { CPUStateData } from "../managers/cpu/index.js";
import type { DeviceStateData } from "../managers/device/index.js";
import type { MemoryStateData } from "../managers/memory/index.js";
import { parseYamlDocument } from "../k8s/index.js";
import { type RestoredStates, restoreNode } from "../agent/state/index.js";
import type { Machine } from "../machine/index.js";
import { Node, type NodeConfig } from "../node/index.js";
import { UsageError } from "./errors.js";
import { readFailureReason, readInputFile } from "./read-input.js";
import { machineFromDoc, nodeConfigFromDoc } from "./state-inputs.js";

interface StateTexts {
  cpu: string | null;
  memory: string | null;
  device: string | null;
  where: string;
  /** Pod names by uid, from the simulation's admit steps. */
  names: Map<string, { namespace: string; name: string }>;
}

/**
 * What a `--state` path holds: a kubelet state directory, or a `podpin simulate -o json|yaml`
 * document with the machine and the kubelet settings it was made with (null in a document written
 * before it carried them).
 */
export type StateSource =
  | { kind: "directory"; dir: string }
  | {
      kind: "simulation";
      file: string;
      texts: StateTexts;
      machine: Machine | null;
      config: NodeConfig | null;
      /** The configuration's source the simulation named (`-c` file); null for the kubelet's defaults. */
      configSource: string | null;
    };

/** Reads a `--state` path: a kubelet state directory or a `podpin simulate -o json|yaml` output. */
export function readStateSource(spec: string): StateSource {
  let isDir: boolean;
  try {
    isDir = statSync(spec).isDirectory();
  } catch (err) {
    throw new UsageError(`--state: cannot read ${spec}: ${readFailureReason(err)}`);
  }
  if (isDir) return { kind: "directory", dir: spec };
  const doc = parseYamlDocument(readInputFile(spec, "simulation file"), spec, { version: "1.2" })?.data;
  const d = doc as {
    kind?: unknown;
    machine?: { definition?: unknown };
    kubelet?: { nodeConfig?: unknown; source?: unknown };
    state?: {
      cpuManagerCheckpoint?: unknown;
      memoryManagerCheckpoint?: unknown;
      deviceManagerCheckpoint?: unknown;
    };
    steps?: { op?: string; pod?: { uid?: string; name?: string; namespace?: string } }[];
  };
  if (d?.kind !== "Simulation" || typeof d.state !== "object" || d.state === null)
    throw new UsageError(
      `${spec}: expected a kubelet state directory or the output of "podpin simulate -o json" (kind: Simulation with a state section)`,
    );
  const text = (v: unknown) => (typeof v === "string" ? v : null);
  const names = new Map<string, { namespace: string; name: string }>();
  for (const step of Array.isArray(d.steps) ? d.steps : []) {
    const p = step?.pod;
    if (step?.op === "admit" && p?.uid && p.name)
      names.set(p.uid, { namespace: p.namespace ?? "", name: p.name });
  }
  const definition = d.machine?.definition;
  const nodeConfig = d.kubelet?.nodeConfig;
  return {
    kind: "simulation",
    file: spec,
    texts: {
      cpu: text(d.state.cpuManagerCheckpoint),
      memory: text(d.state.memoryManagerCheckpoint),
      device: text(d.state.deviceManagerCheckpoint),
      where: spec,
      names,
    },
    machine: definition === undefined ? null : machineFromDoc(definition, spec),
    config: nodeConfig === undefined ? null : nodeConfigFromDoc(nodeConfig, spec),
    configSource: text(d.kubelet?.source),
  };
}

export type { RestoredStates };

/**
 * A node on `machine` with `config` that starts from `restored`, its pods known by UID (or by the
 * names a simulation gave them). A manager whose policy is off ignores its state, as the kubelet's
 * `none` policies do.
 */
export function nodeFromRestored(
  machine: Machine,
  config: NodeConfig,
  restored: RestoredStates,
  names: ReadonlyMap<string, { namespace: string; name: string }> = new Map(),
): Node {
  return restoreNode({ machine, config, restored, names });
}

/** A node on `machine` with `config`, empty or restored from `stateSpec`. */
export function nodeWithState(machine: Machine, config: NodeConfig, stateSpec?: string): Node {
  if (!stateSpec) return new Node({ machine, config });
  return nodeFromState(machine, config, readStateSource(stateSpec));
}

/** A node on `machine` with `config`, restored from the checkpoints `source` holds. */
export function nodeFromState(machine: Machine, config: NodeConfig, source: StateSource): Node {
  const settings = { version: config.kubernetesVersion, gates: config.featureGates };
  let cpu: CPUStateData | undefined;
  let memory: MemoryStateData | undefined;
  let device: DeviceStateData | undefined;
  let names = new Map<string, { namespace: string; name: string }>();
  if (source.kind === "directory") {
    const r = readStateDir(source.dir, {
      ...settings,
      cpuPolicy: config.cpuManagerPolicy,
      memoryPolicy: config.memoryManagerPolicy,
    });
    if (!r.cpu.ok) throw r.cpu.error;
    if (!r.memory.ok) throw r.memory.error;
    // A device file the kubelet cannot restore is logged and the Device Manager starts empty.
    if (!r.device.ok) throw r.device.error;
    device = r.device.result.format === "none" ? undefined : r.device.result.state;
    cpu = r.cpu.result.format === "none" ? undefined : r.cpu.result.state;
    memory = r.memory.result.format === "none" ? undefined : r.memory.result.state;
  } else {
    const texts = source.texts;
    names = texts.names;
    if (texts.cpu !== null)
      cpu = readCPUCheckpoint(texts.cpu, {
        ...settings,
        configuredPolicy: config.cpuManagerPolicy,
        path: texts.where,
      }).state;
    if (texts.memory !== null)
      memory = readMemoryCheckpoint(texts.memory, {
        ...settings,
        configuredPolicy: config.memoryManagerPolicy,
        path: texts.where,
      }).state;
    if (texts.device !== null) {
      const read = readDeviceCheckpoint(texts.device, { path: texts.where });
      if (read.error) throw read.error;
      device = read.state;
    }
  }
  return nodeFromRestored(machine, config, { cpu, memory, device }, names);
}
