import fc from "fast-check";
import { type BitMask, maskBits } from "./bitmask.js";
import { familyHints } from "./family-listing.js";
import type { TopologyHint } from "./hint.js";
import { HintFamily, type HintList, type ProviderAnswer, type SumConstraint } from "./hint-family.js";
import type { MergeImplementation } from "./merge.js";
import type { FastMergeStrategy } from "./merge-fast.js";
import { NUMAInfo } from "./numa-info.js";
import { createPolicy, type TopologyPolicyName } from "./policy.js";

/*
 * Random merges with hint families for the differential tests (merge-implicit.property.test.ts)
 * and `npm run fuzz:merge`: machines of 1-20 NUMA nodes with arbitrary ids, families with random
 * cores (allowed and required nodes, one to three thresholds, two-node minimums), extras and
 * socket alignment, repeated under several resources like the Memory Manager's, next to explicit
 * lists, nulls and empty answers; every policy that merges, with and without distances. Each case
 * is decided by the implicit merge and by a list merge over the families listed, which must agree.
 */

export type MergingPolicy = Exclude<TopologyPolicyName, "none">;

export interface FamilyMergeCase {
  nodes: number[];
  /** Integer distance rows by id (64 entries each). */
  distances: Map<number, number[]>;
  preferClosest: boolean;
  policy: MergingPolicy;
  answers: ProviderAnswer[];
}

export interface CaseShape {
  minNodes: number;
  maxNodes: number;
  /** Largest value a node adds to a threshold sum. */
  maxValue?: number;
}

function masksOver(ids: readonly number[]): fc.Arbitrary<BitMask> {
  return fc
    .subarray([...ids], { minLength: 1 })
    .map((bits) => bits.reduce((m, id) => m | (1n << BigInt(id)), 0n));
}

function familyArb(machine: readonly number[], maxValue: number): fc.Arbitrary<HintFamily> {
  return fc
    .record({
      nodes: fc.subarray([...machine], { minLength: 1 }),
      seed: fc.array(fc.integer({ min: 0, max: 999 }), { minLength: 64, maxLength: 64 }),
      hasCore: fc.integer({ min: 0, max: 9 }).map((x) => x < 8),
      allowedOdds: fc.constantFrom(100, 100, 80, 50),
      requiredOdds: fc.constantFrom(0, 0, 0, 10, 30),
      minCount: fc.constantFrom(1, 1, 2),
      constraints: fc.integer({ min: 1, max: 3 }),
      needPart: fc.array(fc.double({ min: -0.1, max: 1.1, noNaN: true }), { minLength: 3, maxLength: 3 }),
      extras: fc.integer({ min: 0, max: 4 }),
      preferredCount: fc.integer({ min: 1, max: 20 }),
      aligned: fc.integer({ min: 0, max: 9 }).map((x) => x < 2),
      sockets: fc.integer({ min: 1, max: 3 }),
    })
    .chain((r) => {
      const n = r.nodes.length;
      const pick = (salt: number, odds: number, i: number) => r.seed[(i * 13 + salt) % 64] % 100 < odds;
      const bit = (id: number) => 1n << BigInt(id);
      let allowed = 0n;
      let required = 0n;
      r.nodes.forEach((id, i) => {
        if (pick(3, r.allowedOdds, i)) allowed |= bit(id);
        if ((allowed & bit(id)) !== 0n && pick(7, r.requiredOdds, i)) required |= bit(id);
      });
      const constraints: SumConstraint[] = [];
      for (let c = 0; c < r.constraints; c++) {
        const values = r.nodes.map((_, i) => r.seed[(i * 7 + c * 19 + 5) % 64] % (maxValue + 1));
        const total = values.reduce((a, b) => a + b, 0);
        constraints.push({ values, need: Math.round(r.needPart[c] * total) });
      }
      return fc.array(masksOver(r.nodes), { minLength: r.extras, maxLength: r.extras }).map(
        (extras) =>
          new HintFamily({
            nodes: r.nodes,
            core: r.hasCore ? { allowed, required, minCount: r.minCount, constraints } : null,
            extras,
            preferredCount: 1 + ((r.preferredCount - 1) % n),
            alignment: r.aligned
              ? {
                  socketsAt: r.nodes.map((_, i) =>
                    r.seed[(i * 11 + 1) % 64] % 5 === 0
                      ? [r.seed[i] % 3, (r.seed[i] + 1) % 3]
                      : [r.seed[(i * 3 + 2) % 64] % 3],
                  ),
                  sockets: r.sockets,
                }
              : null,
          }),
      );
    });
}

