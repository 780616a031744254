import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import type { CaseOutcome } from "../suite.js";
import { suite } from "./podlevel.restore.js";
import { CPU_FACTS, MEMORY_FACTS, NOTE_KEYS } from "./podlevel.restore-facts.js";

type Obj = Record<string, unknown>;

const README = join(
  process.env.PODPIN_CONFORMANCE_DIR ??
    resolve(dirname(fileURLToPath(import.meta.url)), "../../../../shared/conformance"),
  "podlevel/README.md",
);

/** The names the README's restore.json section lists as the vocabulary of `expected`. */
function readmeVocabulary(): string[] {
  const text = readFileSync(README, "utf8");
  const section = text.slice(text.indexOf("## restore.json"));
  const body = section.slice(0, section.indexOf("\n## ", 1));
  const block = body.slice(body.indexOf("The property vocabulary"));
  const names = [...block.matchAll(/`([A-Za-z]+)`/g)].map((m) => m[1]);
  return [...new Set(names)].filter((n) => n !== "expected" && n !== "null");
}

const cpuPod = (uid: string, podCPU: string | null, containerCPU: string): Obj => ({
  metadata: { name: uid, uid },
  spec: {
    ...(podCPU ? { resources: { requests: { cpu: podCPU }, limits: { cpu: podCPU } } } : {}),
    containers: [
      { name: "app", resources: { requests: { cpu: containerCPU }, limits: { cpu: containerCPU } } },
    ],
  },
});

const cores = (n: number, reserved = 1): Obj => ({
  inline: `buildCoresTopology(${n})`,
  numCPUs: n,
  sockets: 1,
  numaNodes: 1,
  smt: false,
  reservation: `NewManager(... nodeAllocatableReservation {cpu: ${reserved}}, reservedSystemCPUs empty) -> ${reserved} reserved CPU`,
});

const GATES_ON = { PodLevelResources: true, PodLevelResourceManagers: true };

/** One pod-level pod (2 CPUs, its container 1) on 4 cores. */
function onePod(op: string, expected: Obj, extra: Obj = {}): Obj {
  return {
    name: `one pod: ${Object.keys(expected).join(", ")}`,
    op,
    machine: cores(4),
    config: { policy: "static", gates: GATES_ON },
    pod: cpuPod("pod1", "2", "1"),
    expected,
    ...extra,
  };
}

/** A pod-level pod and a container-scope pod on 8 cores. */
function twoPods(expected: Obj): Obj {
  return {
    name: `two pods: ${Object.keys(expected).join(", ")}`,
    op: "cpuManagerRestartAndReadmit",
    machine: cores(8),
    config: { policy: "static", gates: GATES_ON },
    pods: [
      { ...cpuPod("pod-level", "2", "2"), admittedWith: "AllocatePod" },
      { ...cpuPod("container-scope", null, "2"), admittedWith: "Allocate(app)" },
    ],
    expected,
  };
}

function memoryCase(expected: Obj, machine: Obj = {}): Obj {
  return {
    name: `memory: ${Object.keys(expected).join(", ")}`,
    op: "memoryManagerRestart",
    machine: {
      nodeAllocatableReservation: { memory: "2Gi" },
      reservedMemory: { "0": { memory: "1Gi" }, "1": { memory: "1Gi" } },
      ...machine,
    },
    config: { policy: "Static", gates: GATES_ON },
    pod: {
      metadata: { name: "pod1", uid: "pod1" },
      spec: {
        resources: { requests: { memory: "128Mi" }, limits: { memory: "128Mi" } },
        containers: [
          { name: "app", resources: { requests: { memory: "100Mi" }, limits: { memory: "100Mi" } } },
        ],
      },
    },
    expected,
  };
}

/**
 * For every name of the vocabulary, a case that uses it and what it must observe there. The
 * two-pod case has a container-scope pod, whose CPUs are in neither the default set nor a pod set.
 */
const CASES: Record<string, Obj> = {
  podCpuSetPresentBeforeAndAfterRestart: onePod("cpuManagerRestart", {
    podCpuSetPresentBeforeAndAfterRestart: true,
  }),
  podCpuSetEqualAfterRestart: onePod("cpuManagerRestart", { podCpuSetEqualAfterRestart: true }),
  containerCpuSetPresentAfterRestart: onePod("cpuManagerRestart", {
    containerCpuSetPresentAfterRestart: true,
  }),
  readmissionError: onePod("cpuManagerRestartAndReadmit", { readmissionError: null }),
  podCpuSetUnchanged: onePod("cpuManagerRestartAndReadmit", { podCpuSetUnchanged: true }),
  containerCpuSetsUnchanged: onePod("cpuManagerRestartAndReadmit", { containerCpuSetsUnchanged: true }),
  defaultCpuSetUnchanged: onePod("cpuManagerRestartAndReadmit", { defaultCpuSetUnchanged: true }),
  podCpuSetUnionDefaultEqualsAllCPUs: onePod("cpuManagerRestartAndReadmit", {
    podCpuSetUnionDefaultEqualsAllCPUs: true,
  }),
  containerSetsSubsetOfPodSet: onePod("cpuManagerRestartAndReadmit", { containerSetsSubsetOfPodSet: true }),
  podCpuSetsUnchanged: twoPods({ podCpuSetsUnchanged: true }),
  defaultUnionPodSetsEqualsAllCPUsBeforeAndAfter: twoPods({
    defaultUnionPodSetsEqualsAllCPUsBeforeAndAfter: false,
  }),
  allAssignmentsUnchanged: twoPods({ allAssignmentsUnchanged: true }),
  defaultUnionPodSetUnionContainerScopeSetEqualsAllCPUs: twoPods({
    defaultUnionPodSetUnionContainerScopeSetEqualsAllCPUs: true,
  }),
  pairwiseDisjoint: twoPods({ pairwiseDisjoint: true }),
  podBlocksPresentBeforeAndAfter: memoryCase({ podBlocksPresentBeforeAndAfter: true }),
  podBlockCountEqualAfterRestart: memoryCase({ podBlockCountEqualAfterRestart: true }),
  containerBlocksPresentAfterRestart: memoryCase({ containerBlocksPresentAfterRestart: true }),
  note: onePod("cpuManagerRestart", { podCpuSetEqualAfterRestart: true, note: "prose, never compared" }),
};

