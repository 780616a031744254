import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { podRequestAmounts, preemptionRequest } from "./request.js";
import { pod, requesting } from "./test-helpers.js";

const ON = { PodLevelResources: true };
const OFF = { PodLevelResources: false };

const amounts = (m: Map<string, bigint>) => Object.fromEntries([...m].map(([k, v]) => [k, String(v)]));

describe("the pod's effective request", () => {
  it("sidecars add up; a standard init container counts with the sidecars declared before it", () => {
    const p = pod({
      initContainers: [
        { name: "init-a", resources: { requests: { cpu: "3" } } },
        { name: "side-1", restartPolicy: "Always", resources: { requests: { cpu: "1", memory: "1Gi" } } },
        { name: "init-b", resources: { requests: { cpu: "2500m" } } },
      ],
      containers: [{ name: "app", resources: { requests: { cpu: "1", memory: "2Gi" } } }],
    });
    // sum = app 1 + sidecar 1 = 2; init uses: 3, 1 (sidecars so far), 2.5 + 1 = 3.5 → max 3.5.
    assert.deepEqual(amounts(podRequestAmounts(p, ON)), { cpu: "3500", memory: String(3n << 30n) });
  });

  it("sums quantities exactly before rounding: two 0.5m containers request 1 millicore", () => {
    const p = pod({
      containers: [
        { name: "a", resources: { requests: { cpu: "0.5m" } } },
        { name: "b", resources: { requests: { cpu: "0.5m" } } },
      ],
    });
    assert.equal(podRequestAmounts(p, ON).get("cpu"), 1n);
  });

  it("pod-level requests replace cpu, memory and hugepages only with the gate on; overhead comes last", () => {
    const spec = {
      ...requesting({ cpu: "1", memory: "1Gi", "example.com/foo": "2" }),
      resources: { requests: { cpu: "3", memory: "2Gi" } },
      overhead: { cpu: "250m", "example.com/foo": "1" },
    };
    assert.deepEqual(amounts(podRequestAmounts(pod(spec), ON)), {
      cpu: "3250",
      "example.com/foo": "3",
      memory: String(2n << 30n),
    });
    assert.deepEqual(amounts(podRequestAmounts(pod(spec), OFF)), {
      cpu: "1250",
      "example.com/foo": "3",
      memory: String(1n << 30n),
    });
  });

  it("keeps zero requests and drops names that are not resources a pod takes", () => {
    const p = pod(requesting({ cpu: "0", "example.com/foo": "0", pods: "1", storage: "1Gi" }));
    assert.deepEqual(amounts(podRequestAmounts(p, ON)), { cpu: "0", "example.com/foo": "0" });
  });

  it("limits never count", () => {
    const p = pod({ containers: [{ name: "c", resources: { limits: { cpu: "2" } } }] });
    assert.deepEqual(amounts(podRequestAmounts(p, ON)), {});
  });
});

describe("the request critical-pod preemption weighs", () => {
  it("pods count 1; overhead only on a non-zero request; pod-level requests alone with the gate on", () => {
    const p = pod({
      ...requesting({ cpu: "1", memory: "1Gi" }),
      resources: { requests: { cpu: "2" } },
      overhead: { cpu: "100m", memory: "64Mi", "example.com/foo": "1" },
    });
    assert.equal(preemptionRequest(p, "pods", ON), 1n);
    assert.equal(preemptionRequest(p, "cpu", ON), 2100n);
    assert.equal(preemptionRequest(p, "memory", ON), 0n, "container memory is ignored with pod-level set");
    assert.equal(preemptionRequest(p, "memory", OFF), (1n << 30n) + (64n << 20n));
    assert.equal(preemptionRequest(p, "example.com/foo", ON), 0n, "no overhead on a zero request");
  });
});
