import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { CPUSet, ManagerError } from "../../core/index.js";
import { DEFAULT_FEATURE_GATES, type FeatureGates } from "../../k8s/index.js";
import { type CPUTopology, kubeletFixture } from "../../machine/index.js";
import { maskBits } from "../topology/index.js";
import { CPUState } from "./state.js";
import { StaticPolicy, type StaticPolicyConfig } from "./static-policy.js";
import { testPod } from "./test-pods.js";
import { fixedAffinity } from "./testing.js";

const set = (s: string) => CPUSet.parse(s);
const ON: Partial<FeatureGates> = {
  PodLevelResources: true,
  PodLevelResourceManagers: true,
  CPUManagerPolicyAlphaOptions: true,
};

function fixture(name: string): CPUTopology {
  const t = kubeletFixture(name);
  assert.ok(t, name);
  return t;
}

function started(config: Partial<StaticPolicyConfig> & { topology?: CPUTopology } = {}): StaticPolicy {
  const policy = new StaticPolicy({ topology: fixture("topoSingleSocketHT"), numReservedCPUs: 1, ...config });
  assert.equal(policy.start(), null);
  return policy;
}

function throwsManagerError(fn: () => unknown, message: string): void {
  assert.throws(fn, (err: unknown) => err instanceof ManagerError && err.message === message);
}

describe("construction and options", () => {
  test("reserves low-numbered whole cores by topology", () => {
    const p = new StaticPolicy({ topology: fixture("topoSingleSocketHT"), numReservedCPUs: 2 });
    assert.equal(p.reserved.toString(), "0,4");
    assert.equal(p.reservedPhysical.toString(), "0,4");
  });

  test("explicit reserved CPUs win, and their siblings count as reserved physical CPUs", () => {
    const p = new StaticPolicy({
      topology: fixture("topoSingleSocketHT"),
      numReservedCPUs: 1,
      reservedSystemCPUs: set("1"),
    });
    assert.equal(p.reserved.toString(), "1");
    assert.equal(p.reservedPhysical.toString(), "1,5");
  });

  test("a reservation of the wrong size is refused with the kubelet's message", () => {
    throwsManagerError(
      () =>
        new StaticPolicy({
          topology: fixture("topoSingleSocketHT"),
          numReservedCPUs: 2,
          reservedSystemCPUs: set("3"),
        }),
      "[cpumanager] unable to reserve the required amount of CPUs (size of 3 did not equal 2)",
    );
    throwsManagerError(
      () => new StaticPolicy({ topology: fixture("topoSingleSocketHT"), numReservedCPUs: 9 }),
      "[cpumanager] unable to reserve the required amount of CPUs (size of  did not equal 9)",
    );
  });

  test("option errors", () => {
    const topology = fixture("topoDualSocketMultiNumaPerSocketHT");
    const make = (options: Record<string, string>, gates: Partial<FeatureGates> = {}, tm = "none") =>
      new StaticPolicy({ topology, numReservedCPUs: 0, options, gates, topologyManagerPolicy: tm });
    throwsManagerError(() => make({ foo: "true" }), 'unknown CPU Manager Policy option: "foo"');
    throwsManagerError(
      () => make({ "align-by-socket": "true" }),
      'CPU Manager Policy Alpha-level Options not enabled, but option "align-by-socket" provided',
    );
    throwsManagerError(
      () => make({ "strict-cpu-reservation": "true" }, { CPUManagerPolicyBetaOptions: false }),
      'CPU Manager Policy Beta-level Options not enabled, but option "strict-cpu-reservation" provided',
    );
    throwsManagerError(
      () => make({ "full-pcpus-only": "yes" }),
      'bad value for option "full-pcpus-only": strconv.ParseBool: parsing "yes": invalid syntax',
    );
    throwsManagerError(
      () => make({ "full-pcpus-only": "T", "distribute-cpus-across-cores": "1" }, ON),
      "static policy options full-pcpus-only and distribute-cpus-across-cores can not be used at the same time",
    );
    throwsManagerError(
      () => make({ "prefer-align-cpus-by-uncorecache": "true", "distribute-cpus-across-numa": "true" }),
      "static policy options prefer-align-cpus-by-uncorecache and distribute-cpus-across-numa can not be used at the same time",
    );
    throwsManagerError(
      () => make({ "align-by-socket": "true" }, ON, "single-numa-node"),
      "Topolgy manager single-numa-node policy is incompatible with CPUManager align-by-socket policy option",
    );
    throwsManagerError(
      () =>
        new StaticPolicy({
          topology: fixture("topoDualSocketHT"),
          numReservedCPUs: 0,
          options: { "align-by-socket": "true" },
          gates: ON,
        }),
      "Align by socket is not compatible with hardware where number of sockets are more than number of NUMA",
    );
    assert.equal(
      make({ "full-pcpus-only": "False", "align-by-socket": "true" }, ON).options.alignBySocket,
      true,
    );
  });
});

