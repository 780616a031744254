/**
 * Shared helpers of the state directory's tests: a machine with GPUs, pods as the objects a
 * client sends (built from the engine's pod generators), the agent's way of applying an operation
 * to the node, and what a directory holds.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestContext } from "node:test";
import type { Quantity } from "../../core/index.js";
import { type Container, type Pod, readPodInputs, type ResourceList } from "../../k8s/index.js";
import {
  type DeviceResource,
  type DeviceSpec,
  type Machine,
  machineNUMANodes,
  NO_PLUGIN_OPTIONS,
  presetMachine,
} from "../../machine/index.js";
import { cloneMemoryState } from "../../managers/memory/index.js";
import { type Node, NodeConfigError, type NodeConfig } from "../../node/index.js";
import { workedExampleConfig } from "../../node/test-support.js";
import { CHECKPOINT_FILES, type CheckpointFileName, checkpointBytesOf, STATE_RECORD_FILE } from "./files.js";
import { jsonOf } from "./record.js";
import { restoreNode } from "./restore.js";
import { openStateDir } from "./state-dir.js";
import type { StateDirOptions, StateOp } from "./types.js";

export const GPU = "example.com/gpu";

/** `machine` with `perNode` GPUs on every NUMA node (ids `gpu-<node>-<k>`). */
export function withGPUs(machine: Machine, perNode: number): Machine {
  const devices: DeviceSpec[] = machineNUMANodes(machine).flatMap((n) =>
    Array.from({ length: perNode }, (_, k) => ({ id: `gpu-${n}-${k}`, numaNodes: [n], healthy: true })),
  );
  const gpus: DeviceResource = { name: GPU, registered: true, devices, plugin: NO_PLUGIN_OPTIONS };
  return { ...machine, devices: new Map([...machine.devices, [GPU, gpus]]) };
}

/** The worked example's machine (two NUMA nodes, 32 CPUs) with two GPUs per NUMA node. */
export function agentMachine(): Machine {
  const m = presetMachine("worked-example");
  if (!m) throw new Error("preset worked-example is missing");
  return withGPUs(m, 2);
}

/** The worked example's kubelet: static CPU and Memory Managers, pod-level resource managers, `single-numa-node` in pod scope. */
export function agentConfig(overrides: Partial<NodeConfig> = {}): NodeConfig {
  return workedExampleConfig("pod", overrides);
}

function listOf(l: ResourceList): Record<string, string> {
  return Object.fromEntries(Object.entries(l).map(([k, q]: [string, Quantity]) => [k, q.toString()]));
}

function containerObject(c: Container, gpus: number): Record<string, unknown> {
  const out: Record<string, unknown> = { name: c.name, image: "registry.k8s.io/pause:3.10" };
  if (c.restartPolicy) out.restartPolicy = c.restartPolicy;
  if (c.resources || gpus > 0) {
    const requests = c.resources ? listOf(c.resources.requests) : {};
    const limits = c.resources ? listOf(c.resources.limits) : {};
    if (gpus > 0) requests[GPU] = limits[GPU] = String(gpus);
    out.resources = { requests, limits };
  }
  return out;
}

/**
 * The Pod object a client would send for `pod` (a generated, defaulted pod), with `gpus` GPUs
 * on its first app container.
 */
export function podObject(pod: Pod, gpus = 0): Record<string, unknown> {
  const spec: Record<string, unknown> = {
    containers: pod.containers.map((c, i) => containerObject(c, i === 0 ? gpus : 0)),
  };
  if (pod.initContainers.length > 0)
    spec.initContainers = pod.initContainers.map((c) => containerObject(c, 0));
  if (pod.resources)
    spec.resources = { requests: listOf(pod.resources.requests), limits: listOf(pod.resources.limits) };
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: pod.name, namespace: pod.namespace, uid: pod.uid },
    spec,
  };
}

/** A Guaranteed pod object: `cpu` CPUs and `memory` per container, optionally with GPUs. */
export function simplePodObject(
  uid: string,
  opts: { cpu?: string; memory?: string; containers?: number; gpus?: number; podLevel?: boolean } = {},
): Record<string, unknown> {
  const cpu = opts.cpu ?? "1";
  const memory = opts.memory ?? "256Mi";
  const containers = Array.from({ length: opts.containers ?? 1 }, (_, i) => {
    const requests: Record<string, string> = { cpu, memory };
    if (i === 0 && opts.gpus) requests[GPU] = String(opts.gpus);
    return { name: `c${i}`, image: "registry.k8s.io/pause:3.10", resources: { requests, limits: requests } };
  });
  const spec: Record<string, unknown> = { containers };
  if (opts.podLevel) {
    const n = opts.containers ?? 1;
    const total = { cpu: String(Number(cpu) * n + 1), memory: `${Number.parseInt(memory, 10) * (n + 1)}Mi` };
    spec.resources = { requests: total, limits: total };
  }
  return { apiVersion: "v1", kind: "Pod", metadata: { name: uid, namespace: "default", uid }, spec };
}

