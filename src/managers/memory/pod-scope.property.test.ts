import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { ManagerError } from "../../core/index.js";
import { type Container, DEFAULT_FEATURE_GATES, isSidecar, type Pod } from "../../k8s/index.js";
import { validatePodScopeResources } from "./pod-scope.js";
import type { ResourceRequest } from "./requests.js";
import { addU64, subU64 } from "./u64.js";

/** `validatePodScopeResources` as first written: the exclusive sums in a map over every resource. */
function validateReference(
  pod: Pod,
  requestOf: (c: Container) => ResourceRequest,
  podTotal: ResourceRequest,
): string | null {
  let hasShared = false;
  const sums = new Map<string, bigint>();
  const addInto = (req: ResourceRequest) => {
    for (const [r, size] of req) sums.set(r, addU64(sums.get(r) ?? 0n, size));
  };
  for (const c of pod.initContainers) {
    const req = requestOf(c);
    if (!isSidecar(c)) {
      for (const [r, total] of podTotal) {
        const pool = subU64(total, sums.get(r) ?? 0n);
        if (req.size > 0) {
          const asked = req.get(r) ?? 0n;
          if (asked > pool)
            return `pod rejected, largest exclusive init container requests ${asked} of ${r}, but only ${pool} available`;
        } else if ((sums.get(r) ?? 0n) >= total)
          return `pod rejected, pod has shared init containers but no ${r} available for them`;
      }
      continue;
    }
    if (req.size === 0) hasShared = true;
    else addInto(req);
  }
  for (const c of pod.containers) {
    const req = requestOf(c);
    if (req.size === 0) hasShared = true;
    else addInto(req);
  }
  if (hasShared)
    for (const [r, total] of podTotal)
      if ((sums.get(r) ?? 0n) >= total)
        return `pod rejected, sum of exclusive container ${r} requests equals pod budget, leaving no memory for shared containers`;
  return null;
}

const RESOURCES = ["hugepages-1Gi", "hugepages-2Mi", "memory"];
const size = fc.oneof(fc.bigInt({ min: 0n, max: 40n }), fc.constant((1n << 64n) - 3n));
const request = fc
  .subarray(RESOURCES)
  .chain((names) => fc.tuple(...names.map((n) => size.map((s): [string, bigint] => [n, s]))))
  .map((entries) => new Map(entries) as ResourceRequest);
const container = fc.record({ sidecar: fc.boolean(), request });

describe("validatePodScopeResources", () => {
  it("gives the reference's verdict and text", () => {
    const seen = new Set<string>();
    fc.assert(
      fc.property(
        fc.array(container, { maxLength: 4 }),
        fc.array(request, { maxLength: 3 }),
        request,
        (inits, apps, podTotal) => {
          const requests = new Map<Container, ResourceRequest>();
          const make = (name: string, req: ResourceRequest, sidecar: boolean): Container => {
            const c = { name, restartPolicy: sidecar ? "Always" : undefined } as unknown as Container;
            requests.set(c, req);
            return c;
          };
          const pod = {
            initContainers: inits.map((c, i) => make(`init-${i}`, c.request, c.sidecar)),
            containers: apps.map((req, i) => make(`app-${i}`, req, false)),
          } as unknown as Pod;
          const requestOf = (c: Container) => requests.get(c)!;
          const got = validatePodScopeResources(pod, DEFAULT_FEATURE_GATES, requestOf, podTotal);
          assert.ok(got === null || got instanceof ManagerError);
          const expected = validateReference(pod, requestOf, podTotal);
          assert.equal(got?.message ?? null, expected);
          seen.add(expected?.split(" ").slice(0, 4).join(" ") ?? "admitted");
        },
      ),
      { numRuns: 2000 },
    );
    assert.equal(seen.size, 4, [...seen].join("; "));
  });
});
