import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { admitPredicate } from "./handler.js";
import { pod, statusNode } from "./test-helpers.js";

/*
 * Whatever the node, the other pods and the pod: the predicate handler never admits a
 * non-critical pod that asks for more of a resource than the node's allocatable minus what the
 * other pods use, and when it refuses one for a resource, that resource really is short. The
 * expected amounts are summed here from the raw numbers, not through the engine's helpers.
 */

const RESOURCES = ["cpu", "memory", "example.com/foo"] as const;
type Resource = (typeof RESOURCES)[number];
type Amounts = Record<Resource, number>;

/** A quantity spelling for an amount: millicores for cpu, plain integers otherwise. */
const spell = (r: Resource, v: number) => (r === "cpu" ? `${v}m` : String(v));

const amounts = (max: number) =>
  fc.record({
    cpu: fc.integer({ min: 0, max }),
    memory: fc.integer({ min: 0, max }),
    "example.com/foo": fc.integer({ min: 0, max: Math.ceil(max / 100) }),
  });

/** A pod made of one container per amount list (each container requests its amounts). */
const podSpec = (containers: Amounts[]) => ({
  containers: containers.map((a, i) => ({
    name: `c${i}`,
    resources: {
      requests: Object.fromEntries(RESOURCES.filter((r) => a[r] > 0).map((r) => [r, spell(r, a[r])])),
    },
  })),
});

const sum = (list: Amounts[], r: Resource) => list.reduce((acc, a) => acc + a[r], 0);

describe("predicate handler (property)", () => {
  it("never admits a request above allocatable − used; every OutOf<resource> is a real shortfall", () => {
    fc.assert(
      fc.property(
        amounts(4000),
        fc.array(fc.array(amounts(1500), { minLength: 1, maxLength: 3 }), { maxLength: 5 }),
        fc.array(amounts(3000), { minLength: 1, maxLength: 3 }),
        fc.integer({ min: 0, max: 8 }),
        (allocatable, others, incoming, maxPods) => {
          const node = statusNode({
            pods: String(maxPods),
            ...Object.fromEntries(RESOURCES.map((r) => [r, spell(r, allocatable[r])])),
          });
          const d = admitPredicate({
            node,
            pod: pod(podSpec(incoming)),
            otherPods: others.map((o) => pod(podSpec(o))),
            gates: { PodLevelResources: true },
          });
          const free = (r: Resource) => allocatable[r] - others.reduce((acc, o) => acc + sum(o, r), 0);
          const short = (r: Resource) => sum(incoming, r) > 0 && sum(incoming, r) > free(r);
          const podsShort = others.length + 1 > maxPods;
          if (d.admitted) {
            for (const r of RESOURCES) assert.ok(!short(r), `admitted although ${r} is short`);
            assert.ok(!podsShort, "admitted although the node is full");
          } else {
            for (const f of d.failures) {
              assert.equal(f.kind, "InsufficientResource");
              if (f.kind !== "InsufficientResource") continue;
              if (f.resourceName === "pods") assert.ok(podsShort);
              else assert.ok(short(f.resourceName as Resource), `${f.resourceName} reported short`);
            }
            assert.ok(podsShort || RESOURCES.some(short));
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
