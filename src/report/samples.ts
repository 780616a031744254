import type { MemoryBlock, NUMANodeMap } from "../managers/memory/index.js";
import { CPUSet } from "../core/index.js";
import { type CPUInfo, CPUTopology, type Machine, type NUMAMemory } from "../machine/index.js";
import type { DecisionRow } from "./decisions.js";
import type { ContainerState, NodeState, PodState } from "./ownership.js";

/**
 * Sample machines and node states for the report's tests and for demonstrations: machine M of
 * machines.md §1 with the worked examples of pod-level.md §7 placed on it, and synthetic machines
 * of any size filled with a deterministic mix of pods.
 */

const GI = 1n << 30n;
const MI = 1n << 20n;

export interface SyntheticShape {
  name: string;
  sockets: number;
  numaPerSocket: number;
  coresPerNuma: number;
  threadsPerCore: number;
  /** L3 caches per NUMA node (default 1). */
  uncorePerNuma?: number;
  /** CPU-less NUMA nodes after the CPU nodes (HBM, GPU memory). */
  memoryOnlyNodes?: number;
  memoryPerNode: bigint;
  memoryOnlyNodeMemory?: bigint;
}

/** Offset sibling numbering: core c holds CPUs c, c + cores, c + 2·cores, ... */
export function syntheticMachine(s: SyntheticShape): Machine {
  const numaNodes = s.sockets * s.numaPerSocket;
  const cores = numaNodes * s.coresPerNuma;
  const uncorePerNuma = s.uncorePerNuma ?? 1;
  const coresPerUncore = Math.max(1, Math.ceil(s.coresPerNuma / uncorePerNuma));
  const cpus: CPUInfo[] = [];
  for (let c = 0; c < cores; c++) {
    const numa = Math.floor(c / s.coresPerNuma);
    const uncore = numa * uncorePerNuma + Math.floor((c % s.coresPerNuma) / coresPerUncore);
    for (let t = 0; t < s.threadsPerCore; t++)
      cpus.push({ id: c + t * cores, core: c, socket: Math.floor(numa / s.numaPerSocket), numa, uncore });
  }
  const memory = new Map<number, NUMAMemory>();
  for (let n = 0; n < numaNodes; n++) memory.set(n, { memory: s.memoryPerNode, hugepages: [] });
  const extra = s.memoryOnlyNodes ?? 0;
  for (let n = 0; n < extra; n++)
    memory.set(numaNodes + n, { memory: s.memoryOnlyNodeMemory ?? s.memoryPerNode, hugepages: [] });
  return {
    name: s.name,
    topology: CPUTopology.fromCPUs(cpus),
    memory,
    distances: null,
    devices: new Map(),
    notes: [],
  };
}

/** Machine M: 2 sockets × 8 cores × 2 threads, offset siblings, 64Gi per NUMA node. */
export function machineM(): Machine {
  const m = syntheticMachine({
    name: "worked-example",
    sockets: 2,
    numaPerSocket: 1,
    coresPerNuma: 8,
    threadsPerCore: 2,
    memoryPerNode: 64n * GI,
  });
  return {
    ...m,
    distances: new Map([
      [0, [10, 21]],
      [1, [21, 10]],
    ]),
  };
}

const block = (numa: number[], size: bigint, type = "memory"): MemoryBlock => ({
  numaAffinity: numa,
  type,
  size,
});

function container(
  name: string,
  kind: ContainerState["kind"],
  assignmentType: ContainerState["assignmentType"],
  cpus: string | null,
  memory: MemoryBlock[] | null,
): ContainerState {
  return { name, kind, assignmentType, cpus: cpus === null ? null : CPUSet.parse(cpus), memory };
}

/** Memory Manager machine state with `reserved` filled from the pods' blocks (single-node blocks). */
export function machineStateFor(
  machine: Machine,
  pods: readonly PodState[],
  systemReserved: ReadonlyMap<number, bigint>,
): NUMANodeMap {
  const reserved = new Map<number, bigint>();
  const assignments = new Map<number, number>();
  for (const p of pods) {
    const blocks = p.memory ?? p.containers.flatMap((c) => c.memory ?? []);
    for (const b of blocks) {
      const n = b.numaAffinity[0];
      reserved.set(n, (reserved.get(n) ?? 0n) + b.size);
      assignments.set(n, (assignments.get(n) ?? 0) + 1);
    }
  }
  const state: NUMANodeMap = new Map();
  for (const [id, mem] of machine.memory) {
    const sys = systemReserved.get(id) ?? 0n;
    const allocatable = mem.memory - sys;
    const r = reserved.get(id) ?? 0n;
    state.set(id, {
      numberOfAssignments: assignments.get(id) ?? 0,
      memoryMap: new Map([
        [
          "memory",
          { total: mem.memory, systemReserved: sys, allocatable, reserved: r, free: allocatable - r },
        ],
      ]),
      cells: [id],
    });
  }
  return state;
}

