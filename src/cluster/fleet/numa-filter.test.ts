import assert from "node:assert/strict";
import { test } from "node:test";
import type { QOSClass } from "../../k8s/index.js";
import {
  fittingZone,
  isNativeResource,
  needsZoneAmounts,
  type TopologyMatchNode,
  type TopologyMatchPod,
  topologyMatchFilter,
  topologyMatchScore,
} from "./numa-filter.js";
import { topologyEffectiveRequest } from "./pod-profile.js";

const GiB = 1024 ** 3;
const zone = (id: number, cpu: number, memory: number, gpus?: number) => ({
  id,
  available: new Map<string, number>([
    ["cpu", cpu],
    ["memory", memory],
    ...(gpus === undefined ? [] : ([["nvidia.com/gpu", gpus]] as [string, number][])),
  ]),
});
const ALLOCATABLE = new Map([
  ["cpu", 64_000],
  ["memory", 256 * GiB],
  ["nvidia.com/gpu", 8],
  ["ephemeral-storage", 100 * GiB],
]);
const nodeOf = (
  scope: "pod" | "container",
  zones = [zone(0, 8000, 16 * GiB, 2), zone(1, 12_000, 32 * GiB, 0)],
  policy = "single-numa-node",
): TopologyMatchNode => ({
  policy,
  scope,
  zones,
  allocatable: ALLOCATABLE,
});
const req = (cpu: number, memory: number, more: [string, number][] = []) =>
  new Map<string, number>([["cpu", cpu], ["memory", memory], ...more]);
function podOf(
  qos: QOSClass,
  containers: Map<string, number>[],
  init: Map<string, number>[] = [],
): TopologyMatchPod {
  const total = new Map<string, number>();
  for (const c of containers) for (const [k, v] of c) total.set(k, (total.get(k) ?? 0) + v);
  return {
    qos,
    pod: total,
    containers,
    initContainers: init,
    sidecars: init.map(() => false),
    nonNative: containers.some((c) => c.has("nvidia.com/gpu")),
  };
}

test("pod scope: the pod's whole request must fit one zone", () => {
  assert.equal(
    topologyMatchFilter(podOf("Guaranteed", [req(6000, 8 * GiB), req(4000, 8 * GiB)]), nodeOf("pod")),
    null,
  );
  assert.equal(
    topologyMatchFilter(podOf("Guaranteed", [req(10_000, 8 * GiB), req(4000, 8 * GiB)]), nodeOf("pod")),
    "cannot align pod",
  );
});

test("container scope: each container in some zone, taken from the lowest zone that fits", () => {
  // 7 CPUs from zone 0 (1 left there), then 7 more from zone 1 (5 left). A third 7 fits nowhere.
  const seven = req(7000, GiB);
  const six = req(6000, GiB);
  assert.equal(topologyMatchFilter(podOf("Guaranteed", [seven, seven]), nodeOf("container")), null);
  assert.equal(
    topologyMatchFilter(podOf("Guaranteed", [seven, seven, seven]), nodeOf("container")),
    "cannot align container",
  );
  // Init containers are checked but not taken: they run before the app containers.
  assert.equal(
    topologyMatchFilter(podOf("Guaranteed", [six, six], [req(12_000, GiB)]), nodeOf("container")),
    null,
  );
  assert.equal(
    topologyMatchFilter(podOf("Guaranteed", [six], [req(13_000, GiB)]), nodeOf("container")),
    "cannot align init container",
  );
});

test("devices count per zone: GPUs and CPUs must share one", () => {
  const gpuPod = podOf("Guaranteed", [req(10_000, GiB, [["nvidia.com/gpu", 1]])]);
  // Zone 0 has the GPUs but 8 CPUs; zone 1 has the CPUs but no GPU.
  assert.equal(topologyMatchFilter(gpuPod, nodeOf("pod")), "cannot align pod");
  assert.equal(
    topologyMatchFilter(podOf("Guaranteed", [req(4000, GiB, [["nvidia.com/gpu", 2]])]), nodeOf("pod")),
    null,
  );
});

test("who is checked: single-numa-node nodes only; BestEffort without devices passes; shared pools fit anywhere", () => {
  const huge = podOf("Guaranteed", [req(40_000, GiB)]);
  assert.equal(topologyMatchFilter(huge, nodeOf("pod", undefined, "restricted")), null);
  assert.equal(topologyMatchFilter(huge, nodeOf("pod", undefined, "best-effort")), null);
  assert.equal(topologyMatchFilter(podOf("BestEffort", []), nodeOf("pod")), null);
  // A Burstable pod's cpu and memory come from the shared pool, but its devices still need a zone.
  assert.equal(topologyMatchFilter(podOf("Burstable", [req(40_000, 100 * GiB)]), nodeOf("pod")), null);
  assert.equal(
    topologyMatchFilter(podOf("Burstable", [req(1000, GiB, [["nvidia.com/gpu", 3]])]), nodeOf("pod")),
    "cannot align pod",
  );
});

test("resources: one the node lacks fails; one no zone reports but the node has passes", () => {
  const zones = nodeOf("pod").zones;
  assert.equal(fittingZone(zones, new Map([["example.com/fpga", 1]]), "Guaranteed", ALLOCATABLE), -1);
  assert.equal(
    fittingZone(
      zones,
      new Map([
        ["ephemeral-storage", GiB],
        ["cpu", 1000],
      ]),
      "Guaranteed",
      ALLOCATABLE,
    ),
    0,
  );
  assert.equal(fittingZone(zones, new Map([["cpu", 9000]]), "Guaranteed", ALLOCATABLE), 1);
});

