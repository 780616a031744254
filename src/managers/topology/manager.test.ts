import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { ManagerError, MetricsRegistry, Quantity, seriesKey } from "../../core/index.js";
import { type Container, DEFAULT_FEATURE_GATES, type FeatureGates, type Pod } from "../../k8s/index.js";
import { maskOf } from "./bitmask.js";
import type { ProviderHints, TopologyHint } from "./hint.js";
import { createTopologyManager, TopologyManager, type TopologyManagerConfig } from "./manager.js";
import type { HintProvider } from "./provider.js";

const P = (...ids: number[]): TopologyHint => ({ affinity: maskOf(...ids), preferred: true });

/** A scripted hint provider that records every call. */
class FakeProvider implements HintProvider {
  readonly calls: string[] = [];
  containerHints = new Map<string, TopologyHint[] | null>();
  podHints: TopologyHint[] | null = null;
  failAllocate = new Map<string, ManagerError>();
  failAllocatePod: ManagerError | null = null;

  constructor(
    readonly resource: "cpu" | "memory",
    private readonly store: { getAffinity(pod: string, c: string): TopologyHint } | null = null,
  ) {}

  getTopologyHints(_pod: Pod, container: Container): ProviderHints {
    this.calls.push(`hints ${container.name}`);
    const hints = this.containerHints.get(container.name);
    return hints === undefined ? null : new Map([[this.resource, hints]]);
  }
  getPodTopologyHints(_pod: Pod): ProviderHints {
    this.calls.push("podHints");
    return this.podHints === null ? null : new Map([[this.resource, this.podHints]]);
  }
  allocate(pod: Pod, container: Container): ManagerError | null {
    const seen = this.store?.getAffinity(pod.uid, container.name);
    this.calls.push(`allocate ${container.name}${seen ? ` ${String(seen.affinity)}` : ""}`);
    return this.failAllocate.get(container.name) ?? null;
  }
  allocatePod(_pod: Pod): ManagerError | null {
    this.calls.push("allocatePod");
    return this.failAllocatePod;
  }
}

function pod(opts: { init?: string[]; app?: string[]; podLevel?: boolean } = {}): Pod {
  const c = (name: string): Container => ({ name, resources: null });
  return {
    uid: "uid-1",
    name: "p",
    namespace: "default",
    initContainers: (opts.init ?? []).map(c),
    containers: (opts.app ?? ["app"]).map(c),
    resources: opts.podLevel
      ? { requests: { cpu: Quantity.parse("2"), memory: Quantity.parse("1Gi") }, limits: {} }
      : null,
  };
}

const PODLEVEL_GATES: FeatureGates = {
  ...DEFAULT_FEATURE_GATES,
  PodLevelResources: true,
  PodLevelResourceManagers: true,
};

function config(over: Partial<TopologyManagerConfig> = {}): TopologyManagerConfig {
  return {
    policy: "single-numa-node",
    scope: "container",
    policyOptions: {},
    featureGates: DEFAULT_FEATURE_GATES,
    numaNodes: [0, 1],
    distances: null,
    metrics: new MetricsRegistry(),
    ...over,
  };
}

function build(over: Partial<TopologyManagerConfig> = {}) {
  const cfg = config(over);
  const tm = createTopologyManager(cfg);
  assert.ok(tm instanceof TopologyManager, tm instanceof ManagerError ? tm.message : "no manager");
  const cpu = new FakeProvider("cpu", tm);
  const memory = new FakeProvider("memory", tm);
  tm.addHintProvider(cpu);
  tm.addHintProvider(memory);
  return { tm, cpu, memory, metrics: cfg.metrics };
}

const ALIGNED = (scope: string) =>
  seriesKey("container_aligned_compute_resources_count", [scope, "numa_node"]);
const FAILED = (scope: string) =>
  seriesKey("container_aligned_compute_resources_failure_count", [scope, "numa_node"]);

