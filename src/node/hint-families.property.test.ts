import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { type SequenceOp, sequenceOpArb } from "./sequence-ops.test-support.js";
import { DEFAULT_FEATURE_GATES, type Pod, podFromObject } from "../k8s/index.js";
import {
  type CPUInfo,
  CPUTopology,
  type Machine,
  NO_PLUGIN_OPTIONS,
  type NUMAMemory,
} from "../machine/index.js";
import { type HintMode, topologyHintSettings } from "../managers/topology/index.js";
import { defaultNodeConfig } from "./config.js";
import { Node } from "./node.js";
import { Gi, Mi, snapshotNode } from "./test-support.js";
import type { AdmissionResult, NodeConfig, TopologyManagerPolicyName } from "./types.js";

/*
 * Two nodes run the same random admissions and removals in lockstep, one merging the CPU and
 * Memory Managers' hint families without listing them, one merging the listed hints as the
 * kubelet does. Everything must be the same after every step: the admission result with its
 * whole trace (the providers' answers included: on machines of up to 8 NUMA nodes a family lists
 * in full), every manager's state and the metrics. Machines of 1-8 NUMA nodes with arbitrary ids,
 * one or two sockets, integer distances, memory, 2Mi and 1Gi hugepages, GPUs on some nodes;
 * every policy and scope, prefer-closest-numa-nodes, align-by-socket, full-pcpus-only and
 * distribute-cpus-across-numa, with and without the pod-level gates.
 */

const GPU = "example.com/gpu";

interface NUMAShape {
  cores: number;
  memoryGi: number;
  huge2Mi: number;
  huge1Gi: number;
  gpus: number;
}

interface Setup {
  machine: Machine;
  config: NodeConfig;
}

const numaArb: fc.Arbitrary<NUMAShape> = fc.record({
  cores: fc.constantFrom(0, 1, 2, 2, 3, 4),
  memoryGi: fc.constantFrom(0, 2, 4, 4, 8),
  huge2Mi: fc.constantFrom(0, 0, 256, 512),
  huge1Gi: fc.constantFrom(0, 0, 0, 1, 2),
  gpus: fc.constantFrom(0, 0, 1, 2),
});

function machineOf(
  ids: readonly number[],
  nodes: readonly NUMAShape[],
  sockets: number,
  seed: number,
): Machine {
  const cpus: CPUInfo[] = [];
  const memory = new Map<number, NUMAMemory>();
  const devices: { id: string; numaNodes: number[]; healthy: boolean }[] = [];
  ids.forEach((numa, i) => {
    const n = nodes[i];
    const socket = Math.floor((i * sockets) / ids.length);
    for (let c = 0; c < n.cores; c++) {
      const core = cpus.length / 2;
      for (let t = 0; t < 2; t++) cpus.push({ id: cpus.length, core, socket, numa, uncore: socket });
    }
    memory.set(numa, {
      memory: BigInt(n.memoryGi) * Gi,
      hugepages: [
        { pageSizeKiB: 2048, numPages: BigInt(n.huge2Mi) },
        { pageSizeKiB: 1048576, numPages: BigInt(Math.min(n.huge1Gi, n.memoryGi)) },
      ],
    });
    for (let g = 0; g < n.gpus; g++)
      devices.push({ id: `gpu-${numa}-${g}`, numaNodes: [numa], healthy: true });
  });
  let a = seed >>> 0;
  const next = () => {
    a = (Math.imul(a, 1103515245) + 12345) >>> 0;
    return 11 + ((a >>> 16) % 20);
  };
  const maxId = Math.max(...ids);
  const distances = new Map(
    ids.map((i) => [i, Array.from({ length: maxId + 1 }, (_, j) => (i === j ? 10 : next()))]),
  );
  return {
    name: "random",
    topology: CPUTopology.fromCPUs(cpus),
    memory,
    distances,
    devices:
      devices.length === 0
        ? new Map()
        : new Map([[GPU, { name: GPU, registered: true, devices, plugin: NO_PLUGIN_OPTIONS }]]),
    notes: [],
  };
}

