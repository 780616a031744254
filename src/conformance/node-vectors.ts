import { CPUSet, Quantity, toBigInt } from "../core/index.js";
import type { MemoryBlock } from "../checkpoint/index.js";
import { DEFAULT_FEATURE_GATES, type KubernetesVersion } from "../k8s/index.js";
import {
  type CPUInfo,
  CPUTopology,
  type HugePagePool,
  kubeletFixture,
  type Machine,
  type NUMAMemory,
} from "../machine/index.js";
import { defaultNodeConfig, type NodeConfig } from "../node/index.js";

type Obj = Record<string, unknown>;

/** Hugepage resource name (`hugepages-2Mi`) to its page size in KiB. */
function pageSizeKiB(resource: string): number {
  const q = Quantity.parse(resource.slice("hugepages-".length), resource);
  return Number(q.value() / 1024n);
}

/** The `machine` of a node vector: inline CPUs or a fixture (with discovery's header counts). */
export function machineFromVector(m: Obj, name: string): Machine {
  let topology: CPUTopology;
  if (typeof m.fixture === "string") {
    const fixture = kubeletFixture(m.fixture);
    if (!fixture) throw new Error(`${name}: unknown fixture ${m.fixture}`);
    topology = CPUTopology.fromCPUs([...fixture.details.values()]);
  } else {
    topology = new CPUTopology(
      {
        numCPUs: m.numCPUs as number,
        numCores: m.numCores as number,
        numSockets: m.numSockets as number,
        numNUMANodes: m.numNUMANodes as number,
        numUncoreCaches: m.numUncoreCaches as number,
      },
      m.cpus as CPUInfo[],
    );
  }
  const memory = new Map<number, NUMAMemory>();
  for (const [node, resources] of Object.entries((m.memory ?? {}) as Record<string, Obj>)) {
    const hugepages: HugePagePool[] = [];
    for (const [resource, bytes] of Object.entries(resources)) {
      if (!resource.startsWith("hugepages-")) continue;
      const kib = pageSizeKiB(resource);
      hugepages.push({ pageSizeKiB: kib, numPages: toBigInt(bytes, resource) / BigInt(kib * 1024) });
    }
    memory.set(Number(node), { memory: toBigInt(resources.memory, `memory of NUMA ${node}`), hugepages });
  }
  let distances: Map<number, number[]> | null = null;
  if (m.numaDistances) {
    distances = new Map(
      Object.entries(m.numaDistances as Record<string, number[]>).map(([k, v]) => [Number(k), v]),
    );
  }
  return { name, topology, memory, distances, notes: [] };
}

function quantityOf(v: unknown, what: string): Quantity {
  return Quantity.parse(String(v), what);
}

/** The `kubelet` block of a node vector as the Node's configuration. */
export function nodeConfigFromVector(k: Obj, version: KubernetesVersion): NodeConfig {
  const reservedCPU = ["kubeReserved", "systemReserved"]
    .map((f) => (k[f] as Obj | undefined)?.cpu)
    .filter((v) => v !== undefined)
    .reduce<Quantity>((sum, v) => sum.add(quantityOf(v, "cpu")), Quantity.zero());
  const reservedSystemCPUs =
    typeof k.reservedSystemCPUs === "string" ? CPUSet.parse(k.reservedSystemCPUs) : null;
  const reservedMemory = new Map<number, Map<string, bigint>>();
  for (const entry of (k.reservedMemory ?? []) as { numaNode: number; limits: Obj }[]) {
    const perResource = reservedMemory.get(entry.numaNode) ?? new Map<string, bigint>();
    for (const [resource, v] of Object.entries(entry.limits))
      perResource.set(resource, quantityOf(v, resource).value());
    reservedMemory.set(entry.numaNode, perResource);
  }
  // The node vectors were produced with the policy-option gates unlocked: their kubelet blocks use
  // alpha options (distribute-cpus-across-cores) while listing only the pod-level gates. A real
  // kubelet needs CPUManagerPolicyAlphaOptions for those, so only the vectors get them by default.
  const gates = {
    ...DEFAULT_FEATURE_GATES,
    CPUManagerPolicyAlphaOptions: true,
    TopologyManagerPolicyAlphaOptions: true,
    ...((k.featureGates ?? {}) as Record<string, boolean>),
  };
  return defaultNodeConfig({
    kubernetesVersion: version,
    featureGates: gates,
    cpuManagerPolicy: (k.cpuManagerPolicy ?? "none") as NodeConfig["cpuManagerPolicy"],
    cpuManagerPolicyOptions: (k.cpuManagerPolicyOptions ?? {}) as Record<string, string>,
    reservedSystemCPUs,
    // With reservedSystemCPUs the kubelet replaces the kube/system CPU reservation by its size.
    numReservedCPUs: reservedSystemCPUs ? reservedSystemCPUs.size : Number(reservedCPU.value()),
    memoryManagerPolicy: (k.memoryManagerPolicy ?? "None") as NodeConfig["memoryManagerPolicy"],
    reservedMemory,
    topologyManagerPolicy: (k.topologyManagerPolicy ?? "none") as NodeConfig["topologyManagerPolicy"],
    topologyManagerScope: (k.topologyManagerScope ?? "container") as NodeConfig["topologyManagerScope"],
    topologyManagerPolicyOptions: (k.topologyManagerPolicyOptions ?? {}) as Record<string, string>,
  });
}

/** Blocks as comparable data, sorted (block lists compare as multisets). */
export function blocksData(blocks: readonly MemoryBlock[] | null | undefined): unknown {
  if (blocks === null || blocks === undefined) return null;
  return blocks
    .map((b) => ({
      numaAffinity: [...b.numaAffinity].sort((x, y) => x - y),
      type: b.type,
      size: String(b.size),
    }))
    .sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
}

/** Vector blocks (sizes as numbers or bigints) in the same comparable form. */
export function vectorBlocksData(v: unknown): unknown {
  if (v === null || v === undefined) return null;
  return blocksData(
    (v as Obj[]).map((b) => ({
      numaAffinity: b.numaAffinity as number[],
      type: b.type as string,
      size: toBigInt(b.size, "size"),
    })),
  );
}

export function cpuSetText(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  return CPUSet.parse(String(v)).toString();
}
