import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { Quantity } from "../core/index.js";
import type { Pod } from "../k8s/index.js";
import { type DeviceResource, type Machine, NO_PLUGIN_OPTIONS, presetMachine } from "../machine/index.js";
import {
  type AdmitTrace,
  type HintMode,
  type TraceBuild,
  topologyHintSettings,
  traceSettings,
} from "../managers/topology/index.js";
import { defaultNodeConfig } from "./config.js";
import {
  buildPod,
  machineOf,
  type Op,
  opArb,
  type PodShape,
  type Setup,
  setupArb,
} from "./fuzz-sequences.js";
import { Node } from "./node.js";
import { Gi, guaranteedPodYaml, podFromYaml } from "./test-support.js";
import type { AdmissionResult } from "./types.js";

/*
 * Trace on demand: an admission keeps the providers' answers by reference and builds their data
 * when the trace is read. Two nodes run the same random admissions and removals, one building
 * every trace during the admission (the reference), one lazily; each lazy trace is read only
 * after the whole sequence, when the node's state has moved on, and must equal the eager one as
 * it was printed at admission time: as JSON, as objects, and in the counts JSON leaves out.
 */

const GPU = "example.com/gpu";

function withSettings<T>(build: TraceBuild, mode: HintMode, fn: () => T): T {
  const saved = { build: traceSettings.build, mode: topologyHintSettings.hintMode };
  traceSettings.build = build;
  topologyHintSettings.hintMode = mode;
  try {
    return fn();
  } finally {
    traceSettings.build = saved.build;
    topologyHintSettings.hintMode = saved.mode;
  }
}

/** The machine with a GPU on every `gpuEvery`-th NUMA node, so that explicit device lists show up. */
function withGPUs(machine: Machine, gpuEvery: number): Machine {
  const ids = [...machine.memory.keys()].sort((a, b) => a - b);
  const devices = ids
    .filter((_, i) => i % gpuEvery === 0)
    .flatMap((numa) => [0, 1].map((g) => ({ id: `gpu-${numa}-${g}`, numaNodes: [numa], healthy: true })));
  const gpu: DeviceResource = { name: GPU, registered: true, devices, plugin: NO_PLUGIN_OPTIONS };
  return { ...machine, devices: new Map([[GPU, gpu]]) };
}

/** The pod with `gpus` GPUs on its first app container that has resources. */
function withGPURequest(pod: Pod, gpus: number): Pod {
  if (gpus === 0) return pod;
  const containers = pod.containers.map((c) => ({ ...c }));
  const target = containers.find((c) => c.resources !== null);
  if (!target?.resources) return pod;
  const q = Quantity.fromInt(BigInt(gpus));
  target.resources = {
    requests: { ...target.resources.requests, [GPU]: q },
    limits: { ...target.resources.limits, [GPU]: q },
  };
  return { ...pod, containers };
}

/** A trace as JSON, with the non-enumerable counts of unlisted hints of every answer beside it. */
function printed(trace: AdmitTrace): unknown {
  return {
    json: JSON.parse(JSON.stringify(trace)),
    unlisted: trace.merges.map((m) =>
      m.answers.map((a) => (a.unlisted === undefined ? null : { ...a.unlisted })),
    ),
  };
}

interface Run {
  machine: Machine;
  setup: Setup;
  mode: HintMode;
}

function nodeFor(run: Run, build: TraceBuild): Node | string {
  return withSettings(build, run.mode, () => {
    try {
      return new Node({ machine: run.machine, config: run.setup.config });
    } catch (err) {
      return (err as Error).message;
    }
  });
}

