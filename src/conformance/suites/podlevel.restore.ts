import {
  readCPUCheckpoint,
  readMemoryCheckpoint,
  writeCPUCheckpoint,
  writeMemoryCheckpoint,
} from "../../checkpoint/index.js";
import type { MemoryStateData } from "../../managers/memory/index.js";
import { type CPUSet, MetricsRegistry, Quantity } from "../../core/index.js";
import {
  DEFAULT_FEATURE_GATES,
  type FeatureGates,
  isPodLevelResourcesSet,
  type KubernetesVersion,
  type Pod,
  podFromObject,
} from "../../k8s/index.js";
import { CPUTopology, type Machine, type NUMAMemory } from "../../machine/index.js";
import { CPUState, StaticPolicy as CPUStaticPolicy } from "../../managers/cpu/index.js";
import { StaticPolicy as MemoryStaticPolicy } from "../../managers/memory/index.js";
import { asArray, type CaseOutcome, caseName, compare, guard, type Suite } from "../suite.js";

type Obj = Record<string, unknown>;
const VERSIONS: KubernetesVersion[] = ["1.37", "1.36"];
const GiB = 1024n * 1024n * 1024n;

function gatesOf(c: Obj): FeatureGates {
  return { ...DEFAULT_FEATURE_GATES, ...((c.config as Obj).gates as Partial<FeatureGates>) };
}

/**
 * The Go helpers that built these pods are not available (`podNote`): a CPU test's pod gives only
 * CPU, a memory test's only memory. Both kinds of test expect Guaranteed pods, so the missing
 * resource is filled with equal request and limit wherever the pod or a container names resources.
 */
function completePod(raw: Obj, missing: "cpu" | "memory"): Obj {
  const fill = missing === "cpu" ? "1" : "100Mi";
  const pod = structuredClone(raw) as {
    spec: { resources?: Obj; containers: Obj[]; initContainers?: Obj[] };
  };
  const containers = [...(pod.spec.initContainers ?? []), ...pod.spec.containers];
  for (const c of containers) {
    const r = c.resources as { requests?: Obj; limits?: Obj } | undefined;
    if (!r) continue;
    r.requests = { [missing]: fill, ...(r.requests ?? {}) };
    r.limits = { [missing]: fill, ...(r.limits ?? {}) };
  }
  const podLevel = pod.spec.resources as { requests?: Obj; limits?: Obj } | undefined;
  if (podLevel) {
    const total = missing === "cpu" ? String(containers.length) : `${100 * containers.length}Mi`;
    podLevel.requests = { [missing]: total, ...(podLevel.requests ?? {}) };
    podLevel.limits = { [missing]: total, ...(podLevel.limits ?? {}) };
  }
  return pod as unknown as Obj;
}

/** `buildCoresTopology(n)`: n single-thread cores on one socket and one NUMA node. */
function coresTopology(n: number): CPUTopology {
  return CPUTopology.fromCPUs(
    Array.from({ length: n }, (_, id) => ({ id, core: id, socket: 0, numa: 0, uncore: 0 })),
  );
}

function newCPUPolicy(
  topology: CPUTopology,
  gates: FeatureGates,
  version: KubernetesVersion,
  state?: CPUState,
) {
  const policy = new CPUStaticPolicy({
    topology,
    numReservedCPUs: 1,
    gates,
    kubernetesVersion: version,
    metrics: new MetricsRegistry(),
    state,
  });
  const err = policy.start();
  if (err) throw err;
  return policy;
}

/** The kubelet restart: write the checkpoint, read it back into a new manager, start it. */
function restartCPU(
  policy: CPUStaticPolicy,
  gates: FeatureGates,
  version: KubernetesVersion,
): CPUStaticPolicy {
  const settings = { version, gates };
  const text = writeCPUCheckpoint(policy.state.data, settings);
  const { state } = readCPUCheckpoint(text, { ...settings, configuredPolicy: "static" });
  return newCPUPolicy(policy.topology, gates, version, new CPUState(state));
}

function admitCPU(policy: CPUStaticPolicy, pod: Pod, gates: FeatureGates): Error | null {
  if (gates.PodLevelResourceManagers && isPodLevelResourcesSet(pod)) return policy.allocatePod(pod);
  for (const c of pod.containers) {
    const err = policy.allocate(pod, c);
    if (err) return err;
  }
  return null;
}

