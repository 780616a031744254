import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { presetMachine } from "../machine/index.js";
import { checkPodCount, MAX_CONTAINERS_PER_POD, MAX_PODS_PER_RUN, NodeLimitError } from "./limits.js";
import { Node } from "./node.js";
import { invariantViolations, machineM, testPod, workedExampleConfig } from "./test-support.js";

/*
 * Hang guards for huge inputs (issue 12): the bounds are generous on purpose (a slow CI core is
 * not a failure); the figures themselves are `npm run bench`'s ("admission cost vs live pods").
 * Before the fix, one pod with 2,000 containers took 30 s through the CLI and 5,000 pods 68-95 s.
 */

function seconds(fn: () => void): number {
  const start = performance.now();
  fn();
  return (performance.now() - start) / 1000;
}

describe("the engine on huge inputs", () => {
  it("admits one pod with 2,000 containers in seconds", () => {
    const node = new Node({ machine: machineM(), config: workedExampleConfig("container") });
    const pod = testPod("wide", {
      init: [{ name: "sidecar", cpu: "1", memory: "64Mi", sidecar: true }],
      containers: Array.from({ length: 1999 }, (_, i) => ({ name: `c${i}`, cpu: "10m", memory: "1Mi" })),
    });
    let admitted = false;
    const took = seconds(() => {
      admitted = node.admit(pod).admitted;
    });
    assert.equal(admitted, true);
    assert.ok(took < 20, `2,000 containers took ${took.toFixed(1)} s`);
    assert.deepEqual(invariantViolations(node, { pods: new Map([[pod.uid, pod]]) }), []);
  });

  it("refuses a pod with more containers than the limit, with a typed error", () => {
    const node = new Node({ machine: machineM(), config: workedExampleConfig("container") });
    const pod = testPod("too-wide", {
      containers: Array.from({ length: MAX_CONTAINERS_PER_POD + 1 }, (_, i) => ({ name: `c${i}` })),
    });
    assert.throws(() => node.admit(pod), NodeLimitError);
    assert.equal(node.admittedPods().length, 0);
  });

  it("refuses more admissions than the per-run limit", () => {
    assert.doesNotThrow(() => checkPodCount(MAX_PODS_PER_RUN));
    assert.throws(() => checkPodCount(MAX_PODS_PER_RUN + 1), NodeLimitError);
  });

  it("admits 5,000 pods with every manager on, at a cost flat in live pods", () => {
    const machine = presetMachine("synthetic-8n-512c");
    assert.ok(machine, "preset synthetic-8n-512c");
    const node = new Node({
      machine,
      config: workedExampleConfig("container", { topologyManagerPolicy: "best-effort", maxPods: 10_000 }),
    });
    const pods = Array.from({ length: 5000 }, (_, i) =>
      testPod(`p${i}`, {
        containers: [
          { name: "main", cpu: i % 20 === 0 ? "1" : "10m", memory: "32Mi" },
          { name: "helper", cpu: "10m", memory: "8Mi" },
        ],
      }),
    );
    const times: number[] = [];
    const took = seconds(() => {
      for (const pod of pods) {
        const start = performance.now();
        const r = node.admit(pod);
        assert.equal(r.admitted, true, `${pod.uid}: ${r.message}`);
        times.push(performance.now() - start);
        // Every tenth pod leaves again, so removal and the stale-state cleanup take part.
        if (times.length % 10 === 0) node.remove(pod.uid);
      }
    });
    assert.ok(took < 90, `5,000 pods took ${took.toFixed(1)} s`);
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const ratio = mean(times.slice(-500)) / mean(times.slice(500, 1000));
    assert.ok(ratio < 5, `the last 500 admissions cost ${ratio.toFixed(1)}x the 500 after warm-up`);
  });
});