function defaultSetOf(machine: Machine, pods: readonly PodState[]): CPUSet {
  const held = CPUSet.empty.union(
    ...pods.flatMap((p) => [p.bubble ?? CPUSet.empty, ...p.containers.map((c) => c.cpus ?? CPUSet.empty)]),
  );
  return machine.topology.all.difference(held);
}

/**
 * Machine M after four admissions: the pod-scope example of pod-level.md §7.1, the container-scope
 * example of §7.2 placed after it, a pod-scope pod whose exclusive slices leave part of its
 * bubble unused, and a Burstable pod in the node shared pool; a fifth pod was rejected.
 */
export function workedExampleState(machine: Machine = machineM()): {
  state: NodeState;
  decisions: DecisionRow[];
} {
  const pods: PodState[] = [
    {
      uid: "8a1f-db",
      name: "tightly-coupled-database",
      namespace: "default",
      bubble: CPUSet.parse("1-4,17-20"),
      podSharedPool: CPUSet.parse("4,20"),
      memory: [block([0], 16n * GI)],
      containers: [
        container("metrics-exporter", "sidecar", "pod_shared", "4,20", [block([0], 4n * GI)]),
        container("backup-agent", "sidecar", "pod_shared", "4,20", [block([0], 4n * GI)]),
        container("database", "app", "pod_exclusive", "1-3,17-19", [block([0], 12n * GI)]),
      ],
    },
    {
      uid: "41c2-ml",
      name: "ml-workload",
      namespace: "default",
      bubble: null,
      podSharedPool: null,
      memory: null,
      containers: [
        container("service-mesh-sidecar", "sidecar", "node_shared", null, null),
        container("ml-training", "app", "node_exclusive", "5-6,21", [block([0], 6n * GI)]),
      ],
    },
    {
      uid: "77e0-etl",
      name: "etl-pipeline",
      namespace: "batch",
      bubble: CPUSet.parse("8-9,24-25"),
      podSharedPool: CPUSet.parse("25"),
      memory: [block([1], 8n * GI)],
      containers: [
        container("fetch-data", "init", "pod_shared", "8-9,24-25", [block([1], 8n * GI)]),
        container("transform", "app", "pod_exclusive", "8,24", [block([1], 4n * GI)]),
        container("load", "app", "pod_exclusive", "9", [block([1], 2n * GI)]),
      ],
    },
    {
      uid: "c3d4-web",
      name: "web-frontend",
      namespace: "shop",
      bubble: null,
      podSharedPool: null,
      memory: null,
      containers: [container("nginx", "app", "node_shared", null, null)],
    },
  ];
  const defaultCpuSet = defaultSetOf(machine, pods);
  const state: NodeState = {
    defaultCpuSet,
    reservedCpus: CPUSet.parse("0,16"),
    pods,
    memoryMachineState: machineStateFor(machine, pods, new Map([[0, 1100n * MI]])),
  };
  const row = (
    p: PodState,
    quota: number | null,
    mems: Record<string, number[] | null>,
    q: Record<string, number | null>,
  ): DecisionRow => ({
    pod: { uid: p.uid, name: p.name, namespace: p.namespace },
    admitted: true,
    reason: null,
    message: null,
    bubble: p.bubble,
    podSharedPool: p.podSharedPool,
    podMemory: p.memory,
    podCpuQuotaUs: quota,
    containers: p.containers.map((c) => ({
      name: c.name,
      kind: c.kind,
      assignmentType: c.assignmentType,
      cpus: c.cpus ?? defaultCpuSet,
      hasCPUAssignment: c.cpus !== null,
      numaAffinity: mems[c.name] ?? null,
      cpusetMems: mems[c.name] ?? null,
      memory: c.memory,
      cfsQuotaUs: q[c.name] ?? null,
    })),
  });
  const decisions: DecisionRow[] = [
    row(pods[0], 800000, { "metrics-exporter": [0], "backup-agent": [0], database: [0] }, { database: -1 }),
    row(pods[1], -1, { "ml-training": [0] }, { "ml-training": -1 }),
    row(pods[2], 400000, { "fetch-data": [1], transform: [1], load: [1] }, { transform: -1, load: -1 }),
    {
      pod: { uid: "e5f6-rej", name: "empty-shared-pool", namespace: "default" },
      admitted: false,
      reason: "TopologyAffinityError",
      message: "Pod Scope pod with pod-level resources failed admission under pod-scope topology manager",
      bubble: null,
      podSharedPool: null,
      podMemory: null,
      podCpuQuotaUs: null,
      containers: [],
    },
    row(pods[3], 50000, {}, { nginx: 50000 }),
  ];
  return { state, decisions };
}

