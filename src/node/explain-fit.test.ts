/**
 * What `explain` says about a rejection, against the engine itself: the cause named after the
 * engine's result (full-pcpus-only, the Topology Manager policy, the pod-level rule under every
 * policy, node allocatable, a predicate no request changes), and "what would fit" checked by brute
 * force: every CPU count the machine could hold is admitted on a fresh node, and the reported
 * nearest values must be exactly the nearest ones that pass.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { plainJSON, Quantity } from "../core/index.js";
import type { Pod } from "../k8s/index.js";
import { loadMachine, type Machine } from "../machine/index.js";
import { explainAdmission } from "./explain.js";
import { MAX_TRIAL_ADMISSIONS, type RequestFit } from "./explain-fit.js";
import { requestDimensions } from "./explain-requests.js";
import { Node } from "./node.js";
import {
  EMPTY_SHARED_POOL_YAML,
  Gi,
  guaranteedPodYaml,
  Mi,
  machineM,
  podFromYaml,
  workedExampleConfig,
} from "./test-support.js";
import type { NodeConfig, TopologyManagerPolicyName } from "./types.js";

const FULL_CORES = { cpuManagerPolicyOptions: { "full-pcpus-only": "true" } };

function guaranteedPod(name: string, cpu: string, memory = "1Gi"): Pod {
  return podFromYaml(guaranteedPodYaml(name, cpu, memory));
}

const EMPTY_SHARED_POOL = podFromYaml(EMPTY_SHARED_POOL_YAML);

/** A pod budget of `budget` CPUs with one exclusive container of `own` and a shared sidecar. */
function budgetPod(budget: number, own: number): Pod {
  return podFromYaml(`apiVersion: v1
kind: Pod
metadata: {name: budget-${budget}-${own}, namespace: default, uid: uid-b-${budget}-${own}}
spec:
  resources:
    requests: {cpu: "${budget}", memory: 8Gi}
    limits: {cpu: "${budget}", memory: 8Gi}
  initContainers:
    - name: sidecar
      image: busybox
      restartPolicy: Always
  containers:
    - name: db
      image: postgres
      resources:
        requests: {cpu: "${own}", memory: 4Gi}
        limits: {cpu: "${own}", memory: 4Gi}
`);
}

/** Every whole CPU count of `fit` that a fresh node admits, in order. */
function admittedCounts(node: () => Node, pod: Pod, fit: RequestFit): bigint[] {
  const [dim] = requestDimensions(node(), pod).filter(
    (d) => d.resource === fit.resource && d.target === fit.target,
  );
  assert.ok(dim, `${fit.resource} ${fit.target} is a request of the pod`);
  const out: bigint[] = [];
  for (let v = 1000n; v <= BigInt(node().machine.topology.all.size) * 1000n; v += 1000n) {
    const p = dim.podWith(v);
    if (p === null) continue;
    const r = node().admit(p);
    if (r.admitted) out.push(v);
  }
  return out;
}

/** The reported nearest values are the nearest counts the engine admits, by brute force. */
function assertNearest(node: () => Node, pod: Pod, fit: RequestFit): void {
  const passing = admittedCounts(node, pod, fit);
  const below = passing.filter((v) => v < fit.requested).at(-1) ?? null;
  const above = passing.find((v) => v > fit.requested) ?? null;
  assert.deepEqual(
    [fit.below, fit.above],
    [below, above],
    `${fit.resource} (${fit.target}) of ${pod.name}: admitted counts ${passing.map((v) => v / 1000n).join(",")}`,
  );
}

