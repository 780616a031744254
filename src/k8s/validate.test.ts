import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { Quantity } from "../core/index.js";
import { aggregateContainerRequests, fieldErrorString, podFromObject, validatePod } from "./index.js";

type Res = Record<string, string>;
const ctr = (name: string, requests: Res, extra: object = {}) => ({
  name,
  resources: { requests },
  ...extra,
});

describe("aggregate container requests (the sidecar formula)", () => {
  it("takes the larger of the running set and the worst init phase", () => {
    const pod = podFromObject(
      {
        metadata: { name: "p" },
        spec: {
          initContainers: [
            ctr("s1", { cpu: "1" }, { restartPolicy: "Always" }),
            ctr("init", { cpu: "3", memory: "1Gi" }),
            ctr("s2", { cpu: "500m", memory: "512Mi" }, { restartPolicy: "Always" }),
          ],
          containers: [ctr("a", { cpu: "1", memory: "1Gi" })],
        },
      },
      "test",
    );
    const agg = aggregateContainerRequests(pod);
    // running: a 1 + s1 1 + s2 0.5 = 2.5; init phase: init 3 + s1 1 = 4.
    assert.equal(agg.cpu.toString(), "4");
    // running: 1Gi + 512Mi; init phase: 1Gi.
    assert.equal(agg.memory.toString(), "1536Mi");
  });

  it("prints sums as the API server does (a zero first term takes the other's format)", () => {
    assert.equal(Quantity.parse("0").add(Quantity.parse("1Gi")).toString(), "1Gi");
    assert.equal(Quantity.parse("1").add(Quantity.parse("500m")).toString(), "1500m");
  });
});

describe("pod-level consistency", () => {
  const arbitraryPod = fc.record({
    apps: fc.array(fc.integer({ min: 0, max: 4000 }), { minLength: 1, maxLength: 3 }),
    sidecars: fc.array(fc.integer({ min: 0, max: 4000 }), { maxLength: 2 }),
    inits: fc.array(fc.integer({ min: 0, max: 8000 }), { maxLength: 2 }),
    slack: fc.integer({ min: -500, max: 500 }),
  });

  it("accepts a pod-level request exactly when it covers the aggregate", () => {
    fc.assert(
      fc.property(arbitraryPod, ({ apps, sidecars, inits, slack }) => {
        const m = (v: number) => ({ cpu: `${v}m` });
        const running = [...apps, ...sidecars].reduce((a, b) => a + b, 0);
        const initPeak = Math.max(0, ...inits.map((v) => v + sidecars.reduce((a, b) => a + b, 0)));
        const aggregate = Math.max(running, initPeak);
        const budget = Math.max(1, aggregate + slack);
        const pod = podFromObject(
          {
            metadata: { name: "p" },
            spec: {
              initContainers: [
                ...sidecars.map((v, i) => ctr(`s${i}`, m(v), { restartPolicy: "Always" })),
                ...inits.map((v, i) => ctr(`i${i}`, m(v))),
              ],
              containers: apps.map((v, i) => ctr(`a${i}`, m(v))),
              resources: { requests: { cpu: `${budget}m`, memory: "1Gi" }, limits: { memory: "1Gi" } },
            },
          },
          "test",
        );
        const errors = validatePod(pod).map(fieldErrorString);
        const refused = errors.some((e) => e.startsWith("spec.resources.requests[cpu]"));
        return refused === budget < aggregate;
      }),
    );
  });
});
