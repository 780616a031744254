import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import type { CPUSet } from "../../core/index.js";
import { buildPod, type PodShape, podArb } from "../../node/fuzz-sequences.js";
import { Node } from "../../node/index.js";
import { machineM, workedExampleConfig } from "../../node/test-support.js";
import type { PodResources } from "./types.js";
import { listPodResources } from "./view.js";

/*
 * For random pods admitted in pod scope on machine M (1.37 reporting): every CPU a container
 * reports lies in its pod's cpu_ids, no CPU is reported by two containers, the pod-level fields
 * are the bubble, and the pod shared pool a consumer derives is the engine's.
 */

const policyArb = fc.constantFrom("best-effort" as const, "restricted" as const, "single-numa-node" as const);

const seen = new Map<string, number>();
const count = (what: string) => seen.set(what, (seen.get(what) ?? 0) + 1);

function derivedSharedPool(pod: PodResources): number[] {
  const held = new Set(pod.containers.flatMap((c) => c.cpu_ids));
  return (pod.cpu_ids ?? []).filter((id) => !held.has(id));
}

function check(policy: "best-effort" | "restricted" | "single-numa-node", shapes: PodShape[]): void {
  const node = new Node({
    machine: machineM(),
    config: workedExampleConfig("pod", { kubernetesVersion: "1.37", topologyManagerPolicy: policy }),
  });
  const sharedPools = new Map<string, CPUSet | null>();
  shapes.forEach((shape, i) => {
    const pod = buildPod(`p${i}`, shape);
    if (!pod) return;
    const result = node.admit(pod);
    if (result.admitted) sharedPools.set(pod.name, result.podDecision?.podSharedPool ?? null);
  });
  const answer = listPodResources(node, "1.37");
  const owner = new Map<number, string>();
  for (const pod of answer.pod_resources) {
    const uid = node.admittedPods().find((p) => p.name === pod.name)!.uid;
    const bubble = node.cpuPolicy!.getPodCPUSet(uid);
    assert.deepEqual(pod.cpu_ids, bubble ? bubble.toArray() : [], `${pod.name}: pod cpu_ids are the bubble`);
    const podCPUs = new Set(pod.cpu_ids);
    for (const c of pod.containers) {
      if (c.cpu_ids.length > 0) count("exclusive container");
      for (const id of c.cpu_ids) {
        if (bubble) assert.ok(podCPUs.has(id), `${pod.name}/${c.name}: CPU ${id} outside the pod's cpu_ids`);
        const other = owner.get(id);
        assert.equal(other, undefined, `CPU ${id} reported by ${other} and ${pod.name}/${c.name}`);
        owner.set(id, `${pod.name}/${c.name}`);
      }
    }
    if (!bubble) continue;
    count("bubble");
    const enginePool = sharedPools.get(pod.name);
    assert.ok(enginePool, `${pod.name}: the engine has a pod shared pool for a pod with a bubble`);
    const derived = derivedSharedPool(pod);
    assert.deepEqual(derived, enginePool.toArray(), `${pod.name}: derived pod shared pool`);
    for (const c of pod.containers)
      if (c.cpu_ids.length === 0) {
        count("pod shared container");
        assert.deepEqual(
          node.cpuPolicy!.getAssignedCPUs(uid, c.name)?.toArray(),
          derived,
          `${pod.name}/${c.name}`,
        );
      }
  }
}

describe("1.37 reporting of random pod-scope admissions", () => {
  it("keeps container CPUs inside the pod's, never doubles a CPU, and agrees on the pod shared pool", () => {
    seen.clear();
    fc.assert(
      fc.property(policyArb, fc.array(podArb, { minLength: 1, maxLength: 6 }), (policy, shapes) =>
        check(policy, shapes),
      ),
      { numRuns: 150 },
    );
    for (const what of ["bubble", "exclusive container", "pod shared container"])
      assert.ok(
        (seen.get(what) ?? 0) > 0,
        `no run reached "${what}": ${JSON.stringify(Object.fromEntries(seen))}`,
      );
  });
});