test("LeastAllocated NUMA score: the lowest non-zero zone score, whole CPUs", () => {
  // Zone 0: cpu (8 - 2) * 100 / 8 = 75, memory (16 - 4) * 100 / 16 = 75 -> 75.
  // Zone 1: cpu (12 - 2) * 100 / 12 = 83, memory (32 - 4) * 100 / 32 = 87 -> 85. Lowest: 75.
  assert.equal(topologyMatchScore(podOf("Guaranteed", [req(1500, 4 * GiB)]), nodeOf("pod")), 75);
  // score.go: a pod that is not Guaranteed fits every node alike, at the maximum.
  assert.equal(topologyMatchScore(podOf("Burstable", [req(1500, 4 * GiB)]), nodeOf("pod")), 100);
});

test("score.go: Guaranteed pods on a node not on single-numa-node score 0", () => {
  const pod = podOf("Guaranteed", [req(1500, 4 * GiB)]);
  assert.equal(topologyMatchScore(pod, nodeOf("pod", undefined, "restricted")), 0);
  assert.equal(topologyMatchScore(pod, nodeOf("pod", undefined, "none")), 0);
});

test("least_allocated.go: every requested resource counts, weight 1; a zone without it scores 0 for it", () => {
  // 2 CPUs, 4Gi and a GPU. Zone 0: cpu 75, memory 75, GPUs (2 - 1) * 100 / 2 = 50 -> 200 / 3 = 66.
  // Zone 1: cpu 83, memory 87, no GPU 0 -> 170 / 3 = 56. Lowest non-zero: 56.
  const gpuPod = podOf("Guaranteed", [req(2000, 4 * GiB, [["nvidia.com/gpu", 1]])]);
  assert.equal(topologyMatchScore(gpuPod, nodeOf("pod")), 56);
  // A zero request still counts: 100 where the zone has the resource.
  // Zone 0: cpu 75, memory 75, ephemeral-storage absent 0 -> 50; zone 1: 83, 87, 0 -> 56: 50.
  const withZero = podOf("Guaranteed", [req(2000, 4 * GiB, [["ephemeral-storage", 0]])]);
  assert.equal(topologyMatchScore(withZero, nodeOf("pod")), 50);
});

test("container scope score: the mean over init and app containers, truncated", () => {
  // App 2 CPUs / 4Gi -> 75 (as above); init 6 CPUs / 4Gi: zone 0 cpu 25, memory 75 -> 50;
  // zone 1 cpu 50, memory 87 -> 68; lowest 50. Mean (75 + 50) / 2 = 62.5 -> 62.
  const pod = podOf("Guaranteed", [req(2000, 4 * GiB)], [req(6000, 4 * GiB)]);
  assert.equal(topologyMatchScore(pod, nodeOf("container")), 62);
});

test("container scope: a non-Guaranteed pod's cpu and memory are not taken from the zone", () => {
  // Two Burstable containers of 7 CPUs and a GPU each: the GPUs are taken (zone 0 has 2), the
  // CPUs are not, so both fit zone 0; a third GPU container fits nowhere.
  const c = req(7000, GiB, [["nvidia.com/gpu", 1]]);
  const two = { ...podOf("Burstable", [c, c]), nonNative: true };
  assert.equal(topologyMatchFilter(two, nodeOf("container")), null);
  assert.equal(
    topologyMatchFilter({ ...podOf("Burstable", [c, c, c]), nonNative: true }, nodeOf("container")),
    "cannot align container",
  );
});

test("a sidecar that fits no zone is named as one", () => {
  const pod = podOf("Guaranteed", [req(1000, GiB)], [req(13_000, GiB)]);
  assert.equal(
    topologyMatchFilter({ ...pod, sidecars: [true] }, nodeOf("container")),
    "cannot align sidecar container",
  );
});

test("native resource names: no domain, or one in kubernetes.io (core/v1 helper IsNativeResource)", () => {
  assert.ok(isNativeResource("cpu"));
  assert.ok(isNativeResource("kubernetes.io/batch-cpu"));
  assert.ok(isNativeResource("scheduling.kubernetes.io/foo"));
  assert.ok(!isNativeResource("nvidia.com/gpu"));
});

test("the plugin's effective request: app containers summed, the largest init container, overhead; no pod-level budget", () => {
  const sidecar = req(1000, GiB);
  const init = req(9000, GiB);
  const app = req(6000, 12 * GiB);
  const overhead = new Map([["cpu", 250]]);
  assert.deepEqual(Object.fromEntries(topologyEffectiveRequest([sidecar, init], [app], overhead)), {
    cpu: 9250,
    memory: 12 * GiB,
  });
  assert.deepEqual(Object.fromEntries(topologyEffectiveRequest([], [], new Map())), {});
});

test("needs zone amounts: Guaranteed pods and device requests; shared-pool pods only need the zones' resource names", () => {
  assert.ok(needsZoneAmounts(podOf("Guaranteed", [req(1000, GiB)])));
  assert.ok(!needsZoneAmounts(podOf("Burstable", [req(1000, GiB, [["hugepages-2Mi", 2]])])));
  assert.ok(needsZoneAmounts(podOf("Burstable", [req(1000, GiB, [["nvidia.com/gpu", 1]])])));
  assert.ok(!needsZoneAmounts(podOf("BestEffort", [])));
});
