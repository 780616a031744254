import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Pod } from "../../k8s/index.js";
import { admitPredicate } from "./handler.js";
import { pod, requesting, statusNode } from "./test-helpers.js";
import type { DeviceManagerView, NodeObject, PredicateDecision } from "./types.js";

const GATES = { PodLevelResources: true };

function decide(
  node: NodeObject,
  p: Pod,
  otherPods: Pod[] = [],
  deviceManager?: DeviceManagerView,
): PredicateDecision {
  return admitPredicate({ node, pod: p, otherPods, gates: GATES, deviceManager });
}

const outcome = (d: PredicateDecision) => [d.admitted, d.reason, d.message];

describe("the fit check", () => {
  const node = statusNode({ cpu: "10m", memory: "20", "example.com/aaa": "5", "hugepages-2Mi": "5" });
  const existing = pod(requesting({ cpu: "8m", memory: "19" }));

  it("OutOfcpu with the kubelet's message (millicores)", () => {
    const d = decide(node, pod(requesting({ cpu: "3m", memory: "1" })), [existing]);
    assert.deepEqual(outcome(d), [
      false,
      "OutOfcpu",
      "Node didn't have enough resource: cpu, requested: 3, used: 8, capacity: 10",
    ]);
    assert.equal(d.rejectedAt, "general-filter");
  });

  it("collects every failure in order; the first is reported", () => {
    const d = decide(node, pod(requesting({ cpu: "3m", memory: "2", "hugepages-2Mi": "6" })), [existing]);
    assert.deepEqual(
      d.failures.map((f) => (f.kind === "InsufficientResource" ? f.resourceName : f.predicateName)),
      ["cpu", "memory", "hugepages-2Mi"],
    );
    assert.equal(d.reason, "OutOfcpu");
  });

  it("requests equal to the free amount fit; a zero request never fails", () => {
    assert.equal(decide(node, pod(requesting({ cpu: "2m", memory: "1" })), [existing]).admitted, true);
    const full = pod(requesting({ cpu: "50m" }));
    assert.equal(decide(node, pod(requesting({ cpu: "0", memory: "1" })), [full]).admitted, true);
  });

  it("OutOfpods counts every other pod, BestEffort included", () => {
    const d = decide(statusNode({ pods: "1" }), pod(), [pod()]);
    assert.deepEqual(outcome(d), [
      false,
      "OutOfpods",
      "Node didn't have enough resource: pods, requested: 1, used: 1, capacity: 1",
    ]);
  });

  it("OutOf<name> for a scalar resource; ephemeral storage is checked", () => {
    const d = decide(node, pod(requesting({ "example.com/aaa": "6" })));
    assert.equal(d.reason, "OutOfexample.com/aaa");
    const disk = decide(
      statusNode({ "ephemeral-storage": "20" }),
      pod(requesting({ "ephemeral-storage": "25" })),
    );
    assert.deepEqual(outcome(disk), [
      false,
      "OutOfephemeral-storage",
      "Node didn't have enough resource: ephemeral-storage, requested: 25, used: 0, capacity: 20",
    ]);
  });

  it("skips the ephemeral-storage check when the node's disk is unknown", () => {
    const d = decide(
      statusNode({}, { ephemeralStorageKnown: false }),
      pod(requesting({ "ephemeral-storage": "25" })),
    );
    assert.equal(d.admitted, true);
    assert.equal(d.ephemeralStorageChecked, false);
  });

  it("reports allocatable, requested and used per resource", () => {
    const d = decide(node, pod(requesting({ cpu: "1m", memory: "1" })), [existing]);
    const cpu = d.resources.find((r) => r.resourceName === "cpu");
    assert.deepEqual(cpu, {
      resourceName: "cpu",
      allocatable: 10n,
      used: 8n,
      requested: 1n,
      free: 2n,
      checked: true,
      fits: true,
    });
    assert.deepEqual(
      d.resources.map((r) => r.resourceName),
      ["pods", "cpu", "memory", "ephemeral-storage", "example.com/aaa", "hugepages-2Mi"],
    );
  });
});

