import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import type { Quantity } from "../core/index.js";
import { aggregateContainerLimits, aggregateContainerRequests, podFromObject } from "./index.js";
import { isSidecar, type Pod, type ResourceList } from "./types.js";

/*
 * The aggregate against a plain reading of its formula, on random pods with app, init and sidecar
 * containers: the same totals (and the same printed text, which follows the order of the sums),
 * the same keys in the same order, and the same contributions given to the hook.
 */

function plainAdd(target: Map<string, Quantity>, list: ResourceList): void {
  for (const [name, q] of Object.entries(list)) {
    const prev = target.get(name);
    target.set(name, prev ? prev.add(q) : q);
  }
}

function plainMax(target: Map<string, Quantity>, list: ResourceList): void {
  for (const [name, q] of Object.entries(list)) {
    const prev = target.get(name);
    if (!prev || q.cmp(prev) > 0) target.set(name, q);
  }
}

type Contribution = [ResourceList, "app" | "init"];

/** max(Σ app + Σ sidecars, max over init containers of (own + sidecars before it)). */
function referenceRequests(pod: Pod, seen: Contribution[]): ResourceList {
  const total = new Map<string, Quantity>();
  for (const c of pod.containers) {
    const list = c.resources?.requests ?? {};
    seen.push([list, "app"]);
    plainAdd(total, list);
  }
  const sidecars = new Map<string, Quantity>();
  const peak = new Map<string, Quantity>();
  for (const c of pod.initContainers) {
    const list = c.resources?.requests ?? {};
    let phase: ResourceList;
    if (isSidecar(c)) {
      plainAdd(total, list);
      plainAdd(sidecars, list);
      phase = Object.fromEntries(sidecars);
    } else {
      const own = new Map<string, Quantity>();
      plainAdd(own, list);
      plainAdd(own, Object.fromEntries(sidecars));
      phase = Object.fromEntries(own);
    }
    seen.push([phase, "init"]);
    plainMax(peak, phase);
  }
  plainMax(total, Object.fromEntries(peak));
  return Object.fromEntries([...total].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

const amountArb = fc.record(
  {
    cpu: fc.constantFrom("100m", "250m", "1", "2", "1500m", "0"),
    memory: fc.constantFrom("64Mi", "1Gi", "512Mi", "1G", "0"),
    "hugepages-2Mi": fc.constantFrom("2Mi", "4Mi"),
    "example.com/gpu": fc.constantFrom("1", "2"),
  },
  { requiredKeys: [] },
);

const podArb = fc
  .record({
    apps: fc.array(amountArb, { minLength: 1, maxLength: 3 }),
    inits: fc.array(fc.record({ amounts: amountArb, sidecar: fc.boolean() }), { maxLength: 4 }),
  })
  .map(({ apps, inits }) =>
    podFromObject(
      {
        apiVersion: "v1",
        kind: "Pod",
        metadata: { name: "p", uid: "u" },
        spec: {
          containers: apps.map((requests, i) => ({
            name: `a${i}`,
            resources: { requests, limits: requests },
          })),
          initContainers: inits.map(({ amounts, sidecar }, i) => ({
            name: `i${i}`,
            resources: { requests: amounts, limits: amounts },
            ...(sidecar ? { restartPolicy: "Always" } : {}),
          })),
        },
      },
      "test",
    ),
  );

const asText = (list: ResourceList) => Object.entries(list).map(([k, q]) => [k, q.toString()]);

describe("aggregate container resources against the formula", () => {
  it("gives the reference's totals, key order, printed text and hook contributions", () => {
    fc.assert(
      fc.property(podArb, (pod) => {
        const expectedSeen: Contribution[] = [];
        const expected = referenceRequests(pod, expectedSeen);
        const seen: Contribution[] = [];
        const got = aggregateContainerRequests(pod, (list, kind) => seen.push([list, kind]));
        assert.deepEqual(asText(got), asText(expected));
        assert.deepEqual(
          seen.map(([l, k]) => [asText(l), k]),
          expectedSeen.map(([l, k]) => [asText(l), k]),
        );
        assert.deepEqual(asText(aggregateContainerRequests(pod)), asText(expected));
        assert.deepEqual(asText(aggregateContainerLimits(pod)), asText(expected));
      }),
      { numRuns: 500 },
    );
  });
});