function runOne(c: Obj): CaseOutcome {
  const [outcome] = suite.run([c]);
  return outcome;
}

function assertFails(c: Obj, pattern: RegExp): void {
  const o = runOne(c);
  assert.equal(o.passed, false, `${c.name} should fail`);
  assert.match(String(o.actual), pattern);
}

describe("podlevel/restore.json runner: the README's property vocabulary", () => {
  const vocabulary = readmeVocabulary();

  test("the README section lists the vocabulary (the parse found it)", () => {
    assert.ok(vocabulary.length >= 18, `found ${vocabulary.join(", ")}`);
    assert.ok(vocabulary.includes("readmissionError") && vocabulary.includes("pairwiseDisjoint"));
  });

  test("the runner knows every listed name", () => {
    const known = new Set([...Object.keys(CPU_FACTS), ...Object.keys(MEMORY_FACTS), ...NOTE_KEYS]);
    assert.deepEqual(
      vocabulary.filter((n) => !known.has(n)),
      [],
    );
  });

  for (const name of vocabulary) {
    test(`a case using ${name} runs`, () => {
      const c = CASES[name];
      assert.ok(c, `no test case for ${name}`);
      const o = runOne(c);
      assert.equal(o.passed, true, JSON.stringify(o));
    });
  }

  test("an expectation the run contradicts fails with both values", () => {
    const o = runOne(onePod("cpuManagerRestartAndReadmit", { podCpuSetUnchanged: false }));
    assert.equal(o.passed, false);
    assert.deepEqual(o.expected, { podCpuSetUnchanged: false });
    assert.deepEqual(o.actual, { podCpuSetUnchanged: true });
  });

  test("a name outside the vocabulary, or of the other manager, fails naming it", () => {
    assertFails(
      onePod("cpuManagerRestart", { podCpuSetMoved: false }),
      /expected\.podCpuSetMoved: unknown property/,
    );
    assertFails(
      onePod("cpuManagerRestart", { podBlocksPresentBeforeAndAfter: true }),
      /expected\.podBlocksPresentBeforeAndAfter: a property of the other manager's restart, not of op cpuManagerRestart/,
    );
  });
});

describe("podlevel/restore.json runner: inputs are applied", () => {
  test("admittedWith: a pod-level pod admitted per container has no pod set", () => {
    const c = onePod("cpuManagerRestart", {
      podCpuSetPresentBeforeAndAfterRestart: false,
      containerCpuSetPresentAfterRestart: true,
    });
    const withAllocate = {
      ...c,
      pod: undefined,
      pods: [{ ...(c.pod as Obj), admittedWith: "Allocate(app)" }],
    };
    assert.equal(runOne(withAllocate).passed, true);
    assertFails(
      { ...c, pod: undefined, pods: [{ ...(c.pod as Obj), admittedWith: "Allocate(sidecar)" }] },
      /pods\[0\]\.admittedWith: pod has no app container "sidecar"/,
    );
  });

  test("machine.reservation: the reserved CPUs are not allocatable", () => {
    const big = { pod: cpuPod("pod1", "3", "1") };
    assert.equal(runOne(onePod("cpuManagerRestart", { podCpuSetEqualAfterRestart: true }, big)).passed, true);
    assertFails(
      onePod("cpuManagerRestart", { podCpuSetEqualAfterRestart: true }, { ...big, machine: cores(4, 2) }),
      /not enough cpus available to satisfy request/,
    );
  });

  test("a machine or policy the Go fixture cannot be fails naming the field", () => {
    assertFails(
      onePod(
        "cpuManagerRestart",
        { podCpuSetEqualAfterRestart: true },
        { machine: { ...cores(4), sockets: 2 } },
      ),
      /machine\.sockets: buildCoresTopology has sockets = 1, got 2/,
    );
    assertFails(
      onePod(
        "cpuManagerRestart",
        { podCpuSetEqualAfterRestart: true },
        { config: { policy: "none", gates: GATES_ON } },
      ),
      /config\.policy: the restart tests run the static policy, got "none"/,
    );
  });

  test("memory reservations must add up to the node-allocatable reservation", () => {
    assertFails(
      memoryCase({ podBlocksPresentBeforeAndAfter: true }, { nodeAllocatableReservation: { memory: "3Gi" } }),
      /machine\.nodeAllocatableReservation\.memory: 3221225472 bytes, but machine\.reservedMemory adds up to 2147483648/,
    );
  });

  test("gates: with PodLevelResourceManagers off, a pod-level pod gets no pod-level blocks", () => {
    const c = memoryCase({
      podBlocksPresentBeforeAndAfter: false,
      containerBlocksPresentAfterRestart: false,
    });
    const off = {
      ...c,
      config: { policy: "Static", gates: { PodLevelResources: true, PodLevelResourceManagers: false } },
    };
    assert.equal(runOne(off).passed, true, JSON.stringify(runOne(off)));
  });
});
