/**
 * A "kubelet root" written by podpin itself in the kubelet's formats: a node on the DGX H100
 * preset runs a few pods (classic Guaranteed, pod-level, GPUs), and its checkpoints are written
 * with the project's writers into a temp directory. Helpers hand-edit drifted copies (a
 * container's CPU set, a memory block's NUMA node, a device id) that still verify and start.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestContext } from "node:test";
import { checkpointBytesOf, type RestoredStates } from "../../agent/state/index.js";
import {
  CPU_CHECKPOINT_FILE,
  DEVICE_CHECKPOINT_FILE,
  MEMORY_CHECKPOINT_FILE,
  writeCPUCheckpoint,
  writeDeviceCheckpoint,
  writeMemoryCheckpoint,
} from "../../checkpoint/index.js";
import { CPUSet } from "../../core/index.js";
import type { KubernetesVersion } from "../../k8s/index.js";
import { podFromObject } from "../../k8s/index.js";
import { type Machine, presetMachine } from "../../machine/index.js";
import { cloneMemoryState, releaseMemory, reserveMemory } from "../../managers/memory/index.js";
import { Node, type NodeConfig } from "../../node/index.js";
import { workedExampleConfig } from "../../node/test-support.js";
import type { EventSink, KubePodObject, NodePods, NodePodsChange, PodEvent } from "../types.js";
import { cloneRestored } from "./restored.js";

export const GPU = "nvidia.com/gpu";

export function dgx(): Machine {
  const m = presetMachine("nvidia-dgx-h100");
  if (!m) throw new Error("preset nvidia-dgx-h100 is missing");
  return m;
}

export function shadowConfig(version: KubernetesVersion): NodeConfig {
  return workedExampleConfig("pod", { kubernetesVersion: version, nodeName: "dgx-1" });
}

type Res = Record<string, string>;

function container(name: string, res?: Res) {
  return { name, image: "busybox", ...(res ? { resources: { requests: res, limits: res } } : {}) };
}

let clock = 0;
function podObject(name: string, spec: Record<string, unknown>, phase = "Running"): KubePodObject {
  clock++;
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      name,
      namespace: "ml",
      uid: `uid-${name}`,
      resourceVersion: String(100 + clock),
      creationTimestamp: new Date(Date.UTC(2025, 0, 1, 0, 0, clock)).toISOString(),
    },
    spec: { nodeName: "dgx-1", ...spec },
    status: { phase },
  };
}

/** The pods, in creation order: a BestEffort pod, then the four the managers pin. */
export function shadowPods(): KubePodObject[] {
  return [
    podObject("web", { containers: [container("nginx")] }),
    podObject("classic", { containers: [container("app", { cpu: "4", memory: "4Gi" })] }),
    podObject("pod-level", {
      resources: { requests: { cpu: "8", memory: "8Gi" }, limits: { cpu: "8", memory: "8Gi" } },
      containers: [container("main", { cpu: "4", memory: "4Gi" }), container("helper")],
    }),
    podObject("trainer", { containers: [container("train", { cpu: "4", memory: "8Gi", [GPU]: "2" })] }),
    podObject("last", { containers: [container("app", { cpu: "2", memory: "2Gi" })] }),
  ];
}

/** The node after admitting `pods` in order (each must be admitted). */
export function runPods(machine: Machine, config: NodeConfig, pods: readonly KubePodObject[]): Node {
  const node = new Node({ machine, config, admissionLimit: null });
  for (const o of pods) {
    const r = node.admit(podFromObject(o, o.metadata.name));
    if (!r.admitted) throw new Error(`${o.metadata.name} not admitted: ${r.reason} ${r.message}`);
  }
  return node;
}

export function statesOfNode(node: Node): RestoredStates {
  return cloneRestored({
    cpu: node.cpuPolicy?.state.data,
    memory: node.memoryPolicy?.state,
    device: node.deviceManager.stateData(),
  });
}

export interface KubeletRoot {
  dir: string;
  node: Node;
  /** The states as written first (the truth without drift). */
  states: RestoredStates;
  /** Writes `states` as the kubelet of the node's version writes them. */
  write(states: RestoredStates): void;
}