describe("explain: the cause of a rejection and what would fit, by the engine", () => {
  it("full-pcpus-only with 3 CPUs: the option is named, and 2 or 4 CPUs are what the node admits", () => {
    const config = workedExampleConfig("container", FULL_CORES);
    const make = () => new Node({ machine: machineM(), config });
    const pod = guaranteedPod("three", "3");
    const e = explainAdmission(make(), pod);
    assert.equal(e.result.reason, "SMTAlignmentError");
    assert.deepEqual(
      [e.rejection?.rule, e.rejection?.name, e.rejection?.resources],
      ["cpu-manager-option", "full-pcpus-only", ["cpu"]],
    );
    assert.match(e.rejection?.text ?? "", /3 CPUs is not a multiple of the 2 CPUs of a core/);
    assert.equal(
      e.rejection?.fix,
      "cpu (container app) 2 or 4 CPUs (whole cores) would be admitted now, the other requests as asked",
    );
    assert.match(
      e.rejection?.reference ?? "",
      /^https:\/\/kubernetes\.io\/docs\/tasks\/administer-cluster\/cpu-management-policies\//,
    );
    const [cpu] = e.fit?.requests ?? [];
    assert.deepEqual(
      [cpu.resource, cpu.target, cpu.container, cpu.requested],
      ["cpu", "container", "app", 3000n],
    );
    assertNearest(make, pod, cpu);
    assert.equal(e.fit?.requests.length, 1, "the cause's request admits: no other request is searched");
  });

  it("full-pcpus-only with 17 CPUs in pod scope: the nearest whole cores that fit one NUMA node", () => {
    const config = workedExampleConfig("pod", FULL_CORES);
    const make = () => new Node({ machine: machineM(), config });
    const pod = budgetPod(17, 10);
    const e = explainAdmission(make(), pod);
    assert.equal(e.result.admitted, false);
    const cpu = e.fit?.requests.find((r) => r.resource === "cpu");
    assert.ok(cpu);
    assertNearest(make, pod, cpu);
    assert.deepEqual([cpu.below, cpu.above], [16000n, null], "a bubble of 8 whole cores on NUMA 1");
  });

  it("a pod budget that only just admits the pod is found, not leapt over", () => {
    const make = () => new Node({ machine: machineM(), config: workedExampleConfig("pod") });
    // The db container takes 15: the budget must exceed 15 (pod-level rule) and fit 16 per node.
    const pod = budgetPod(30, 15);
    const e = explainAdmission(make(), pod);
    const cpu = e.fit?.requests.find((r) => r.resource === "cpu" && r.target === "pod");
    assert.ok(cpu);
    assert.equal(cpu.below, 16000n);
    assertNearest(make, pod, cpu);
  });

  it("a container too large for any NUMA node: the budget alone cannot move, the budget and the container together can", () => {
    const make = () => new Node({ machine: machineM(), config: workedExampleConfig("pod") });
    const pod = budgetPod(22, 20);
    const e = explainAdmission(make(), pod);
    const alone = e.fit?.requests.find((r) => r.target === "pod" && r.resource === "cpu");
    const both = e.fit?.requests.find((r) => r.target === "pod-and-container" && r.resource === "cpu");
    assert.deepEqual([alone?.below, alone?.above], [null, null]);
    assert.deepEqual([both?.container, both?.below, both?.above], ["db", 16000n, null]);
    assert.match(
      e.rejection?.fix ?? "",
      /cpu \(pod budget and container db, by the same amount\) 16 CPUs would be admitted now/,
    );
  });

  for (const policy of ["single-numa-node", "restricted", "best-effort"] as TopologyManagerPolicyName[])
    it(`the empty pod shared pool under ${policy}: the pod-level rule, the budget it accepts, and the node admitting it`, () => {
      const node = new Node({
        machine: machineM(),
        config: workedExampleConfig("pod", { topologyManagerPolicy: policy }),
      });
      const e = explainAdmission(node, EMPTY_SHARED_POOL);
      assert.equal(
        e.result.reason,
        policy === "best-effort" ? "EmptyPodSharedPoolError" : "TopologyAffinityError",
      );
      const r = e.rejection;
      assert.ok(r);
      assert.deepEqual(
        [r.rule, r.name, r.resources],
        ["pod-shared-pool", "pod shared pool", ["cpu", "memory"]],
      );
      assert.match(
        r.text,
        /the exclusive containers take the whole pod budget \(cpu 4 CPUs of 4 CPUs \(metrics-sidecar 1 CPU, main-app 3 CPUs\); memory 4Gi of 4Gi \(metrics-sidecar 1Gi, main-app 3Gi\)\), leaving an empty pod shared pool for logging-sidecar/,
      );
      assert.match(
        r.text,
        policy === "best-effort"
          ? /EmptyPodSharedPoolError/
          : new RegExp(`under ${policy} .* TopologyAffinityError`),
      );
      assert.match(
        r.fix ?? "",
        /^raise `spec\.resources\.requests\.cpu` to at least 5 and `spec\.resources\.requests\.memory` above 4Gi \(the limits with them\), or lower the exclusive containers' requests; with cpu 5 and memory 4097Mi the node admits the pod now$/,
      );
      assert.equal(
        r.reference,
        "https://kubernetes.io/docs/concepts/resource-management/pod-level-resource-managers/",
      );
      assert.deepEqual(
        e.merges[0].causes.map((c) => c.text),
        [
          "cpu: [] — the CPU Manager refuses the pod budget: its exclusive containers leave the pod shared pool no cpu",
          "memory: [] — the Memory Manager refuses the pod budget: its exclusive containers leave the pod shared pool no memory",
        ],
        "the merge's why names the rule too, not a placement failure",
      );
      assert.deepEqual(r.podBudget?.requests, { cpu: 5000n, memory: 4097n * Mi });
      assert.equal(r.podBudget?.admitted, true);
      assert.deepEqual(
        e.fit?.requests.map((f) => [f.resource, f.below, f.above, f.others]),
        [
          ["cpu", null, 5000n, { memory: 4097n * Mi }],
          ["memory", null, 4n * Gi + Mi, { cpu: 5000n }],
        ],
      );
    });

  it("the empty pod shared pool under none: admitted (no pod-level path), with a note that the other policies reject it", () => {
    const node = new Node({
      machine: machineM(),
      config: workedExampleConfig("pod", { topologyManagerPolicy: "none" }),
    });
    const e = explainAdmission(node, EMPTY_SHARED_POOL);
    assert.equal(e.result.admitted, true);
    assert.equal(e.rejection, null);
    assert.ok(
      e.notes.some((n) =>
        n.startsWith(
          "under best-effort, restricted or single-numa-node in pod scope the kubelet would reject this pod",
        ),
      ),
    );
  });

  it("node allocatable: OutOfcpu names the predicate handler and the request that fits", () => {
    const config: NodeConfig = workedExampleConfig("container", {
      cpuManagerPolicy: "none",
      memoryManagerPolicy: "None",
      topologyManagerPolicy: "none",
      reservedMemory: new Map(),
    });
    const make = () => new Node({ machine: machineM(), config });
    const pod = guaranteedPod("wide", "31");
    const e = explainAdmission(make(), pod);
    assert.equal(e.result.reason, "OutOfcpu");
    assert.deepEqual(
      [e.rejection?.rule, e.rejection?.name, e.rejection?.handler],
      ["node-allocatable", "OutOfcpu", "predicate"],
    );
    assert.match(e.rejection?.text ?? "", /requests 31000m of cpu, .* 30000m allocatable/);
    const cpu = e.fit?.requests[0];
    assert.ok(cpu);
    assert.deepEqual([cpu.below, cpu.above], [30000n, null]);
  });

  it("a predicate no request changes: no search, and the fit says so", () => {
    const node = new Node({ machine: machineM(), config: workedExampleConfig("container") });
    const pod: Pod = { ...guaranteedPod("elsewhere", "2"), nodeName: "another-node" };
    const e = explainAdmission(node, pod);
    assert.equal(e.result.reason, "NodeName");
    assert.deepEqual([e.rejection?.rule, e.rejection?.fix], ["predicate", null]);
    assert.deepEqual(e.fit?.requests, []);
  });

  it("the trial admissions stay within their allowance, even when nothing admits the pod", () => {
    const machine: Machine = loadMachine("synthetic-8n-512c");
    const node = new Node({ machine, config: workedExampleConfig("container") });
    // 101 CPUs and 100Gi: more than one NUMA node has of either, so no request alone fits.
    const e = explainAdmission(node, guaranteedPod("huge", "101", "100Gi"));
    const trials = (e.fit?.requests ?? []).reduce((n, r) => n + r.trials, 0);
    assert.ok(trials <= MAX_TRIAL_ADMISSIONS, `${trials} trials`);
    for (const r of e.fit?.requests ?? []) assert.deepEqual([r.below, r.above], [null, null]);
    assert.match(e.rejection?.fix ?? "", /^no cpu and memory request alone is admitted now$/);
  });

  it("JSON.stringify of an explanation prints the documents' conventions", () => {
    const node = new Node({ machine: machineM(), config: workedExampleConfig("container", FULL_CORES) });
    const e = explainAdmission(node, guaranteedPod("three", "3"));
    const data = JSON.parse(JSON.stringify(e)) as {
      fit: { requests: { below: unknown }[]; numaNodes: { memory: { memory: { free: unknown } } }[] };
      result: { defaultCpuSet: unknown };
    };
    assert.equal(data.fit.requests[0].below, 2000);
    assert.equal(data.fit.numaNodes[1].memory.memory.free, 64 * 1024 ** 3);
    assert.equal(data.result.defaultCpuSet, "0-31");
    // A part of a result, and values beyond a double's exact integers, through plainJSON.
    assert.deepEqual(plainJSON(e.fit?.numaNodes[0].memory), {
      memory: { free: 64 * 1024 ** 3 - 1100 * 1024 ** 2, allocatable: 64 * 1024 ** 3 - 1100 * 1024 ** 2 },
    });
    assert.deepEqual(plainJSON({ huge: 1n << 60n, q: Quantity.parse("1536Mi"), m: new Map([[0, 1n]]) }), {
      huge: "1152921504606846976",
      q: "1536Mi",
      m: { "0": 1 },
    });
  });
});