const setupArb: fc.Arbitrary<Setup> = fc
  .record({
    ids: fc.oneof(
      fc.uniqueArray(fc.integer({ min: 0, max: 63 }), { minLength: 1, maxLength: 8 }),
      fc.integer({ min: 1, max: 8 }).map((n) => Array.from({ length: n }, (_, i) => i)),
    ),
    sockets: fc.constantFrom(1, 2),
    seed: fc.integer(),
  })
  .chain(({ ids: unsorted, sockets, seed }) => {
    const ids = [...unsorted].sort((a, b) => a - b);
    return fc.record({
      ids: fc.constant(ids),
      sockets: fc.constant(sockets),
      seed: fc.constant(seed),
      nodes: fc.array(numaArb, { minLength: ids.length, maxLength: ids.length }),
      scope: fc.constantFrom("container" as const, "pod" as const),
      podLevel: fc.boolean(),
      policy: fc.constantFrom<TopologyManagerPolicyName>(
        "best-effort",
        "best-effort",
        "restricted",
        "restricted",
        "single-numa-node",
        "none",
      ),
      preferClosest: fc.boolean(),
      cpuOption: fc.constantFrom("", "", "align-by-socket", "full-pcpus-only", "distribute-cpus-across-numa"),
    });
  })
  .filter(({ nodes }) => nodes.some((n) => n.cores > 0) && nodes.some((n) => n.memoryGi > 2))
  .map((r) => {
    const machine = machineOf(r.ids, r.nodes, r.sockets, r.seed);
    const reservedOn = r.ids[r.nodes.findIndex((n) => n.memoryGi > 2)];
    const alignBySocket = r.cpuOption === "align-by-socket" && r.policy !== "single-numa-node";
    return {
      machine,
      config: defaultNodeConfig({
        featureGates: {
          ...DEFAULT_FEATURE_GATES,
          PodLevelResources: r.podLevel,
          PodLevelResourceManagers: r.podLevel,
          CPUManagerPolicyAlphaOptions: true,
        },
        cpuManagerPolicy: "static",
        numReservedCPUs: 1,
        cpuManagerPolicyOptions:
          r.cpuOption === "" || (r.cpuOption === "align-by-socket" && !alignBySocket)
            ? {}
            : { [r.cpuOption]: "true" },
        memoryManagerPolicy: "Static",
        reservedMemory: new Map([[reservedOn, new Map([["memory", 512n * Mi]])]]),
        topologyManagerPolicy: r.policy,
        topologyManagerScope: r.scope,
        topologyManagerPolicyOptions: r.preferClosest ? { "prefer-closest-numa-nodes": "true" } : {},
      }),
    };
  });

interface ContainerShape {
  cpu: string | undefined;
  memory: string | undefined;
  huge2Mi: string | undefined;
  huge1Gi: string | undefined;
  gpus: number;
  kind: string;
}

interface PodShape {
  containers: ContainerShape[];
  budget: { cpu: string; memory: string } | null;
}

const containerArb: fc.Arbitrary<ContainerShape> = fc.record({
  cpu: fc.constantFrom(undefined, "500m", "1", "2", "3", "4", "6"),
  memory: fc.constantFrom(undefined, "256Mi", "1Gi", "2Gi", "3Gi", "6Gi", "12Gi"),
  huge2Mi: fc.constantFrom(undefined, undefined, undefined, "256Mi", "1Gi"),
  huge1Gi: fc.constantFrom(undefined, undefined, undefined, "1Gi", "2Gi"),
  gpus: fc.constantFrom(0, 0, 0, 1, 2),
  kind: fc.constantFrom("init", "sidecar", "app", "app", "app"),
});

const podArb: fc.Arbitrary<PodShape> = fc.record({
  containers: fc.array(containerArb, { minLength: 1, maxLength: 3 }),
  budget: fc.option(
    fc.record({ cpu: fc.constantFrom("2", "4", "8"), memory: fc.constantFrom("2Gi", "4Gi", "9Gi") }),
    {
      freq: 3,
    },
  ),
});

type Op = SequenceOp<PodShape>;

const opArb = sequenceOpArb(podArb);

function buildPod(uid: string, shape: PodShape): Pod | null {
  const container = (c: ContainerShape, i: number) => {
    const list: Record<string, string> = {};
    if (c.cpu) list.cpu = c.cpu;
    if (c.memory) list.memory = c.memory;
    if (c.huge2Mi) list["hugepages-2Mi"] = c.huge2Mi;
    if (c.huge1Gi) list["hugepages-1Gi"] = c.huge1Gi;
    if (c.gpus > 0) list[GPU] = String(c.gpus);
    return {
      name: `${c.kind}-${i}`,
      image: "image",
      ...(Object.keys(list).length > 0 ? { resources: { requests: list, limits: list } } : {}),
      ...(c.kind === "sidecar" ? { restartPolicy: "Always" } : {}),
    };
  };
  const apps = shape.containers.map(container).filter((_, i) => shape.containers[i].kind === "app");
  const inits = shape.containers.map(container).filter((_, i) => shape.containers[i].kind !== "app");
  if (apps.length === 0)
    apps.push({
      name: "app",
      image: "image",
      resources: { requests: { cpu: "1", memory: "256Mi" }, limits: { cpu: "1", memory: "256Mi" } },
    });
  const budget = shape.budget ? { requests: shape.budget, limits: shape.budget } : null;
  try {
    return podFromObject(
      {
        apiVersion: "v1",
        kind: "Pod",
        metadata: { name: uid, namespace: "default", uid },
        spec: {
          ...(budget ? { resources: budget } : {}),
          ...(inits.length > 0 ? { initContainers: inits } : {}),
          containers: apps,
        },
      },
      `test pod ${uid}`,
    );
  } catch {
    return null;
  }
}

