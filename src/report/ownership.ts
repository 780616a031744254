import type { MemoryBlock, NUMANodeMap } from "../managers/memory/index.js";
import { CPUSet } from "../core/index.js";
import { hugepageResourceName, type Machine, machineNUMANodes } from "../machine/index.js";
import type { AssignmentType, ContainerKind } from "../node/index.js";
import { type DeviceState, type DeviceView, deviceViews, machineDeviceStates } from "./device-view.js";

// ---------------------------------------------------------------------------------------------
// Input: the node state a picture is drawn from. Deliberately small and independent of the Node
// class so that any front end (simulate, the agent, a checkpoint reader) can fill it.
// ---------------------------------------------------------------------------------------------

/** One container of an admitted pod, as the CPU and Memory Managers' state holds it. */
export interface ContainerState {
  name: string;
  kind: ContainerKind;
  assignmentType: AssignmentType;
  /** The container's own CPU assignment; null when it runs in the node shared pool. */
  cpus: CPUSet | null;
  /** The container's memory blocks; null when it has none. */
  memory: readonly MemoryBlock[] | null;
}

/** One admitted pod. */
export interface PodState {
  uid: string;
  name: string;
  namespace: string;
  /** The pod's CPU bubble (pod scope with pod-level resources), else null. */
  bubble: CPUSet | null;
  /** The bubble minus every long-running exclusive slice, else null. */
  podSharedPool: CPUSet | null;
  /** Pod-level memory blocks (the memory bubble), else null. */
  memory: readonly MemoryBlock[] | null;
  /** Init and app containers in container order. */
  containers: readonly ContainerState[];
}

export interface NodeState {
  /** The CPU Manager's default CPU set (node shared pool, reserved CPUs included unless strict). */
  defaultCpuSet: CPUSet;
  /** The CPUs reserved for the system (kube + system reserved). */
  reservedCpus: CPUSet;
  pods: readonly PodState[];
  /** The Memory Manager's machine state; null when its policy is `None`. */
  memoryMachineState: NUMANodeMap | null;
  /**
   * The device-plugin devices with health and holders. Absent: the machine's devices, all free
   * (a front end that knows nothing of the Device Manager still draws them).
   */
  devices?: readonly DeviceState[];
}

// ---------------------------------------------------------------------------------------------
// Output: the node view, plain data ready for any renderer.
// ---------------------------------------------------------------------------------------------

export type CPUOwnerKind =
  | "reserved"
  | "node-shared"
  | "node-exclusive"
  | "pod-exclusive"
  | "pod-shared"
  | "bubble-unused"
  | "unaccounted";

export const CPU_OWNER_KINDS: readonly CPUOwnerKind[] = [
  "reserved",
  "node-shared",
  "node-exclusive",
  "pod-exclusive",
  "pod-shared",
  "bubble-unused",
  "unaccounted",
];

/**
 * Who holds a CPU. `initContainers` names the init containers whose assignment also covers the
 * CPU: they use it only while the pod starts, so a long-running holder takes precedence.
 */
export type CPUOwner =
  | { kind: "reserved" }
  | { kind: "node-shared" }
  | {
      kind: "node-exclusive";
      pod: string;
      container: string;
      containerKind: ContainerKind;
      initContainers: string[];
    }
  | {
      kind: "pod-exclusive";
      pod: string;
      container: string;
      containerKind: ContainerKind;
      initContainers: string[];
    }
  | { kind: "pod-shared"; pod: string; containers: string[]; initContainers: string[] }
  | { kind: "bubble-unused"; pod: string; initContainers: string[] }
  /** Neither in the default set nor held by any pod: state left behind (for example by a rejected pod). */
  | { kind: "unaccounted" };

export interface CPUView {
  id: number;
  core: number;
  socket: number;
  numa: number;
  uncore: number;
  owner: CPUOwner;
  /** In the default CPU set (reserved CPUs usually are: they serve the node shared pool too). */
  inDefaultSet: boolean;
}

export interface PodSummary {
  uid: string;
  name: string;
  namespace: string;
  /** Position among the node's pods: the renderers' colour index. */
  index: number;
  bubble: CPUSet | null;
  podSharedPool: CPUSet | null;
  containers: PodContainerSummary[];
}

