import { type BitMask, maskBits } from "./bitmask.js";
import type { TopologyHint } from "./hint.js";
import type { HintFamily } from "./hint-family.js";

/*
 * A family's hints as the provider would list them: every listed mask in `IterateBitMasks` order
 * over the family's nodes (by size, then lexicographic over positions), with its preferred flag.
 * The core is walked size by size with the search cut wherever even the largest values left
 * cannot reach a threshold, so listing the first hints costs about as much as those hints, not
 * 2^N. Counting uses a table of the thresholds still to reach (exact, or null when that table
 * would grow too large).
 */

/** `sufTop[i][t]`: the sum of the t largest values at allowed positions >= i. */
function suffixTopSums(values: readonly number[], allowed: readonly boolean[]): number[][] {
  const n = values.length;
  const out: number[][] = new Array(n + 1);
  const sorted: number[] = [];
  out[n] = [0];
  for (let i = n - 1; i >= 0; i--) {
    if (allowed[i]) {
      const v = values[i];
      let at = sorted.findIndex((x) => x < v);
      if (at < 0) at = sorted.length;
      sorted.splice(at, 0, v);
    }
    const row = [0];
    for (const x of sorted) row.push(row[row.length - 1] + x);
    out[i] = row;
  }
  return out;
}

interface CoreWalk {
  n: number;
  allowed: boolean[];
  required: boolean[];
  /** Required positions at or after i. */
  requiredFrom: number[];
  /** Allowed positions at or after i. */
  allowedFrom: number[];
  values: (readonly number[])[];
  needs: number[];
  top: number[][][];
}

function coreWalk(family: HintFamily): CoreWalk | null {
  const core = family.core;
  if (core === null || family.coreIsEmpty) return null;
  const n = family.nodes.length;
  const bit = (id: number) => 1n << BigInt(id);
  const allowed = family.nodes.map((id) => (core.allowed & bit(id)) !== 0n);
  const required = family.nodes.map((id) => (core.required & bit(id)) !== 0n);
  const requiredFrom = new Array<number>(n + 1).fill(0);
  const allowedFrom = new Array<number>(n + 1).fill(0);
  for (let i = n - 1; i >= 0; i--) {
    requiredFrom[i] = requiredFrom[i + 1] + (required[i] ? 1 : 0);
    allowedFrom[i] = allowedFrom[i + 1] + (allowed[i] ? 1 : 0);
  }
  const values = core.constraints.map((c) => c.values);
  return {
    n,
    allowed,
    required,
    requiredFrom,
    allowedFrom,
    values,
    needs: core.constraints.map((c) => c.need),
    top: values.map((v) => suffixTopSums(v, allowed)),
  };
}

/**
 * Calls `visit` with the core's masks of exactly `size` nodes (as position lists, ascending) in
 * lexicographic order; stops when `visit` returns false. Returns false if stopped.
 */
function walkCoreOfSize(
  w: CoreWalk,
  size: number,
  visit: (positions: readonly number[]) => boolean,
): boolean {
  const chosen: number[] = [];
  const sums = w.needs.map(() => 0);
  const step = (i: number): boolean => {
    const left = size - chosen.length;
    if (left === 0) {
      if (w.requiredFrom[i] > 0) return true;
      for (let c = 0; c < sums.length; c++) if (sums[c] < w.needs[c]) return true;
      return visit(chosen);
    }
    if (w.allowedFrom[i] < left || w.requiredFrom[i] > left) return true;
    for (let c = 0; c < sums.length; c++) {
      const row = w.top[c][i];
      if (sums[c] + row[Math.min(left, row.length - 1)] < w.needs[c]) return true;
    }
    for (let p = i; p < w.n; p++) {
      if (!w.allowed[p]) {
        if (w.required[p]) return true;
        continue;
      }
      chosen.push(p);
      for (let c = 0; c < sums.length; c++) sums[c] += w.values[c][p];
      const go = step(p + 1);
      for (let c = 0; c < sums.length; c++) sums[c] -= w.values[c][p];
      chosen.pop();
      if (!go) return false;
      // Skipping a required position leaves it out of every later mask.
      if (w.required[p]) return true;
      if (w.allowedFrom[p + 1] < left) return true;
    }
    return true;
  };
  return step(0);
}