/**
 * Fills a machine with a deterministic mix of pods, NUMA node by NUMA node, to about `fill` of its
 * CPUs: pod-scope pods with exclusive slices and a shared pool, container-scope pods with node
 * exclusive containers, and pod-scope pods that leave part of their bubble unused.
 */
export function busyState(machine: Machine, fill = 0.7): NodeState {
  const topo = machine.topology;
  const pods: PodState[] = [];
  const reserved = topo.cpusInCore(topo.cores()[0]);
  let podNo = 0;
  for (const numa of topo.numaNodes()) {
    const coreIds = topo
      .coresOf(topo.cpusInNUMANode(numa))
      .filter((c) => !reserved.intersects(topo.cpusInCore(c)));
    const budget = Math.floor(coreIds.length * fill);
    let next = 0;
    const take = (n: number): CPUSet => {
      const ids = coreIds.slice(next, next + n);
      next += ids.length;
      return topo.cpusInCores(ids);
    };
    // Half the node's memory spread over its CPUs, in steps of 256Mi, so a full node never overcommits.
    const nodeMemory = machine.memory.get(numa)?.memory ?? 0n;
    const cpusHere = BigInt(Math.max(1, topo.cpusInNUMANode(numa).size));
    const step = 256n * MI;
    const perCPU = (nodeMemory / cpusHere / 2n / step) * step;
    const memFor = (cpus: CPUSet): bigint => BigInt(cpus.size) * perCPU;
    let variant = numa % 3;
    while (next < budget) {
      const size = Math.min(budget - next, [4, 3, 6, 2][podNo % 4]);
      if (size <= 0) break;
      const uid = `pod-${String(podNo).padStart(3, "0")}`;
      const name = ["api", "cache", "worker", "ingest", "search", "stream"][podNo % 6] + `-${podNo}`;
      podNo++;
      if (variant === 0 && size >= 2) {
        const bubble = take(size);
        const ex = topo.cpusInCores(topo.coresOf(bubble).slice(0, size - 1));
        const shared = bubble.difference(ex);
        pods.push({
          uid,
          name,
          namespace: "default",
          bubble,
          podSharedPool: shared,
          memory: [block([numa], memFor(bubble))],
          containers: [
            container("proxy", "sidecar", "pod_shared", shared.toString(), null),
            container("main", "app", "pod_exclusive", ex.toString(), null),
          ],
        });
      } else if (variant === 1) {
        const a = take(Math.max(1, size - 1));
        const b = take(1);
        pods.push({
          uid,
          name,
          namespace: "default",
          bubble: null,
          podSharedPool: null,
          memory: null,
          containers: [
            container("server", "app", "node_exclusive", a.toString(), [block([numa], memFor(a))]),
            container(
              "helper",
              "app",
              "node_exclusive",
              b.toString(),
              b.isEmpty() ? null : [block([numa], memFor(b))],
            ),
          ],
        });
      } else {
        const bubble = take(size);
        const cores = topo.coresOf(bubble);
        const first = topo.cpusInCores(cores.slice(0, Math.max(1, cores.length - 2)));
        const second = topo.cpusInCores(cores.slice(Math.max(1, cores.length - 2), cores.length - 1));
        const rest = bubble.difference(first).difference(second);
        // Only one CPU of the last core is pinned: the rest of the bubble stays unused.
        const half = rest.takeLowest(1);
        pods.push({
          uid,
          name,
          namespace: "batch",
          bubble,
          podSharedPool: rest.difference(half),
          memory: [block([numa], memFor(bubble))],
          containers: [
            container("stage-1", "app", "pod_exclusive", first.toString(), null),
            ...(second.isEmpty()
              ? []
              : [container("stage-2", "app", "pod_exclusive", second.toString(), null)]),
            container("stage-3", "app", "pod_exclusive", half.toString(), null),
          ],
        });
      }
      variant = (variant + 1) % 3;
    }
  }
  return {
    defaultCpuSet: defaultSetOf(machine, pods),
    reservedCpus: reserved,
    pods,
    memoryMachineState: machineStateFor(machine, pods, new Map([[topo.numaNodes()[0] ?? 0, 2n * GI]])),
  };
}
