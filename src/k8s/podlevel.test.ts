import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { Quantity } from "../core/index.js";
import { computePodQOS, podFromObject, podQOS, type QOSClass, type ResourceList } from "./index.js";

const ON = { PodLevelResources: true };
const OFF = { PodLevelResources: false };

type Res = Record<string, string>;
const ctr = (name: string, requests?: Res, limits?: Res) => ({
  name,
  ...(requests || limits ? { resources: { requests: requests ?? {}, limits: limits ?? {} } } : {}),
});
function pod(containers: object[], podLevel?: { requests?: Res; limits?: Res }, init: object[] = []) {
  return podFromObject(
    {
      metadata: { name: "p" },
      spec: { initContainers: init, containers, ...(podLevel ? { resources: podLevel } : {}) },
    },
    "test",
    { applyDefaults: false },
  );
}

describe("pod QoS", () => {
  it("classic per-container rules", () => {
    const g = { cpu: "1", memory: "1Gi" };
    assert.equal(computePodQOS(pod([ctr("a", g, g), ctr("b", g, g)]), ON), "Guaranteed");
    assert.equal(computePodQOS(pod([ctr("a", g, g), ctr("b")]), ON), "Burstable");
    assert.equal(computePodQOS(pod([ctr("a"), ctr("b")]), ON), "BestEffort");
    assert.equal(computePodQOS(pod([ctr("a", { cpu: "0" }, {})]), ON), "BestEffort");
    assert.equal(
      computePodQOS(pod([ctr("a", g, g)], undefined, [ctr("i", { cpu: "1" }, { cpu: "2" })]), ON),
      "Burstable",
    );
    assert.equal(computePodQOS(pod([ctr("a", { cpu: "1" }, g)]), ON), "Burstable");
  });

  it("pod-level rules (pod-level.md §1.1)", () => {
    const c = [ctr("a")];
    assert.equal(
      computePodQOS(
        pod(c, { requests: { cpu: "4", memory: "4Gi" }, limits: { cpu: "4", memory: "4Gi" } }),
        ON,
      ),
      "Guaranteed",
    );
    assert.equal(computePodQOS(pod(c, { requests: { cpu: "4" }, limits: { cpu: "4" } }), ON), "Burstable");
    assert.equal(computePodQOS(pod(c, { requests: {}, limits: {} }), ON), "BestEffort");
    assert.equal(computePodQOS(pod(c, { requests: { cpu: "0" }, limits: { cpu: "0" } }), ON), "BestEffort");
    assert.equal(
      computePodQOS(
        pod(c, { requests: { cpu: "2", memory: "4Gi" }, limits: { cpu: "4", memory: "4Gi" } }),
        ON,
      ),
      "Burstable",
    );
    // Hugepages never decide a class.
    assert.equal(
      computePodQOS(
        pod(c, {
          requests: { cpu: "1", memory: "1Gi", "hugepages-2Mi": "2Mi" },
          limits: { cpu: "1", memory: "1Gi" },
        }),
        ON,
      ),
      "Guaranteed",
    );
  });

  it("containers are ignored once .spec.resources is present, and only with the gate on", () => {
    const g = { cpu: "1", memory: "1Gi" };
    const p = pod([ctr("a", g, g)], { requests: {}, limits: {} });
    assert.equal(computePodQOS(p, ON), "BestEffort");
    assert.equal(computePodQOS(p, OFF), "Guaranteed");
  });

  it("a stored status.qosClass wins in podQOS, not in computePodQOS", () => {
    const p = { ...pod([ctr("a")]), qosClass: "Guaranteed" as QOSClass };
    assert.equal(podQOS(p, ON), "Guaranteed");
    assert.equal(computePodQOS(p, ON), "BestEffort");
  });

  it("agrees with the spec's formulation for any pod-level cpu/memory budget", () => {
    const amount = fc.option(fc.integer({ min: 0, max: 4 }), { nil: undefined });
    fc.assert(
      fc.property(amount, amount, amount, amount, (cpuReq, cpuLim, memReq, memLim) => {
        const list = (cpu?: number, mem?: number): ResourceList => {
          const out: ResourceList = {};
          if (cpu !== undefined) out.cpu = Quantity.fromInt(cpu);
          if (mem !== undefined) out.memory = Quantity.fromInt(mem);
          return out;
        };
        const p = {
          ...pod([ctr("a")]),
          resources: { requests: list(cpuReq, memReq), limits: list(cpuLim, memLim) },
        };
        const cpuEq = (cpuReq ?? 0) === (cpuLim ?? 0);
        const memEq = (memReq ?? 0) === (memLim ?? 0);
        let expected: QOSClass;
        if (!cpuEq || !memEq) expected = "Burstable";
        else if ((cpuReq ?? 0) > 0 && (memReq ?? 0) > 0) expected = "Guaranteed";
        else if ((cpuReq ?? 0) > 0 || (memReq ?? 0) > 0) expected = "Burstable";
        else expected = "BestEffort";
        return computePodQOS(p, ON) === expected;
      }),
    );
  });
});