describe("TopologyManager construction", () => {
  const err = (over: Partial<TopologyManagerConfig>) => {
    const r = createTopologyManager(config(over));
    assert.ok(r instanceof ManagerError, "expected an error");
    return r.message;
  };

  test("policy none skips options, scope and the alignment series", () => {
    const metrics = new MetricsRegistry();
    const tm = createTopologyManager(
      config({
        policy: "none",
        scope: "bogus",
        policyOptions: { bogus: "x" },
        numaNodes: [...Array(64).keys()],
        metrics,
      }),
    );
    assert.ok(tm instanceof TopologyManager);
    assert.equal(tm.scope, "none");
    assert.deepEqual(metrics.snapshot(), {});
  });

  test("errors in the kubelet's order and wording", () => {
    assert.equal(
      err({ policy: "bogus", policyOptions: { x: "1" } }),
      'unknown Topology Manager Policy option: "x"',
    );
    assert.equal(
      err({ numaNodes: [...Array(9).keys()], policy: "bogus" }),
      "unsupported on machines with more than 8 NUMA Nodes",
    );
    assert.equal(err({ policy: "bogus" }), 'unknown policy: "bogus"');
    assert.equal(err({ scope: "node" }), 'unknown scope: "node"');
    assert.match(
      err({ policyOptions: { "prefer-closest-numa-nodes": "true" } }),
      /^cannot discover NUMA topology: error getting NUMA distances from sysfs: /,
    );
  });

  test("max-allowable-numa-nodes admits larger machines", () => {
    const r = createTopologyManager(
      config({ numaNodes: [...Array(16).keys()], policyOptions: { "max-allowable-numa-nodes": "16" } }),
    );
    assert.ok(r instanceof TopologyManager);
    assert.equal(
      err({ numaNodes: [...Array(17).keys()], policyOptions: { "max-allowable-numa-nodes": "16" } }),
      "unsupported on machines with more than 16 NUMA Nodes",
    );
  });

  test("the four numa_node alignment series start at 0", () => {
    const { metrics } = build({ policy: "best-effort" });
    assert.deepEqual(metrics.snapshot(), {
      [ALIGNED("container")]: 0,
      [ALIGNED("pod")]: 0,
      [FAILED("container")]: 0,
      [FAILED("pod")]: 0,
    });
  });
});

describe("container scope", () => {
  test("merge, store, allocate per container in container order and provider order", () => {
    const { tm, cpu, memory, metrics } = build();
    cpu.containerHints.set("init", [P(1)]);
    cpu.containerHints.set("app", [P(0), P(1)]);
    memory.containerHints.set("app", [P(0)]);
    const r = tm.admit(pod({ init: ["init"] }));
    assert.equal(r.admitted, true);
    assert.deepEqual(cpu.calls, ["hints init", "allocate init 2", "hints app", "allocate app 1"]);
    assert.deepEqual(memory.calls, ["hints init", "allocate init 2", "hints app", "allocate app 1"]);
    assert.deepEqual(tm.getAffinity("uid-1", "app"), P(0));
    assert.equal(metrics.get("container_aligned_compute_resources_count", ["container", "numa_node"]), 2);
    assert.equal(metrics.get("topology_manager_admission_requests_total"), 1);
    assert.equal(metrics.get("topology_manager_admission_errors_total"), 0);
    assert.deepEqual(JSON.parse(JSON.stringify(r.trace)), r.trace, "the trace is plain data");
    assert.deepEqual(r.trace.merges[1].hint, { numaNodes: [0], preferred: true });
    assert.deepEqual(r.trace.merges[1].answers[0], {
      provider: "cpu",
      hints: {
        cpu: [
          { numaNodes: [0], preferred: true },
          { numaNodes: [1], preferred: true },
        ],
      },
    });
  });

  test("a container the policy rejects: TopologyAffinityError, failure counted, earlier containers stay counted", () => {
    const { tm, cpu, memory, metrics } = build();
    cpu.containerHints.set("b", [P(0)]);
    memory.containerHints.set("b", [P(1)]);
    const r = tm.admit(pod({ app: ["a", "b", "c"] }));
    assert.deepEqual(
      [r.admitted, r.reason, r.message],
      [false, "TopologyAffinityError", "Resources cannot be allocated with Topology locality"],
    );
    assert.equal(r.trace.rejectedBy, "merge");
    assert.equal(metrics.get("container_aligned_compute_resources_count", ["container", "numa_node"]), 1);
    assert.equal(
      metrics.get("container_aligned_compute_resources_failure_count", ["container", "numa_node"]),
      1,
    );
    assert.equal(metrics.get("topology_manager_admission_errors_total"), 1);
    assert.ok(!cpu.calls.includes("hints c"));
  });

  test("an allocation error: the first failing provider stops the pod; no failure counter", () => {
    const { tm, cpu, memory, metrics } = build();
    cpu.failAllocate.set("app", new ManagerError("not enough cpus available to satisfy request"));
    const r = tm.admit(pod());
    assert.deepEqual(
      [r.reason, r.message],
      [
        "UnexpectedAdmissionError",
        "Allocate failed due to not enough cpus available to satisfy request, which is unexpected",
      ],
    );
    assert.ok(!memory.calls.some((c) => c.startsWith("allocate")), "memory is not asked after cpu failed");
    assert.deepEqual(r.trace.allocations.at(-1)?.error, {
      reason: null,
      message: "not enough cpus available to satisfy request",
    });
    assert.equal(metrics.get("topology_manager_admission_errors_total"), 1);
    assert.equal(
      metrics.get("container_aligned_compute_resources_failure_count", ["container", "numa_node"]),
      0,
    );
    assert.equal(metrics.get("container_aligned_compute_resources_count", ["container", "numa_node"]), 0);
  });

  test("a typed provider error keeps its reason", () => {
    const { tm, cpu } = build({ policy: "best-effort" });
    cpu.failAllocate.set("app", new ManagerError("SMT Alignment Error: ...", "SMTAlignmentError"));
    const r = tm.admit(pod());
    assert.deepEqual([r.reason, r.message], ["SMTAlignmentError", "SMT Alignment Error: ..."]);
  });

  test("best-effort and restricted never move the alignment counters", () => {
    for (const policy of ["best-effort", "restricted"]) {
      const { tm, cpu, memory, metrics } = build({ policy });
      cpu.containerHints.set("app", [P(0)]);
      memory.containerHints.set("app", [P(1)]);
      const r = tm.admit(pod());
      assert.equal(r.admitted, policy === "best-effort");
      assert.equal(metrics.get("container_aligned_compute_resources_count", ["container", "numa_node"]), 0);
      assert.equal(
        metrics.get("container_aligned_compute_resources_failure_count", ["container", "numa_node"]),
        0,
      );
    }
  });
});

