import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import { loadFleet, runFleet, runScenario } from "./index.js";
import { EXAMPLES, fleetDir, handFleet } from "./fleet.test-support.js";

test("a hand-checked fleet: 15-CPU pods on two nodes whose NUMA 0 keeps 14 CPUs", async (t) => {
  // Pod 1 and 2 go to the empty nodes (node 0 first: equal scores, lowest index) on NUMA 1. Pods 3
  // and 4 fit node 0's allocatable (15 + 15 <= 30) but no NUMA node: the kubelet rejects them; the
  // NUMA-aware scheduler sees no zone with 15 CPUs and leaves them pending.
  const dir = fleetDir(t, { "fleet.yaml": handFleet(4) });
  const report = await runFleet(join(dir, "fleet.yaml"), { workers: 1 });
  const [plain, aware] = report.scenarios;
  assert.deepEqual(
    [report.nodes, report.pods, plain.scenario, aware.scenario],
    [2, 4, "allocatable", "numa-aware"],
  );
  assert.deepEqual(plain.pods, { total: 4, bound: 4, admitted: 2, rejected: 2, unschedulable: 0 });
  assert.deepEqual(plain.rejections.byReason, { TopologyAffinityError: 2 });
  assert.deepEqual(
    plain.rejections.examples.map((e) => [e.pod, e.node, e.reason]),
    [
      ["default/big-r2", "small-0", "TopologyAffinityError"],
      ["default/big-r3", "small-0", "TopologyAffinityError"],
    ],
  );
  assert.match(plain.rejections.examples[0].message, /Topology locality/);
  assert.deepEqual(aware.pods, { total: 4, bound: 2, admitted: 2, rejected: 0, unschedulable: 2 });
  assert.equal(aware.unschedulable.examples[0].message, "0/2 nodes are available: 2 cannot align pod.");
  for (const s of report.scenarios) {
    assert.deepEqual(s.total.freeCPUs, { total: 30, min: 15, median: 15, max: 15 });
    // The unmet 15-CPU shape fits no node's NUMA zone: every free CPU is stranded.
    assert.deepEqual(s.total.strandedCPUs, { total: 30, min: 15, median: 15, max: 15 });
    assert.equal(s.total.strandedNodes, 2);
    assert.equal(s.total.allocatableCPUs, 60);
    assert.deepEqual(s.total.alignment, {
      guaranteedAdmitted: 2,
      singleNumaNode: 2,
      minimalNumaNodes: 2,
      alignmentRate: 1,
      minimalAlignmentRate: 1,
    });
    assert.deepEqual(s.workloads, [
      {
        name: "big",
        pods: 4,
        admitted: 2,
        rejected: s === plain ? 2 : 0,
        unschedulable: s === plain ? 0 : 2,
      },
    ]);
  }
});

test("demand that is all met strands nothing", async (t) => {
  const dir = fleetDir(t, { "fleet.yaml": handFleet(2, "4") });
  const report = await runFleet(join(dir, "fleet.yaml"), { workers: 1 });
  for (const s of report.scenarios) {
    assert.equal(s.pods.admitted, 2);
    assert.deepEqual(s.total.strandedCPUs, { total: 0, min: 0, median: 0, max: 0 });
    assert.deepEqual(s.total.freeCPUs, { total: 52, min: 26, median: 26, max: 26 });
  }
});

const deployment = (
  name: string,
  replicas: number,
  cpu: string,
  memory: string,
  limits = "",
) => `apiVersion: apps/v1
kind: Deployment
metadata: {name: ${name}}
spec:
  replicas: ${replicas}
  selector: {matchLabels: {app: ${name}}}
  template:
    metadata: {labels: {app: ${name}}}
    spec:
      containers:
        - name: main
          resources:
            requests: {cpu: "${cpu}", memory: ${memory}}
            limits: ${limits || `{cpu: "${cpu}", memory: ${memory}}`}
`;

/** 50 nodes in three groups, 1,000 pods: databases, analytics, pod-level databases, web. */
function mediumFleet(t: { after(fn: () => void): void }): string {
  const ex = (f: string) => join(EXAMPLES, f);
  const dir = fleetDir(t, {
    "db.yaml": deployment("db", 100, "16", "32Gi"),
    "analytics.yaml": deployment("analytics", 50, "32", "64Gi"),
    "web.yaml": deployment("web", 350, "250m", "512Mi", '{cpu: "1", memory: 1Gi}'),
    "fleet.yaml": `apiVersion: podpin.io/v1alpha1
kind: Fleet
metadata: {name: medium}
nodeGroups:
  - {name: general, count: 30, machine: intel-xeon-6230r-2s, kubeletConfig: ${ex("kubelet-container-scope.yaml")}}
  - {name: gpu, count: 5, machine: nvidia-dgx-h100, kubeletConfig: ${ex("kubelet-pod-scope.yaml")}}
  - {name: snc4, count: 15, machine: intel-spr-2s-snc4, kubeletConfig: ${ex("kubelet-pod-scope.yaml")}}
scheduler: {topologyMatchScoring: LeastAllocated}
workloads:
  - {file: db.yaml}
  - {file: analytics.yaml}
  - {name: pod-level-database, file: ${ex("tightly-coupled-database.yaml")}, replicas: 150}
  - {file: web.yaml, replicas: 2}
`,
  });
  return join(dir, "fleet.yaml");
}

test("50 nodes x 1,000 pods: one worker and two give the same report", async (t) => {
  const file = mediumFleet(t);
  const one = await runFleet(file, { workers: 1 });
  const two = await runFleet(file, { workers: 2 });
  assert.deepEqual(two, one);
  assert.deepEqual([one.nodes, one.pods], [50, 1000]);
  const [plain, aware] = one.scenarios;
  for (const s of one.scenarios) {
    const p = s.pods;
    assert.equal(p.admitted + p.rejected + p.unschedulable, 1000);
    assert.equal(s.total.admitted, p.admitted);
    assert.equal(
      s.groups.reduce((n, g) => n + g.admitted, 0),
      p.admitted,
    );
  }
  // Analytics pods fit no 2-socket NUMA node's memory nor an SNC-4 zone's CPUs: only the GPU nodes
  // hold them aligned. Unaware, the scheduler sends some elsewhere and the kubelets reject them.
  assert.ok(plain.pods.rejected > 0, "the allocatable-only run has kubelet rejections");
  assert.equal(aware.pods.rejected, 0, "the NUMA-aware run sends no pod to a kubelet that rejects it");
});

test("a scenario run in this thread matches the same scenario from a worker", async (t) => {
  const file = join(fleetDir(t, { "fleet.yaml": handFleet(4) }), "fleet.yaml");
  const fromWorkers = await runFleet(file, { workers: 2 });
  assert.deepEqual(runScenario(loadFleet(file), "numa-aware"), fromWorkers.scenarios[1]);
});
