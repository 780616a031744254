/**
 * The resource managers' metrics, counted inside the engine (metrics.md). Names here are the base
 * names without the `kubelet_` subsystem; exposition adds the prefix each Kubernetes version uses.
 * A series is keyed `name{v1,v2}` with its label values in catalogue order, the form the
 * conformance cases use.
 */
export type MetricType = "counter" | "gauge" | "histogram";

export interface MetricSpec {
  type: MetricType;
  labels: readonly string[];
  help: string;
  /** The three KEP-5526 metrics: no subsystem in 1.36, `kubelet_` in 1.37 (MET-1). */
  podLevel?: boolean;
}

export const METRICS = {
  cpu_manager_pinning_requests_total: {
    type: "counter",
    labels: [],
    help: "The number of cpu core allocations which required pinning.",
  },
  cpu_manager_pinning_errors_total: {
    type: "counter",
    labels: [],
    help: "The number of cpu core allocations which required pinning failed.",
  },
  cpu_manager_shared_pool_size_millicores: {
    type: "gauge",
    labels: [],
    help: "The size of the shared CPU pool for non-guaranteed QoS pods, in millicores.",
  },
  cpu_manager_exclusive_cpu_allocation_count: {
    type: "gauge",
    labels: [],
    help: "The total number of CPUs exclusively allocated to containers running on this node",
  },
  cpu_manager_allocation_per_numa: {
    type: "gauge",
    labels: ["numa_node"],
    help: "Number of CPUs allocated per NUMA node",
  },
  container_aligned_compute_resources_count: {
    type: "counter",
    labels: ["scope", "boundary"],
    help: "Cumulative number of aligned compute resources allocated to containers by alignment type.",
  },
  container_aligned_compute_resources_failure_count: {
    type: "counter",
    labels: ["scope", "boundary"],
    help: "Cumulative number of failures to allocate aligned compute resources to containers by alignment type.",
  },
  memory_manager_pinning_requests_total: {
    type: "counter",
    labels: [],
    help: "The number of memory pages allocations which required pinning.",
  },
  memory_manager_pinning_errors_total: {
    type: "counter",
    labels: [],
    help: "The number of memory pages allocations which required pinning that failed.",
  },
  topology_manager_admission_requests_total: {
    type: "counter",
    labels: [],
    help: "The number of admission requests where resources have to be aligned.",
  },
  topology_manager_admission_errors_total: {
    type: "counter",
    labels: [],
    help: "The number of admission request failures where resources could not be aligned.",
  },
  topology_manager_admission_duration_ms: {
    type: "histogram",
    labels: [],
    help: "Duration in milliseconds to serve a pod admission request.",
  },
  resource_manager_allocations_total: {
    type: "counter",
    labels: ["resource_name", "source"],
    help: "Number of exclusive resource allocations performed by a resource manager.",
    podLevel: true,
  },
  resource_manager_allocation_errors_total: {
    type: "counter",
    labels: ["resource_name", "source"],
    help: "Number of errors encountered during exclusive resource allocation.",
    podLevel: true,
  },
  resource_manager_container_assignments: {
    type: "counter",
    labels: ["resource_name", "assignment_type"],
    help: "Number of containers with a specific type of resource assignment.",
    podLevel: true,
  },
} as const satisfies Record<string, MetricSpec>;

export type MetricName = keyof typeof METRICS;

export function seriesKey(name: MetricName, labelValues: readonly string[]): string {
  return labelValues.length === 0 ? name : `${name}{${labelValues.join(",")}}`;
}

/**
 * The admission-duration histogram's buckets (metrics.md, OPEN MET-2): exponential from 0.05 ms,
 * factor 2, 15 buckets.
 */
export const DURATION_BUCKETS: readonly number[] = Array.from({ length: 15 }, (_, i) => 0.05 * 2 ** i);

/**
 * A histogram as Prometheus keeps it: per-bucket counts, the count and the sum. Fixed size
 * whatever the number of observations, so a long-running agent does not grow with them.
 */
export interface HistogramData {
  readonly bounds: readonly number[];
  /** Observations per bucket (not cumulative); the last entry counts those above every bound. */
  readonly counts: readonly number[];
  readonly count: number;
  readonly sum: number;
}

interface MutableHistogram {
  bounds: readonly number[];
  counts: number[];
  count: number;
  sum: number;
}

