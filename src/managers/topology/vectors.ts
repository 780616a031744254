import { ManagerError } from "../../core/index.js";
import { DEFAULT_FEATURE_GATES } from "../../k8s/index.js";
import { type BitMask, maskOf } from "./bitmask.js";
import type { ProviderHints, TopologyHint } from "./hint.js";
import { type NUMADistances, NUMAInfo } from "./numa-info.js";
import { parseTopologyPolicyOptions, type TopologyPolicyOptions } from "./options.js";
import { createPolicy, DEFAULT_MERGE_SETTINGS, isTopologyPolicyName, type MergeSettings } from "./policy.js";
import { type HintData, hintData } from "./trace.js";

/*
 * Reading the topology conformance vectors (../shared/conformance/topology/*.json) into engine
 * values. Shared by the conformance suites and the unit tests that run the same cases through the
 * reference merge. Every shape error names the field and what was expected.
 */

export type JSONObject = Record<string, unknown>;

export function obj(v: unknown, what: string): JSONObject {
  if (v === null || typeof v !== "object" || Array.isArray(v)) throw new Error(`${what}: expected an object`);
  return v as JSONObject;
}

export function arr(v: unknown, what: string): unknown[] {
  if (!Array.isArray(v)) throw new Error(`${what}: expected an array`);
  return v;
}

export function int(v: unknown, what: string): number {
  if (typeof v !== "number" || !Number.isInteger(v)) throw new Error(`${what}: expected an integer`);
  return v;
}

export function bool(v: unknown, what: string): boolean {
  if (typeof v !== "boolean") throw new Error(`${what}: expected true or false`);
  return v;
}

export function str(v: unknown, what: string): string {
  if (typeof v !== "string") throw new Error(`${what}: expected a string`);
  return v;
}

export function ints(v: unknown, what: string): number[] {
  return arr(v, what).map((x, i) => int(x, `${what}[${i}]`));
}

/** A list of NUMA ids as a mask (ids must be 0..63 here: the vectors only use valid ones). */
export function maskFromJSON(v: unknown, what: string): BitMask {
  const ids = ints(v, what);
  try {
    return maskOf(...ids);
  } catch (err) {
    throw new Error(`${what}: ${(err as Error).message}`);
  }
}

/** `{numaNodes: [ids] | null, preferred}`. */
export function hintFromJSON(v: unknown, what: string): TopologyHint {
  const o = obj(v, what);
  const affinity = o.numaNodes === null ? null : maskFromJSON(o.numaNodes, `${what}.numaNodes`);
  return { affinity, preferred: bool(o.preferred, `${what}.preferred`) };
}

/** `null` (nil map), `{}` or `{resource: null | [] | [hint, ...]}`. */
export function providerHintsFromJSON(v: unknown, what: string): ProviderHints {
  if (v === null) return null;
  const o = obj(v, what);
  const out = new Map<string, TopologyHint[] | null>();
  for (const [resource, list] of Object.entries(o)) {
    out.set(
      resource,
      list === null
        ? null
        : arr(list, `${what}.${resource}`).map((h, i) => hintFromJSON(h, `${what}.${resource}[${i}]`)),
    );
  }
  return out;
}

/** `{"<node>": [distance to node 0, 1, ...]}` or null. */
export function distancesFromJSON(v: unknown, what: string): NUMADistances | null {
  if (v === null || v === undefined) return null;
  const out = new Map<number, number[]>();
  for (const [node, row] of Object.entries(obj(v, what))) {
    const id = Number(node);
    if (!Number.isInteger(id) || id < 0)
      throw new Error(`${what}: key ${JSON.stringify(node)} is not a NUMA id`);
    out.set(id, ints(row, `${what}.${node}`));
  }
  return out;
}

export function optionsFromJSON(v: unknown, what: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, x] of Object.entries(obj(v ?? {}, what))) out[k] = str(x, `${what}.${k}`);
  return out;
}

/** The options of a vector, parsed with the default feature gates. */
export function policyOptionsOf(options: Record<string, string>, what: string): TopologyPolicyOptions {
  const parsed = parseTopologyPolicyOptions(options, DEFAULT_FEATURE_GATES);
  if (parsed instanceof ManagerError) throw new Error(`${what}: ${parsed.message}`);
  return parsed;
}

/** One case of `topology/merge.json`. */
export interface MergeVector {
  name: string;
  policy: string;
  options: Record<string, string>;
  numaNodes: number[];
  distances: NUMADistances | null;
  providersHints: ProviderHints[];
  expectedHint: HintData;
  expectedAdmit: boolean;
}

function hintDataFromJSON(v: unknown, what: string): HintData {
  return hintData(hintFromJSON(v, what));
}

export function mergeVectorFromJSON(v: unknown, name: string, what: string): MergeVector {
  const c = obj(v, what);
  return {
    name,
    policy: str(c.policy, `${what}.policy`),
    options: optionsFromJSON(c.options, `${what}.options`),
    numaNodes: ints(c.numaNodes, `${what}.numaNodes`),
    distances: distancesFromJSON(c.distances, `${what}.distances`),
    providersHints: arr(c.providersHints, `${what}.providersHints`).map((p, i) =>
      providerHintsFromJSON(p, `${what}.providersHints[${i}]`),
    ),
    expectedHint: hintDataFromJSON(c.expectedHint, `${what}.expectedHint`),
    expectedAdmit: bool(c.expectedAdmit, `${what}.expectedAdmit`),
  };
}

/** Runs a merge vector through the policy it names: the best hint (as data) and the admit verdict. */
export function runMergeVector(
  v: MergeVector,
  settings: Readonly<MergeSettings> = DEFAULT_MERGE_SETTINGS,
): { hint: HintData; admit: boolean } {
  if (!isTopologyPolicyName(v.policy))
    throw new Error(`${v.name}: unknown policy ${JSON.stringify(v.policy)}`);
  const options = policyOptionsOf(v.options, v.name);
  const numa = NUMAInfo.create(v.numaNodes, v.distances, options.preferClosestNUMA);
  if (typeof numa === "string") throw new Error(`${v.name}: ${numa}`);
  const result = createPolicy(v.policy, numa, options, settings).merge(v.providersHints);
  return { hint: hintData(result.hint), admit: result.admit };
}