describe("start", () => {
  test("an empty state becomes every CPU, and the gauges are initialised", () => {
    const p = started();
    assert.equal(p.state.getDefaultCPUSet().toString(), "0-7");
    assert.equal(p.metrics.get("cpu_manager_shared_pool_size_millicores"), 7000);
    assert.equal(p.metrics.get("cpu_manager_exclusive_cpu_allocation_count"), 0);
    assert.ok("container_aligned_compute_resources_count{container,uncore_cache}" in p.metrics.snapshot());
  });

  test("strict reservation keeps the reserved CPUs out of the default set", () => {
    const p = started({ options: { "strict-cpu-reservation": "true" } });
    assert.equal(p.state.getDefaultCPUSet().toString(), "1-7");
    const q = new StaticPolicy({
      topology: fixture("topoSingleSocketHT"),
      numReservedCPUs: 1,
      options: { "strict-cpu-reservation": "true" },
      state: CPUState.of({ defaultCpuSet: set("0-7") }),
    });
    assert.equal(
      q.start()?.message,
      'some of strictly reserved cpus: "0" are present in defaultCpuSet: "0-7"',
    );
  });

  test("pod bubbles count as known CPUs with the gate on, not with it off", () => {
    const state = () => CPUState.of({ defaultCpuSet: set("0,4-7"), podEntries: { p: set("1-3") } });
    const on = new StaticPolicy({
      topology: fixture("topoSingleSocketHT"),
      numReservedCPUs: 1,
      gates: ON,
      state: state(),
    });
    assert.equal(on.start(), null);
    const off = new StaticPolicy({
      topology: fixture("topoSingleSocketHT"),
      numReservedCPUs: 1,
      state: state(),
    });
    assert.equal(
      off.start()?.message,
      'current set of available CPUs "0-7" doesn\'t match with CPUs in state "0,4-7"',
    );
  });
});

describe("container allocation", () => {
  test("an integral Guaranteed container gets whole cores and the metrics move", () => {
    const p = started();
    const pod = testPod({ uid: "p", apps: [{ name: "c", cpu: "2" }] });
    assert.equal(p.allocate(pod, pod.containers[0]), null);
    assert.equal(p.state.getCPUSet("p", "c")?.toString(), "1,5");
    assert.equal(p.state.getDefaultCPUSet().toString(), "0,2-4,6-7");
    assert.equal(p.metrics.get("cpu_manager_pinning_requests_total"), 1);
    assert.equal(p.metrics.get("resource_manager_allocations_total", ["cpu", "node"]), 1);
    assert.equal(p.metrics.get("resource_manager_container_assignments", ["cpu", "node_exclusive"]), 1);
    assert.equal(p.metrics.get("cpu_manager_exclusive_cpu_allocation_count"), 2);
    assert.equal(p.metrics.get("cpu_manager_shared_pool_size_millicores"), 5000);
    // Already allocated: nothing new, but the request is counted again.
    assert.equal(p.allocate(pod, pod.containers[0]), null);
    assert.equal(p.metrics.get("cpu_manager_pinning_requests_total"), 2);
    assert.equal(p.metrics.get("resource_manager_allocations_total", ["cpu", "node"]), 1);
  });

  test("fractional or non-Guaranteed containers stay in the shared pool", () => {
    const p = started();
    const frac = testPod({ uid: "f", apps: [{ name: "c", cpu: "1500m" }] });
    const burst = testPod({ uid: "b", apps: [{ name: "c", cpu: "1", cpuLimit: "2" }] });
    assert.equal(p.allocate(frac, frac.containers[0]), null);
    assert.equal(p.allocate(burst, burst.containers[0]), null);
    assert.equal(p.state.getCPUAssignments().size, 0);
    assert.equal(p.getTopologyHints(frac, frac.containers[0]), null);
    assert.equal(p.metrics.get("cpu_manager_pinning_requests_total"), 0);
  });

  test("the hinted NUMA nodes are served first", () => {
    const p = started({ topology: fixture("topoDualSocketHT"), affinity: fixedAffinity([1]) });
    const pod = testPod({ uid: "p", apps: [{ name: "c", cpu: "2" }] });
    assert.equal(p.allocate(pod, pod.containers[0]), null);
    assert.deepEqual(p.topology.numaNodesOf(p.state.getCPUSet("p", "c")!), [1]);
  });

  test("full-pcpus-only: SMT errors carry their reason and move the failure counters", () => {
    const p = started({ topology: fixture("topoDualSocketHT"), options: { "full-pcpus-only": "true" } });
    const odd = testPod({ uid: "p", apps: [{ name: "c", cpu: "3" }] });
    const err = p.allocate(odd, odd.containers[0]);
    assert.equal(err?.reason, "SMTAlignmentError");
    assert.equal(err?.message, "SMT Alignment Error: requested 3 cpus not multiple cpus per core = 2");
    const big = testPod({ uid: "q", apps: [{ name: "c", cpu: "12" }] });
    assert.equal(
      p.allocate(big, big.containers[0])?.message,
      "SMT Alignment Error: not enough free physical CPUs: available physical CPUs = 10, requested CPUs = 12, CPUs per core = 2",
    );
    assert.equal(p.metrics.get("cpu_manager_pinning_errors_total"), 2);
    assert.equal(p.metrics.get("resource_manager_allocation_errors_total", ["cpu", "node"]), 2);
    assert.equal(
      p.metrics.get("container_aligned_compute_resources_failure_count", ["container", "physical_cpu"]),
      2,
    );
    const ok = testPod({ uid: "r", apps: [{ name: "c", cpu: "4" }] });
    assert.equal(p.allocate(ok, ok.containers[0]), null);
    assert.equal(
      p.metrics.get("container_aligned_compute_resources_count", ["container", "physical_cpu"]),
      1,
    );
  });

  test("a take failure leaves the state untouched", () => {
    const p = started();
    const before = p.state.clone();
    const pod = testPod({ uid: "p", apps: [{ name: "c", cpu: "8" }] });
    assert.equal(
      p.allocate(pod, pod.containers[0])?.message,
      "not enough cpus available to satisfy request: requested=8, available=7",
    );
    assert.deepEqual(p.state.data, before.data);
    assert.equal(p.metrics.get("resource_manager_allocation_errors_total", ["cpu", "node"]), 1);
  });
});