function setsOf(policy: CPUStaticPolicy, pod: Pod): Record<string, string> {
  const out: Record<string, string> = {};
  for (const c of [...pod.initContainers, ...pod.containers]) {
    const set = policy.getAssignedCPUs(pod.uid, c.name);
    if (set) out[c.name] = set.toString();
  }
  return out;
}

function cpuRestart(c: Obj, version: KubernetesVersion): Obj {
  const gates = gatesOf(c);
  const topology = coresTopology((c.machine as Obj).numCPUs as number);
  const pod = podFromObject(completePod(c.pod as Obj, "memory"), caseName(c, 0));
  let policy = newCPUPolicy(topology, gates, version);
  const err = admitCPU(policy, pod, gates);
  if (err) throw err;
  const before = policy.getPodCPUSet(pod.uid);
  policy = restartCPU(policy, gates, version);
  const after = policy.getPodCPUSet(pod.uid);
  return {
    podCpuSetPresentBeforeAndAfterRestart: before !== undefined && after !== undefined,
    podCpuSetEqualAfterRestart: before !== undefined && after !== undefined && before.equals(after),
    containerCpuSetPresentAfterRestart: Object.keys(setsOf(policy, pod)).length > 0,
  };
}

function union(sets: Iterable<CPUSet>, first: CPUSet): CPUSet {
  return first.union(...sets);
}

function cpuReadmit(c: Obj, version: KubernetesVersion): Obj {
  const gates = gatesOf(c);
  const topology = coresTopology((c.machine as Obj).numCPUs as number);
  // `admittedWith` says how the Go test admitted each pod; `admitCPU` applies the same rule.
  const pods = ((c.pods as Obj[] | undefined) ?? [c.pod as Obj]).map(({ admittedWith: _, ...p }, i) =>
    podFromObject(completePod(p, "memory"), `${caseName(c, 0)} pod ${i}`),
  );
  let policy = newCPUPolicy(topology, gates, version);
  for (const pod of pods) {
    const err = admitCPU(policy, pod, gates);
    if (err) throw err;
  }
  const snapshot = () => ({
    default: policy.state.getDefaultCPUSet().toString(),
    pods: pods.map((p) => ({
      bubble: policy.getPodCPUSet(p.uid)?.toString() ?? null,
      sets: setsOf(policy, p),
    })),
  });
  const before = snapshot();
  policy = restartCPU(policy, gates, version);
  let readmissionError: string | null = null;
  for (const pod of pods) {
    const err = admitCPU(policy, pod, gates);
    if (err && readmissionError === null) readmissionError = err.message;
  }
  const after = snapshot();
  const all = topology.all;
  const defaultSet = policy.state.getDefaultCPUSet();
  const bubbles = pods.map((p) => policy.getPodCPUSet(p.uid)).filter((s): s is CPUSet => s !== undefined);
  const containerScope = pods
    .filter((p) => !policy.getPodCPUSet(p.uid))
    .flatMap((p) => Object.keys(setsOf(policy, p)).map((n) => policy.getAssignedCPUs(p.uid, n)!));
  const disjointParts = [defaultSet, ...bubbles, ...containerScope];
  let pairwiseDisjoint = true;
  for (let i = 0; i < disjointParts.length; i++)
    for (let j = i + 1; j < disjointParts.length; j++)
      if (disjointParts[i].intersects(disjointParts[j])) pairwiseDisjoint = false;
  const expected = c.expected as Obj;
  const actual: Obj = {};
  const facts: Record<string, () => unknown> = {
    readmissionError: () => readmissionError,
    podCpuSetUnchanged: () =>
      JSON.stringify(before.pods.map((p) => p.bubble)) === JSON.stringify(after.pods.map((p) => p.bubble)),
    containerCpuSetsUnchanged: () =>
      JSON.stringify(before.pods.map((p) => p.sets)) === JSON.stringify(after.pods.map((p) => p.sets)),
    defaultCpuSetUnchanged: () => before.default === after.default,
    podCpuSetUnionDefaultEqualsAllCPUs: () => union(bubbles, defaultSet).equals(all),
    containerSetsSubsetOfPodSet: () =>
      pods.every((p) => {
        const bubble = policy.getPodCPUSet(p.uid);
        return (
          !bubble ||
          Object.keys(setsOf(policy, p)).every((n) => policy.getAssignedCPUs(p.uid, n)!.isSubsetOf(bubble))
        );
      }),
    allAssignmentsUnchanged: () => JSON.stringify(before) === JSON.stringify(after),
    defaultUnionPodSetUnionContainerScopeSetEqualsAllCPUs: () =>
      union([...bubbles, ...containerScope], defaultSet).equals(all),
    pairwiseDisjoint: () => pairwiseDisjoint,
  };
  for (const key of Object.keys(expected)) {
    if (key === "note") continue;
    const fact = facts[key];
    if (!fact) throw new Error(`unknown expected property ${key}`);
    actual[key] = fact();
  }
  return actual;
}