function emptyHistogram(bounds: readonly number[]): MutableHistogram {
  return { bounds, counts: new Array<number>(bounds.length + 1).fill(0), count: 0, sum: 0 };
}

/** The label values of a series without labels (one array, not one per count). */
const NO_LABELS: readonly string[] = Object.freeze([]);

declare const SERIES: unique symbol;

/**
 * A series resolved once (`MetricsRegistry.series`): a caller that counts the same labels at
 * every admission keeps it instead of naming the series anew. It is the series key, so it is
 * valid in any registry (clones included).
 */
export type SeriesHandle = string & { readonly [SERIES]: true };

interface KeyTrie {
  key: string | undefined;
  next: Map<string, KeyTrie>;
}

/** Counters and gauges by series, plus bucketed histograms. */
export class MetricsRegistry {
  private readonly values = new Map<string, number>();
  private readonly observations = new Map<string, MutableHistogram>();
  /** Series keys by name, then by each label value in turn: an admission counts the same few. */
  private readonly keys = new Map<string, KeyTrie>();

  /** `seriesKey`, remembered: joining the labels anew made every count a new string to hash. */
  private key(name: MetricName, labelValues: readonly string[]): string {
    if (labelValues.length === 0) return name;
    let node: KeyTrie | undefined = this.keys.get(name);
    if (!node) this.keys.set(name, (node = { key: undefined, next: new Map() }));
    for (const value of labelValues) {
      let child: KeyTrie | undefined = node.next.get(value);
      if (!child) node.next.set(value, (child = { key: undefined, next: new Map() }));
      node = child;
    }
    node.key ??= seriesKey(name, labelValues);
    return node.key;
  }

  inc(name: MetricName, labelValues: readonly string[] = NO_LABELS, by = 1): void {
    this.incSeries(this.key(name, labelValues) as SeriesHandle, by);
  }

  /** The handle of a series, for `incSeries`. */
  series(name: MetricName, labelValues: readonly string[] = NO_LABELS): SeriesHandle {
    return this.key(name, labelValues) as SeriesHandle;
  }

  /** `inc` of a series resolved with `series`. */
  incSeries(series: SeriesHandle, by = 1): void {
    this.values.set(series, (this.values.get(series) ?? 0) + by);
  }

  /** Adds `delta` to a gauge (negative to decrease). */
  add(name: MetricName, labelValues: readonly string[], delta: number): void {
    this.inc(name, labelValues, delta);
  }

  set(name: MetricName, labelValues: readonly string[], value: number): void {
    this.values.set(this.key(name, labelValues), value);
  }

  /** Makes a series exist at its current value (0 when new), as the kubelet pre-initialises some. */
  touch(name: MetricName, labelValues: readonly string[] = NO_LABELS): void {
    const k = this.key(name, labelValues);
    if (!this.values.has(k)) this.values.set(k, 0);
  }

  /** Removes every series of a metric (a gauge vector that is recomputed from scratch). */
  reset(name: MetricName): void {
    for (const k of [...this.values.keys()])
      if (k === name || k.startsWith(`${name}{`)) this.values.delete(k);
  }

  get(name: MetricName, labelValues: readonly string[] = NO_LABELS): number {
    return this.values.get(seriesKey(name, labelValues)) ?? 0;
  }

  observe(name: MetricName, value: number): void {
    const k = seriesKey(name, NO_LABELS);
    let h = this.observations.get(k);
    if (!h) this.observations.set(k, (h = emptyHistogram(DURATION_BUCKETS)));
    // Prometheus buckets are upper-inclusive (`le`).
    let i = 0;
    while (i < h.bounds.length && value > (h.bounds[i] as number)) i++;
    h.counts[i] = (h.counts[i] as number) + 1;
    h.count++;
    h.sum += value;
  }

  histogram(name: MetricName): HistogramData {
    return this.observations.get(seriesKey(name, NO_LABELS)) ?? emptyHistogram(DURATION_BUCKETS);
  }

  /** Every exported series and its value, keys sorted. */
  snapshot(): Record<string, number> {
    return Object.fromEntries([...this.values.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  }

  clone(): MetricsRegistry {
    const r = new MetricsRegistry();
    for (const [k, v] of this.values) r.values.set(k, v);
    for (const [k, v] of this.observations) r.observations.set(k, { ...v, counts: [...v.counts] });
    return r;
  }
}