describe("extended resources and devices", () => {
  it("drops requests for extended resources the node does not list; keeps those listed with 0", () => {
    const unknown = decide(statusNode({ "foo.com/baz": "1" }), pod(requesting({ "foo.com/bar": "1" })));
    assert.equal(unknown.admitted, true);
    assert.deepEqual(unknown.droppedExtendedResources, ["foo.com/bar"]);
    const zero = decide(statusNode({ "foo.com/bar": "0" }), pod(requesting({ "foo.com/bar": "1" })));
    assert.equal(zero.reason, "OutOffoo.com/bar");
  });

  it("kubernetes.io resources are never dropped", () => {
    const d = decide(statusNode({}), pod(requesting({ "kubernetes.io/something": "10" })));
    assert.equal(d.reason, "OutOfkubernetes.io/something");
  });

  it("raises allocatable to the devices in use when the Device Manager holds devices for the pod", () => {
    const node = statusNode({ "nvidia.com/gpu": "1" });
    const p = pod(requesting({ "nvidia.com/gpu": "2" }));
    const inUse = new Map([["nvidia.com/gpu", 2]]);
    const held = decide(node, p, [], { podHoldsDevices: true, devicesInUse: inUse });
    assert.equal(held.admitted, true);
    assert.deepEqual(held.raisedByDevices, ["nvidia.com/gpu"]);
    const notHeld = decide(node, p, [], { podHoldsDevices: false, devicesInUse: inUse });
    assert.equal(notHeld.reason, "OutOfnvidia.com/gpu");
  });
});

describe("the other general predicates", () => {
  const node = statusNode({}, { name: "node-1", labels: { zone: "a", "gpu-count": "4" } });

  it("NodeAffinity: nodeSelector and required terms", () => {
    const msg = "Predicate NodeAffinity failed: node(s) didn't match Pod's node affinity/selector";
    assert.deepEqual(outcome(decide(node, pod({ nodeSelector: { zone: "b" } }))), [
      false,
      "NodeAffinity",
      msg,
    ]);
    assert.equal(decide(node, pod({ nodeSelector: { zone: "a" } })).admitted, true);
    const affinity = (expr: Record<string, unknown>) =>
      pod({
        affinity: {
          nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [expr] } },
        },
      });
    const matches = (expr: Record<string, unknown>) => decide(node, affinity(expr)).admitted;
    assert.equal(matches({ matchExpressions: [{ key: "gpu-count", operator: "Gt", values: ["2"] }] }), true);
    assert.equal(matches({ matchExpressions: [{ key: "gpu-count", operator: "Lt", values: ["2"] }] }), false);
    assert.equal(matches({ matchExpressions: [{ key: "zone", operator: "NotIn", values: ["b"] }] }), true);
    assert.equal(matches({ matchExpressions: [{ key: "rack", operator: "NotIn", values: ["b"] }] }), true);
    assert.equal(matches({ matchExpressions: [{ key: "rack", operator: "DoesNotExist" }] }), true);
    assert.equal(
      matches({ matchExpressions: [{ key: "zone", operator: "In", values: [] }] }),
      false,
      "invalid",
    );
    assert.equal(
      matches({ matchFields: [{ key: "metadata.name", operator: "In", values: ["node-1"] }] }),
      true,
    );
    assert.equal(
      matches({ matchFields: [{ key: "metadata.uid", operator: "In", values: ["node-1"] }] }),
      false,
    );
    assert.equal(matches({}), false, "an empty term matches nothing");
  });

  it("NodeName", () => {
    assert.deepEqual(outcome(decide(node, pod({ nodeName: "other" }))), [
      false,
      "NodeName",
      "Predicate NodeName failed: node(s) didn't match the requested node name",
    ]);
    assert.equal(decide(node, pod({ nodeName: "node-1" })).admitted, true);
  });

  it("NodePorts: wildcard and specific addresses, sidecars count, standard init containers do not", () => {
    const holding = (
      port: Record<string, unknown>,
      where: "containers" | "sidecar" | "init" = "containers",
    ) => {
      const c = { name: "c", ports: [{ containerPort: 80, ...port }] };
      if (where === "containers") return pod({ containers: [c] });
      return pod({
        initContainers: [where === "sidecar" ? { ...c, restartPolicy: "Always" } : c],
        containers: [],
      });
    };
    const want = (port: Record<string, unknown>) =>
      decide(node, holding(port), [holding({ hostPort: 80, hostIP: "10.0.0.1" })]);
    assert.equal(want({ hostPort: 80 }).reason, "NodePorts", "0.0.0.0 conflicts with any address");
    assert.equal(want({ hostPort: 80, hostIP: "10.0.0.1" }).reason, "NodePorts");
    assert.equal(want({ hostPort: 80, hostIP: "10.0.0.2" }).admitted, true);
    assert.equal(want({ hostPort: 80, protocol: "UDP" }).admitted, true);
    assert.equal(
      decide(node, holding({ hostPort: 81 }), [holding({ hostPort: 81 }, "sidecar")]).reason,
      "NodePorts",
    );
    assert.equal(decide(node, holding({ hostPort: 82 }), [holding({ hostPort: 82 }, "init")]).admitted, true);
  });

  it("TaintToleration: only NoExecute taints, static pods exempt", () => {
    const tainted = statusNode(
      {},
      {
        taints: [
          { key: "foo", effect: "NoSchedule" },
          { key: "bar", value: "x", effect: "NoExecute" },
        ],
      },
    );
    assert.deepEqual(outcome(decide(tainted, pod())), [
      false,
      "TaintToleration",
      "Predicate TaintToleration failed: node(s) had taints that the pod didn't tolerate",
    ]);
    assert.equal(decide(tainted, pod({ tolerations: [{ key: "bar", value: "x" }] })).admitted, true);
    assert.equal(decide(tainted, pod({ tolerations: [{ key: "bar", operator: "Exists" }] })).admitted, true);
    assert.equal(decide(tainted, pod({ tolerations: [{ key: "bar", value: "y" }] })).admitted, false);
    assert.equal(
      decide(tainted, pod({ tolerations: [{ key: "bar", operator: "Gt", value: "1" }] })).admitted,
      false,
    );
    const staticPod = pod({}, { annotations: { "kubernetes.io/config.source": "file" } });
    assert.equal(decide(tainted, staticPod).admitted, true);
  });

  it("OS label, OS field and supplemental groups come before everything else", () => {
    const small = statusNode({ pods: "0" }, { labels: { "kubernetes.io/os": "dummyOS" } });
    assert.equal(decide(small, pod({}, { labels: { "kubernetes.io/os": "linux" } })).reason, "OutOfpods");
    assert.deepEqual(outcome(decide(small, pod({}, { labels: { "kubernetes.io/os": "windows" } }))), [
      false,
      "PodOSSelectorNodeLabelDoesNotMatch",
      "Failed to admit pod as the `kubernetes.io/os` label doesn't match node label",
    ]);
    assert.deepEqual(outcome(decide(small, pod({ os: { name: "windows" } }))), [
      false,
      "PodOSNotSupported",
      "Failed to admit pod as the OS field doesn't match node OS",
    ]);
    const noFeature = statusNode({}, { supplementalGroupsPolicy: false });
    const strict = pod({ securityContext: { supplementalGroupsPolicy: "Strict" } });
    assert.deepEqual(outcome(decide(noFeature, strict)), [
      false,
      "SupplementalGroupsPolicyNotSupported",
      "SupplementalGroupsPolicy=Strict is not supported in this node",
    ]);
    assert.equal(decide(statusNode({}), strict).admitted, true);
  });
});

