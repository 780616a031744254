import { type BitMask, MAX_BITS, maskBits } from "./bitmask.js";

/** Bounds the memo of averages: one entry per mask ever compared, at most 2^N of them. */
const AVERAGE_CACHE_LIMIT = 1 << 16;

/** NUMA distance rows: row of node i, entry j = distance from node i to node j (by node id). */
export type NUMADistances = ReadonlyMap<number, readonly number[]>;

/**
 * What the Topology Manager knows about the machine (`NUMAInfo`): the NUMA node ids, the
 * default affinity (all of them) and, when `prefer-closest-numa-nodes` is on, the distances.
 */
export class NUMAInfo {
  readonly nodes: readonly number[];
  readonly defaultAffinity: BitMask;
  private readonly distances: NUMADistances | null;
  private readonly averageCache = new Map<BitMask, number>();

  private constructor(nodes: readonly number[], distances: NUMADistances | null) {
    this.nodes = nodes;
    let mask = 0n;
    for (const id of nodes) mask |= 1n << BigInt(id);
    this.defaultAffinity = mask;
    this.distances = distances;
  }

  /**
   * Validates node ids (0..63) and, when `withDistances`, that every node has a distance row
   * reaching every node id, so that averaging never reads outside a row. The returned string is
   * the cause the manager wraps in `cannot discover NUMA topology: ...`.
   */
  static create(
    nodes: readonly number[],
    distances: NUMADistances | null,
    withDistances: boolean,
  ): NUMAInfo | string {
    const sorted = [...new Set(nodes)].sort((a, b) => a - b);
    for (const id of sorted) {
      if (!Number.isInteger(id) || id < 0 || id >= MAX_BITS)
        return `NUMA node id ${id} is outside the supported range 0-${MAX_BITS - 1}`;
    }
    if (!withDistances) return new NUMAInfo(sorted, null);
    const maxId = sorted.length === 0 ? -1 : sorted[sorted.length - 1];
    for (const id of sorted) {
      const row = distances?.get(id);
      if (!row) return `error getting NUMA distances from sysfs: no distance row for NUMA node ${id}`;
      if (row.length <= maxId)
        return `error getting NUMA distances from sysfs: the distance row of NUMA node ${id} has ${row.length} entries, ${maxId + 1} needed`;
    }
    return new NUMAInfo(sorted, distances);
  }

  /** For unit cases that only need the narrowest-mask order (no distances). */
  static withoutDistances(nodes: readonly number[]): NUMAInfo {
    const info = NUMAInfo.create(nodes, null, false);
    if (typeof info === "string") throw new Error(info);
    return info;
  }

  get hasDistances(): boolean {
    return this.distances !== null;
  }

  /** `distance[from][to]` as read; NaN when there are no distances or no such entry. */
  distance(from: number, to: number): number {
    return this.distances?.get(from)?.[to] ?? Number.NaN;
  }

  /**
   * Mean of `distance[i][j]` over all ordered pairs of the mask's nodes, i == j included, summed
   * in ascending order in double precision like the kubelet (compared with exact equality).
   */
  averageDistance(mask: BitMask): number {
    const cached = this.averageCache.get(mask);
    if (cached !== undefined) return cached;
    const bits = maskBits(mask);
    let avg = 0;
    if (bits.length > 0 && this.distances) {
      let sum = 0;
      for (const i of bits) {
        const row = this.distances.get(i);
        for (const j of bits) sum += row?.[j] ?? Number.NaN;
      }
      avg = sum / (bits.length * bits.length);
    }
    if (this.averageCache.size >= AVERAGE_CACHE_LIMIT) this.averageCache.clear();
    this.averageCache.set(mask, avg);
    return avg;
  }
}
