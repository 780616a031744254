/**
 * `podlevel/restore.json`: the managers' restart tests. Each case's pods are admitted, the state
 * goes through a real checkpoint (written and read in both versions' formats), a new manager
 * starts from it, and for `cpuManagerRestartAndReadmit` the pods are admitted again. What was
 * observed is compared with the case's `expected` properties (`podlevel.restore-facts.ts`).
 */
import {
  readCPUCheckpoint,
  readMemoryCheckpoint,
  writeCPUCheckpoint,
  writeMemoryCheckpoint,
} from "../../checkpoint/index.js";
import type { MemoryStateData } from "../../managers/memory/index.js";
import { type CPUSet, MetricsRegistry } from "../../core/index.js";
import type { FeatureGates, KubernetesVersion, Pod } from "../../k8s/index.js";
import type { CPUTopology } from "../../machine/index.js";
import { CPUState, StaticPolicy as CPUStaticPolicy } from "../../managers/cpu/index.js";
import { StaticPolicy as MemoryStaticPolicy } from "../../managers/memory/index.js";
import { asArray, type CaseOutcome, caseName, compare, guard, type Suite } from "../suite.js";
import {
  CPU_FACTS,
  type CPURun,
  type CPUSnapshot,
  factsFor,
  MEMORY_FACTS,
  type MemoryRun,
  NOTE_KEYS,
} from "./podlevel.restore-facts.js";
import {
  type Admission,
  admissionOf,
  checkNodeAllocatable,
  checkPolicy,
  coresTopology,
  gatesOf,
  memoryMachine,
  type Obj,
  podsOf,
  reservedCPUs,
  reservedOf,
} from "./podlevel.restore-inputs.js";

const VERSIONS: KubernetesVersion[] = ["1.37", "1.36"];

function newCPUPolicy(
  topology: CPUTopology,
  reserved: number,
  gates: FeatureGates,
  version: KubernetesVersion,
  state?: CPUState,
) {
  const policy = new CPUStaticPolicy({
    topology,
    numReservedCPUs: reserved,
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
  reserved: number,
  gates: FeatureGates,
  version: KubernetesVersion,
): CPUStaticPolicy {
  const settings = { version, gates };
  const text = writeCPUCheckpoint(policy.state.data, settings);
  const { state } = readCPUCheckpoint(text, { ...settings, configuredPolicy: "static" });
  return newCPUPolicy(policy.topology, reserved, gates, version, new CPUState(state));
}

function admitCPU(policy: CPUStaticPolicy, pod: Pod, how: Admission): Error | null {
  if (how.kind === "pod") return policy.allocatePod(pod);
  for (const name of how.names) {
    const err = policy.allocate(pod, pod.containers.find((c) => c.name === name)!);
    if (err) return err;
  }
  return null;
}

function snapshot(policy: CPUStaticPolicy, pods: readonly Pod[]): CPUSnapshot {
  return {
    defaultSet: policy.state.getDefaultCPUSet(),
    pods: pods.map((pod) => {
      const sets = new Map<string, CPUSet>();
      for (const c of [...pod.initContainers, ...pod.containers]) {
        const set = policy.getAssignedCPUs(pod.uid, c.name);
        if (set) sets.set(c.name, set);
      }
      return { bubble: policy.getPodCPUSet(pod.uid), sets };
    }),
  };
}

/** Admit every pod, restart from the checkpoint, and (`readmit`) admit them again. */
function runCPU(c: Obj, version: KubernetesVersion, readmit: boolean): CPURun {
  checkPolicy(c, "static");
  const gates = gatesOf(c);
  const machine = c.machine as Obj;
  const topology = coresTopology(machine);
  const reserved = reservedCPUs(machine);
  const pods = podsOf(c, "memory").map((p) => ({
    ...p,
    how: admissionOf(p.admittedWith, p.pod, gates, p.where),
  }));
  let policy = newCPUPolicy(topology, reserved, gates, version);
  for (const p of pods) {
    const err = admitCPU(policy, p.pod, p.how);
    if (err) throw err;
  }
  const list = pods.map((p) => p.pod);
  const before = snapshot(policy, list);
  policy = restartCPU(policy, reserved, gates, version);
  const restored = snapshot(policy, list);
  let readmissionError: Error | null = null;
  if (readmit)
    for (const p of pods) {
      const err = admitCPU(policy, p.pod, p.how);
      if (err && readmissionError === null) readmissionError = err;
    }
  return {
    all: topology.all,
    before,
    restored,
    after: readmit ? snapshot(policy, list) : restored,
    readmissionError,
  };
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

function admitMemory(policy: MemoryStaticPolicy, pod: Pod, how: Admission): void {
  if (how.kind === "pod") {
    const err = policy.allocatePod(pod);
    if (err) throw err;
    return;
  }
  for (const name of how.names) {
    const err = policy.allocate(pod, pod.containers.find((c) => c.name === name)!);
    if (err) throw err;
  }
}

function runMemory(c: Obj, version: KubernetesVersion): MemoryRun {
  checkPolicy(c, "Static");
  checkNodeAllocatable(c.machine as Obj, reservedOf(c));
  const gates = gatesOf(c);
  const pods = podsOf(c, "cpu");
  let policy = newMemoryPolicy(c, version);
  for (const p of pods) admitMemory(policy, p.pod, admissionOf(p.admittedWith, p.pod, gates, p.where));
  const before = pods.map((p) => policy.getPodMemoryBlocks(p.pod.uid));
  const settings = { version, gates };
  const text = writeMemoryCheckpoint(policy.state, settings);
  const { state } = readMemoryCheckpoint(text, { ...settings, configuredPolicy: "Static" });
  policy = newMemoryPolicy(c, version, state);
  return {
    pods: pods.map((p, i) => ({
      before: before[i],
      after: policy.getPodMemoryBlocks(p.pod.uid),
      containerBlocksAfter: p.pod.containers.some(
        (ctr) => policy.getMemoryBlocks(p.pod.uid, ctr.name) !== null,
      ),
    })),
  };
}

type Expected = Record<string, unknown>;

/**
 * The ops and what each observes. `steps` in a case is the Go test's prose for the same calls;
 * the op names them, so `steps` is documentation and not read.
 */
const OPS: Record<string, (c: Obj, v: KubernetesVersion, expected: Expected) => Expected> = {
  cpuManagerRestart: (c, v, e) => factsFor(e, CPU_FACTS, runCPU(c, v, false), "cpuManagerRestart"),
  cpuManagerRestartAndReadmit: (c, v, e) =>
    factsFor(e, CPU_FACTS, runCPU(c, v, true), "cpuManagerRestartAndReadmit"),
  memoryManagerRestart: (c, v, e) => factsFor(e, MEMORY_FACTS, runMemory(c, v), "memoryManagerRestart"),
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
        const expected = Object.fromEntries(
          Object.entries(c.expected as Obj).filter(([k]) => !NOTE_KEYS.has(k)),
        );
        for (const version of VERSIONS) {
          const outcome = compare(`${name} [${version}]`, expected, op(c, version, expected));
          if (!outcome.passed) return { ...outcome, name };
        }
        return { name, passed: true };
      });
    });
  },
};