/** The Pod the agent reads from an object (validated, canonical quantities), as it reads a request. */
export function podOf(object: unknown): Pod {
  const inputs = readPodInputs(jsonOf(object), "test pod");
  if (inputs.length !== 1) throw new Error(`expected one pod, got ${inputs.length}`);
  return inputs[0].pod;
}

/** Opens a directory, commits a classic GPU pod and a pod-level pod, and closes it. */
export async function populatedStateDir(opts: StateDirOptions): Promise<void> {
  const sd = await openStateDir(opts);
  for (const object of [
    simplePodObject("pod-a", { cpu: "2", gpus: 1 }),
    simplePodObject("pod-b", { cpu: "1", podLevel: true }),
  ]) {
    const op = applyStep(sd.node, { op: "admit", object });
    if (op) await sd.commit(op);
  }
  await sd.close();
}

/** An operation of the tests, before it is applied (picks index the admitted pods). */
export type TestStep =
  | { op: "admit"; object: Record<string, unknown> }
  | { op: "remove"; pick: number }
  | { op: "removeContainer"; pick: number; container: number }
  | { op: "updateDevices"; resource: string; devices: DeviceSpec[] };

/** Applies a step to the node as the agent's engine does; null when there is nothing to do. */
export function applyStep(node: Node, step: TestStep): StateOp | null {
  if (step.op === "updateDevices") {
    node.updateDevices(step.resource, step.devices);
    return { kind: "updateDevices", resource: step.resource, devices: step.devices };
  }
  if (step.op === "admit") {
    const pod = podOf(step.object);
    if (node.pod(pod.uid)) return null;
    const r = node.admit(pod);
    return { kind: "admit", pod: step.object, podUID: pod.uid, admitted: r.admitted };
  }
  const admitted = node.admittedPods();
  if (admitted.length === 0) return null;
  const pod = admitted[step.pick % admitted.length];
  if (step.op === "remove") {
    node.remove(pod.uid);
    return { kind: "remove", podUID: pod.uid };
  }
  const all = [...pod.initContainers, ...pod.containers];
  const name = all[step.container % all.length].name;
  node.removeContainer(pod.uid, name);
  return { kind: "removeContainer", podUID: pod.uid, container: name };
}

/** What two nodes must agree on to be the same state: files, pods, device lists and in-use sets. */
export function nodeState(node: Node) {
  return {
    files: checkpointBytesOf(node),
    pods: node.admittedPods().map((p) => p.uid),
    devices: [...node.deviceResources()].map(([name, r]) => [name, r.registered, r.devices]),
    inUse: [...node.deviceManager.allocatedDeviceIDs()],
  };
}

/**
 * The kubelet's verdict on restarting `node` from its own state (null: it starts): where it
 * refuses, the state directory must refuse too.
 */
export function restartRefusal(node: Node): string | null {
  try {
    restoreNode({
      machine: node.machine,
      config: node.config,
      restored: {
        cpu: node.cpuPolicy?.state.clone().data,
        memory: node.memoryPolicy ? cloneMemoryState(node.memoryPolicy.state) : undefined,
        device: node.deviceManager.stateData(),
      },
      runningPods: node.admittedPods(),
    });
    return null;
  } catch (err) {
    if (err instanceof NodeConfigError) return err.message;
    throw err;
  }
}

/**
 * A fresh directory path (not created) under a temporary directory removed after the test; on
 * memory (/dev/shm, where fsync costs nothing) when `inMemory` asks for it and the machine has one.
 */
export function scratchDir(t: TestContext, name = "state", inMemory = false): string {
  const root = inMemory && existsSync("/dev/shm") ? "/dev/shm" : tmpdir();
  const base = mkdtempSync(join(root, "podpin-state-dir-"));
  t.after(() => rmSync(base, { recursive: true, force: true }));
  return join(base, name);
}

/** The checkpoint files' content in `dir` (null: no file). */
export function filesIn(dir: string): Record<CheckpointFileName, string | null> {
  const out = {} as Record<CheckpointFileName, string | null>;
  for (const f of CHECKPOINT_FILES) {
    const path = join(dir, f);
    out[f] = existsSync(path) ? readFileSync(path, "utf8") : null;
  }
  return out;
}

/** Temporary files anywhere in the directory's two levels. */
export function temporaryFilesIn(dir: string): string[] {
  const out: string[] = [];
  for (const sub of ["", "device-plugins"]) {
    const d = join(dir, sub);
    if (!existsSync(d)) continue;
    for (const n of readdirSync(d)) if (n.includes(".tmp-")) out.push(join(sub, n));
  }
  return out;
}

export function recordPath(dir: string): string {
  return join(dir, STATE_RECORD_FILE);
}
