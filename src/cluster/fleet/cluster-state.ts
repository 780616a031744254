/**
 * The scheduler's cache of a fleet: per node, allocatable and what the pods bound to it request,
 * kept as columns of numbers so that filtering every node for a pod costs a few additions each.
 * Requests use the filter's amounts; the scorer's "non-zero" cpu and memory are kept beside them.
 */
export class ClusterState {
  readonly size: number;
  /** Resource names, in column order. */
  readonly resources: string[];
  private readonly index: Map<string, number>;
  readonly allocatable: Float64Array[];
  readonly requested: Float64Array[];
  readonly nonZeroCPU: Float64Array;
  readonly nonZeroMemory: Float64Array;
  readonly podCount: Int32Array;
  readonly maxPods: Int32Array;

  constructor(allocatable: readonly ReadonlyMap<string, number>[]) {
    this.size = allocatable.length;
    const names = new Set<string>(["cpu", "memory"]);
    for (const a of allocatable) for (const k of a.keys()) if (k !== "pods") names.add(k);
    this.resources = [...names];
    this.index = new Map(this.resources.map((r, i) => [r, i]));
    this.allocatable = this.resources.map((r) => Float64Array.from(allocatable, (a) => a.get(r) ?? 0));
    this.requested = this.resources.map(() => new Float64Array(this.size));
    this.nonZeroCPU = new Float64Array(this.size);
    this.nonZeroMemory = new Float64Array(this.size);
    this.podCount = new Int32Array(this.size);
    this.maxPods = Int32Array.from(allocatable, (a) => a.get("pods") ?? 0);
  }

  /** The column of `resource`; a resource no node has gets one (allocatable 0 everywhere). */
  column(resource: string): number {
    let i = this.index.get(resource);
    if (i === undefined) {
      i = this.resources.length;
      this.resources.push(resource);
      this.index.set(resource, i);
      this.allocatable.push(new Float64Array(this.size));
      this.requested.push(new Float64Array(this.size));
    }
    return i;
  }

  /** A request as (column, amount) pairs, zero amounts left out (the filter skips them). */
  columnsOf(request: ReadonlyMap<string, number>): { columns: Int32Array; amounts: Float64Array } {
    const pairs = [...request].filter(([name, v]) => name !== "pods" && v > 0);
    return {
      columns: Int32Array.from(pairs, ([name]) => this.column(name)),
      amounts: Float64Array.from(pairs, ([, v]) => v),
    };
  }

  bind(node: number, request: PodColumns): void {
    for (let k = 0; k < request.columns.length; k++)
      this.requested[request.columns[k]][node] += request.amounts[k];
    this.nonZeroCPU[node] += request.scoreCPU;
    this.nonZeroMemory[node] += request.scoreMemory;
    this.podCount[node]++;
  }

  /** Allocatable cpu not requested, in millicores. */
  freeCPU(node: number): number {
    const c = this.column("cpu");
    return this.allocatable[c][node] - this.requested[c][node];
  }
}

/** A pod's request in the cache's columns. */
export interface PodColumns {
  columns: Int32Array;
  amounts: Float64Array;
  /** The filter's (actual) cpu and memory request, for the balanced-allocation score. */
  fitCPU: number;
  fitMemory: number;
  /** The least-allocated scorer's non-zero cpu and memory request. */
  scoreCPU: number;
  scoreMemory: number;
}
