import { compareBytewise, machineNUMANodes } from "../../machine/index.js";
import type { Node } from "../../node/index.js";
import type { NodeResourceTopologyObject, NrtAttribute, NrtResourceInfo, NrtZone } from "../types.js";
import {
  FINGERPRINT_ATTRIBUTE,
  FINGERPRINT_METHOD_ALL,
  FINGERPRINT_METHOD_ATTRIBUTE,
  podSetFingerprint,
} from "./fingerprint.js";
import { topologyPolicyWord } from "./policies.js";
import { resourceInfo } from "./quantities.js";
import { cpuAmounts, deviceAmounts, memoryResources } from "./zone-resources.js";

export interface NrtIdentity {
  /** The Node object's name: the NodeResourceTopology object is named after it. */
  nodeName: string;
  /** The Node object's uid; when known, the object is owned by the Node (and goes with it). */
  nodeUID?: string;
}

export const NRT_API_VERSION = "topology.node.k8s.io/v1alpha2";

/** The exporters' zone name of a NUMA node. */
export function zoneName(numa: number): string {
  return `node-${numa}`;
}

/** The NUMA distances from `numa` to every NUMA node, as the zone's costs (none when unknown). */
function costsOf(node: Node, numa: number, ids: readonly number[]): NrtAttribute[] | undefined {
  const row = node.machine.distances?.get(numa);
  if (!row || row.length !== ids.length) return undefined;
  return ids.map((id, i) => ({ name: zoneName(id), value: row[i] }));
}

function zoneOf(
  node: Node,
  numa: number,
  ids: readonly number[],
  devices: ReturnType<typeof deviceAmounts>,
): NrtZone {
  const resources: NrtResourceInfo[] = [
    resourceInfo("cpu", cpuAmounts(node, numa), "count"),
    ...memoryResources(node, numa),
  ];
  for (const [name, amounts] of devices.get(numa) ?? []) resources.push(resourceInfo(name, amounts, "count"));
  resources.sort((a, b) => compareBytewise(a.name, b.name));
  const zone: NrtZone = { name: zoneName(numa), type: "Node" };
  const costs = costsOf(node, numa, ids);
  if (costs) zone.costs = costs;
  zone.resources = resources;
  return zone;
}

/**
 * The node's `NodeResourceTopology` (topology.node.k8s.io/v1alpha2) as the topology exporters
 * publish it: one zone per NUMA node in id order, each with its costs (the NUMA distances) and its
 * resources sorted by name, the Topology Manager's policy and scope, and the fingerprint of the
 * active pods. Pure and deterministic: the same node gives the same object.
 */
export function buildNodeResourceTopology(node: Node, opts: NrtIdentity): NodeResourceTopologyObject {
  const ids = machineNUMANodes(node.machine);
  const devices = deviceAmounts(node);
  const { topologyManagerPolicy: policy, topologyManagerScope: scope } = node.config;
  const metadata: NodeResourceTopologyObject["metadata"] = { name: opts.nodeName };
  if (opts.nodeUID)
    metadata.ownerReferences = [{ apiVersion: "v1", kind: "Node", name: opts.nodeName, uid: opts.nodeUID }];
  return {
    apiVersion: NRT_API_VERSION,
    kind: "NodeResourceTopology",
    metadata,
    topologyPolicies: [topologyPolicyWord(policy, scope)],
    attributes: [
      { name: "topologyManagerPolicy", value: policy },
      { name: "topologyManagerScope", value: scope },
      { name: FINGERPRINT_ATTRIBUTE, value: podSetFingerprint(node.admittedPods()) },
      { name: FINGERPRINT_METHOD_ATTRIBUTE, value: FINGERPRINT_METHOD_ALL },
    ],
    zones: ids.map((id) => zoneOf(node, id, ids, devices)),
  };
}