function plain(value: unknown): unknown {
  return JSON.parse(
    JSON.stringify(value, (_k, v) => (typeof v === "bigint" ? `${v}n` : v instanceof Map ? [...v] : v)),
  );
}

function withMode<T>(mode: HintMode, fn: () => T): T {
  const saved = topologyHintSettings.hintMode;
  topologyHintSettings.hintMode = mode;
  try {
    return fn();
  } finally {
    topologyHintSettings.hintMode = saved;
  }
}

const MODES: HintMode[] = ["implicit", "explicit"];
const seen = new Map<string, number>();

function build(setup: Setup, mode: HintMode): Node | string {
  return withMode(mode, () => {
    try {
      return new Node({ machine: setup.machine, config: setup.config });
    } catch (err) {
      return (err as Error).message;
    }
  });
}

function run(setup: Setup, ops: Op[]): void {
  const nodes = MODES.map((mode) => build(setup, mode));
  if (typeof nodes[0] === "string" || typeof nodes[1] === "string") {
    assert.deepEqual(nodes[1], nodes[0]);
    return;
  }
  const [implicit, explicit] = nodes as Node[];
  const log: string[] = [
    `NUMA ${[...setup.machine.memory.keys()].join(",")} ${JSON.stringify(setup.config)}`,
  ];
  ops.forEach((op, i) => {
    const admitted = implicit.admittedPods();
    const act = (node: Node, mode: HintMode): unknown =>
      withMode(mode, () => {
        if (op.op === "admit") {
          const pod = buildPod(`pod-${i}`, op.pod);
          return pod ? plain(node.admit(pod) satisfies AdmissionResult) : null;
        }
        if (admitted.length === 0) return null;
        const pod = admitted[op.pick % admitted.length];
        if (op.op === "remove") return node.remove(pod.uid).removed;
        const all = [...pod.initContainers, ...pod.containers];
        node.removeContainer(pod.uid, all[op.container % all.length].name);
        return null;
      });
    const a = act(implicit, "implicit");
    const b = act(explicit, "explicit");
    log.push(JSON.stringify(op));
    const r = a as {
      admitted?: boolean;
      reason?: string;
      trace?: { merges: { hint: { preferred: boolean } }[] };
    } | null;
    if (op.op === "admit" && r) {
      const preferred = r.trace?.merges.every((m) => m.hint.preferred) ?? true;
      const key = `${setup.config.topologyManagerPolicy} ${r.admitted ? "admitted" : `rejected ${r.reason}`}${preferred ? "" : " (not preferred)"}`;
      seen.set(key, (seen.get(key) ?? 0) + 1);
    }
    try {
      assert.deepEqual(a, b);
      assert.deepEqual(
        plain({ s: snapshotNode(implicit), m: implicit.metrics.snapshot() }),
        plain({ s: snapshotNode(explicit), m: explicit.metrics.snapshot() }),
      );
    } catch (err) {
      throw new Error(`${log.join("\n")}\nimplicit differs from explicit: ${(err as Error).message}`);
    }
  });
}

describe("hint families on a whole node", () => {
  it("merging families and merging the listed hints admit, allocate and trace alike", () => {
    seen.clear();
    fc.assert(
      fc.property(setupArb, fc.array(opArb, { minLength: 1, maxLength: 8 }), (setup, ops) => run(setup, ops)),
      { numRuns: 300 },
    );
    for (const key of [
      "best-effort admitted",
      "best-effort admitted (not preferred)",
      "restricted admitted",
      "restricted rejected TopologyAffinityError (not preferred)",
    ])
      assert.ok(
        (seen.get(key) ?? 0) > 0,
        `no run reached "${key}": ${JSON.stringify(Object.fromEntries(seen))}`,
      );
  });
});
