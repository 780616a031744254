import { CPUSet, Quantity, toBigInt } from "../core/index.js";
import type { MemoryBlock } from "../managers/memory/index.js";
import { type KubernetesVersion, kubeletConfigFromObject, type Pod, podFromObject } from "../k8s/index.js";
import {
  type CPUInfo,
  CPUTopology,
  type HugePagePool,
  kubeletFixture,
  type Machine,
  type NUMAMemory,
} from "../machine/index.js";
import { type NodeConfig, nodeConfigFromKubelet } from "../node/index.js";

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
  return { name, topology, memory, distances, devices: new Map(), notes: [] };
}

/**
 * The `kubelet` block of a node vector as the Node's configuration, read by the same
 * KubeletConfiguration reader users' files go through.
 *
 * The vectors were produced with the policy-option gates unlocked: their kubelet blocks use alpha
 * options (distribute-cpus-across-cores) while listing only the pod-level gates. A real kubelet
 * needs CPUManagerPolicyAlphaOptions for those, so only the vectors get them by default.
 */
export function nodeConfigFromVector(k: Obj, version: KubernetesVersion, what: string): NodeConfig {
  const featureGates = {
    CPUManagerPolicyAlphaOptions: true,
    TopologyManagerPolicyAlphaOptions: true,
    ...((k.featureGates ?? {}) as Record<string, boolean>),
  };
  const config = nodeConfigFromKubelet(kubeletConfigFromObject({ ...k, featureGates }, what));
  return { ...config, kubernetesVersion: version };
}

/**
 * A pod of a predicate vector. The transcribed kubelet tests and the generated cases hand pod
 * objects to the predicate code as they are, with no API server defaulting in between, so none is
 * applied here (a limit-only container has no request there).
 */
export function podFromVector(data: unknown, what: string): Pod {
  return podFromObject(data, what, { applyDefaults: false });
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
