import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { maskOf } from "./bitmask.js";
import type { ProviderHints, TopologyHint } from "./hint.js";
import { NUMAInfo } from "./numa-info.js";
import {
  alignmentGuaranteed,
  createPolicy,
  filterSingleNumaHints,
  type TopologyPolicyName,
} from "./policy.js";
import { hintData } from "./trace.js";

const P = (...ids: number[]): TopologyHint => ({ affinity: maskOf(...ids), preferred: true });
const N = (...ids: number[]): TopologyHint => ({ affinity: maskOf(...ids), preferred: false });
const answer = (hints: Record<string, TopologyHint[] | null>): ProviderHints =>
  new Map(Object.entries(hints));

const numa = NUMAInfo.withoutDistances([0, 1]);
const options = { preferClosestNUMA: false, maxAllowableNUMANodes: 8 };
const policy = (name: TopologyPolicyName) => createPolicy(name, numa, options);

function verdict(name: TopologyPolicyName, answers: ProviderHints[]) {
  const r = policy(name).merge(answers);
  return { hint: hintData(r.hint), admit: r.admit };
}

describe("policies", () => {
  const disagreeing = [answer({ cpu: [P(0)] }), answer({ memory: [P(1)] })];

  test("none ignores the hints and admits", () => {
    assert.deepEqual(verdict("none", [answer({ cpu: [] })]), {
      hint: { numaNodes: null, preferred: false },
      admit: true,
    });
  });

  test("best-effort admits a non-preferred merge; restricted does not", () => {
    assert.deepEqual(verdict("best-effort", disagreeing), {
      hint: { numaNodes: [0, 1], preferred: false },
      admit: true,
    });
    assert.deepEqual(verdict("restricted", disagreeing), {
      hint: { numaNodes: [0, 1], preferred: false },
      admit: false,
    });
    assert.deepEqual(verdict("restricted", [answer({ cpu: [P(1), P(0)] }), answer({ memory: [P(1)] })]), {
      hint: { numaNodes: [1], preferred: true },
      admit: true,
    });
  });

  test("an empty hint list cannot be satisfied: best-effort admits, the strict policies reject", () => {
    const unsatisfiable = [answer({ cpu: [] }), null];
    assert.equal(verdict("best-effort", unsatisfiable).admit, true);
    assert.equal(verdict("restricted", unsatisfiable).admit, false);
    assert.deepEqual(verdict("single-numa-node", unsatisfiable), {
      hint: { numaNodes: null, preferred: false },
      admit: false,
    });
  });

  test("single-numa-node: all-nodes results become null affinities", () => {
    assert.deepEqual(verdict("single-numa-node", [null, answer({ cpu: null })]), {
      hint: { numaNodes: null, preferred: true },
      admit: true,
    });
    assert.deepEqual(verdict("single-numa-node", disagreeing), {
      hint: { numaNodes: null, preferred: false },
      admit: false,
    });
  });

  test("single-numa-node drops non-preferred single-node hints and multi-node hints", () => {
    assert.deepEqual(
      filterSingleNumaHints([
        [N(0), P(0, 1), P(1), { affinity: null, preferred: false }, { affinity: null, preferred: true }],
      ]),
      [[P(1), { affinity: null, preferred: true }]],
    );
    assert.deepEqual(verdict("single-numa-node", [answer({ cpu: [N(0), P(0, 1)] })]), {
      hint: { numaNodes: null, preferred: false },
      admit: false,
    });
  });

  test("single-numa-node never uses the distance tie-break", () => {
    const distances = new Map([
      [0, [10, 30, 30]],
      [1, [30, 10, 30]],
      [2, [30, 30, 1]],
    ]);
    const far = NUMAInfo.create([0, 1, 2], distances, true);
    if (typeof far === "string") throw new Error(far);
    const answers = [answer({ cpu: [P(2), P(0)] })];
    const closest = { preferClosestNUMA: true, maxAllowableNUMANodes: 8 };
    assert.deepEqual(hintData(createPolicy("best-effort", far, closest).merge(answers).hint).numaNodes, [2]);
    assert.deepEqual(
      hintData(createPolicy("single-numa-node", far, closest).merge(answers).hint).numaNodes,
      [0],
    );
  });

  test("alignment is guaranteed by single-numa-node only", () => {
    assert.deepEqual(
      (["none", "best-effort", "restricted", "single-numa-node"] as const).map((n) =>
        alignmentGuaranteed(policy(n)),
      ),
      [false, false, false, true],
    );
  });
});
