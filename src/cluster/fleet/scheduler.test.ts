import assert from "node:assert/strict";
import { test } from "node:test";
import { ClusterState } from "./cluster-state.js";
import {
  balancedAllocationScore,
  defaultScore,
  fitReasons,
  leastAllocatedScore,
  leastRequestedScore,
  selectNode,
  unschedulableMessage,
} from "./scheduler.js";

const GiB = 1024 ** 3;
const node = (cpu: number, memory: number, pods = 110, extra: [string, number][] = []) =>
  new Map<string, number>([["cpu", cpu], ["memory", memory], ["pods", pods], ...extra]);

function podOf(state: ClusterState, request: [string, number][], scoreCPU?: number, scoreMemory?: number) {
  const m = new Map(request);
  const { columns, amounts } = state.columnsOf(m);
  return {
    columns,
    amounts,
    fitCPU: m.get("cpu") ?? 0,
    fitMemory: m.get("memory") ?? 0,
    scoreCPU: scoreCPU ?? m.get("cpu") ?? 0,
    scoreMemory: scoreMemory ?? m.get("memory") ?? 0,
  };
}

test("least-allocated: per resource floor((alloc - requested) * 100 / alloc), mean rounded down", () => {
  assert.equal(leastRequestedScore(3000, 4000), 25);
  assert.equal(leastRequestedScore(0, 4000), 100);
  assert.equal(leastRequestedScore(5000, 4000), 0);
  assert.equal(leastRequestedScore(1, 0), 0);
  // cpu: (10000 - 3000) * 100 / 10000 = 70; memory: (20Gi - 5Gi) * 100 / 20Gi = 75; mean 72.5 -> 72.
  const state = new ClusterState([node(10_000, 20 * GiB)]);
  state.bind(
    0,
    podOf(state, [
      ["cpu", 2000],
      ["memory", 4 * GiB],
    ]),
  );
  assert.equal(
    leastAllocatedScore(
      state,
      0,
      podOf(state, [
        ["cpu", 1000],
        ["memory", GiB],
      ]),
    ),
    72,
  );
});

test("the scorer counts non-zero requests: a pod without requests still weighs 100m and 200Mi", () => {
  const state = new ClusterState([node(1000, 1000 * 1024 * 1024)]);
  const bestEffort = podOf(state, [], 100, 200 * 1024 * 1024);
  // cpu (1000 - 100) * 100 / 1000 = 90; memory (1000Mi - 200Mi) * 100 / 1000Mi = 80 -> 85.
  assert.equal(leastAllocatedScore(state, 0, bestEffort), 85);
});

test("fit: every insufficient resource and the pod count, as NodeResourcesFit names them", () => {
  const state = new ClusterState([node(4000, 8 * GiB, 1, [["nvidia.com/gpu", 1]])]);
  state.bind(0, podOf(state, [["cpu", 3000]]));
  const pod = podOf(state, [
    ["cpu", 2000],
    ["memory", GiB],
    ["nvidia.com/gpu", 2],
    ["example.com/foo", 1],
  ]);
  assert.deepEqual(fitReasons(state, 0, pod), [
    "Too many pods",
    "Insufficient cpu",
    "Insufficient nvidia.com/gpu",
    "Insufficient example.com/foo",
  ]);
  // A zero request is not checked.
  assert.deepEqual(fitReasons(new ClusterState([node(0, 0)]), 0, podOf(state, [["cpu", 0]])), []);
});

test("balanced allocation: (1 - std of the cpu and memory fractions) x 100, truncated", () => {
  // Node 8 CPUs / 16Gi with 2 CPUs / 2Gi bound; the pod asks 2 CPUs / 2Gi: fractions 4/8 = 0.5 and
  // 4Gi/16Gi = 0.25, std |0.5 - 0.25| / 2 = 0.125, score 87.5 -> 87.
  const state = new ClusterState([node(8000, 16 * GiB)]);
  const pod = podOf(state, [
    ["cpu", 2000],
    ["memory", 2 * GiB],
  ]);
  state.bind(0, pod);
  assert.equal(balancedAllocationScore(state, 0, pod), 87);
  // Equal fractions are perfectly balanced.
  const even = new ClusterState([node(8000, 8 * GiB)]);
  assert.equal(
    balancedAllocationScore(
      even,
      0,
      podOf(even, [
        ["cpu", 3000],
        ["memory", 3 * GiB],
      ]),
    ),
    100,
  );
  // A fraction above 1 counts as 1: cpu 3 CPUs bound on 1 CPU (1), memory 512Mi of 1Gi (0.5) -> 75.
  const over = new ClusterState([node(1000, GiB)]);
  over.bind(0, podOf(over, [["cpu", 3000]]));
  assert.equal(balancedAllocationScore(over, 0, podOf(over, [["memory", GiB / 2]])), 75);
  // A resource the node has none of is left out: one fraction, no deviation.
  const noMemory = new ClusterState([node(4000, 0)]);
  assert.equal(balancedAllocationScore(noMemory, 0, podOf(noMemory, [["cpu", 1000]])), 100);
  // A pod that requests neither cpu nor memory skips the plugin (kubernetes/kubernetes#129138).
  assert.equal(balancedAllocationScore(state, 0, podOf(state, [], 100, 200 * 1024 * 1024)), 0);
});

