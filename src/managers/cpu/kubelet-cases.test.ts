/**
 * Further cases of the kubelet's static-policy unit tests (Add, AllocatePod, restore), beyond the
 * shared conformance vectors, run against the engine as a table.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { CPUSet } from "../../core/index.js";
import { CPUTopology, kubeletFixture } from "../../machine/index.js";
import { CPUState } from "./state.js";
import { StaticPolicy } from "./static-policy.js";
import { type TestContainer, testPod } from "./test-pods.js";
import { entriesToJSON, fixedAffinity } from "./testing.js";

const set = (s: string) => CPUSet.parse(s);
const POD_GATES = {
  PodLevelResources: true,
  PodLevelResourceManagers: true,
  CPUManagerPolicyAlphaOptions: true,
};

interface AddCase {
  name: string;
  fixture: string;
  reserved: number;
  reservedCPUs?: string;
  options?: Record<string, string>;
  hint?: number[];
  defaultSet: string;
  assigned?: Record<string, string>;
  /** The container to allocate; default "new". */
  container?: string;
  cpu: string;
  error?: string;
  expect?: string;
}

const ADD_CASES: AddCase[] = [
  {
    name: "request over the free CPUs",
    fixture: "topoSingleSocketHT",
    reserved: 1,
    defaultSet: "0-7",
    cpu: "8",
    error: "not enough cpus available to satisfy request: requested=8, available=7",
  },
  {
    name: "already allocated: same set",
    fixture: "topoSingleSocketHT",
    reserved: 1,
    defaultSet: "0-1,4-5",
    assigned: { c: "2-3,6-7" },
    container: "c",
    cpu: "4",
    expect: "2-3,6-7",
  },
  {
    name: "dual socket, too few",
    fixture: "topoDualSocketHT",
    reserved: 1,
    defaultSet: "0,4-11",
    assigned: { other: "1-3" },
    cpu: "10",
    error: "not enough cpus available to satisfy request: requested=10, available=8",
  },
  {
    name: "SMT: one CPU on an SMT-2 machine",
    fixture: "topoSingleSocketHT",
    reserved: 1,
    options: { "full-pcpus-only": "true" },
    defaultSet: "0-7",
    cpu: "1",
    error: "SMT Alignment Error: requested 1 cpus not multiple cpus per core = 2",
  },
  {
    name: "SMT-4: 15 CPUs",
    fixture: "topoQuadSocketFourWayHT",
    reserved: 8,
    options: { "full-pcpus-only": "true" },
    defaultSet: "0-287",
    cpu: "15",
    error: "SMT Alignment Error: requested 15 cpus not multiple cpus per core = 4",
  },
  {
    name: "SMT: reserved siblings are not free physical CPUs",
    fixture: "topoDualSocketHT",
    reserved: 2,
    reservedCPUs: "1,6",
    options: { "full-pcpus-only": "true" },
    defaultSet: "0,2-5,7-11",
    cpu: "10",
    error:
      "SMT Alignment Error: not enough free physical CPUs: available physical CPUs = 8, requested CPUs = 10, CPUs per core = 2",
  },
  {
    name: "SMT: auto-reserved whole core",
    fixture: "topoDualSocketHT",
    reserved: 2,
    options: { "full-pcpus-only": "true" },
    defaultSet: "1-5,7-11",
    cpu: "10",
    expect: "1-5,7-11",
  },
  {
    name: "align-by-socket widens the hint to the socket",
    fixture: "topoDualSocketMultiNumaPerSocketHT",
    reserved: 1,
    options: { "align-by-socket": "true" },
    hint: [0, 2],
    defaultSet: "2,11,21-22",
    cpu: "2",
    expect: "2,11",
  },
  {
    name: "align-by-socket off keeps to the hinted nodes",
    fixture: "topoDualSocketMultiNumaPerSocketHT",
    reserved: 1,
    options: { "align-by-socket": "false" },
    hint: [0, 2],
    defaultSet: "2,11,21-22",
    cpu: "2",
    expect: "2,21",
  },
  {
    name: "reserved list: sibling of a partial core",
    fixture: "topoSingleSocketHT",
    reserved: 2,
    reservedCPUs: "0-1",
    defaultSet: "0-7",
    cpu: "1",
    expect: "4",
  },
  {
    name: "reserved list: one core",
    fixture: "topoSingleSocketHT",
    reserved: 2,
    reservedCPUs: "0-1",
    defaultSet: "0-1,4-5",
    assigned: { other: "2-3,6-7" },
    cpu: "2",
    expect: "4-5",
  },
];