/** One container of a pod in the view: its own CPU assignment (null: the node shared pool) and memory. */
export interface PodContainerSummary {
  name: string;
  kind: ContainerKind;
  assignmentType: AssignmentType;
  cpus: CPUSet | null;
  memory: readonly MemoryBlock[] | null;
}

export interface PodMemoryUsage {
  pod: string;
  bytes: bigint;
}

/** One resource (`memory`, `hugepages-2Mi`, ...) of one NUMA node, in bytes. */
export interface NUMAResourceView {
  resource: string;
  total: bigint;
  systemReserved: bigint;
  allocatable: bigint;
  /** Reserved by pods (the machine state's `reserved`). */
  reserved: bigint;
  free: bigint;
  /** The part of `reserved` each pod holds on this node, in pod order; pods without any are left out. */
  pods: PodMemoryUsage[];
  /** Reserved memory no pod of the view accounts for. */
  otherReserved: bigint;
}

export interface NUMANodeView {
  id: number;
  cpus: CPUSet;
  /** Default set CPUs on this node (the node shared pool, reserved CPUs included). */
  sharedPoolCpus: CPUSet;
  /** Default set minus reserved CPUs: what an exclusive allocation can still take here. */
  allocatableCpus: CPUSet;
  memory: NUMAResourceView[];
  /** The Memory Manager's group of this node (`cells`); null when unknown or not grouped. */
  cells: number[] | null;
  /** Device-plugin devices on this node, by resource then id (a device on two nodes is on both). */
  devices: DeviceView[];
}

export interface NodeView {
  machineName: string;
  /** Every CPU of the machine, ascending by id. */
  cpus: CPUView[];
  pods: PodSummary[];
  /** Every NUMA node of the machine (CPU-less ones included), ascending by id. */
  numaNodes: NUMANodeView[];
  counts: Record<CPUOwnerKind, number>;
  /** Devices whose plugin gives no NUMA node of the machine. */
  devicesWithoutNUMA: DeviceView[];
}

// ---------------------------------------------------------------------------------------------

/**
 * Precedence when several holders cover one CPU: long-running exclusive slices, then the pod
 * shared pool, then init containers (their CPUs are handed on once they finish), then the bubble
 * itself, then the system reservation, then the default set.
 */
const PRECEDENCE: Record<CPUOwnerKind, number> = {
  unaccounted: 0,
  "node-shared": 1,
  reserved: 2,
  "bubble-unused": 3,
  "node-exclusive": 4,
  "pod-shared": 5,
  "pod-exclusive": 6,
};

function isLongRunning(kind: ContainerKind): boolean {
  return kind !== "init";
}

function ownerPrecedence(owner: CPUOwner): number {
  // An init container's node-exclusive CPUs rank below a long-running holder of the same CPU.
  if (owner.kind === "node-exclusive" && owner.containerKind === "init") return PRECEDENCE["bubble-unused"];
  return PRECEDENCE[owner.kind];
}

function addInit(list: string[], name: string): void {
  if (!list.includes(name)) list.push(name);
}

/** The candidate owner a container's assignment makes of one of its CPUs. */
function containerClaim(pod: PodState, c: ContainerState, cpu: number): CPUOwner | null {
  const inBubble = pod.bubble?.has(cpu) ?? false;
  if (!isLongRunning(c.kind)) {
    // In a bubble an init container's CPUs go back to the pod once it has run: the CPU is the
    // pod's, used at start-up only.
    if (inBubble || c.assignmentType === "pod_exclusive" || c.assignmentType === "pod_shared")
      return { kind: "bubble-unused", pod: pod.uid, initContainers: [c.name] };
    return {
      kind: "node-exclusive",
      pod: pod.uid,
      container: c.name,
      containerKind: c.kind,
      initContainers: [c.name],
    };
  }
  switch (c.assignmentType) {
    case "pod_exclusive":
      return {
        kind: "pod-exclusive",
        pod: pod.uid,
        container: c.name,
        containerKind: c.kind,
        initContainers: [],
      };
    case "pod_shared":
      return { kind: "pod-shared", pod: pod.uid, containers: [c.name], initContainers: [] };
    case "node_exclusive":
      return {
        kind: "node-exclusive",
        pod: pod.uid,
        container: c.name,
        containerKind: c.kind,
        initContainers: [],
      };
    case "node_shared":
      return null;
  }
}