test("the default score: least-allocated (non-zero requests) plus balanced allocation (actual requests)", () => {
  // Node 1 CPU / 1000Mi, the pod asks 500Mi only. Least-allocated counts it as 100m:
  // cpu (1000 - 100) * 100 / 1000 = 90, memory 50 -> 70. Balanced sees cpu 0 and memory 0.5:
  // std 0.25 -> 75. Together 145.
  const Mi = 1024 * 1024;
  const state = new ClusterState([node(1000, 1000 * Mi)]);
  const pod = podOf(state, [["memory", 500 * Mi]], 100, 500 * Mi);
  assert.equal(leastAllocatedScore(state, 0, pod), 70);
  assert.equal(balancedAllocationScore(state, 0, pod), 75);
  assert.equal(defaultScore(state, 0, pod), 145);
});

test("placement: the best score wins, equal scores go to the lowest node index", () => {
  const state = new ClusterState([node(4000, 8 * GiB), node(8000, 8 * GiB), node(8000, 8 * GiB)]);
  const pod = podOf(state, [
    ["cpu", 1000],
    ["memory", GiB],
  ]);
  // Node 0: least-allocated cpu 75, memory 87 -> 81; balanced fractions 0.25 / 0.125 -> 93: 174.
  // Nodes 1 and 2: least-allocated 87 / 87 -> 87, balanced 100: 187 each, the lowest index wins.
  assert.deepEqual(selectNode(state, pod), { node: 1 });
  state.bind(1, pod);
  // Node 1: 75 + 100 = 175; node 2 still 187.
  assert.deepEqual(selectNode(state, pod), { node: 2 });
  state.bind(2, pod);
  // Nodes 1 and 2 at 175, node 0 at 174: balanced allocation keeps node 0 last (least-allocated
  // alone would pick it, 81 against 75).
  assert.deepEqual(selectNode(state, pod), { node: 1 });
  state.bind(1, pod);
  // Node 1: least-allocated 62 + 100 = 162; node 2 at 175, node 0 at 174.
  assert.deepEqual(selectNode(state, pod), { node: 2 });
});

test("placement: a lazy extra filter falls back to the next best node, then reports every reason", () => {
  const state = new ClusterState([node(4000, 8 * GiB), node(8000, 8 * GiB), node(1000, 8 * GiB)]);
  const pod = podOf(state, [["cpu", 2000]]);
  const refused = new Set([1]);
  const filter = (n: number) => (refused.has(n) ? "cannot align pod" : null);
  assert.deepEqual(selectNode(state, pod, { filter }), { node: 0 });
  refused.add(0);
  assert.deepEqual(selectNode(state, pod, { filter }), {
    node: -1,
    message: "0/3 nodes are available: 1 Insufficient cpu, 2 cannot align pod.",
  });
  // With an extra score every passing node is scored. The pod asks 2 CPUs and no memory:
  // node 0 least-allocated (50 + 100) / 2 = 75, balanced |0.5 - 0| / 2 -> 75, plus 40: 190;
  // node 1 (75 + 100) / 2 = 87, balanced |0.25 - 0| / 2 -> 87, plus 0: 174.
  refused.clear();
  const score = (n: number) => (n === 0 ? 40 : 0);
  assert.deepEqual(selectNode(state, pod, { filter, score }), { node: 0 });
});

test("the unschedulable message counts reasons in name order", () => {
  const reasons = new Map([
    ["Insufficient memory", 2],
    ["Insufficient cpu", 3],
  ]);
  assert.equal(
    unschedulableMessage(5, reasons),
    "0/5 nodes are available: 3 Insufficient cpu, 2 Insufficient memory.",
  );
});