describe("kubelet TestStaticPolicyAdd cases", () => {
  for (const c of ADD_CASES) {
    test(c.name, () => {
      const state = CPUState.of({ defaultCpuSet: set(c.defaultSet) });
      for (const [name, s] of Object.entries(c.assigned ?? {})) state.setCPUSet("fakePod", name, set(s));
      const policy = new StaticPolicy({
        topology: kubeletFixture(c.fixture)!,
        numReservedCPUs: c.reserved,
        reservedSystemCPUs: c.reservedCPUs ? set(c.reservedCPUs) : null,
        options: c.options,
        gates: { CPUManagerPolicyAlphaOptions: true },
        affinity: fixedAffinity(c.hint ?? null),
        state,
      });
      const pod = testPod({ uid: "fakePod", apps: [{ name: c.container ?? "new", cpu: c.cpu }] });
      const err = policy.allocate(pod, pod.containers[0]);
      assert.equal(err?.message ?? null, c.error ?? null);
      const got = policy.state.getCPUSet("fakePod", pod.containers[0].name);
      assert.equal(got?.toString() ?? null, c.expect ? set(c.expect).toString() : null);
      if (got) assert.ok(!got.intersects(policy.state.getDefaultCPUSet()));
    });
  }
});

interface PodCase {
  name: string;
  podCPU: string;
  podCPULimit?: string;
  init?: TestContainer[];
  apps: TestContainer[];
  expect: Record<string, string>;
  defaultSet: string;
  metrics: [allocations: number, exclusive: number, shared: number];
}

const gu = (name: string, cpu = "1", sidecar = false): TestContainer => ({ name, cpu, sidecar });
const ngu = (name: string, sidecar = false): TestContainer => ({ name, sidecar });

const POD_CASES: PodCase[] = [
  {
    name: "one shared container",
    podCPU: "1",
    apps: [ngu("ngu")],
    expect: { ngu: "6" },
    defaultSet: "0-5,7-11",
    metrics: [1, 0, 1],
  },
  {
    name: "exclusive init containers are reused by app containers",
    podCPU: "2",
    init: [gu("i1"), gu("i2")],
    apps: [gu("c1"), gu("c2")],
    expect: { i1: "2", i2: "2", c1: "2", c2: "8" },
    defaultSet: "0-1,3-7,9-11",
    metrics: [4, 4, 0],
  },
  {
    name: "exclusive sidecar between shared init containers",
    podCPU: "3",
    init: [ngu("i1"), gu("s2", "1", true), ngu("i3")],
    apps: [gu("c1"), ngu("c2")],
    expect: { i1: "2,6,8", s2: "6", i3: "2,8", c1: "2", c2: "8" },
    defaultSet: "0-1,3-5,7,9-11",
    metrics: [5, 2, 3],
  },
  {
    name: "shared sidecar gets the final pool",
    podCPU: "3",
    init: [ngu("i1"), ngu("s2", true), ngu("i3")],
    apps: [gu("c1"), ngu("c2")],
    expect: { i1: "2,6,8", s2: "2,8", i3: "2,6,8", c1: "6", c2: "2,8" },
    defaultSet: "0-1,3-5,7,9-11",
    metrics: [5, 1, 4],
  },
  {
    name: "a Burstable pod gets nothing",
    podCPU: "2",
    podCPULimit: "1",
    apps: [gu("c1")],
    expect: {},
    defaultSet: "0-11",
    metrics: [0, 0, 0],
  },
];

describe("kubelet TestStaticPolicyAllocatePod cases", () => {
  for (const c of POD_CASES) {
    test(c.name, () => {
      const policy = new StaticPolicy({
        topology: kubeletFixture("topoDualSocketHT")!,
        numReservedCPUs: 1,
        reservedSystemCPUs: set("0"),
        gates: POD_GATES,
        state: CPUState.of({ defaultCpuSet: set("0-11") }),
      });
      const pod = testPod({ uid: "p", podCPU: c.podCPU, init: c.init, apps: c.apps });
      if (c.podCPULimit)
        pod.resources!.limits.cpu = testPod({ uid: "x", podCPU: c.podCPULimit, apps: [] })
          .resources!.limits.cpu;
      assert.equal(policy.allocatePod(pod), null);
      const want: Record<string, Record<string, string>> = Object.keys(c.expect).length === 0
        ? {}
        : { p: c.expect };
      const norm = (o: Record<string, Record<string, string>>) =>
        Object.fromEntries(
          Object.entries(o).map(([k, v]) => [
            k,
            Object.fromEntries(
              Object.entries(v)
                .map(([n, s]) => [n, set(s).toString()])
                .sort(),
            ),
          ]),
        );
      assert.deepEqual(norm(entriesToJSON(policy.state)), norm(want));
      assert.equal(policy.state.getDefaultCPUSet().toString(), set(c.defaultSet).toString());
      const m = policy.metrics;
      assert.deepEqual(
        [
          m.get("resource_manager_allocations_total", ["cpu", "pod"]),
          m.get("resource_manager_container_assignments", ["cpu", "pod_exclusive"]),
          m.get("resource_manager_container_assignments", ["cpu", "pod_shared"]),
        ],
        c.metrics,
      );
    });
  }
});

