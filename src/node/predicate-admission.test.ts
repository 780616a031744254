import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { CPUSet, Quantity } from "../core/index.js";
import { type Pod, podFromObject } from "../k8s/index.js";
import { kubeletFixtureMachine, type Machine } from "../machine/index.js";
import { defaultNodeConfig } from "./config.js";
import { Node, NodeConfigError } from "./node.js";
import { admitPredicate } from "./predicate/index.js";
import type { NodeConfig } from "./types.js";

/*
 * Node.admit runs the Topology Manager's handler, then the predicate handler (node-admission.md
 * §1): a pod the predicate refuses keeps what the managers gave it until the next admission.
 */

function machine(extra: Partial<Machine> = {}): Machine {
  const m = kubeletFixtureMachine("topoSingleSocketHT", { memoryPerNode: 16n << 30n });
  if (!m) throw new Error("fixture topoSingleSocketHT is missing");
  return { ...m, ...extra };
}

function staticNode(overrides: Partial<NodeConfig> = {}, m = machine()): Node {
  return new Node({
    machine: m,
    config: defaultNodeConfig({
      cpuManagerPolicy: "static",
      reservedSystemCPUs: CPUSet.parse("0"),
      numReservedCPUs: 1,
      ...overrides,
    }),
  });
}

function guaranteed(uid: string, cpu: string, extra: Record<string, unknown> = {}): Pod {
  return podFromObject(
    {
      metadata: { name: uid, uid },
      spec: {
        containers: [{ name: "app", resources: { limits: { cpu, memory: "1Gi" } } }],
        ...extra,
      },
    },
    uid,
  );
}

function burstable(uid: string, cpu: string): Pod {
  return podFromObject(
    {
      metadata: { name: uid, uid },
      spec: { containers: [{ name: "app", resources: { requests: { cpu } } }] },
    },
    uid,
  );
}

describe("Node.admit with the predicate handler", () => {
  it("rejects a pod over allocatable after the CPU Manager allocated; the next admission reclaims", () => {
    const node = staticNode();
    assert.equal(node.admit(guaranteed("a", "2")).admitted, true);
    assert.equal(node.admit(burstable("x", "3500m")).admitted, true);
    const b = node.admit(guaranteed("b", "2"));
    assert.equal(b.admitted, false);
    assert.equal(b.rejectedBy, "predicate");
    assert.equal(b.reason, "OutOfcpu");
    assert.equal(
      b.message,
      "Node didn't have enough resource: cpu, requested: 2000, used: 5500, capacity: 7000",
    );
    assert.equal(b.leftoverState, true, "the CPU Manager's allocation is not rolled back");
    assert.equal(b.defaultCpuSet.toString(), "0,3-4,7");
    const cpu = b.predicate?.resources.find((r) => r.resourceName === "cpu");
    assert.deepEqual([cpu?.allocatable, cpu?.used, cpu?.requested, cpu?.fits], [7000n, 5500n, 2000n, false]);
    assert.equal(node.remove("x").defaultCpuSet.toString(), "0,3-4,7", "a removal does not reclaim");
    const c = node.admit(guaranteed("c", "2"));
    assert.equal(c.admitted, true);
    assert.equal(c.containers?.[0].cpus.toString(), "2,6");
    assert.equal(c.rejectedBy, null);
    assert.equal(c.predicate?.admitted, true);
  });

  it("says the Topology Manager decided when it rejects first (the predicate never runs)", () => {
    const node = staticNode({ topologyManagerPolicy: "single-numa-node" });
    const r = node.admit(guaranteed("big", "9"));
    assert.equal(r.admitted, false);
    assert.equal(r.rejectedBy, "topology");
    assert.equal(r.predicate, null);
  });

  it("admits a critical pod by evicting others; the victims leave the active pods", () => {
    const node = staticNode();
    assert.equal(node.admit(burstable("b1", "3")).admitted, true);
    assert.equal(node.admit(burstable("b2", "3")).admitted, true);
    const r = node.admit(guaranteed("crit", "2", { priority: 2000001000 }));
    assert.equal(r.admitted, true);
    // b1 and b2 are equal: the kubelet's tie rule lets the later one replace the earlier.
    assert.deepEqual(
      r.preempted.map((p) => p.uid),
      ["b2"],
    );
    assert.deepEqual(
      node.admittedPods().map((p) => p.uid),
      ["b1", "crit"],
    );
  });

  it("checks extended resources the machine advertises; does not warn about them", () => {
    const node = staticNode({}, machine({ extendedResources: { "example.com/foo": 1n } }));
    const pod = podFromObject(
      {
        metadata: { name: "e", uid: "e" },
        spec: { containers: [{ name: "app", resources: { limits: { "example.com/foo": "2" } } }] },
      },
      "e",
    );
    const r = node.admit(pod);
    assert.equal(r.reason, "OutOfexample.com/foo");
    assert.deepEqual(r.warnings, []);
  });

  it("refuses a configuration whose reservation exceeds the capacity", () => {
    assert.throws(
      () =>
        new Node({
          machine: machine(),
          config: defaultNodeConfig({ kubeReserved: { memory: Quantity.parse("20Gi") } }),
        }),
      (err: unknown) =>
        err instanceof NodeConfigError &&
        err.message ===
          "invalid Node Allocatable configuration: reservation of memory (20580Mi) exceeds capacity (16Gi)",
    );
  });

  it("builds the node object from the machine and the kubelet configuration", () => {
    const node = staticNode({
      maxPods: 20,
      registerWithTaints: [{ key: "dedicated", effect: "NoExecute" }],
    });
    const obj = node.nodeObject();
    assert.equal(obj.name, "node");
    assert.deepEqual(obj.labels, {
      "kubernetes.io/hostname": "node",
      "kubernetes.io/os": "linux",
      "kubernetes.io/arch": "amd64",
    });
    assert.equal(obj.allocatable.pods.value(), 20n);
    assert.equal(obj.allocatable.cpu.milliValue(), 7000n);
    const r = node.admit(burstable("p", "1"));
    assert.equal(r.reason, "TaintToleration");
  });
});

