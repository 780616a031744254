import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { type SequenceOp, sequenceOpArb } from "./sequence-ops.test-support.js";
import { DEFAULT_FEATURE_GATES, type Pod } from "../k8s/index.js";
import { type CPUInfo, CPUTopology, type Machine, type NUMAMemory } from "../machine/index.js";
import { type CPUHintSettings, cpuHintSettings } from "../managers/cpu/index.js";
import { type MemoryHintSettings, memoryHintSettings } from "../managers/memory/index.js";
import { type HintMode as TopologyHintMode, topologyHintSettings } from "../managers/topology/index.js";
import { defaultNodeConfig } from "./config.js";
import { Node } from "./node.js";
import { Gi, Mi, snapshotNode, type TestContainer, testPod } from "./test-support.js";
import type { AdmissionResult, NodeConfig, TopologyManagerPolicyName } from "./types.js";

/*
 * Three nodes run the same random admissions and removals in lockstep: hint families (merged
 * without listing) and the single-numa-node fast path, listed hints from the tables without it,
 * and listed hints from the reference (mask by mask). Every admission result (decision, reason, message, containers, merged hints, allocation
 * errors), the state after every step and the metrics must be the same. Only the providers'
 * answers in the trace may differ: under single-numa-node the fast path lists fewer hints.
 * Machines: 1-10 NUMA nodes with arbitrary ids, CPU-less and memory-less nodes.
 */

type HintMode = { cpu: CPUHintSettings; memory: Partial<MemoryHintSettings>; topology: TopologyHintMode };

const MODES: Record<string, HintMode> = {
  fast: {
    cpu: { enumeration: "tables", singleNUMAFastPath: true, singleNUMAFastPathAboveNodes: 0 },
    memory: {
      enumeration: "tables",
      singleNUMAFastPath: true,
      singleNUMAFastPathAboveNodes: 0,
      searchAboveNodes: 0,
    },
    topology: "implicit",
  },
  tables: {
    cpu: { enumeration: "tables", singleNUMAFastPath: false, singleNUMAFastPathAboveNodes: 0 },
    memory: { enumeration: "tables", singleNUMAFastPath: false, searchAboveNodes: 16 },
    topology: "explicit",
  },
  reference: {
    cpu: { enumeration: "reference", singleNUMAFastPath: false, singleNUMAFastPathAboveNodes: 0 },
    memory: { enumeration: "reference", singleNUMAFastPath: false },
    topology: "explicit",
  },
};

function withMode<T>(mode: HintMode, fn: () => T): T {
  const cpu = { ...cpuHintSettings };
  const memory = { ...memoryHintSettings };
  const topology = topologyHintSettings.hintMode;
  Object.assign(cpuHintSettings, mode.cpu);
  Object.assign(memoryHintSettings, mode.memory);
  topologyHintSettings.hintMode = mode.topology;
  try {
    return fn();
  } finally {
    Object.assign(cpuHintSettings, cpu);
    Object.assign(memoryHintSettings, memory);
    topologyHintSettings.hintMode = topology;
  }
}

// ---- machines and configurations ---------------------------------------------------------------

const numaArb: fc.Arbitrary<NUMAShape> = fc.record({
  cores: fc.constantFrom(0, 1, 2, 2, 3),
  memoryGi: fc.constantFrom(0, 2, 3, 4, 4, 8),
  hugepages1Gi: fc.constantFrom(0, 0, 0, 1, 2),
});

interface Setup {
  machine: Machine;
  config: NodeConfig;
}

interface NUMAShape {
  cores: number;
  memoryGi: number;
  hugepages1Gi: number;
}

function machineOf(ids: readonly number[], nodes: readonly NUMAShape[]): Machine {
  const cpus: CPUInfo[] = [];
  const memory = new Map<number, NUMAMemory>();
  ids.forEach((numa, i) => {
    const n = nodes[i];
    for (let c = 0; c < n.cores; c++) {
      const core = cpus.length / 2;
      for (let t = 0; t < 2; t++) cpus.push({ id: cpus.length, core, socket: i % 2, numa, uncore: i % 2 });
    }
    memory.set(numa, {
      memory: BigInt(n.memoryGi) * Gi,
      hugepages: [{ pageSizeKiB: 1048576, numPages: BigInt(Math.min(n.hugepages1Gi, n.memoryGi)) }],
    });
  });
  return {
    name: "random",
    topology: CPUTopology.fromCPUs(cpus),
    memory,
    distances: null,
    devices: new Map(),
    notes: [],
  };
}

const setupArb: fc.Arbitrary<Setup> = fc
  .uniqueArray(fc.integer({ min: 0, max: 63 }), { minLength: 1, maxLength: 10 })
  .chain((unsorted) => {
    const ids = [...unsorted].sort((a, b) => a - b);
    return fc.record({
      ids: fc.constant(ids),
      nodes: fc.array(numaArb, { minLength: ids.length, maxLength: ids.length }),
      cpuStatic: fc.constantFrom(true, true, false),
      scope: fc.constantFrom("container" as const, "pod" as const),
      podLevel: fc.boolean(),
      policy: fc.constantFrom<TopologyManagerPolicyName>(
        "single-numa-node",
        "single-numa-node",
        "single-numa-node",
        "restricted",
        "best-effort",
        "none",
      ),
      version: fc.constantFrom("1.36" as const, "1.37" as const),
    });
  })
  .filter(({ nodes }) => nodes.some((n) => n.cores > 0) && nodes.some((n) => n.memoryGi > 2))
  .map((r) => {
    const machine = machineOf(r.ids, r.nodes);
    const reservedOn = r.ids[r.nodes.findIndex((n) => n.memoryGi > 2)];
    return {
      machine,
      config: defaultNodeConfig({
        kubernetesVersion: r.version,
        featureGates: {
          ...DEFAULT_FEATURE_GATES,
          PodLevelResources: r.podLevel,
          PodLevelResourceManagers: r.podLevel,
        },
        cpuManagerPolicy: r.cpuStatic ? "static" : "none",
        numReservedCPUs: r.cpuStatic ? 1 : 0,
        memoryManagerPolicy: "Static",
        reservedMemory: new Map([[reservedOn, new Map([["memory", 512n * Mi]])]]),
        topologyManagerPolicy: r.policy,
        topologyManagerScope: r.scope,
        topologyManagerPolicyOptions:
          r.ids.length > 8 ? { "max-allowable-numa-nodes": String(r.ids.length) } : {},
      }),
    };
  });