describe("init-container reuse and removal", () => {
  test("an app container reuses a finished init container's CPUs; removal frees them only once unused", () => {
    const p = started();
    const pod = testPod({ uid: "p", init: [{ name: "init", cpu: "4" }], apps: [{ name: "app", cpu: "2" }] });
    assert.equal(p.allocate(pod, pod.initContainers[0]), null);
    assert.equal(p.state.getCPUSet("p", "init")?.toString(), "1-2,5-6");
    assert.equal(p.reusableCPUs("p").toString(), "1-2,5-6");
    // Hints count the reusable CPUs.
    assert.deepEqual(
      p
        .getTopologyHints(pod, pod.containers[0])
        ?.get("cpu")
        ?.map((h) => [maskBits(h.affinity!), h.preferred]),
      [[[0], true]],
    );
    assert.equal(p.allocate(pod, pod.containers[0]), null);
    const app = p.state.getCPUSet("p", "app")!;
    assert.ok(app.isSubsetOf(set("1-2,5-6")), app.toString());
    assert.equal(p.state.getDefaultCPUSet().toString(), "0,3-4,7");

    p.removeContainer("p", "init");
    assert.equal(
      p.state.getDefaultCPUSet().toString(),
      set("0,3-4,7").union(set("1-2,5-6").difference(app)).toString(),
    );
    p.removeContainer("p", "app");
    assert.equal(p.state.getDefaultCPUSet().toString(), "0-7");
    assert.equal(p.state.getCPUAssignments().size, 0);
    assert.equal(p.metrics.get("cpu_manager_shared_pool_size_millicores"), 7000 - 2000);
  });

  test("a sidecar's CPUs are never reused", () => {
    const p = started();
    const pod = testPod({
      uid: "p",
      init: [{ name: "side", cpu: "2", sidecar: true }],
      apps: [{ name: "app", cpu: "2" }],
    });
    assert.equal(p.allocate(pod, pod.initContainers[0]), null);
    assert.equal(p.reusableCPUs("p").toString(), "");
    assert.equal(p.allocate(pod, pod.containers[0]), null);
    assert.ok(!p.state.getCPUSet("p", "side")!.intersects(p.state.getCPUSet("p", "app")!));
  });

  test("reuse bookkeeping only keeps the pod being admitted", () => {
    const p = started();
    const a = testPod({ uid: "a", init: [{ name: "i", cpu: "1" }], apps: [] });
    const b = testPod({ uid: "b", apps: [{ name: "c", cpu: "1" }] });
    p.allocate(a, a.initContainers[0]);
    p.allocate(b, b.containers[0]);
    assert.equal(p.reusableCPUs("a").toString(), "");
  });
});