function initContainersOf(owner: CPUOwner): string[] {
  return "initContainers" in owner ? owner.initContainers : [];
}

/** Combines the current owner of a CPU with a new claim. */
function merge(current: CPUOwner, claim: CPUOwner): CPUOwner {
  const inits = [...initContainersOf(current)];
  for (const n of initContainersOf(claim)) addInit(inits, n);
  const samePod = "pod" in current && "pod" in claim && current.pod === claim.pod;
  if (current.kind === "pod-shared" && claim.kind === "pod-shared" && samePod) {
    const containers = [...current.containers];
    for (const n of claim.containers) if (!containers.includes(n)) containers.push(n);
    return { ...current, containers, initContainers: inits };
  }
  const keepCurrent = ownerPrecedence(current) >= ownerPrecedence(claim);
  const winner = keepCurrent ? current : claim;
  if (!("initContainers" in winner)) return winner;
  // Init containers of another pod never share a CPU legitimately; keep only the winner's pod's.
  const podInits = samePod ? inits : initContainersOf(winner);
  return { ...winner, initContainers: podInits };
}

/** Derives who holds each CPU of the machine from the CPU Manager's state. */
export function cpuOwners(machine: Machine, state: NodeState): Map<number, CPUOwner> {
  const owners = new Map<number, CPUOwner>();
  for (const id of machine.topology.all) {
    let owner: CPUOwner = { kind: "unaccounted" };
    if (state.defaultCpuSet.has(id)) owner = { kind: "node-shared" };
    if (state.reservedCpus.has(id)) owner = { kind: "reserved" };
    owners.set(id, owner);
  }
  const claim = (id: number, c: CPUOwner): void => {
    const current = owners.get(id);
    // CPUs outside the machine (state from another machine) cannot be drawn.
    if (current) owners.set(id, merge(current, c));
  };
  for (const pod of state.pods) {
    if (pod.bubble)
      for (const id of pod.bubble) claim(id, { kind: "bubble-unused", pod: pod.uid, initContainers: [] });
    for (const c of pod.containers) {
      if (c.cpus === null) continue;
      for (const id of c.cpus) {
        const cl = containerClaim(pod, c, id);
        if (cl) claim(id, cl);
      }
    }
  }
  return owners;
}

// ---------------------------------------------------------------------------------------------
// Memory
// ---------------------------------------------------------------------------------------------

interface ResourceTable {
  total: bigint;
  systemReserved: bigint;
  allocatable: bigint;
  reserved: bigint;
  free: bigint | null;
}

/** memory first, then hugepages by page size (smallest first), then anything else by name. */
function resourceOrder(a: string, b: string): number {
  const rank = (r: string): number => (r === "memory" ? 0 : r.startsWith("hugepages-") ? 1 : 2);
  const ra = rank(a);
  const rb = rank(b);
  if (ra !== rb) return ra - rb;
  if (ra === 1) {
    const d = pageBytes(a) - pageBytes(b);
    if (d !== 0n) return d < 0n ? -1 : 1;
  }
  return a < b ? -1 : a > b ? 1 : 0;
}

function pageBytes(resource: string): bigint {
  const m = /^hugepages-(\d+)(Ki|Mi|Gi)$/.exec(resource);
  if (!m) return 0n;
  const shift = m[2] === "Ki" ? 10n : m[2] === "Mi" ? 20n : 30n;
  return BigInt(m[1]) << shift;
}