describe("pod scope", () => {
  test("classic path: one merge of pod hints, the hint stored for every container, counted once", () => {
    const { tm, cpu, memory, metrics } = build({ scope: "pod" });
    cpu.podHints = [P(1), P(0)];
    const r = tm.admit(pod({ init: ["i"], app: ["a", "b"] }));
    assert.equal(r.admitted, true);
    assert.equal(r.trace.path, "pod");
    assert.deepEqual(cpu.calls, ["podHints", "allocate i 1", "allocate a 1", "allocate b 1"]);
    assert.deepEqual(memory.calls, ["podHints", "allocate i 1", "allocate a 1", "allocate b 1"]);
    assert.deepEqual([...tm.podAffinities("uid-1").keys()], ["i", "a", "b"]);
    assert.equal(metrics.get("container_aligned_compute_resources_count", ["pod", "numa_node"]), 1);
  });

  test("classic path: rejection and allocation errors", () => {
    const rejected = build({ scope: "pod" });
    rejected.cpu.podHints = [];
    const r = rejected.tm.admit(pod());
    assert.deepEqual(
      [r.reason, r.message],
      ["TopologyAffinityError", "Resources cannot be allocated with Topology locality"],
    );
    assert.equal(
      rejected.metrics.get("container_aligned_compute_resources_failure_count", ["pod", "numa_node"]),
      1,
    );
    assert.equal(rejected.metrics.get("topology_manager_admission_errors_total"), 1);

    const failing = build({ scope: "pod" });
    failing.memory.failAllocate.set("b", new ManagerError("boom"));
    const f = failing.tm.admit(pod({ app: ["a", "b"] }));
    assert.equal(f.admitted, false);
    assert.equal(failing.metrics.get("topology_manager_admission_errors_total"), 1);
    assert.equal(
      failing.metrics.get("container_aligned_compute_resources_failure_count", ["pod", "numa_node"]),
      0,
    );
    assert.equal(failing.metrics.get("container_aligned_compute_resources_count", ["pod", "numa_node"]), 0);
  });

  test("pod-level path: AllocatePod per provider, hint stored for every container", () => {
    const { tm, cpu, memory, metrics } = build({ scope: "pod", featureGates: PODLEVEL_GATES });
    memory.podHints = [P(1)];
    const r = tm.admit(pod({ init: ["i"], app: ["a"], podLevel: true }));
    assert.equal(r.admitted, true);
    assert.equal(r.trace.path, "pod-level");
    assert.deepEqual(cpu.calls, ["podHints", "allocatePod"]);
    assert.deepEqual(memory.calls, ["podHints", "allocatePod"]);
    assert.deepEqual(tm.getAffinity("uid-1", "i"), P(1));
    assert.deepEqual(tm.getAffinity("uid-1", "a"), P(1));
    assert.equal(metrics.get("container_aligned_compute_resources_count", ["pod", "numa_node"]), 1);
  });

  test("pod-level path: the pod-level TopologyAffinityError", () => {
    const { tm, cpu, metrics } = build({ scope: "pod", featureGates: PODLEVEL_GATES });
    cpu.podHints = [];
    const r = tm.admit(pod({ podLevel: true }));
    assert.deepEqual(
      [r.reason, r.message],
      [
        "TopologyAffinityError",
        "Pod Scope pod with pod-level resources failed admission under pod-scope topology manager",
      ],
    );
    assert.equal(metrics.get("container_aligned_compute_resources_failure_count", ["pod", "numa_node"]), 1);
    assert.equal(metrics.get("topology_manager_admission_errors_total"), 1);
  });

  test("pod-level path: a failing AllocatePod stops later providers, without rollback", () => {
    const { tm, cpu, memory, metrics } = build({
      scope: "pod",
      policy: "best-effort",
      featureGates: PODLEVEL_GATES,
    });
    memory.failAllocatePod = new ManagerError(
      "pod rejected, ... no cpus for shared containers",
      "EmptyPodSharedPoolError",
    );
    cpu.failAllocatePod = null;
    const r = tm.admit(pod({ podLevel: true }));
    assert.deepEqual([r.reason, r.trace.rejectedBy], ["EmptyPodSharedPoolError", "allocation"]);
    assert.deepEqual(cpu.calls, ["podHints", "allocatePod"]);
    assert.equal(metrics.get("topology_manager_admission_errors_total"), 1);

    const first = build({ scope: "pod", featureGates: PODLEVEL_GATES });
    first.cpu.failAllocatePod = new ManagerError("x");
    first.tm.admit(pod({ podLevel: true }));
    assert.deepEqual(first.memory.calls, ["podHints"]);
  });

  test("pod-level resources take the classic path without both pod-level gates", () => {
    for (const gates of [
      DEFAULT_FEATURE_GATES,
      { ...PODLEVEL_GATES, PodLevelResources: false },
      { ...PODLEVEL_GATES, PodLevelResourceManagers: false },
    ]) {
      const { tm } = build({ scope: "pod", featureGates: gates });
      assert.equal(tm.admit(pod({ podLevel: true })).trace.path, "pod");
    }
  });
});