// ---- pods and operations ---------------------------------------------------------------------

const containerArb = fc.record({
  cpu: fc.constantFrom(undefined, "500m", "1", "2", "3"),
  memory: fc.constantFrom(undefined, "256Mi", "1Gi", "2Gi", "3Gi", "6Gi"),
  kind: fc.constantFrom("init", "sidecar", "app", "app", "app"),
});

const podArb: fc.Arbitrary<PodShape> = fc.record({
  containers: fc.array(containerArb, { minLength: 1, maxLength: 4 }),
  budget: fc.option(
    fc.record({ cpu: fc.constantFrom("2", "4"), memory: fc.constantFrom("2Gi", "4Gi", "9Gi") }),
    { freq: 3 },
  ),
});

interface PodShape {
  containers: { cpu: string | undefined; memory: string | undefined; kind: string }[];
  budget: { cpu: string; memory: string } | null;
}

type Op = SequenceOp<PodShape>;

const opArb = sequenceOpArb(podArb);

function buildPod(uid: string, shape: PodShape): Pod | null {
  const init: TestContainer[] = [];
  const containers: TestContainer[] = [];
  shape.containers.forEach((c, i) => {
    const tc: TestContainer = { name: `${c.kind}-${i}`, cpu: c.cpu, memory: c.memory };
    if (c.kind === "sidecar") tc.sidecar = true;
    (c.kind === "app" ? containers : init).push(tc);
  });
  if (containers.length === 0) containers.push({ name: "app", cpu: "1", memory: "256Mi" });
  try {
    return testPod(uid, { budget: shape.budget ?? undefined, init, containers });
  } catch {
    return null;
  }
}

/** An admission result as comparable data, without the providers' answers. */
function comparable(r: AdmissionResult): unknown {
  const trace = { ...r.trace, merges: r.trace.merges.map(({ answers: _answers, ...rest }) => rest) };
  return JSON.parse(JSON.stringify({ ...r, trace }, (_k, v) => (typeof v === "bigint" ? `${v}n` : v)));
}

function state(node: Node): unknown {
  return JSON.parse(
    JSON.stringify({ snapshot: snapshotNode(node), metrics: node.metrics.snapshot() }, (_k, v) =>
      typeof v === "bigint" ? `${v}n` : v instanceof Map ? [...v] : v,
    ),
  );
}

const seen = new Map<string, number>();

function run(setup: Setup, ops: Op[]): void {
  const names = Object.keys(MODES);
  const nodes = names.map((name) =>
    withMode(MODES[name], () => new Node({ machine: setup.machine, config: setup.config })),
  );
  const log: string[] = [
    `NUMA ${[...setup.machine.memory.keys()].join(",")} ${JSON.stringify(setup.config.topologyManagerPolicy)}`,
  ];
  ops.forEach((op, i) => {
    const admitted = nodes[0].admittedPods();
    const act = (node: Node, mode: HintMode): unknown =>
      withMode(mode, () => {
        if (op.op === "admit") {
          const pod = buildPod(`pod-${i}`, op.pod);
          return pod ? comparable(node.admit(pod)) : null;
        }
        if (admitted.length === 0) return null;
        const pod = admitted[op.pick % admitted.length];
        if (op.op === "remove") return node.remove(pod.uid).removed;
        const all = [...pod.initContainers, ...pod.containers];
        node.removeContainer(pod.uid, all[op.container % all.length].name);
        return null;
      });
    const results = nodes.map((node, k) => act(node, MODES[names[k]]));
    log.push(`${op.op} ${JSON.stringify(op)}`);
    const r0 = results[0] as { admitted?: boolean; reason?: string } | null;
    if (op.op === "admit" && r0) {
      const key = `${setup.config.topologyManagerPolicy} ${r0.admitted ? "admitted" : `rejected ${r0.reason}`}`;
      seen.set(key, (seen.get(key) ?? 0) + 1);
    }
    for (let k = 1; k < nodes.length; k++) {
      try {
        assert.deepEqual(results[k], results[0]);
        assert.deepEqual(state(nodes[k]), state(nodes[0]));
      } catch (err) {
        throw new Error(`${log.join("\n")}\n${names[k]} differs from ${names[0]}: ${(err as Error).message}`);
      }
    }
  });
}

describe("hint generation modes on a whole node", () => {
  it("the fast path, the tables and the reference admit and allocate alike", () => {
    seen.clear();
    fc.assert(
      fc.property(setupArb, fc.array(opArb, { minLength: 1, maxLength: 10 }), (setup, ops) =>
        run(setup, ops),
      ),
      { numRuns: 250 },
    );
    for (const key of [
      "single-numa-node admitted",
      "single-numa-node rejected TopologyAffinityError",
      "single-numa-node rejected UnexpectedAdmissionError",
    ])
      assert.ok(
        (seen.get(key) ?? 0) > 0,
        `no run reached "${key}": ${JSON.stringify(Object.fromEntries(seen))}`,
      );
  });
});
