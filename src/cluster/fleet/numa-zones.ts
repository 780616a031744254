import { Quantity } from "../../core/index.js";
import type { Node } from "../../node/index.js";
import { buildNodeResourceTopology } from "../nrt/index.js";
import type { NodeResourceTopologyObject } from "../types.js";

/**
 * A node as the NodeResourceTopologyMatch plugin sees it: the NodeResourceTopology object the
 * node agent publishes (`buildNodeResourceTopology`, the very object a real scheduler would read),
 * turned into the plugin's NUMA node list and Topology Manager settings. The reading follows
 * scheduler-plugins pkg/noderesourcetopology/pluginhelpers.go (`createNUMANodeList`: zones of
 * type "Node" named `node-<id>`, each resource's `available`) and nodeconfig/topologymanager.go
 * (`TopologyManagerFromNodeResourceTopology`: container scope and policy none by default, then the
 * deprecated `topologyPolicies` word, then the `topologyManagerPolicy` / `topologyManagerScope`
 * attributes, which win).
 */
export interface NumaZone {
  id: number;
  /** Resource name -> available amount (millicores for `cpu`, bytes, device counts). */
  available: Map<string, number>;
}

export interface NrtView {
  policy: string;
  scope: "container" | "pod";
  zones: NumaZone[];
}

const ZONE_NAME = /^node-(\d+)$/;
/** The plugin's bound on NUMA ids (pluginhelpers.go `maxNUMAId`). */
const MAX_NUMA_ID = 64;
const POLICIES = new Set(["none", "best-effort", "restricted", "single-numa-node"]);

/** The deprecated one-word form (v1alpha2 `TopologyManagerPolicy`) as policy and scope. */
const POLICY_WORDS: Record<string, { policy: string; scope: "container" | "pod" }> = {
  SingleNUMANodePodLevel: { policy: "single-numa-node", scope: "pod" },
  SingleNUMANodeContainerLevel: { policy: "single-numa-node", scope: "container" },
  BestEffortPodLevel: { policy: "best-effort", scope: "pod" },
  BestEffortContainerLevel: { policy: "best-effort", scope: "container" },
  RestrictedPodLevel: { policy: "restricted", scope: "pod" },
  RestrictedContainerLevel: { policy: "restricted", scope: "container" },
};

function amountOf(name: string, text: string): number {
  const q = Quantity.parse(text, `${name} available`);
  return Number(name === "cpu" ? q.milliValue() : q.value());
}

export function nrtView(nrt: NodeResourceTopologyObject): NrtView {
  const view: NrtView = { policy: "none", scope: "container", zones: [] };
  const word = nrt.topologyPolicies?.[0];
  if (word !== undefined && POLICY_WORDS[word]) Object.assign(view, POLICY_WORDS[word]);
  for (const { name, value } of nrt.attributes ?? []) {
    if (name === "topologyManagerScope" && (value === "container" || value === "pod")) view.scope = value;
    else if (name === "topologyManagerPolicy" && typeof value === "string" && POLICIES.has(value))
      view.policy = value;
  }
  for (const zone of nrt.zones) {
    const m = zone.type === "Node" ? ZONE_NAME.exec(zone.name) : null;
    if (!m || Number(m[1]) > MAX_NUMA_ID) continue;
    const available = new Map<string, number>();
    for (const r of zone.resources ?? []) available.set(r.name, amountOf(r.name, r.available));
    view.zones.push({ id: Number(m[1]), available });
  }
  return view;
}

/** What the scheduler would read of `node`, published as `nodeName`. */
export function nrtViewOf(node: Node, nodeName: string): NrtView {
  return nrtView(buildNodeResourceTopology(node, { nodeName }));
}
