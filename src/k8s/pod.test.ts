import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import {
  DEFAULT_FEATURE_GATES,
  isPodLevelResourcesSet,
  isSidecar,
  type Pod,
  parsePods,
  podFromObject,
  podQOS,
  podUIDFor,
  validatePod,
} from "./index.js";
import { BLOG_DATABASE_POD, BLOG_ML_POD } from "./blog-pods.cases.js";

const GATES_ON = { ...DEFAULT_FEATURE_GATES, PodLevelResources: true, PodLevelResourceManagers: true };

function onlyPod(text: string): Pod {
  const pods = parsePods(text, "pod.yaml");
  assert.equal(pods.length, 1);
  return pods[0];
}

describe("blog example pods", () => {
  it("reads tightly-coupled-database (§7.1)", () => {
    const pod = onlyPod(BLOG_DATABASE_POD);
    assert.equal(pod.name, "tightly-coupled-database");
    assert.equal(pod.namespace, "default");
    assert.deepEqual(
      pod.initContainers.map((c) => [c.name, isSidecar(c), c.resources]),
      [
        ["metrics-exporter", true, null],
        ["backup-agent", true, null],
      ],
    );
    const db = pod.containers[0];
    assert.equal(db.resources?.requests.cpu.toString(), "6");
    assert.equal(db.resources?.limits.memory.toString(), "12Gi");
    assert.equal(pod.resources?.requests.memory.value(), 16n * 1024n ** 3n);
    assert.ok(isPodLevelResourcesSet(pod));
    assert.equal(podQOS(pod, GATES_ON), "Guaranteed");
    assert.deepEqual(validatePod(pod), []);
  });

  it("reads ml-workload (§7.2), accepting fields podpin does not use", () => {
    const pod = onlyPod(BLOG_ML_POD);
    assert.equal(pod.namespace, "training");
    assert.deepEqual(
      pod.containers.map((c) => c.name),
      ["ml-training"],
    );
    assert.equal(pod.resources?.limits.cpu.toString(), "4");
    assert.equal(podQOS(pod, GATES_ON), "Guaranteed");
    assert.deepEqual(validatePod(pod), []);
  });

  it("reads both from one multi-document stream, and from a List", () => {
    const stream = parsePods(`${BLOG_DATABASE_POD}---\n${BLOG_ML_POD}---\n`, "pods.yaml");
    assert.deepEqual(
      stream.map((p) => p.name),
      ["tightly-coupled-database", "ml-workload"],
    );
    const asList = {
      apiVersion: "v1",
      kind: "List",
      items: stream.map((p) => ({
        metadata: { name: p.name, namespace: p.namespace },
        spec: { containers: [] },
      })),
    };
    const listed = parsePods(JSON.stringify(asList), "list.json");
    assert.deepEqual(
      listed.map((p) => [p.name, p.uid]),
      stream.map((p) => [p.name, p.uid]),
    );
  });
});

describe("pod fields", () => {
  it("keeps metadata.uid, status.qosClass and spec.os.name", () => {
    const pod = onlyPod(`metadata: {name: a, uid: u-1}
spec:
  os: {name: linux}
  containers: [{name: c}]
status: {qosClass: Burstable, phase: Running}
`);
    assert.equal(pod.uid, "u-1");
    assert.equal(pod.qosClass, "Burstable");
    assert.equal(pod.os, "linux");
    assert.equal(pod.containers[0].resources, null);
  });

  it("generates a deterministic version-5 UID from namespace/name", () => {
    const a = onlyPod("metadata: {name: a}\nspec: {containers: [{name: c}]}\n");
    assert.equal(a.uid, podUIDFor("default", "a"));
    assert.match(a.uid, /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.notEqual(podUIDFor("default", "a"), podUIDFor("other", "a"));
    const label = fc.stringMatching(/^[a-z0-9]([-a-z0-9]{0,14}[a-z0-9])?$/);
    fc.assert(
      fc.property(label, label, label, label, (ns1, n1, ns2, n2) => {
        const same = ns1 === ns2 && n1 === n2;
        return (podUIDFor(ns1, n1) === podUIDFor(ns2, n2)) === same;
      }),
    );
  });

  it("reads quantities written as bare numbers from their spelling", () => {
    const pod = onlyPod(`metadata: {name: a}
spec:
  containers:
  - name: c
    resources:
      limits: {cpu: 1.50, memory: 123456789012345678901, ephemeral-storage: 1e3}
`);
    const limits = pod.containers[0].resources!.limits;
    assert.equal(limits.cpu.toString(), "1500m");
    assert.equal(limits.memory.value(), 123456789012345678901n);
    assert.equal(limits["ephemeral-storage"].toString(), "1e3");
  });

  it("accepts JSON text", () => {
    const pod = onlyPod(
      JSON.stringify({ metadata: { name: "j" }, spec: { containers: [{ name: "c", image: "x" }] } }),
    );
    assert.equal(pod.name, "j");
  });
});

describe("API defaulting", () => {
  it("defaults container requests from limits", () => {
    const pod = onlyPod(`metadata: {name: a}
spec:
  initContainers:
  - name: i
    resources: {limits: {cpu: 2}, requests: {memory: 1Gi}}
  containers:
  - name: c
    resources: {limits: {cpu: 1, memory: 1Gi}}
`);
    assert.equal(pod.containers[0].resources?.requests.cpu.toString(), "1");
    assert.equal(pod.containers[0].resources?.requests.memory.toString(), "1Gi");
    assert.equal(pod.initContainers[0].resources?.requests.cpu.toString(), "2");
  });

  it("defaults pod-level requests from pod-level limits, so limits alone are Guaranteed", () => {
    const pod = onlyPod(`metadata: {name: a}
spec:
  containers:
  - name: c
    resources: {requests: {cpu: 1}}
  resources:
    limits: {cpu: 4, memory: 4Gi}
`);
    assert.equal(pod.resources?.requests.cpu.toString(), "4");
    assert.equal(pod.resources?.requests.memory.toString(), "4Gi");
    assert.equal(podQOS(pod, GATES_ON), "Guaranteed");
  });

  it("defaults pod-level hugepages from the containers' aggregate", () => {
    const pod = onlyPod(`metadata: {name: a}
spec:
  initContainers:
  - name: s
    restartPolicy: Always
    resources: {limits: {memory: 1Gi, hugepages-2Mi: 4Mi}}
  containers:
  - name: c
    resources: {limits: {memory: 1Gi, hugepages-2Mi: 6Mi}}
  resources:
    limits: {cpu: 2, memory: 4Gi}
`);
    assert.equal(pod.resources?.limits["hugepages-2Mi"].toString(), "10Mi");
    assert.equal(pod.resources?.requests["hugepages-2Mi"].toString(), "10Mi");
    assert.deepEqual(validatePod(pod), []);
  });

  it("leaves raw objects alone when asked (the Go QoS tests do)", () => {
    const raw = {
      metadata: { name: "a" },
      spec: { containers: [{ name: "c" }], resources: { limits: { cpu: "1" } } },
    };
    const pod = podFromObject(raw, "case", { applyDefaults: false });
    assert.deepEqual(Object.keys(pod.resources!.requests), []);
  });
});
