import type { CPUSet } from "../../core/index.js";
import type { KubernetesVersion, Pod } from "../../k8s/index.js";
import { compareBytewise, type DeviceResources, type Machine } from "../../machine/index.js";
import type { MemoryStateData } from "../../managers/memory/index.js";
import { buildDecisions, type ContainerDecision, type DecisionSource } from "../../node/index.js";
import {
  allocatableDevicesOf,
  allocatableMemoryOf,
  containerDevicesOf,
  cpuIds,
  memoryOf,
} from "./convert.js";
import type {
  AllocatableResourcesResponse,
  ContainerMemory,
  ContainerResources,
  ListPodResourcesResponse,
  PodResources,
} from "./types.js";

/*
 * The PodResources v1 answers built from the engine's state: pure, no I/O. Reporting rules per
 * version are podresources-api.md §3 (PR-1: 1.36 reports stored assignments); the order of pods
 * and entries is PR-4's choice. Which containers are listed follows the kubelet's server_v1.go:
 * restartable init containers (sidecars) in spec order, then app containers; standard init
 * containers are never listed.
 */

/** What the answers are read from: the `Node`, or anything shaped like it. */
export interface PodResourcesSource extends DecisionSource {
  readonly machine: Pick<Machine, "topology">;
  readonly memoryPolicy:
    | (NonNullable<DecisionSource["memoryPolicy"]> & {
        readonly state: Pick<MemoryStateData, "machineState">;
      })
    | null;
  /** The active pods: admitted and not removed. */
  admittedPods(): Pod[];
  reservedCPUs(): CPUSet;
  deviceResources(): DeviceResources;
}

function byNamespaceThenName(a: Pod, b: Pod): number {
  return compareBytewise(a.namespace, b.namespace) || compareBytewise(a.name, b.name);
}

/** Memory the container holds for itself: pod-shared blocks are the pod's, not the container's. */
function holdsOwnMemory(d: ContainerDecision): boolean {
  return d.memoryAssignmentType === "node_exclusive" || d.memoryAssignmentType === "pod_exclusive";
}

function containerResourcesOf(d: ContainerDecision, version: KubernetesVersion): ContainerResources {
  let cpus: number[];
  let memory: ContainerMemory[];
  if (version === "1.36") {
    // What the state stores: a pod-shared container shows the pod shared pool and its blocks.
    cpus = d.hasCPUAssignment ? cpuIds(d.cpus) : [];
    memory = memoryOf(d.memory);
  } else {
    // Only the container's own resources; the pod-level fields carry the rest (no double counting).
    cpus = d.isolation === "container" ? cpuIds(d.cpus) : [];
    memory = holdsOwnMemory(d) ? memoryOf(d.memory) : [];
  }
  return {
    name: d.name,
    devices: containerDevicesOf(d.devices),
    cpu_ids: cpus,
    memory,
    dynamic_resources: [],
  };
}

function podResourcesOf(source: PodResourcesSource, pod: Pod, version: KubernetesVersion): PodResources {
  const { containers, podDecision } = buildDecisions(source, pod);
  const out: PodResources = {
    name: pod.name,
    namespace: pod.namespace,
    containers: containers.filter((d) => d.kind !== "init").map((d) => containerResourcesOf(d, version)),
  };
  if (version !== "1.36") {
    out.cpu_ids = podDecision.bubble ? cpuIds(podDecision.bubble) : [];
    out.memory = memoryOf(podDecision.memory);
  }
  return out;
}

/** `List`: every active pod, by namespace then name. */
export function listPodResources(
  source: PodResourcesSource,
  version: KubernetesVersion,
): ListPodResourcesResponse {
  const pods = [...source.admittedPods()].sort(byNamespaceThenName);
  return { pod_resources: pods.map((p) => podResourcesOf(source, p, version)) };
}

/** `Get`: the active pod with this namespace and name (the first admitted one), or null. */
export function getPodResources(
  source: PodResourcesSource,
  version: KubernetesVersion,
  namespace: string,
  name: string,
): PodResources | null {
  const pod = source.admittedPods().find((p) => p.namespace === namespace && p.name === name);
  return pod ? podResourcesOf(source, pod, version) : null;
}

/** The kubelet's error text for `Get` of a pod it does not know. */
export function podNotFoundMessage(namespace: string, name: string): string {
  return `pod ${name} in namespace ${namespace} not found`;
}

/**
 * `GetAllocatableResources`: every CPU but the reserved ones (none without the static CPU
 * policy), allocatable memory per NUMA node and type (none without the Static Memory Manager
 * policy), and the healthy devices. The same in both versions.
 */
export function allocatableResources(source: PodResourcesSource): AllocatableResourcesResponse {
  return {
    devices: allocatableDevicesOf(source.deviceResources()),
    cpu_ids: source.cpuPolicy ? cpuIds(source.machine.topology.all.difference(source.reservedCPUs())) : [],
    memory: source.memoryPolicy ? allocatableMemoryOf(source.memoryPolicy.state.machineState) : [],
  };
}