/** Runs the sequence on both nodes; returns how many traces were compared. */
function compareTraces(run: Run, ops: readonly { op: Op; gpus: number }[]): number {
  const eager = nodeFor(run, "eager");
  const lazy = nodeFor(run, "lazy");
  if (typeof eager === "string" || typeof lazy === "string") {
    assert.equal(lazy, eager);
    return 0;
  }
  const kept: { step: number; eager: AdmitTrace; printedAtAdmission: unknown; lazy: AdmissionResult }[] = [];
  ops.forEach(({ op, gpus }, step) => {
    const admitted = lazy.admittedPods();
    if (op.op === "admit") {
      const built = buildPod(`pod-${step}`, op.pod);
      if (!built) return;
      const pod = withGPURequest(built, gpus);
      const e = withSettings("eager", run.mode, () => eager.admit(pod));
      const l = withSettings("lazy", run.mode, () => lazy.admit(pod));
      kept.push({ step, eager: e.trace, printedAtAdmission: printed(e.trace), lazy: l });
      return;
    }
    if (admitted.length === 0) return;
    const pod = admitted[op.pick % admitted.length];
    for (const node of [eager, lazy]) {
      if (op.op === "remove") node.remove(pod.uid);
      else {
        const all = [...pod.initContainers, ...pod.containers];
        node.removeContainer(pod.uid, all[op.container % all.length].name);
      }
    }
  });
  for (const k of kept) {
    const where = `${run.setup.machine} ${run.mode} ${JSON.stringify(run.setup.config.topologyManagerPolicy)} step ${k.step}`;
    assert.deepEqual(printed(k.lazy.trace), k.printedAtAdmission, `${where}: lazy trace differs from eager`);
    assert.deepEqual(k.lazy.trace, k.eager, `${where}: trace objects differ`);
  }
  return kept.length;
}

const runArb: fc.Arbitrary<Run> = fc
  .record({
    setup: setupArb,
    mode: fc.constantFrom<HintMode>("implicit", "explicit"),
    gpuEvery: fc.constantFrom(0, 1, 2),
  })
  .map(({ setup, mode, gpuEvery }) => {
    const machine = machineOf(setup.machine, BigInt(setup.memoryPerNodeGi) * Gi, setup.hugepagesPerNodeMi);
    return { setup, mode, machine: gpuEvery === 0 ? machine : withGPUs(machine, gpuEvery) };
  });

const CLASSIC_2_CPU: PodShape = {
  flavor: "classic",
  budget: null,
  containers: [{ role: "app", cpu: "2", memory: "1Gi", hugepages: null, qos: "guaranteed" }],
};

const stepArb = fc.record({ op: opArb, gpus: fc.constantFrom(0, 0, 0, 1, 2) });

describe("trace on demand", () => {
  it("a trace read after the node moved on equals the one built during the admission", () => {
    let compared = 0;
    fc.assert(
      fc.property(runArb, fc.array(stepArb, { minLength: 1, maxLength: 10 }), (run, steps) => {
        compared += compareTraces(run, steps);
      }),
      { numRuns: 250 },
    );
    assert.ok(compared > 500, `only ${compared} traces compared`);
  });

  it("a 16-node family shown by its first hints and a count is the same either way", () => {
    const machine = presetMachine("synthetic-16n");
    assert.ok(machine, "preset synthetic-16n is missing");
    for (const policy of ["best-effort", "restricted"] as const) {
      const config = defaultNodeConfig({
        cpuManagerPolicy: "static",
        numReservedCPUs: 2,
        memoryManagerPolicy: "Static",
        reservedMemory: new Map([[0, new Map([["memory", 1n * Gi]])]]),
        topologyManagerPolicy: policy,
        topologyManagerScope: "container",
        topologyManagerPolicyOptions: { "max-allowable-numa-nodes": "16" },
      });
      // Implicit families only: listing 2^16 − 1 masks one by one is what they avoid.
      const run: Run = { machine, mode: "implicit", setup: { machine: "synthetic-16n", config } as Setup };
      const admit = { op: "admit" as const, pod: CLASSIC_2_CPU };
      assert.equal(
        compareTraces(
          run,
          [admit, admit, admit].map((op) => ({ op, gpus: 0 })),
        ),
        3,
      );
      const node = nodeFor(run, "lazy");
      assert.ok(typeof node !== "string", String(node));
      const trace = node.admit(podFromYaml(guaranteedPodYaml("x", 2))).trace;
      const unlisted = trace.merges[0].answers.map((a) => a.unlisted);
      assert.ok(
        unlisted.some((u) => u !== undefined && Object.values(u).some((n) => n !== null && n > 0)),
        `no family was truncated: ${JSON.stringify(unlisted)}`,
      );
    }
  });
});
