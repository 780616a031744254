import type { ClusterState, PodColumns } from "./cluster-state.js";

/**
 * The default scheduler's choice of a node for one pod, on the cache of `ClusterState`:
 * - Filter `NodeResourcesFit`: the pod count below allocatable `pods`, and for every resource the
 *   pod requests (a zero request is not checked) the bound pods' requests plus this one within
 *   allocatable ("Too many pods", "Insufficient <resource>").
 * - Score: the sum of the default score plugins that tell these nodes apart, each at its weight
 *   in the v1 scheduler configuration's default plugin set (both 1):
 *   - `NodeResourcesFit`, strategy `LeastAllocated`, cpu and memory weight 1: per resource
 *     ⌊(allocatable − requested) × 100 / allocatable⌋ (0 when over), where requested is the bound
 *     pods' non-zero requests plus this pod's; the node's score is their mean, rounded down.
 *   - `NodeResourcesBalancedAllocation`, cpu and memory: with the fractions f = requested /
 *     allocatable (the actual requests, this pod's included, at most 1), the score is
 *     ⌊(1 − std) × 100⌋, std the standard deviation of the fractions (|f_cpu − f_memory| / 2 for
 *     two); a pod that requests neither cpu nor memory skips the plugin (scores 0 everywhere),
 *     after kubernetes/kubernetes#129138
 *     (pkg/scheduler/framework/plugins/noderesources/balanced_allocation.go).
 *   Optional extra filter and score plugins (the NUMA-aware ones) add to it.
 * - Every node is considered (as `percentageOfNodesToScore: 100`); among equal best scores the
 *   real scheduler picks one at random, here the lowest node index, so runs are reproducible.
 * Other default plugins (taints, affinity, spreading, image locality) are not modelled: the
 * fleet's pods and nodes carry nothing they would weigh, so they score every node alike.
 */

export interface ExtraPlugins {
  /** Null when the node passes, else the reason it is filtered out. */
  filter(node: number): string | null;
  /** Added to the node's score; absent: the filter runs lazily, best-scored nodes first. */
  score?(node: number): number;
}

export type Placement = { node: number } | { node: -1; message: string };

const MAX_NODE_SCORE = 100;

export function fitsNode(state: ClusterState, node: number, pod: PodColumns): boolean {
  if (state.podCount[node] + 1 > state.maxPods[node]) return false;
  for (let k = 0; k < pod.columns.length; k++) {
    const c = pod.columns[k];
    if (state.requested[c][node] + pod.amounts[k] > state.allocatable[c][node]) return false;
  }
  return true;
}

/** Every reason `NodeResourcesFit` gives for the node, in the plugin's order. */
export function fitReasons(state: ClusterState, node: number, pod: PodColumns): string[] {
  const out: string[] = [];
  if (state.podCount[node] + 1 > state.maxPods[node]) out.push("Too many pods");
  for (let k = 0; k < pod.columns.length; k++) {
    const c = pod.columns[k];
    if (state.requested[c][node] + pod.amounts[k] > state.allocatable[c][node])
      out.push(`Insufficient ${state.resources[c]}`);
  }
  return out;
}

export function leastRequestedScore(requested: number, capacity: number): number {
  if (capacity === 0 || requested > capacity) return 0;
  return Math.floor(((capacity - requested) * MAX_NODE_SCORE) / capacity);
}

export function leastAllocatedScore(state: ClusterState, node: number, pod: PodColumns): number {
  const cpu = leastRequestedScore(state.nonZeroCPU[node] + pod.scoreCPU, state.allocatable[0][node]);
  const memory = leastRequestedScore(state.nonZeroMemory[node] + pod.scoreMemory, state.allocatable[1][node]);
  return Math.floor((cpu + memory) / 2);
}

/** `NodeResourcesBalancedAllocation` for cpu and memory (see the header). */
export function balancedAllocationScore(state: ClusterState, node: number, pod: PodColumns): number {
  if (pod.fitCPU === 0 && pod.fitMemory === 0) return 0;
  let f0 = -1;
  let f1 = -1;
  const cpu = state.allocatable[0][node];
  if (cpu > 0) f0 = Math.min(1, (state.requested[0][node] + pod.fitCPU) / cpu);
  const memory = state.allocatable[1][node];
  if (memory > 0) f1 = Math.min(1, (state.requested[1][node] + pod.fitMemory) / memory);
  // With one fraction (a resource the node has none of is left out) the deviation is 0.
  const std = f0 >= 0 && f1 >= 0 ? Math.abs((f0 - f1) / 2) : 0;
  return Math.trunc((1 - std) * MAX_NODE_SCORE);
}

/** What the default score plugins give the node for the pod. */
export function defaultScore(state: ClusterState, node: number, pod: PodColumns): number {
  return leastAllocatedScore(state, node, pod) + balancedAllocationScore(state, node, pod);
}

/** The scheduler's "0/N nodes are available: ..." line (reasons counted, sorted). */
export function unschedulableMessage(total: number, reasons: ReadonlyMap<string, number>): string {
  const parts = [...reasons].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([r, n]) => `${n} ${r}`);
  return `0/${total} nodes are available: ${parts.join(", ")}.`;
}

function diagnose(state: ClusterState, pod: PodColumns, extra: ExtraPlugins | undefined): string {
  const reasons = new Map<string, number>();
  const count = (r: string) => reasons.set(r, (reasons.get(r) ?? 0) + 1);
  for (let n = 0; n < state.size; n++) {
    const fit = fitReasons(state, n, pod);
    if (fit.length > 0) fit.forEach(count);
    else {
      const why = extra?.filter(n);
      if (why) count(why);
    }
  }
  return unschedulableMessage(state.size, reasons);
}

/** Scratch space for `selectNode`, reused from pod to pod (no allocation per node). */
export class SelectionBuffers {
  readonly candidates: Int32Array;
  readonly scores: Float64Array;
  constructor(size: number) {
    this.candidates = new Int32Array(size);
    this.scores = new Float64Array(size);
  }
}

export function selectNode(
  state: ClusterState,
  pod: PodColumns,
  extra?: ExtraPlugins,
  buffers: SelectionBuffers = new SelectionBuffers(state.size),
): Placement {
  const { candidates, scores } = buffers;
  let count = 0;
  let best = -1;
  for (let n = 0; n < state.size; n++) {
    if (!fitsNode(state, n, pod)) continue;
    let score = defaultScore(state, n, pod);
    if (extra?.score) {
      if (extra.filter(n) !== null) continue;
      score += extra.score(n);
    }
    candidates[count] = n;
    scores[count] = score;
    // Strictly greater: among equal scores the lowest node index stays.
    if (best < 0 || score > scores[best]) best = count;
    count++;
  }
  if (best < 0) return { node: -1, message: diagnose(state, pod, extra) };
  if (!extra || extra.score || extra.filter(candidates[best]) === null) return { node: candidates[best] };
  // The best node failed the lazy filter: try the others, best score first, lowest index among equals.
  const order = Array.from({ length: count }, (_, i) => i).sort((a, b) => scores[b] - scores[a] || a - b);
  for (const i of order)
    if (i !== best && extra.filter(candidates[i]) === null) return { node: candidates[i] };
  return { node: -1, message: diagnose(state, pod, extra) };
}