/** `topoRestoreUniformSingleSocket`: 8 single-thread cores on one socket, NUMA count unset. */
const UNIFORM = new CPUTopology(
  { numCPUs: 8, numCores: 8, numSockets: 1, numNUMANodes: 0, numUncoreCaches: 0 },
  Array.from({ length: 8 }, (_, id) => ({ id, core: id, socket: 0, numa: 0, uncore: 0 })),
);

interface RestoreCase {
  name: string;
  podCPU: string;
  init?: TestContainer[];
  apps: TestContainer[];
  defaultSet: string;
  bubble: string;
  stored: Record<string, string>;
  expect: Record<string, string>;
  expectBubble: string;
  expectDefault: string;
  twice?: boolean;
}

const g2 = (name: string, sidecar = false) => gu(name, "2", sidecar);

const RESTORE_CASES: RestoreCase[] = [
  {
    name: "complete checkpoint kept even where a fresh run would differ",
    podCPU: "4",
    apps: [g2("c1"), g2("c2")],
    defaultSet: "0-2,7",
    bubble: "3-6",
    stored: { c1: "3-4", c2: "5-6" },
    expect: { c1: "3-4", c2: "5-6" },
    expectBubble: "3-6",
    expectDefault: "0-2,7",
  },
  {
    name: "missing container carved out of the bubble",
    podCPU: "4",
    apps: [g2("c1"), g2("c2")],
    defaultSet: "0,5-7",
    bubble: "1-4",
    stored: { c1: "1-2" },
    expect: { c1: "1-2", c2: "3-4" },
    expectBubble: "1-4",
    expectDefault: "0,5-7",
  },
  {
    name: "no container entry at all",
    podCPU: "4",
    apps: [g2("c1"), g2("c2")],
    defaultSet: "0,5-7",
    bubble: "1-4",
    stored: {},
    expect: { c1: "1-2", c2: "3-4" },
    expectBubble: "1-4",
    expectDefault: "0,5-7",
  },
  {
    name: "app reuses a restored init container's CPUs",
    podCPU: "2",
    init: [g2("i1")],
    apps: [g2("c1")],
    defaultSet: "0,3-7",
    bubble: "1-2",
    stored: { i1: "1-2" },
    expect: { i1: "1-2", c1: "1-2" },
    expectBubble: "1-2",
    expectDefault: "0,3-7",
  },
  {
    name: "missing sidecar avoids a restored earlier sidecar",
    podCPU: "6",
    init: [g2("s1", true), g2("s2", true)],
    apps: [g2("c1")],
    defaultSet: "0,7",
    bubble: "1-6",
    stored: { s1: "1-2" },
    expect: { s1: "1-2", s2: "3-4", c1: "5-6" },
    expectBubble: "1-6",
    expectDefault: "0,7",
  },
  {
    name: "several init containers reuse the bubble",
    podCPU: "2",
    init: [g2("i1"), g2("i2")],
    apps: [g2("c1")],
    defaultSet: "0,3-7",
    bubble: "1-2",
    stored: { i1: "1-2" },
    expect: { i1: "1-2", i2: "1-2", c1: "1-2" },
    expectBubble: "1-2",
    expectDefault: "0,3-7",
  },
  {
    name: "idempotent",
    podCPU: "4",
    apps: [g2("c1"), g2("c2")],
    defaultSet: "0,5-7",
    bubble: "1-4",
    stored: { c1: "1-2" },
    expect: { c1: "1-2", c2: "3-4" },
    expectBubble: "1-4",
    expectDefault: "0,5-7",
    twice: true,
  },
];

describe("kubelet TestStaticPolicyRestorePodAllocation cases", () => {
  for (const c of RESTORE_CASES) {
    test(c.name, () => {
      const stored: Record<string, CPUSet> = {};
      for (const [k, v] of Object.entries(c.stored)) stored[k] = set(v);
      const policy = new StaticPolicy({
        topology: UNIFORM,
        numReservedCPUs: 1,
        reservedSystemCPUs: set("0"),
        gates: POD_GATES,
        state: CPUState.of({
          defaultCpuSet: set(c.defaultSet),
          podEntries: { p: set(c.bubble) },
          entries: { p: stored },
        }),
      });
      const pod = testPod({ uid: "p", podCPU: c.podCPU, init: c.init, apps: c.apps });
      assert.equal(policy.allocatePod(pod), null);
      if (c.twice) assert.equal(policy.allocatePod(pod), null);
      const got = Object.fromEntries(
        [...policy.state.podAssignments("p")].map(([k, v]) => [k, v.toString()]).sort(),
      );
      const want = Object.fromEntries(
        Object.entries(c.expect)
          .map(([k, v]) => [k, set(v).toString()])
          .sort(),
      );
      assert.deepEqual(got, want);
      assert.equal(policy.state.getPodCPUSet("p")?.toString(), set(c.expectBubble).toString());
      assert.equal(policy.state.getDefaultCPUSet().toString(), set(c.expectDefault).toString());
    });
  }
});