function lexLess(a: readonly number[], b: readonly number[]): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i] < b[i];
  return false;
}

/**
 * Calls `visit` with every hint of the family in `IterateBitMasks` order until it returns false.
 */
export function forEachFamilyHint(family: HintFamily, visit: (hint: TopologyHint) => boolean): void {
  const walk = coreWalk(family);
  const toPositions = (m: BitMask) => maskBits(m).map((id) => family.positionOf(id));
  const extrasBySize = new Map<number, number[][]>();
  for (const m of family.extras) {
    const at = toPositions(m);
    const list = extrasBySize.get(at.length) ?? [];
    list.push(at);
    extrasBySize.set(at.length, list);
  }
  for (const list of extrasBySize.values()) list.sort((a, b) => (lexLess(a, b) ? -1 : lexLess(b, a) ? 1 : 0));
  const maskOf = (at: readonly number[]) => {
    let m = 0n;
    for (const p of at) m |= 1n << BigInt(family.nodes[p]);
    return m;
  };
  const emit = (at: readonly number[]): boolean => {
    const mask = maskOf(at);
    return visit({ affinity: mask, preferred: family.preferredFlag(mask) });
  };
  for (let size = 1; size <= family.nodes.length; size++) {
    const extras = extrasBySize.get(size) ?? [];
    let next = 0;
    // Extras before (or equal to) each core mask go first; equal ones are listed once.
    const go =
      walk === null || size < family.core!.minCount
        ? true
        : walkCoreOfSize(walk, size, (at) => {
            while (next < extras.length && !lexLess(at, extras[next])) {
              const e = extras[next++];
              if (!lexLess(e, at) && !lexLess(at, e)) continue;
              if (!emit(e)) return false;
            }
            return emit(at);
          });
    if (!go) return;
    for (; next < extras.length; next++) if (!emit(extras[next])) return;
  }
}

/** The first `limit` hints of the family (all of them for `Infinity`). */
export function familyHints(family: HintFamily, limit = Number.POSITIVE_INFINITY): TopologyHint[] {
  const out: TopologyHint[] = [];
  if (limit <= 0) return out;
  forEachFamilyHint(family, (h) => {
    out.push(h);
    return out.length < limit;
  });
  return out;
}

/** Past this many distinct (thresholds left, size) states the count gives up. */
const COUNT_STATE_LIMIT = 20_000;

/**
 * How many hints the family lists: exact below 2^53, the nearest double above; null when the
 * counting table would grow past its limit.
 */
export function countFamilyHints(family: HintFamily): number | null {
  let total = 0;
  const walk = coreWalk(family);
  if (walk !== null) {
    const core = countCore(walk, Math.max(1, family.core!.minCount));
    if (core === null) return null;
    total = core;
  }
  for (const m of family.extras) if (!family.inCore(m)) total++;
  return total;
}

/** Core masks counted position by position over (thresholds still to reach, nodes so far capped). */
function countCore(w: CoreWalk, minCount: number): number | null {
  let states = new Map<string, { left: number[]; count: number; ways: number }>();
  const key = (left: readonly number[], count: number) => `${count}|${left.join(",")}`;
  const start = w.needs.map((x) => Math.max(0, x));
  states.set(key(start, 0), { left: start, count: 0, ways: 1 });
  for (let p = 0; p < w.n; p++) {
    const next = new Map<string, { left: number[]; count: number; ways: number }>();
    const add = (left: number[], count: number, ways: number) => {
      const k = key(left, count);
      const s = next.get(k);
      if (s) s.ways += ways;
      else next.set(k, { left, count, ways });
    };
    for (const s of states.values()) {
      if (!w.required[p]) add(s.left, s.count, s.ways);
      if (w.allowed[p]) {
        const left = s.left.map((x, c) => Math.max(0, x - w.values[c][p]));
        add(left, Math.min(minCount, s.count + 1), s.ways);
      }
    }
    if (next.size > COUNT_STATE_LIMIT) return null;
    states = next;
  }
  let total = 0;
  for (const s of states.values()) if (s.count >= minCount && s.left.every((x) => x <= 0)) total += s.ways;
  return total;
}