/** Per node and resource: the machine state's tables, or the machine's own sizes when there is none. */
function resourceTables(machine: Machine, state: NodeState, node: number): Map<string, ResourceTable> {
  const out = new Map<string, ResourceTable>();
  const ms = state.memoryMachineState?.get(node);
  if (ms) {
    for (const [r, t] of ms.memoryMap) out.set(r, { ...t });
    return out;
  }
  const mem = machine.memory.get(node);
  if (!mem) return out;
  let hugepageBytes = 0n;
  for (const hp of mem.hugepages) {
    const bytes = hp.numPages * BigInt(hp.pageSizeKiB) * 1024n;
    hugepageBytes += bytes;
    const name = hugepageResourceName(hp.pageSizeKiB);
    const prev = out.get(name);
    const total = (prev?.total ?? 0n) + bytes;
    out.set(name, { total, systemReserved: 0n, allocatable: total, reserved: 0n, free: null });
  }
  // Hugepage pools are carved out of the node's memory, as the Memory Manager counts them.
  const regular = mem.memory > hugepageBytes ? mem.memory - hugepageBytes : 0n;
  out.set("memory", { total: regular, systemReserved: 0n, allocatable: regular, reserved: 0n, free: null });
  return out;
}

/** The blocks that account for a pod's memory: the pod-level blocks when it has a memory bubble. */
function podBlocks(pod: PodState): MemoryBlock[] {
  if (pod.memory && pod.memory.length > 0) return [...pod.memory];
  const out: MemoryBlock[] = [];
  for (const c of pod.containers) if (c.memory) out.push(...c.memory);
  return out;
}

type Usage = Map<number, Map<string, Map<string, bigint>>>; // node -> resource -> pod uid -> bytes

function addUsage(usage: Usage, node: number, resource: string, pod: string, bytes: bigint): void {
  let byRes = usage.get(node);
  if (!byRes) usage.set(node, (byRes = new Map()));
  let byPod = byRes.get(resource);
  if (!byPod) byRes.set(resource, (byPod = new Map()));
  byPod.set(pod, (byPod.get(pod) ?? 0n) + bytes);
}

function usedOn(usage: Usage, node: number, resource: string): bigint {
  let sum = 0n;
  for (const b of usage.get(node)?.get(resource)?.values() ?? []) sum += b;
  return sum;
}

/**
 * Attributes each pod's blocks to NUMA nodes. A block on one node is exact. A block spanning
 * several nodes is spread the way the Memory Manager fills a group: node by node in ascending id,
 * each up to what its `reserved` still leaves unexplained (the last node takes any remainder).
 */
function memoryUsage(state: NodeState, tables: Map<number, Map<string, ResourceTable>>): Usage {
  const usage: Usage = new Map();
  const spanning: { pod: string; block: MemoryBlock }[] = [];
  for (const pod of state.pods) {
    for (const b of podBlocks(pod)) {
      if (b.size <= 0n || b.numaAffinity.length === 0) continue;
      if (b.numaAffinity.length === 1) addUsage(usage, b.numaAffinity[0], b.type, pod.uid, b.size);
      else spanning.push({ pod: pod.uid, block: b });
    }
  }
  for (const { pod, block } of spanning) {
    const nodes = [...block.numaAffinity].sort((a, b) => a - b);
    let left = block.size;
    nodes.forEach((node, i) => {
      if (left <= 0n) return;
      const reserved = tables.get(node)?.get(block.type)?.reserved ?? 0n;
      const room = reserved - usedOn(usage, node, block.type);
      const take = i === nodes.length - 1 ? left : room > 0n ? (room < left ? room : left) : 0n;
      if (take > 0n) addUsage(usage, node, block.type, pod, take);
      left -= take;
    });
  }
  return usage;
}

// ---------------------------------------------------------------------------------------------

function emptyCounts(): Record<CPUOwnerKind, number> {
  const counts = {} as Record<CPUOwnerKind, number>;
  for (const k of CPU_OWNER_KINDS) counts[k] = 0;
  return counts;
}