function listArb(machine: readonly number[]): fc.Arbitrary<TopologyHint[]> {
  const affinity = fc.oneof(
    { weight: 1, arbitrary: fc.constant(null) },
    { weight: 6, arbitrary: masksOver(machine) },
  );
  return fc.array(fc.record({ affinity, preferred: fc.boolean() }), { minLength: 0, maxLength: 5 });
}

/** One provider's answer: nothing, or resources holding a list, a family (maybe repeated), null or []. */
function answerArb(machine: readonly number[], maxValue: number): fc.Arbitrary<ProviderAnswer> {
  const entry: fc.Arbitrary<HintList[] | null> = fc.oneof(
    {
      weight: 6,
      arbitrary: fc
        .tuple(familyArb(machine, maxValue), fc.integer({ min: 1, max: 3 }))
        .map(([f, r]) => Array.from({ length: r }, () => f)),
    },
    { weight: 2, arbitrary: listArb(machine).map((l) => [l]) },
    { weight: 1, arbitrary: fc.constant(null) },
  );
  return fc.oneof(
    { weight: 1, arbitrary: fc.constant(null) },
    {
      weight: 8,
      arbitrary: fc.array(entry, { minLength: 0, maxLength: 2 }).map((entries) => {
        const answer = new Map<string, HintList | null>();
        entries.forEach((lists, e) => {
          if (lists === null) answer.set(`r${e}`, null);
          else for (const [i, l] of lists.entries()) answer.set(`r${e}-${i}`, l);
        });
        return answer;
      }),
    },
  );
}

/** Integer distances from a seed: 10 on the diagonal, 11..40 elsewhere, rows not symmetric. */
function distancesFrom(seed: number, spread: number): Map<number, number[]> {
  let a = seed >>> 0;
  const next = () => {
    a = (Math.imul(a, 1103515245) + 12345) >>> 0;
    return 11 + ((a >>> 16) % spread);
  };
  return new Map(
    Array.from({ length: 64 }, (_, i) => [i, Array.from({ length: 64 }, (_, j) => (i === j ? 10 : next()))]),
  );
}

export function familyMergeCaseArb(shape: CaseShape): fc.Arbitrary<FamilyMergeCase> {
  const maxValue = shape.maxValue ?? 6;
  return fc
    .record({
      nodes: fc.oneof(
        fc.uniqueArray(fc.integer({ min: 0, max: 63 }), {
          minLength: shape.minNodes,
          maxLength: shape.maxNodes,
        }),
        fc
          .integer({ min: shape.minNodes, max: shape.maxNodes })
          .map((n) => Array.from({ length: n }, (_, i) => i)),
      ),
      distanceSeed: fc.integer(),
      spread: fc.constantFrom(1, 2, 4, 30),
      preferClosest: fc.boolean(),
      policy: fc.constantFrom<MergingPolicy>("best-effort", "best-effort", "restricted", "single-numa-node"),
    })
    .chain((r) => {
      const nodes = [...r.nodes].sort((a, b) => a - b);
      return fc.array(answerArb(nodes, maxValue), { minLength: 1, maxLength: 3 }).map((answers) => ({
        nodes,
        distances: distancesFrom(r.distanceSeed, r.spread),
        preferClosest: r.preferClosest,
        policy: r.policy,
        answers,
      }));
    });
}

/** The answers with every family listed, as the providers' explicit answers would hold them. */
export function listedAnswers(answers: readonly ProviderAnswer[]): ProviderAnswer[] {
  return answers.map((a) => {
    if (a === null) return null;
    const listed = new Map<string, HintList | null>();
    const cache = new Map<HintFamily, TopologyHint[]>();
    for (const [r, l] of a) {
      if (l instanceof HintFamily) {
        let hints = cache.get(l);
        if (!hints) cache.set(l, (hints = familyHints(l)));
        listed.set(r, hints);
      } else listed.set(r, l);
    }
    return listed;
  });
}

export interface MergeOutcome {
  numaNodes: number[] | null;
  preferred: boolean;
  admit: boolean;
}

