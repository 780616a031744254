import { countFamilyHints, familyHints } from "./family-listing.js";
import { hintToJSON, type TopologyHint } from "./hint.js";
import { type HintFamily, isHintFamily, type ProviderAnswer } from "./hint-family.js";
import type { TopologyPolicyName } from "./policy.js";
import type { HintProvider } from "./provider.js";

/*
 * What the Topology Manager did for one admission, as plain JSON-ready data (no bigints, no
 * class instances), so that `explain` can render it and tests can compare it.
 */

/** A hint as data: NUMA ids ascending, or null for "any node". */
export interface HintData {
  numaNodes: number[] | null;
  preferred: boolean;
}

export type ProviderName = HintProvider["resource"];

/** One provider's answer: null = no preference at all; per resource null = no preference, [] = cannot be satisfied. */
export interface ProviderAnswerData {
  provider: ProviderName;
  hints: Record<string, HintData[] | null> | null;
  /**
   * Resources whose hints were too many to list: how many `hints` leaves out (exact below 2^53,
   * rounded above; null: more than can be counted). Not enumerable, so it stays out of JSON and
   * of comparisons of traces.
   */
  readonly unlisted?: Readonly<Record<string, number | null>>;
}

/** Families of at most this many hints are listed in full (every family of an 8-node machine). */
export const FULL_LISTING_LIMIT = 255;
/** A larger family shows this many of its first hints. */
export const TRUNCATED_LISTING = 64;

/** One merge: for a container (container scope) or for the whole pod (`container` null). */
export interface MergeData {
  container: string | null;
  answers: ProviderAnswerData[];
  /** The policy's best hint (single-numa-node already rewritten to null when it spans every node). */
  hint: HintData;
  admit: boolean;
}

/** One `Allocate` (per container) or `AllocatePod` (container null) call on a provider. */
export interface AllocationData {
  provider: ProviderName;
  call: "allocate" | "allocatePod";
  container: string | null;
  /** The provider's error: its kubelet reason (null when it has none) and text. */
  error: { reason: string | null; message: string } | null;
}

export type AdmitPath = "container" | "pod" | "pod-level" | "none";

export interface AdmitTrace {
  policy: TopologyPolicyName;
  path: AdmitPath;
  alignmentGuaranteed: boolean;
  merges: MergeData[];
  /** The hint stored for each container, in the order they were stored. */
  affinities: { container: string; hint: HintData }[];
  allocations: AllocationData[];
  /** Why the pod was rejected, if it was: the merge did not admit, or a provider failed. */
  rejectedBy: "merge" | "allocation" | null;
}

export interface AdmitResult {
  admitted: boolean;
  /** The admission result's `Reason` and `Message` (kubelet wording); null when admitted. */
  reason: string | null;
  message: string | null;
  trace: AdmitTrace;
}

export function hintData(h: TopologyHint): HintData {
  return hintToJSON(h);
}

interface FamilyListing {
  hints: HintData[];
  /** How many hints are left out; undefined when the listing is complete. */
  unlisted: number | null | undefined;
}

/** The hints a trace shows for a family: all of them, or the first ones and a count. */
function familyListing(family: HintFamily): FamilyListing {
  const first = familyHints(family, FULL_LISTING_LIMIT + 1);
  if (first.length <= FULL_LISTING_LIMIT) return { hints: first.map(hintData), unlisted: undefined };
  const total = countFamilyHints(family);
  return {
    hints: first.slice(0, TRUNCATED_LISTING).map(hintData),
    unlisted: total === null ? null : total - TRUNCATED_LISTING,
  };
}

/** `obj[key]` computed on first read, then stored as a plain value. */
function defineLazy<T>(obj: object, key: string, enumerable: boolean, compute: () => T): void {
  Object.defineProperty(obj, key, {
    enumerable,
    configurable: true,
    get() {
      const value = compute();
      Object.defineProperty(obj, key, { value, enumerable, writable: true, configurable: true });
      return value;
    },
  });
}

/**
 * How an admission records its merges. `lazy` (the default) keeps the providers' answers as they
 * were handed to the merge (immutable lists and families) and turns them into data only when the
 * trace is read: an admission nobody explains pays nothing for it. `eager` builds every answer's
 * data, family listings included, during the admission: the reference the lazy trace is tested
 * against.
 */
export type TraceBuild = "lazy" | "eager";

/** Read at every merge an admission records; tests switch it to compare both ways. */
export const traceSettings: { build: TraceBuild } = { build: "lazy" };

/** Reads every lazily built part of an answer's data, so that it holds plain values only. */
function settled(data: ProviderAnswerData): ProviderAnswerData {
  void data.hints;
  void data.unlisted;
  return data;
}

function answersData(
  providers: readonly ProviderName[],
  answers: readonly ProviderAnswer[],
): ProviderAnswerData[] {
  return answers.map((a, i) => providerAnswerData(providers[i], a));
}

/**
 * One merge of an admission: what decided it (the policy's best hint and whether it admits) and,
 * built on first read, what each provider answered. `providers` and `answers` are kept by
 * reference until then: the providers' names and their answers, never the providers themselves,
 * so that a result kept after its node moved on holds no state of the node.
 */
export function mergeData(
  container: string | null,
  providers: readonly ProviderName[],
  answers: readonly ProviderAnswer[],
  hint: TopologyHint,
  admit: boolean,
): MergeData {
  if (traceSettings.build === "eager")
    return { container, answers: answersData(providers, answers).map(settled), hint: hintData(hint), admit };
  // An accessor in the literal: far cheaper per admission than `Object.defineProperty`.
  return {
    container,
    get answers(): ProviderAnswerData[] {
      const value = answersData(providers, answers);
      Object.defineProperty(this, "answers", { value, enumerable: true, writable: true, configurable: true });
      return value;
    },
    hint: hintData(hint),
    admit,
  };
}

/**
 * A provider's answer as data. Families are listed only when the data is read (an admission
 * records its merges without listing anything).
 */
export function providerAnswerData(provider: ProviderName, answer: ProviderAnswer): ProviderAnswerData {
  if (answer === null) return { provider, hints: null };
  const resources = [...answer.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const listOf = (resource: string): HintData[] | null => {
    const list = answer.get(resource) ?? null;
    return list === null || isHintFamily(list) ? null : list.map(hintData);
  };
  if (!resources.some((r) => isHintFamily(answer.get(r)))) {
    const hints: Record<string, HintData[] | null> = {};
    for (const r of resources) hints[r] = listOf(r);
    return { provider, hints };
  }
  const listings = new Map<HintFamily, FamilyListing>();
  const listingOf = (family: HintFamily) => {
    let listing = listings.get(family);
    if (!listing) listings.set(family, (listing = familyListing(family)));
    return listing;
  };
  const data = { provider } as ProviderAnswerData;
  defineLazy(data, "hints", true, () => {
    const hints: Record<string, HintData[] | null> = {};
    for (const r of resources) {
      const list = answer.get(r);
      hints[r] = isHintFamily(list) ? listingOf(list).hints : listOf(r);
    }
    return hints;
  });
  defineLazy(data, "unlisted", false, () => {
    const out: Record<string, number | null> = {};
    for (const r of resources) {
      const list = answer.get(r);
      const unlisted = isHintFamily(list) ? listingOf(list).unlisted : undefined;
      if (unlisted !== undefined) out[r] = unlisted;
    }
    return out;
  });
  return data;
}