describe("pod-level allocation", () => {
  const mixed = () =>
    testPod({
      uid: "p",
      podCPU: "4",
      init: [{ name: "side", sidecar: true }],
      apps: [{ name: "excl", cpu: "2" }, { name: "shared" }],
    });

  test("the bubble is partitioned; shared containers get the rest", () => {
    const p = started({ gates: ON });
    assert.equal(p.allocatePod(mixed()), null);
    const bubble = p.state.getPodCPUSet("p")!;
    assert.equal(bubble.toString(), "1-2,5-6");
    const excl = p.state.getCPUSet("p", "excl")!;
    assert.equal(excl.size, 2);
    assert.equal(p.state.getCPUSet("p", "shared")?.toString(), bubble.difference(excl).toString());
    assert.equal(p.state.getCPUSet("p", "side")?.toString(), bubble.difference(excl).toString());
    assert.equal(p.metrics.get("resource_manager_allocations_total", ["cpu", "pod"]), 3);
    assert.equal(p.metrics.get("resource_manager_container_assignments", ["cpu", "pod_exclusive"]), 1);
    assert.equal(p.metrics.get("resource_manager_container_assignments", ["cpu", "pod_shared"]), 2);
    assert.equal(p.metrics.get("cpu_manager_pinning_requests_total"), 1);
    assert.equal(p.metrics.get("cpu_manager_exclusive_cpu_allocation_count"), 4);
    const pod = mixed();
    assert.equal(p.getResourceIsolationLevel(pod, pod.containers[0]), "container");
    assert.equal(p.getResourceIsolationLevel(pod, pod.containers[1]), "pod");
    assert.equal(p.getCPUAffinity(pod, pod.containers[1]).toString(), bubble.difference(excl).toString());
  });

  test("the bubble returns to the default set only with the pod's last container", () => {
    const p = started({ gates: ON });
    assert.equal(p.allocatePod(mixed()), null);
    const defaultAfter = p.state.getDefaultCPUSet().toString();
    p.removeContainer("p", "excl");
    p.removeContainer("p", "side");
    assert.equal(p.state.getDefaultCPUSet().toString(), defaultAfter);
    assert.ok(p.state.getPodCPUSet("p"));
    p.removeContainer("p", "shared");
    assert.equal(p.state.getDefaultCPUSet().toString(), "0-7");
    assert.equal(p.state.getPodCPUSet("p"), undefined);
    assert.equal(p.metrics.get("cpu_manager_exclusive_cpu_allocation_count"), 0);
    assert.equal(p.metrics.get("cpu_manager_shared_pool_size_millicores"), 7000);
  });

  test("an empty pod shared pool is an EmptyPodSharedPoolError and the hints cannot be satisfied", () => {
    const p = started({ gates: ON });
    const pod = testPod({ uid: "p", podCPU: "2", apps: [{ name: "a", cpu: "2" }, { name: "b" }] });
    const err = p.allocatePod(pod);
    assert.equal(err?.reason, "EmptyPodSharedPoolError");
    assert.deepEqual(p.getPodTopologyHints(pod), new Map([["cpu", []]]));
    assert.equal(p.metrics.get("resource_manager_allocation_errors_total", ["cpu", "pod"]), 1);
    assert.equal(p.metrics.get("cpu_manager_pinning_errors_total"), 1);
  });

  test("a fractional pod CPU budget gets no bubble at all", () => {
    const p = started({ gates: ON });
    const pod = testPod({ uid: "p", podCPU: "2500m", apps: [{ name: "a", cpu: "2" }] });
    assert.equal(p.allocatePod(pod), null);
    assert.equal(p.getPodTopologyHints(pod), null);
    assert.equal(p.state.getCPUAssignments().size, 0);
  });

  test("with the pod-level gates off a pod-level pod is admitted untouched", () => {
    const p = started({ gates: { PodLevelResources: true } });
    const pod = testPod({ uid: "p", podCPU: "2", apps: [{ name: "a", cpu: "2" }] });
    assert.equal(p.allocate(pod, pod.containers[0]), null);
    assert.equal(p.getTopologyHints(pod, pod.containers[0]), null);
    assert.equal(p.getPodTopologyHints(pod), null);
    assert.equal(p.state.getCPUAssignments().size, 0);
    assert.equal(p.metrics.get("cpu_manager_pinning_requests_total"), 0);
  });
});