/** A temp kubelet root holding the checkpoints of `node`, removed after the test. */
export function kubeletRoot(t: TestContext, node: Node): KubeletRoot {
  const dir = mkdtempSync(join(tmpdir(), "podpin-kubelet-root-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(join(dir, "device-plugins"));
  const settings = { version: node.config.kubernetesVersion, gates: node.config.featureGates };
  const healthy = new Map(
    [...node.deviceResources()]
      .filter(([, r]) => r.registered)
      .map(([name, r]) => [name, r.devices.filter((d) => d.healthy).map((d) => d.id)]),
  );
  const bytes = checkpointBytesOf(node);
  for (const [name, content] of Object.entries(bytes)) writeFileSync(join(dir, name), content);
  const write = (s: RestoredStates) => {
    if (s.cpu) writeFileSync(join(dir, CPU_CHECKPOINT_FILE), writeCPUCheckpoint(s.cpu, settings));
    if (s.memory) writeFileSync(join(dir, MEMORY_CHECKPOINT_FILE), writeMemoryCheckpoint(s.memory, settings));
    if (s.device) writeFileSync(join(dir, DEVICE_CHECKPOINT_FILE), writeDeviceCheckpoint(s.device, healthy));
  };
  return { dir, node, states: statesOfNode(node), write };
}

/** `uid`'s `container` moved to `count` free CPUs of the other NUMA node (the default set adjusted). */
export function withMovedCPUs(
  machine: Machine,
  s: RestoredStates,
  uid: string,
  name: string,
): RestoredStates {
  const out = cloneRestored(s);
  const cpu = out.cpu;
  const old = cpu?.entries.get(uid)?.get(name);
  if (!cpu || !old) throw new Error(`no CPU entry for ${uid}/${name}`);
  const numa = machine.topology.numaNodesOf(old)[0];
  const other = machine.topology.cpusInNUMANode(numa === 0 ? 1 : 0);
  const free = cpu.defaultCpuSet.intersect(other).toArray();
  const moved = CPUSet.fromIds(free.slice(-old.size));
  cpu.entries.get(uid)?.set(name, moved);
  cpu.defaultCpuSet = cpu.defaultCpuSet.union(old).difference(moved);
  return out;
}

/** `uid`'s `container`'s first block moved to the other NUMA node (the machine state adjusted). */
export function withMovedMemory(s: RestoredStates, uid: string, name: string): RestoredStates {
  const out = cloneRestored(s);
  const memory = out.memory ? cloneMemoryState(out.memory) : undefined;
  const blocks = memory?.entries.get(uid)?.get(name);
  if (!memory || !blocks || blocks.length === 0) throw new Error(`no memory entry for ${uid}/${name}`);
  const block = blocks[0];
  releaseMemory(memory.machineState, [block]);
  const to = block.numaAffinity[0] === 0 ? [1] : [0];
  reserveMemory(memory.machineState, to, block.type, block.size);
  blocks[0] = { ...block, numaAffinity: to };
  out.memory = memory;
  return out;
}

/** `uid`'s `container`'s last `resource` device swapped for a free one on the same NUMA node. */
export function withSwappedDevice(
  machine: Machine,
  s: RestoredStates,
  uid: string,
  name: string,
  resource: string,
): RestoredStates {
  const out = cloneRestored(s);
  const device = out.device;
  const rec = device?.podDevices.get(uid)?.get(name)?.get(resource);
  if (!device || !rec) throw new Error(`no ${resource} record for ${uid}/${name}`);
  const [numa, ids] = [...rec.deviceIDs][0];
  const used = new Set(
    [...device.podDevices.values()].flatMap((c) =>
      [...c.values()].flatMap((r) => [...(r.get(resource)?.deviceIDs.values() ?? [])].flat()),
    ),
  );
  const spare = machine.devices
    .get(resource)
    ?.devices.find((d) => (d.numaNodes ?? []).includes(numa) && !used.has(d.id));
  if (!spare) throw new Error(`no spare ${resource} on NUMA ${numa}`);
  const podDevices = new Map(
    [...device.podDevices].map(([u, cs]) => [u, new Map([...cs].map(([c, rs]) => [c, new Map(rs)]))]),
  );
  const swapped = { ...rec, deviceIDs: new Map([[numa, [...ids.slice(0, -1), spare.id]]]) };
  podDevices.get(uid)?.get(name)?.set(resource, swapped);
  out.device = { ...device, podDevices };
  return out;
}

/** A pod source whose pods the test sets. */
export class FakeNodePods implements NodePods {
  private readonly listeners = new Set<(c: NodePodsChange) => void>();
  constructor(private pods: KubePodObject[]) {}
  current(): readonly KubePodObject[] {
    return this.pods;
  }
  onChange(listener: (change: NodePodsChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  set(pods: KubePodObject[]): void {
    this.pods = pods;
    for (const l of this.listeners) l({ type: "SYNCED" });
  }
}

export class FakeEventSink implements EventSink {
  readonly events: PodEvent[] = [];
  async emit(event: PodEvent): Promise<void> {
    this.events.push(event);
  }
}

/** Every file under `dir` with its bytes and mode, for "nothing was written" checks. */
export function snapshotTree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string, rel: string) => {
    for (const name of readdirSync(d).sort()) {
      const path = join(d, name);
      const st = statSync(path);
      const key = rel ? `${rel}/${name}` : name;
      if (st.isDirectory()) {
        out[`${key}/`] = `dir ${st.mode}`;
        walk(path, key);
      } else out[key] = `${st.mode} ${st.mtimeMs} ${readFileSync(path).toString("base64")}`;
    }
  };
  walk(dir, "");
  return out;
}