/** Builds the node view of a machine and its state: per CPU its owner, per NUMA node its memory. */
export function buildNodeView(machine: Machine, state: NodeState): NodeView {
  const topo = machine.topology;
  const owners = cpuOwners(machine, state);
  const counts = emptyCounts();
  const cpus: CPUView[] = [];
  for (const id of topo.all) {
    const info = topo.cpu(id);
    const owner = owners.get(id)!;
    counts[owner.kind]++;
    cpus.push({
      id,
      core: info.core,
      socket: info.socket,
      numa: info.numa,
      uncore: info.uncore,
      owner,
      inDefaultSet: state.defaultCpuSet.has(id),
    });
  }

  const pods: PodSummary[] = state.pods.map((p, index) => ({
    uid: p.uid,
    name: p.name,
    namespace: p.namespace,
    index,
    bubble: p.bubble,
    podSharedPool: p.podSharedPool,
    containers: p.containers.map((c) => ({
      name: c.name,
      kind: c.kind,
      assignmentType: c.assignmentType,
      cpus: c.cpus,
      memory: c.memory,
    })),
  }));

  const nodeIds = machineNUMANodes(machine);
  const tables = new Map<number, Map<string, ResourceTable>>();
  for (const n of nodeIds) tables.set(n, resourceTables(machine, state, n));
  const usage = memoryUsage(state, tables);
  const allocatableCpus = state.defaultCpuSet.difference(state.reservedCpus);
  const devices = deviceViews(
    machine,
    state.devices ?? machineDeviceStates(machine),
    new Set(state.pods.map((p) => p.uid)),
  );

  const numaNodes: NUMANodeView[] = nodeIds.map((id) => {
    const nodeCpus = topo.cpusInNUMANode(id);
    const byRes = tables.get(id)!;
    const resources = [...new Set([...byRes.keys(), ...(usage.get(id)?.keys() ?? [])])].sort(resourceOrder);
    const memory = resources.map((resource): NUMAResourceView => {
      const t = byRes.get(resource) ?? {
        total: 0n,
        systemReserved: 0n,
        allocatable: 0n,
        reserved: 0n,
        free: 0n,
      };
      const perPod = usage.get(id)?.get(resource) ?? new Map<string, bigint>();
      const podUsage = state.pods
        .filter((p) => (perPod.get(p.uid) ?? 0n) > 0n)
        .map((p) => ({ pod: p.uid, bytes: perPod.get(p.uid)! }));
      const attributed = podUsage.reduce((s, u) => s + u.bytes, 0n);
      // Without a machine state the pods' blocks are the only reservations known.
      const reserved = t.free === null ? attributed : t.reserved;
      const free = t.free ?? t.allocatable - attributed;
      return {
        resource,
        total: t.total,
        systemReserved: t.systemReserved,
        allocatable: t.allocatable,
        reserved,
        free,
        pods: podUsage,
        otherReserved: reserved > attributed ? reserved - attributed : 0n,
      };
    });
    const cells = state.memoryMachineState?.get(id)?.cells ?? null;
    return {
      id,
      cpus: nodeCpus,
      sharedPoolCpus: state.defaultCpuSet.intersect(nodeCpus),
      allocatableCpus: allocatableCpus.intersect(nodeCpus),
      memory,
      cells: cells && cells.length > 1 ? [...cells] : null,
      devices: devices.perNode.get(id) ?? [],
    };
  });

  return {
    machineName: machine.name,
    cpus,
    pods,
    numaNodes,
    counts,
    devicesWithoutNUMA: devices.withoutNUMA,
  };
}

/** `namespace/name`, or the name alone for a pod known without a namespace (by its UID, from checkpoints). */
export function podDisplayName(p: { namespace: string; name: string }): string {
  return p.namespace === "" ? p.name : `${p.namespace}/${p.name}`;
}

/** The pods of a view by uid. */
export function podsByUid(view: NodeView): Map<string, PodSummary> {
  return new Map(view.pods.map((p) => [p.uid, p]));
}

/** CPUSet of the CPUs whose owner is of `kind`. */
export function cpusOwnedAs(view: NodeView, kind: CPUOwnerKind): CPUSet {
  return CPUSet.fromIds(view.cpus.filter((c) => c.owner.kind === kind).map((c) => c.id));
}

/** The state of a node nothing has been admitted to: every CPU in the shared pool, no reservations. */
export function emptyNodeState(machine: Machine): NodeState {
  return {
    defaultCpuSet: machine.topology.all,
    reservedCpus: CPUSet.empty,
    pods: [],
    memoryMachineState: null,
  };
}
