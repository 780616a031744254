import type { HintData, MergeData } from "../managers/topology/index.js";
import { type DeviceSnapshot, emptyHintText, noPreferredText, noSingleNodeText } from "./explain-devices.js";
import type { TopologyManagerPolicyName } from "./types.js";

/*
 * Which provider answer sank a merge. The rules are the merge's own: a resource answering `[]`
 * becomes a non-preferred "any node" hint; under single-numa-node only preferred hints on one
 * node (or with no preference) survive; restricted and single-numa-node admit only a preferred
 * result, which needs one preferred hint from every slot with NUMA nodes in common.
 */

export interface MergeCause {
  /** The provider and resource whose answer is to blame; both null when the answers disagree with each other. */
  provider: string | null;
  resource: string | null;
  /** One clause in plain words. */
  text: string;
}

/** What the device clauses need: the device state the merge saw and the request per resource. */
export interface DeviceContext {
  snapshot: DeviceSnapshot;
  request: ReadonlyMap<string, number>;
}

const MANAGER: Record<string, string> = {
  cpu: "CPU Manager",
  memory: "Memory Manager",
  device: "Device Manager",
};

function masks(hints: readonly HintData[]): string {
  return hints.map((h) => (h.numaNodes === null ? "any" : `{${h.numaNodes.join(",")}}`)).join(" ");
}

function usable(h: HintData, policy: TopologyManagerPolicyName): boolean {
  if (!h.preferred) return false;
  return policy !== "single-numa-node" || h.numaNodes === null || h.numaNodes.length === 1;
}

function slotCause(
  provider: string,
  resource: string,
  hints: readonly HintData[],
  policy: TopologyManagerPolicyName,
  devices: DeviceContext | null,
  numaCount: number,
  refusedByPodRule: ReadonlySet<string>,
): string | null {
  if (hints.some((h) => usable(h, policy))) return null;
  const state = provider === "device" ? devices?.snapshot.get(resource) : undefined;
  const request = devices?.request.get(resource);
  const manager = MANAGER[provider] ?? provider;
  // The managers answer [] for a pod budget the pod-level rule refuses, whatever the node has free.
  if (hints.length === 0 && refusedByPodRule.has(resource))
    return `${resource}: [] — the ${manager} refuses the pod budget: its exclusive containers leave the pod shared pool no ${resource}`;
  if (hints.length === 0) {
    if (state && request !== undefined) return emptyHintText(state, request);
    return `${resource}: [] — the ${manager} can place the request on no NUMA combination`;
  }
  if (policy === "single-numa-node") {
    if (state && request !== undefined) return noSingleNodeText(state, request, numaCount);
    // A provider prefers its narrowest hints that could hold the request on empty nodes: wider
    // preferred hints mean no single node is large enough; no preferred hint, no room now.
    const preferred = hints.filter((h) => h.preferred);
    return preferred.length > 0
      ? `${resource}: no single NUMA node can hold the request (the ${manager}'s preferred hints: ${masks(preferred)})`
      : `${resource}: no single NUMA node has room for the request now (none of the ${manager}'s hints is preferred)`;
  }
  if (state && request !== undefined) return noPreferredText(state, request);
  return `${resource}: none of the ${manager}'s hints is preferred`;
}

/**
 * The clauses naming what kept a merge from a preferred result: every resource with no usable
 * hint, or, when each has one, the fact that their preferred hints share no NUMA node. Empty when
 * the result is preferred.
 */
export function mergeCauses(
  merge: MergeData,
  policy: TopologyManagerPolicyName,
  devices: DeviceContext | null,
  numaCount: number,
  refusedByPodRule: ReadonlySet<string> = new Set(),
): MergeCause[] {
  if (policy === "none" || (merge.admit && merge.hint.preferred)) return [];
  const causes: MergeCause[] = [];
  const slots: { provider: string; resource: string; hints: HintData[] }[] = [];
  for (const a of merge.answers)
    for (const [resource, hints] of Object.entries(a.hints ?? {})) {
      if (hints === null) continue;
      slots.push({ provider: a.provider, resource, hints });
      const text = slotCause(a.provider, resource, hints, policy, devices, numaCount, refusedByPodRule);
      if (text !== null) causes.push({ provider: a.provider, resource, text });
    }
  if (causes.length > 0 || slots.length === 0) return causes;
  const list = slots
    .map((x) => `${x.resource} ${masks(x.hints.filter((h) => usable(h, policy)))}`)
    .join(", ");
  return [
    {
      provider: null,
      resource: null,
      text: `the preferred hints have no NUMA node in common (${list})`,
    },
  ];
}
