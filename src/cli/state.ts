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
import { type Pod, parseYamlDocument } from "../k8s/index.js";
import type { Machine } from "../machine/index.js";
import { Node, type NodeConfig } from "../node/index.js";
import { UsageError } from "./errors.js";
import { readInputFile } from "./read-input.js";

/**
 * Pods known only by the state they hold (a checkpoint carries pod UIDs and container names, not
 * specs). They keep their state from being reclaimed as stale when a new pod is admitted.
 */
function podsFromState(
  cpu: CPUStateData | undefined,
  memory: MemoryStateData | undefined,
  device: DeviceStateData | undefined,
  names: ReadonlyMap<string, { namespace: string; name: string }>,
): Pod[] {
  const containers = new Map<string, Set<string>>();
  const add = (uid: string, names: Iterable<string>) => {
    const set = containers.get(uid) ?? new Set<string>();
    for (const n of names) set.add(n);
    containers.set(uid, set);
  };
  for (const [uid, entries] of cpu?.entries ?? []) add(uid, entries.keys());
  for (const uid of cpu?.podEntries.keys() ?? []) add(uid, []);
  for (const [uid, entries] of memory?.entries ?? []) add(uid, entries.keys());
  for (const uid of memory?.podEntries.keys() ?? []) add(uid, []);
  for (const [uid, entries] of device?.podDevices ?? []) add(uid, entries.keys());
  return [...containers.entries()].map(([uid, ctrs]) => ({
    uid,
    name: names.get(uid)?.name ?? `uid ${uid}`,
    namespace: names.get(uid)?.namespace ?? "",
    initContainers: [],
    containers: [...ctrs].map((name) => ({ name, resources: null })),
    resources: null,
  }));
}

interface StateTexts {
  cpu: string | null;
  memory: string | null;
  device: string | null;
  where: string;
  /** Pod names by uid, from the simulation's admit steps. */
  names: Map<string, { namespace: string; name: string }>;
}

/** Checkpoint texts from a kubelet state directory or from a `podpin simulate -o json|yaml` output. */
function stateTexts(spec: string): StateTexts | { dir: string } {
  let isDir: boolean;
  try {
    isDir = statSync(spec).isDirectory();
  } catch {
    throw new UsageError(`${spec}: no such state directory or simulation file`);
  }
  if (isDir) return { dir: spec };
  const doc = parseYamlDocument(readInputFile(spec, "simulation file"), spec, { version: "1.2" })?.data;
  const d = doc as {
    kind?: unknown;
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
  return {
    cpu: text(d.state.cpuManagerCheckpoint),
    memory: text(d.state.memoryManagerCheckpoint),
    device: text(d.state.deviceManagerCheckpoint),
    where: spec,
    names,
  };
}

/** The managers' state as restored from checkpoint files; a manager without a file is absent. */
export interface RestoredStates {
  cpu?: CPUStateData;
  memory?: MemoryStateData;
  device?: DeviceStateData;
}

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
  const cpu = config.cpuManagerPolicy === "static" ? restored.cpu : undefined;
  const memory = config.memoryManagerPolicy === "Static" ? restored.memory : undefined;
  const { device } = restored;
  return new Node({
    machine,
    config,
    restored: { cpu, memory, device },
    runningPods: podsFromState(cpu, memory, device, names),
  });
}

/** A node on `machine` with `config`, empty or restored from `stateSpec`. */
export function nodeWithState(machine: Machine, config: NodeConfig, stateSpec?: string): Node {
  if (!stateSpec) return new Node({ machine, config });
  const settings = { version: config.kubernetesVersion, gates: config.featureGates };
  const source = stateTexts(stateSpec);
  let cpu: CPUStateData | undefined;
  let memory: MemoryStateData | undefined;
  let device: DeviceStateData | undefined;
  let names = new Map<string, { namespace: string; name: string }>();
  if ("dir" in source) {
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
    names = source.names;
    if (source.cpu !== null)
      cpu = readCPUCheckpoint(source.cpu, {
        ...settings,
        configuredPolicy: config.cpuManagerPolicy,
        path: source.where,
      }).state;
    if (source.memory !== null)
      memory = readMemoryCheckpoint(source.memory, {
        ...settings,
        configuredPolicy: config.memoryManagerPolicy,
        path: source.where,
      }).state;
    if (source.device !== null) {
      const read = readDeviceCheckpoint(source.device, { path: source.where });
      if (read.error) throw read.error;
      device = read.state;
    }
  }
  return nodeFromRestored(machine, config, { cpu, memory, device }, names);
}