describe("policy none", () => {
  test("no hints, Allocate per container; an error rejects without the errors counter", () => {
    const { tm, cpu, memory, metrics } = build({
      policy: "none",
      scope: "pod",
      featureGates: PODLEVEL_GATES,
    });
    const ok = tm.admit(pod({ init: ["i"], podLevel: true }));
    assert.equal(ok.admitted, true);
    assert.equal(ok.trace.path, "none");
    assert.deepEqual(cpu.calls, ["allocate i null", "allocate app null"]);
    assert.deepEqual(tm.getAffinity("uid-1", "app"), { affinity: null, preferred: false });
    memory.failAllocate.set("app", new ManagerError("no memory", null));
    const r = tm.admit(pod());
    assert.equal(r.reason, "UnexpectedAdmissionError");
    assert.deepEqual(metrics.snapshot(), { [seriesKey("topology_manager_admission_requests_total", [])]: 2 });
  });
});

describe("affinity store", () => {
  test("unknown containers get the zero hint; removal forgets one container", () => {
    const { tm, cpu } = build();
    cpu.containerHints.set("a", [P(0)]);
    cpu.containerHints.set("b", [P(1)]);
    tm.admit(pod({ app: ["a", "b"] }));
    assert.deepEqual(tm.getAffinity("nope", "a"), { affinity: null, preferred: false });
    tm.removeContainer("uid-1", "a");
    tm.removeContainer("uid-1", "missing");
    tm.removeContainer("other", "a");
    assert.deepEqual(tm.getAffinity("uid-1", "a"), { affinity: null, preferred: false });
    assert.deepEqual(tm.getAffinity("uid-1", "b"), P(1));
    tm.removeContainer("uid-1", "b");
    assert.equal(tm.podAffinities("uid-1").size, 0);
  });
});