describe("critical pods", () => {
  const node = statusNode({ cpu: "4", memory: "4Gi" });
  const critical = (spec: Record<string, unknown>) => pod({ ...spec, priority: 2000001000 });
  const guaranteed = (cpu: string, uid: string) =>
    pod(
      {
        containers: [
          { name: "c", resources: { requests: { cpu, memory: "1Gi" }, limits: { cpu, memory: "1Gi" } } },
        ],
      },
      { uid },
    );
  const burstable = (cpu: string, uid: string) => pod(requesting({ cpu }), { uid });

  it("a non-resource failure is reported before the resource failures", () => {
    const d = decide(node, critical({ ...requesting({ cpu: "8" }), nodeName: "elsewhere" }));
    assert.equal(d.reason, "NodeName");
    assert.deepEqual(
      d.ignoredFailures.map((f) => f.kind === "InsufficientResource" && f.resourceName),
      ["cpu"],
    );
  });

  it("evicts Burstable before Guaranteed pods, as few and as small as possible", () => {
    const others = [
      guaranteed("1", "g1"),
      burstable("1500m", "b1"),
      burstable("500m", "b2"),
      burstable("1", "b3"),
    ];
    const d = decide(node, critical(requesting({ cpu: "1500m" })), others);
    assert.equal(d.admitted, true);
    assert.deepEqual(d.preempted, ["b1"]);
    assert.equal(d.reason, null);
  });

  it("a shortfall no preemptable pod can free is an UnexpectedAdmissionError", () => {
    const d = decide(node, critical(requesting({ "hugepages-2Mi": "4Mi", cpu: "1" })), [
      burstable("4", "b1"),
    ]);
    assert.deepEqual(outcome(d), [
      false,
      "UnexpectedAdmissionError",
      "Unexpected error while attempting to recover from admission failure: preemption: error finding a set of pods to preempt: no set of running pods found to reclaim resources: [(res: hugepages-2Mi, q: 4194304), ]",
    ]);
    assert.equal(d.rejectedAt, "preemption");
  });

  it("a critical pod does not preempt another critical pod of equal priority", () => {
    const d = decide(node, critical(requesting({ cpu: "1" })), [critical(requesting({ cpu: "4" }))]);
    assert.equal(d.reason, "UnexpectedAdmissionError");
  });
});
