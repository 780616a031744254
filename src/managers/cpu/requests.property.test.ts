import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import {
  DEFAULT_FEATURE_GATES,
  type FeatureGates,
  isSidecar,
  type Pod,
  withAdmissionMemo,
} from "../../k8s/index.js";
import {
  admissionContainerGuaranteedCPUs,
  containerGuaranteedCPUs,
  guaranteedCPUs,
  podGuaranteedCPUs,
} from "./requests.js";
import { type TestContainer, testPod } from "./test-pods.js";

const cpuValue = fc.constantFrom(undefined, "500m", "1", "2", "1.5", "4");

const containersArb = (prefix: string, sidecars: boolean) =>
  fc
    .array(
      fc.record({
        cpu: cpuValue,
        cpuLimit: fc.option(
          cpuValue.filter((v) => v !== undefined),
          { nil: undefined },
        ),
        sidecar: sidecars ? fc.boolean() : fc.constant(false),
        bare: fc.boolean(),
      }),
      { maxLength: 3 },
    )
    .map((cs) => cs.map((c, i): TestContainer => ({ name: `${prefix}${i}`, ...c })));

const podArb = fc
  .record({
    podCPU: fc.option(fc.constantFrom("1", "3", "8", "1500m"), { nil: undefined }),
    init: containersArb("i", true),
    apps: containersArb("a", false),
  })
  .map((p) => testPod({ uid: "p", ...p }));

const gatesArb = fc
  .record({ PodLevelResources: fc.boolean(), PodLevelResourceManagers: fc.boolean() })
  .map((g): FeatureGates => ({ ...DEFAULT_FEATURE_GATES, ...g }));

/** `podGuaranteedCPUs` of a pod without pod-level resources, from `guaranteedCPUs` of each container. */
function referencePodCPUs(pod: Pod, gates: FeatureGates): number {
  let byInit = 0;
  let bySidecars = 0;
  for (const c of pod.initContainers) {
    if (!c.resources?.requests.cpu) continue;
    const n = guaranteedCPUs(pod, c, gates);
    if (isSidecar(c)) bySidecars += n;
    else if (bySidecars + n > byInit) byInit = bySidecars + n;
  }
  let byApps = 0;
  for (const c of pod.containers) if (c.resources?.requests.cpu) byApps += guaranteedCPUs(pod, c, gates);
  return Math.max(byInit, byApps + bySidecars);
}

describe("CPU request counts", () => {
  it("the per-pod counts are each container's guaranteedCPUs, in and out of an admission", () => {
    fc.assert(
      fc.property(podArb, podArb, gatesArb, gatesArb, (pod, other, gates, otherGates) => {
        const want = {
          init: pod.initContainers.map((c) => guaranteedCPUs(pod, c, gates)),
          apps: pod.containers.map((c) => guaranteedCPUs(pod, c, gates)),
        };
        assert.deepEqual(containerGuaranteedCPUs(pod, gates), want);
        const total = podGuaranteedCPUs(pod, gates);
        if (!(gates.PodLevelResourceManagers && pod.resources))
          assert.equal(total, referencePodCPUs(pod, gates));
        withAdmissionMemo(() => {
          // Interleaved with another pod and other gates, as several callers of one admission ask.
          for (let round = 0; round < 2; round++) {
            assert.deepEqual(admissionContainerGuaranteedCPUs(pod, gates), want);
            assert.deepEqual(
              admissionContainerGuaranteedCPUs(other, otherGates),
              containerGuaranteedCPUs(other, otherGates),
            );
          }
        });
        assert.deepEqual(admissionContainerGuaranteedCPUs(pod, gates), want);
      }),
      { numRuns: 500 },
    );
  });
});
