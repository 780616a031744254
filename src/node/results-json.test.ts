/**
 * The library's results print with `JSON.stringify` in the conventions of `-o json`: an admission
 * (CPU sets as lists, byte sizes as numbers), the decisions of `buildDecisions`, simulation steps
 * (whose pending devices are a Map), and an explanation.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { BLOG_DATABASE_POD } from "../k8s/blog-pods.cases.js";
import { buildDecisions } from "./decisions.js";
import { explainAdmission } from "./explain.js";
import { Node } from "./node.js";
import { runSimulation } from "./simulation.js";
import { machineM, podFromYaml, workedExampleConfig } from "./test-support.js";

const GI = 1024 ** 3;

describe("JSON.stringify of the library's results", () => {
  const pod = () => podFromYaml(BLOG_DATABASE_POD);

  it("an admission: CPU sets as Linux lists, bytes as numbers, every bigint converted", () => {
    const node = new Node({ machine: machineM(), config: workedExampleConfig("pod") });
    const result = node.admit(pod());
    const data = JSON.parse(JSON.stringify(result));
    assert.equal(data.podDecision.bubble, "1-4,17-20");
    assert.deepEqual(data.podDecision.memory, [{ numaAffinity: [0], type: "memory", size: 16 * GI }]);
    assert.equal(data.podDecision.cgroup.memoryLimitBytes, 16 * GI);
    assert.equal(data.containers[2].cpus, "1-3,17-19");
    assert.equal(typeof data.predicate.resources[0].allocatable, "number");
    assert.equal(data.defaultCpuSet, "0,5-16,21-31");
  });

  it("the decisions of buildDecisions and every simulation step, a remove step's pending devices included", () => {
    const node = new Node({ machine: machineM(), config: workedExampleConfig("pod") });
    const steps = runSimulation(node, [
      { op: "admit", pod: pod() },
      { op: "remove", pod: "default/tightly-coupled-database" },
      { op: "remove", pod: "nobody" },
    ]);
    const data = JSON.parse(JSON.stringify(steps));
    assert.equal(data[0].result.admitted, true);
    assert.deepEqual(data[1].devicesPendingRelease, {});
    assert.equal(data[2].result.removed, false);
    const again = new Node({ machine: machineM(), config: workedExampleConfig("pod") });
    again.admit(pod());
    const decisions = JSON.parse(JSON.stringify(buildDecisions(again, pod())));
    assert.equal(decisions.podDecision.memory[0].size, 16 * GI);
  });

  it("an explanation, with its rejection and the requests it searched", () => {
    const node = new Node({ machine: machineM(), config: workedExampleConfig("pod") });
    const big = podFromYaml(BLOG_DATABASE_POD.replace(/cpu: "8"/g, 'cpu: "17"'));
    const data = JSON.parse(JSON.stringify(explainAdmission(node, big)));
    assert.equal(data.rejection.name, "single-numa-node");
    assert.deepEqual(
      data.fit.requests.map((r: { resource: string; requested: unknown; below: unknown }) => [
        r.resource,
        r.requested,
        r.below,
      ]),
      [["cpu", 17000, 16000]],
    );
  });
});
