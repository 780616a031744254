import type { SubsetProblem } from "./subset-search.js";

/*
 * The closest-first subset search on machines whose nodes come in interchangeable groups (the
 * sockets of a large machine, say). Two positions are interchangeable when they agree on
 * everything the search reads (allowed, required, every threshold value, the caller's `kind`) and
 * swapping them maps the distance matrix onto itself. Then the distance sum of a subset depends
 * only on how many positions it takes from each class, and among subsets with the same counts the
 * one taking each class's lowest positions is the numerically smallest. So the best subset is
 * found over count vectors instead of subsets: at most a few hundred thousand of them, against
 * C(64, 38) subsets for 38 of 64 nodes.
 */

/** Count vectors past which the classes do not pay off (the subset search runs instead). */
const VECTOR_LIMIT = 200_000;

interface NodeClass {
  /** Positions, ascending. */
  members: number[];
  required: boolean;
  /** The value of each constraint at every member. */
  values: number[];
}

/** Whether swapping u and v maps the n×n matrix onto itself. */
function swaps(d: Float64Array, n: number, u: number, v: number): boolean {
  if (d[u * n + u] !== d[v * n + v] || d[u * n + v] !== d[v * n + u]) return false;
  for (let w = 0; w < n; w++) {
    if (w === u || w === v) continue;
    if (d[u * n + w] !== d[v * n + w] || d[w * n + u] !== d[w * n + v]) return false;
  }
  return true;
}

function classesOf(p: SubsetProblem, kind: ArrayLike<number> | undefined): NodeClass[] {
  const { n, allowed, required, constraints } = p;
  const d = p.distances!;
  const byKey = new Map<string, NodeClass[]>();
  const out: NodeClass[] = [];
  for (let v = 0; v < n; v++) {
    if (!allowed[v]) continue;
    const values = constraints.map((c) => c.values[v]);
    const key = `${required[v] ? 1 : 0}|${kind?.[v] ?? 0}|${values.join(",")}`;
    let group = byKey.get(key);
    if (!group) byKey.set(key, (group = []));
    const home = group.find((c) => swaps(d, n, c.members[0], v));
    if (home) home.members.push(v);
    else {
      const c: NodeClass = { members: [v], required: required[v] === true, values };
      group.push(c);
      out.push(c);
    }
  }
  return out;
}

/** Positions descending, numerically greater first. */
function numericLess(a: readonly number[], b: readonly number[]): boolean {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i] < b[i];
  return a.length < b.length;
}

/**
 * The best subset of `size` positions by (distance sum, numeric value) among those meeting the
 * constraints and `accept`, as positions descending; null when none passes; `undefined` when
 * the machine has too little symmetry for this to pay off.
 */
export function bestByClasses(
  p: SubsetProblem,
  size: number,
  kind?: ArrayLike<number>,
): number[] | null | undefined {
  const d = p.distances;
  if (d === null) return undefined;
  const n = p.n;
  const classes = classesOf(p, kind);
  if (classes.length === classes.reduce((s, c) => s + c.members.length, 0)) return undefined;
  let vectors = 1;
  for (const c of classes) {
    vectors *= c.required ? 1 : c.members.length + 1;
    if (vectors > VECTOR_LIMIT) return undefined;
  }
  const K = classes.length;
  const rep = classes.map((c) => c.members[0]);
  const self = rep.map((v) => d[v * n + v]);
  const intra = classes.map((c) => (c.members.length > 1 ? d[c.members[0] * n + c.members[1]] : 0));
  const cross = rep.map((u) => rep.map((w) => d[u * n + w] + d[w * n + u]));
  const counts = new Array<number>(K).fill(0);
  const found: { sum: number; counts: number[] }[] = [];

  const sumOf = () => {
    let sum = 0;
    for (let k = 0; k < K; k++) {
      const c = counts[k];
      if (c === 0) continue;
      sum += c * self[k] + c * (c - 1) * intra[k];
      for (let l = k + 1; l < K; l++) sum += c * counts[l] * cross[k][l];
    }
    return sum;
  };
  const meets = () =>
    p.constraints.every((c, j) => {
      let total = 0;
      for (let k = 0; k < K; k++) total += counts[k] * classes[k].values[j];
      return total >= c.need;
    });
  const visit = (k: number, left: number) => {
    if (k === K) {
      if (left === 0 && meets()) found.push({ sum: sumOf(), counts: [...counts] });
      return;
    }
    const c = classes[k];
    const most = Math.min(left, c.members.length);
    for (let take = c.required ? c.members.length : 0; take <= most; take++) {
      counts[k] = take;
      visit(k + 1, left - take);
    }
    counts[k] = 0;
  };
  visit(0, size);
  const positionsOf = (taken: readonly number[]) => {
    const positions: number[] = [];
    for (let k = 0; k < K; k++) for (let t = 0; t < taken[k]; t++) positions.push(classes[k].members[t]);
    return positions.sort((a, b) => b - a);
  };
  found.sort((a, b) => a.sum - b.sum);
  // Equal sums in numeric order, each group tried before the next sum.
  for (let i = 0; i < found.length; ) {
    let j = i;
    while (j < found.length && found[j].sum === found[i].sum) j++;
    const group = found.slice(i, j).map((f) => positionsOf(f.counts));
    group.sort((a, b) => (numericLess(a, b) ? -1 : numericLess(b, a) ? 1 : 0));
    for (const positions of group)
      if ((!p.viable || p.viable(positions)) && (!p.accept || p.accept(positions))) return positions;
    i = j;
  }
  return null;
}