describe("Node's running totals for the predicate handler (property)", () => {
  it("after any admit/remove sequence, equal the sums over the admitted pods", () => {
    const step = fc.oneof(
      fc.record({
        op: fc.constant("admit" as const),
        cpu: fc.integer({ min: 0, max: 3000 }),
        port: fc.option(fc.integer({ min: 80, max: 82 }), { nil: undefined }),
      }),
      fc.record({ op: fc.constant("remove" as const), index: fc.nat(20) }),
    );
    fc.assert(
      fc.property(fc.array(step, { maxLength: 25 }), (steps) => {
        const node = new Node({ machine: machine(), config: defaultNodeConfig({ maxPods: 6 }) });
        let n = 0;
        for (const s of steps) {
          if (s.op === "remove") {
            const pods = node.admittedPods();
            if (pods.length > 0) node.remove(pods[s.index % pods.length].uid);
            continue;
          }
          const ports = s.port === undefined ? [] : [{ containerPort: 8080, hostPort: s.port }];
          node.admit(
            podFromObject(
              {
                metadata: { name: `p${n}`, uid: `p${++n}` },
                spec: { containers: [{ name: "c", ports, resources: { requests: { cpu: `${s.cpu}m` } } }] },
              },
              "p",
            ),
          );
          const probe = podFromObject(
            {
              metadata: { name: "probe", uid: "probe" },
              spec: { containers: [{ name: "c", ports: [{ containerPort: 1, hostPort: 81 }] }] },
            },
            "probe",
          );
          const kept = node.predicateFor(probe);
          const fresh = admitPredicate({
            node: node.nodeObject(),
            pod: probe,
            otherPods: node.admittedPods(),
            gates: node.config.featureGates,
          });
          assert.deepEqual(
            [kept.admitted, kept.reason, kept.used, kept.podCount],
            [fresh.admitted, fresh.reason, fresh.used, fresh.podCount],
          );
        }
      }),
      { numRuns: 100 },
    );
  });
});
