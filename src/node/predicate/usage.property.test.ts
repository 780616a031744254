import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import type { Pod } from "../../k8s/index.js";
import { admitPredicate } from "./handler.js";
import { buildNodeView, NodeUsage, sanitizeForDevices, sortedAllocatable } from "./node-view.js";
import { podRequestAmounts } from "./request.js";
import { sortedAmounts } from "./resources.js";
import { pod, statusNode } from "./test-helpers.js";

/*
 * The running totals an admission reads (pods added and removed over time, zero entries of
 * resources every pod has left kept) decide exactly as the other pods summed afresh, and a
 * request handed in decides as the one the handler computes; also when a resource is dropped
 * as unknown, when a pod asks for 0 of one, and with pod-level requests and overhead. The
 * allocatable a decision shows is the view's, raised by devices or not.
 */

const NAMES = ["cpu", "memory", "example.com/foo", "example.com/bar", "hugepages-2Mi"] as const;

const requests = fc.dictionary(fc.constantFrom(...NAMES), fc.constantFrom("0", "1", "2", "500m"), {
  maxKeys: 4,
});

const podArb = fc.record({
  containers: fc.array(requests, { minLength: 1, maxLength: 2 }),
  podLevel: fc.option(fc.dictionary(fc.constantFrom("cpu", "memory"), fc.constantFrom("1", "3")), {
    nil: undefined,
  }),
  overhead: fc.option(fc.dictionary(fc.constantFrom("cpu", "example.com/foo"), fc.constantFrom("1")), {
    nil: undefined,
  }),
});

type PodShape = typeof podArb extends fc.Arbitrary<infer T> ? T : never;

const build = (p: PodShape, uid: string): Pod =>
  pod(
    {
      containers: p.containers.map((r, i) => ({ name: `c${i}`, resources: { requests: r } })),
      ...(p.podLevel ? { resources: { requests: p.podLevel } } : {}),
      ...(p.overhead ? { overhead: p.overhead } : {}),
    },
    { uid },
  );

describe("running totals and a given request (property)", () => {
  it("decide as the other pods summed afresh and the request computed by the handler", () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ pod: podArb, stays: fc.boolean() }), { maxLength: 6 }),
        podArb,
        fc.boolean(),
        (history, incoming, knowsBar) => {
          const gates = { PodLevelResources: true };
          const node = statusNode({
            cpu: "4",
            memory: "8",
            "example.com/foo": "3",
            ...(knowsBar ? { "example.com/bar": "2" } : {}),
          });
          const usage = new NodeUsage(gates);
          const others: Pod[] = [];
          history.forEach((h, i) => {
            const p = build(h.pod, `other-${i}`);
            usage.add(p, i % 2 === 0 ? podRequestAmounts(p, gates) : undefined);
            if (h.stays) others.push(p);
            else usage.remove(p.uid);
          });
          const p = build(incoming, "incoming");
          const expected = admitPredicate({ node, pod: p, otherPods: others, gates });
          const got = admitPredicate({
            node,
            pod: p,
            otherPods: [],
            gates,
            usage,
            request: podRequestAmounts(p, gates),
          });
          assert.deepEqual(got, expected);
          assert.equal(
            JSON.stringify(got, (_, v) => (typeof v === "bigint" ? `${v}n` : v)),
            JSON.stringify(expected, (_, v) => (typeof v === "bigint" ? `${v}n` : v)),
          );
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe("the allocatable a decision shows (property)", () => {
  it("is the node view's, as raised by devices, a fresh record each time", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 5 }), fc.boolean(), (inUse, holds) => {
        const node = statusNode({ cpu: "4", memory: "8", "example.com/foo": "3" });
        const dm = { podHoldsDevices: holds, devicesInUse: new Map([["example.com/foo", inUse]]) };
        const view = buildNodeView(node, [], { PodLevelResources: true });
        sanitizeForDevices(view, dm);
        const first = sortedAllocatable(view);
        assert.deepEqual(first, sortedAmounts(view.allocatable));
        assert.deepEqual(Object.keys(first), Object.keys(sortedAmounts(view.allocatable)));
        first.cpu = 0n;
        assert.deepEqual(sortedAllocatable(buildNodeView(node, [], { PodLevelResources: true })), {
          cpu: 4000n,
          "example.com/foo": 3n,
          memory: 8n,
          pods: 110n,
        });
      }),
      { numRuns: 50 },
    );
  });
});