describe("re-admission after a restart", () => {
  const pod = () =>
    testPod({
      uid: "p",
      podCPU: "4",
      apps: [
        { name: "c1", cpu: "2" },
        { name: "c2", cpu: "2" },
      ],
    });
  const restored = (init: Parameters<typeof CPUState.of>[0]) =>
    new StaticPolicy({
      topology: fixture("topoSingleSocketHT"),
      numReservedCPUs: 1,
      reservedSystemCPUs: set("0"),
      gates: ON,
      state: CPUState.of(init),
    });

  test("a partial checkpoint is completed from the restored bubble, idempotently", () => {
    const p = restored({
      defaultCpuSet: set("0,3-4,7"),
      podEntries: { p: set("1-2,5-6") },
      entries: { p: { c1: set("1,5") } },
    });
    assert.equal(p.allocatePod(pod()), null);
    assert.equal(p.state.getCPUSet("p", "c1")?.toString(), "1,5");
    assert.equal(p.state.getCPUSet("p", "c2")?.toString(), "2,6");
    assert.equal(p.state.getDefaultCPUSet().toString(), "0,3-4,7");
    const snapshot = p.state.clone();
    assert.equal(p.allocatePod(pod()), null);
    assert.deepEqual(p.state.data, snapshot.data);
    // Hints come from the restored bubble.
    assert.deepEqual(
      p
        .getPodTopologyHints(pod())
        ?.get("cpu")
        ?.map((h) => h.preferred),
      [true],
    );
  });

  test("a bubble overlapping the default set is stale: dropped and allocated afresh", () => {
    const p = restored({ defaultCpuSet: set("0-7"), podEntries: { p: set("3,7") } });
    assert.equal(p.allocatePod(pod()), null);
    assert.equal(p.state.getPodCPUSet("p")?.toString(), "1-2,5-6");
    assert.equal(p.state.getDefaultCPUSet().toString(), "0,3-4,7");
  });

  test("entries that are not a prefix of the containers are stale", () => {
    const p = restored({
      defaultCpuSet: set("0,3-4,7"),
      podEntries: { p: set("1-2,5-6") },
      entries: { p: { c2: set("2,6") } },
    });
    assert.equal(p.allocatePod(pod()), null);
    assert.equal(p.state.getCPUSet("p", "c1")?.toString(), "1,5");
    assert.equal(p.state.getCPUSet("p", "c2")?.toString(), "2,6");
  });

  test("a completion that cannot fit releases everything the pod held", () => {
    const p = restored({
      defaultCpuSet: set("0,3-7"),
      podEntries: { p: set("1-2") },
      entries: { p: { c1: set("1-2") } },
    });
    const err = p.allocatePod(pod());
    assert.ok(err);
    assert.equal(p.state.getDefaultCPUSet().toString(), "0-7");
    assert.equal(p.state.getPodCPUSet("p"), undefined);
    assert.equal(p.state.podAssignments("p").size, 0);
  });

  test("hints: a restored bubble of the wrong size cannot be satisfied; stale CPUs count as free", () => {
    const wrong = restored({ defaultCpuSet: set("0,4-7"), podEntries: { p: set("1-3") } });
    assert.deepEqual(wrong.getPodTopologyHints(pod()), new Map([["cpu", []]]));
    const stale = restored({
      defaultCpuSet: set("0,3"),
      podEntries: { p: set("1-2,4-7") },
      entries: { p: { c2: set("6-7") } },
    });
    assert.deepEqual(
      stale
        .getPodTopologyHints(pod())
        ?.get("cpu")
        ?.map((h) => h.preferred),
      [true],
    );
  });
});

describe("classic pod scope hints", () => {
  test("stored container sets are unioned and regenerate the hints", () => {
    const p = started({ topology: fixture("topoDualSocketHT"), gates: DEFAULT_FEATURE_GATES });
    const pod = testPod({
      uid: "p",
      apps: [
        { name: "a", cpu: "2" },
        { name: "b", cpu: "2" },
      ],
    });
    p.state.setCPUSet("p", "a", set("1,7"));
    p.state.setCPUSet("p", "b", set("3,9"));
    p.state.setDefaultCPUSet(set("0,2,4-6,8,10-11"));
    const hints = p
      .getPodTopologyHints(pod)
      ?.get("cpu")
      ?.map((h) => [maskBits(h.affinity!), h.preferred]);
    assert.deepEqual(hints, [
      [[1], true],
      [[0, 1], false],
    ]);
    p.state.setCPUSet("p", "b", set("3"));
    assert.deepEqual(p.getPodTopologyHints(pod), new Map([["cpu", []]]));
  });
});
