import { type CPUSet, Quantity } from "../../core/index.js";
import type { EvictionThreshold, ResourceList } from "../../k8s/index.js";
import { hardEvictionReservation } from "./eviction.js";
import { CPU, EPHEMERAL_STORAGE, isHugePagesName, MEMORY, PODS, sortedNames } from "./resources.js";

/**
 * Node capacity and allocatable as the kubelet's node-status setter (`MachineInfo`) and container
 * manager (`GetNodeAllocatableReservation`) derive them from the machine and the configuration.
 * Exact quantity arithmetic throughout; the predicate converts to integers when it reads the node.
 */

/** What the kubelet learns about the machine (cadvisor, the root filesystem, device plugins). */
export interface CapacityFacts {
  /** Logical CPUs (cadvisor `NumCores`). */
  numCPUs: number;
  /** Total memory in bytes, hugepage pools included (cadvisor `MemoryCapacity`). */
  memoryBytes: bigint;
  /** `hugepages-<size>` → bytes in the pools, summed over NUMA nodes. */
  hugepages: Readonly<Record<string, bigint>>;
  /** Root filesystem bytes; null when unknown (no `ephemeral-storage` at all, OPEN NA-1). */
  ephemeralStorageBytes: bigint | null;
  /** Device plugin resources: capacity = healthy + unhealthy, allocatable = healthy. */
  devices: ReadonlyMap<string, { capacity: number; allocatable: number }>;
  /** Extended resources patched into the node status by someone else (OPEN NA-2), as given. */
  extendedResources: Readonly<Record<string, bigint>>;
}

/** The kubelet settings node allocatable depends on. */
export interface AllocatableSettings {
  maxPods: number;
  podsPerCore: number;
  systemReserved: ResourceList;
  kubeReserved: ResourceList;
  /** When set, it alone decides the CPU reservation (its size). */
  reservedSystemCPUs: CPUSet | null;
  /** The effective hard eviction thresholds. */
  evictionHard: Readonly<Record<string, EvictionThreshold>>;
}

export interface NodeResources {
  capacity: ResourceList;
  allocatable: ResourceList;
  /** systemReserved + kubeReserved + eviction, per resource of the container manager's capacity. */
  reservation: ResourceList;
}

function sortedList(list: ResourceList): ResourceList {
  const out: ResourceList = {};
  for (const name of sortedNames(Object.keys(list))) out[name] = list[name];
  return out;
}

/** `pods`: `maxPods`, or with `podsPerCore > 0` the smaller of that and `NumCores × podsPerCore`. */
export function podCapacity(numCPUs: number, maxPods: number, podsPerCore: number): number {
  return podsPerCore > 0 ? Math.min(numCPUs * podsPerCore, maxPods) : maxPods;
}

/** The container manager's capacity: what cadvisor and the root filesystem report. */
function containerManagerCapacity(facts: CapacityFacts): ResourceList {
  const out: ResourceList = {
    [CPU]: Quantity.fromMilli(BigInt(facts.numCPUs) * 1000n),
    [MEMORY]: Quantity.fromInt(facts.memoryBytes, "BinarySI"),
  };
  for (const [name, bytes] of Object.entries(facts.hugepages))
    out[name] = Quantity.fromInt(bytes, "BinarySI");
  if (facts.ephemeralStorageBytes !== null)
    out[EPHEMERAL_STORAGE] = Quantity.fromInt(facts.ephemeralStorageBytes, "BinarySI");
  return out;
}

/**
 * The reserved amounts as the kubelet sees them: with `reservedSystemCPUs`, `kubeReserved.cpu` is
 * deleted and `systemReserved.cpu` becomes the number of CPUs in the set, whatever it said.
 */
function effectiveReservations(s: AllocatableSettings): { system: ResourceList; kube: ResourceList } {
  const system: ResourceList = { ...s.systemReserved };
  const kube: ResourceList = { ...s.kubeReserved };
  if (s.reservedSystemCPUs && !s.reservedSystemCPUs.isEmpty()) {
    delete kube[CPU];
    system[CPU] = Quantity.fromInt(s.reservedSystemCPUs.size);
  }
  return { system, kube };
}

/** `GetNodeAllocatableReservation`: per capacity resource, the non-zero sums. */
function allocatableReservation(cmCapacity: ResourceList, s: AllocatableSettings): ResourceList {
  const { system, kube } = effectiveReservations(s);
  const eviction = hardEvictionReservation(s.evictionHard, cmCapacity);
  const out: ResourceList = {};
  for (const name of Object.keys(cmCapacity)) {
    let sum = Quantity.zero();
    for (const part of [system[name], kube[name], eviction[name]]) if (part) sum = sum.add(part);
    if (!sum.isZero()) out[name] = sum;
  }
  return out;
}

const clampAtZero = (q: Quantity): Quantity => (q.sign() < 0 ? Quantity.zero(q.format) : q);

/** Capacity, reservation and allocatable of the node (node-admission.md §2). */
export function nodeResources(facts: CapacityFacts, s: AllocatableSettings): NodeResources {
  const cmCapacity = containerManagerCapacity(facts);
  const reservation = allocatableReservation(cmCapacity, s);
  const capacity: ResourceList = {
    ...cmCapacity,
    [PODS]: Quantity.fromInt(podCapacity(facts.numCPUs, s.maxPods, s.podsPerCore)),
  };
  for (const [name, count] of Object.entries(facts.extendedResources))
    capacity[name] = Quantity.fromInt(count);
  for (const [name, d] of facts.devices) capacity[name] = Quantity.fromInt(d.capacity);

  const allocatable: ResourceList = {};
  for (const [name, q] of Object.entries(capacity)) {
    const reserved = reservation[name];
    allocatable[name] = clampAtZero(reserved ? q.sub(reserved) : q);
  }
  for (const [name, d] of facts.devices) allocatable[name] = Quantity.fromInt(d.allocatable);
  // Hugepages are carved out of memory: their capacity (not their allocatable) leaves it.
  for (const [name, q] of Object.entries(capacity)) {
    if (isHugePagesName(name) && allocatable[MEMORY])
      allocatable[MEMORY] = clampAtZero(allocatable[MEMORY].sub(q));
  }
  return {
    capacity: sortedList(capacity),
    allocatable: sortedList(allocatable),
    reservation: sortedList(reservation),
  };
}

/**
 * OPEN NA-8 (node-admission.md §11): a reservation larger than its capacity makes the kubelet
 * refuse to start (`validateNodeAllocatable`); podpin refuses the configuration with this text.
 * Null when every reservation fits.
 */
export function reservationProblem(r: NodeResources): string | null {
  for (const name of Object.keys(r.reservation)) {
    const cap = r.capacity[name] ?? Quantity.zero();
    const reserved = r.reservation[name];
    if (reserved.cmp(cap) > 0)
      return `invalid Node Allocatable configuration: reservation of ${name} (${reserved.toString()}) exceeds capacity (${cap.toString()})`;
  }
  return null;
}