/**
 * The memory tests' `returnMachineInfo()` body is not in the vectors: two NUMA nodes, each with
 * room for the small pods these tests admit, reserving what the case lists.
 */
function memoryMachine(): Machine {
  const memory = new Map<number, NUMAMemory>([
    [0, { memory: 10n * GiB, hugepages: [] }],
    [1, { memory: 10n * GiB, hugepages: [] }],
  ]);
  const topology = CPUTopology.fromCPUs([
    { id: 0, core: 0, socket: 0, numa: 0, uncore: 0 },
    { id: 1, core: 1, socket: 0, numa: 1, uncore: 0 },
  ]);
  return { name: "memory-restore", topology, memory, distances: null, devices: new Map(), notes: [] };
}

function reservedOf(c: Obj): Map<number, Map<string, bigint>> {
  const out = new Map<number, Map<string, bigint>>();
  for (const [node, resources] of Object.entries(
    ((c.machine as Obj).reservedMemory ?? {}) as Record<string, Obj>,
  )) {
    const m = new Map<string, bigint>();
    for (const [r, v] of Object.entries(resources)) {
      m.set(r, Quantity.parse(String(v), `reservedMemory[${node}].${r}`).value());
    }
    out.set(Number(node), m);
  }
  return out;
}

function newMemoryPolicy(c: Obj, version: KubernetesVersion, state?: MemoryStateData): MemoryStaticPolicy {
  const policy = MemoryStaticPolicy.create({
    machine: memoryMachine(),
    reservedMemory: reservedOf(c),
    gates: gatesOf(c),
    version,
    affinity: { getAffinity: () => ({ affinity: null, preferred: false }) },
    metrics: new MetricsRegistry(),
    state,
  });
  if (policy instanceof Error) throw policy;
  const err = policy.start();
  if (err) throw err;
  return policy;
}

function memoryRestart(c: Obj, version: KubernetesVersion): Obj {
  const gates = gatesOf(c);
  const pod = podFromObject(completePod(c.pod as Obj, "cpu"), caseName(c, 0));
  let policy = newMemoryPolicy(c, version);
  if (gates.PodLevelResourceManagers && isPodLevelResourcesSet(pod)) {
    const err = policy.allocatePod(pod);
    if (err) throw err;
  } else {
    for (const ctr of pod.containers) {
      const err = policy.allocate(pod, ctr);
      if (err) throw err;
    }
  }
  const before = policy.getPodMemoryBlocks(pod.uid);
  const settings = { version, gates };
  const text = writeMemoryCheckpoint(policy.state, settings);
  const { state } = readMemoryCheckpoint(text, { ...settings, configuredPolicy: "Static" });
  policy = newMemoryPolicy(c, version, state);
  const after = policy.getPodMemoryBlocks(pod.uid);
  return {
    podBlocksPresentBeforeAndAfter: before !== null && after !== null,
    podBlockCountEqualAfterRestart: before !== null && after !== null && before.length === after.length,
    containerBlocksPresentAfterRestart: pod.containers.some(
      (ctr) => policy.getMemoryBlocks(pod.uid, ctr.name) !== null,
    ),
  };
}

const OPS: Record<string, (c: Obj, v: KubernetesVersion) => Obj> = {
  cpuManagerRestart: cpuRestart,
  cpuManagerRestartAndReadmit: cpuReadmit,
  memoryManagerRestart: memoryRestart,
};

/** `podlevel/restore.json`: manager restarts through a real checkpoint, in both versions' formats. */
export const suite: Suite = {
  file: "podlevel/restore.json",
  run(data: unknown): CaseOutcome[] {
    return asArray(data, "podlevel/restore.json").map((raw, i) => {
      const c = raw as Obj;
      const name = caseName(c, i);
      return guard(name, () => {
        const op = OPS[String(c.op)];
        if (!op) throw new Error(`unknown op ${String(c.op)}`);
        const expected = Object.fromEntries(Object.entries(c.expected as Obj).filter(([k]) => k !== "note"));
        for (const version of VERSIONS) {
          const outcome = compare(`${name} [${version}]`, expected, op(c, version));
          if (!outcome.passed) return { ...outcome, name };
        }
        return { name, passed: true };
      });
    });
  },
};