export function mergeCase(
  c: FamilyMergeCase,
  answers: readonly ProviderAnswer[],
  implementation: MergeImplementation,
  strategy: FastMergeStrategy = "auto",
): MergeOutcome {
  const numa = NUMAInfo.create(c.nodes, c.distances, true);
  if (typeof numa === "string") throw new Error(numa);
  const policy = createPolicy(
    c.policy,
    numa,
    { preferClosestNUMA: c.preferClosest, maxAllowableNUMANodes: 64 },
    { implementation, strategy },
  );
  const { hint, admit } = policy.merge(answers);
  const numaNodes =
    hint.affinity === null ? null : c.nodes.filter((id) => ((hint.affinity! >> BigInt(id)) & 1n) === 1n);
  return { numaNodes, preferred: hint.preferred, admit };
}

/** How many hints the listed answers hold per slot product (the reference walks their product). */
export function permutationCount(answers: readonly ProviderAnswer[]): number {
  let product = 1;
  for (const a of answers)
    for (const l of a?.values() ?? [])
      if (l !== null && !(l instanceof HintFamily)) product *= Math.max(1, l.length);
  return product;
}

/** A readable form of a case for counterexample reports. */
export function describeCase(c: FamilyMergeCase): unknown {
  return {
    nodes: c.nodes,
    preferClosest: c.preferClosest,
    policy: c.policy,
    distances: c.preferClosest
      ? Object.fromEntries(c.nodes.map((i) => [i, c.nodes.map((j) => c.distances.get(i)![j])]))
      : null,
    answers: c.answers.map((a) =>
      a === null
        ? null
        : Object.fromEntries(
            [...a].map(([r, l]) => [
              r,
              l === null
                ? null
                : l instanceof HintFamily
                  ? {
                      family: {
                        nodes: l.nodes,
                        core: l.core && {
                          allowed: maskBits(l.core.allowed),
                          required: maskBits(l.core.required),
                          minCount: l.core.minCount,
                          constraints: l.core.constraints,
                        },
                        extras: l.extras.map(maskBits),
                        preferredCount: l.preferredCount,
                        alignment: l.alignment,
                      },
                    }
                  : l.map((h) => ({
                      numaNodes: h.affinity === null ? null : maskBits(h.affinity),
                      preferred: h.preferred,
                    })),
            ]),
          ),
    ),
  };
}

/** The three kinds of differential case: machine sizes and what the implicit merge is held to. */
export const CASE_KINDS = {
  /** 1-6 NUMA nodes: the fast list merge, and the reference enumeration while the product is small. */
  small: { minNodes: 1, maxNodes: 6 },
  /** 7-12 NUMA nodes: the fast list merge. */
  medium: { minNodes: 7, maxNodes: 12 },
  /** 13-20 NUMA nodes: the subset-table path of the fast merge. */
  large: { minNodes: 13, maxNodes: 20 },
} as const satisfies Record<string, CaseShape>;

export type CaseKind = keyof typeof CASE_KINDS;

/** Past this many permutations the reference enumeration is left out of a small case. */
export const REFERENCE_PERMUTATIONS = 20_000;

/**
 * Where the implicit merge and the list merges disagree on a case, as one line; null when they
 * agree. `referenced` is told whether the reference enumeration took part.
 */
export function differenceOf(
  c: FamilyMergeCase,
  kind: CaseKind,
  referenced?: (ran: boolean) => void,
): string | null {
  const listed = listedAnswers(c.answers);
  const implicit = mergeCase(c, c.answers, "implicit");
  const expected = mergeCase(c, listed, "fast", kind === "large" ? "transform" : "auto");
  const show = (o: MergeOutcome) => JSON.stringify(o);
  if (show(implicit) !== show(expected))
    return `implicit merge ${show(implicit)}, list merge ${show(expected)}`;
  const chosen = mergeCase(c, c.answers, "fast");
  if (show(chosen) !== show(expected))
    return `default merge of the families ${show(chosen)}, list merge ${show(expected)}`;
  if (kind === "small") {
    const ran = permutationCount(listed) <= REFERENCE_PERMUTATIONS;
    referenced?.(ran);
    if (ran) {
      const reference = mergeCase(c, listed, "reference");
      if (show(reference) !== show(expected))
        return `reference enumeration ${show(reference)}, list merge ${show(expected)}`;
    }
  }
  return null;
}
