import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { CPUSet } from "../../core/index.js";
import { withinOneUncore } from "./policy-metrics.js";
import { CPUState } from "./state.js";
import { availableArb, takeTopologyArb } from "./take.test-support.js";

function outcome(fn: () => boolean): string {
  try {
    return String(fn());
  } catch (err) {
    return `throws ${(err as Error).message}`;
  }
}

describe("CPU policy metrics and state bookkeeping", () => {
  it("withinOneUncore answers as the topology does, unknown CPUs included", () => {
    fc.assert(
      fc.property(
        takeTopologyArb.chain(({ topo }) => fc.tuple(fc.constant(topo), availableArb(topo))),
        ([topo, cpus]) => {
          assert.equal(
            outcome(() => withinOneUncore(topo, cpus)),
            outcome(() => topo.withinOneUncore(cpus)),
          );
          // Small sets, where one uncore cache is likely.
          const few = cpus.takeLowest(3);
          assert.equal(
            outcome(() => withinOneUncore(topo, few)),
            outcome(() => topo.withinOneUncore(few)),
          );
        },
      ),
      { numRuns: 300 },
    );
  });

  it("the assigned CPUs are the union of the stored container sets after any sequence", () => {
    const setArb = fc.uniqueArray(fc.integer({ min: 0, max: 80 }), { maxLength: 12 }).map(CPUSet.fromIds);
    const opArb = fc.oneof(
      fc.record({ kind: fc.constant("set" as const), pod: fc.nat(2), ctr: fc.nat(2), cpus: setArb }),
      fc.record({ kind: fc.constant("delete" as const), pod: fc.nat(2), ctr: fc.nat(2) }),
      fc.record({ kind: fc.constant("deletePod" as const), pod: fc.nat(2) }),
    );
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 30 }), (ops) => {
        const state = new CPUState();
        for (const op of ops) {
          if (op.kind === "set") state.setCPUSet(`p${op.pod}`, `c${op.ctr}`, op.cpus);
          else if (op.kind === "delete") state.delete(`p${op.pod}`, `c${op.ctr}`);
          else state.deletePod(`p${op.pod}`);
          let union = CPUSet.empty;
          for (const pod of state.getCPUAssignments().values())
            for (const cpus of pod.values()) union = union.union(cpus);
          assert.equal(state.assignedCPUs().toString(), union.toString());
          assert.ok(state.assignedCPUs().equals(union));
          assert.equal(state.clone().assignedCPUs().toString(), union.toString());
        }
      }),
      { numRuns: 300 },
    );
  });
});
