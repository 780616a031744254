import type { TopologyManagerPolicyName, TopologyManagerScopeName } from "../../node/index.js";

/*
 * The Topology Manager settings as a NodeResourceTopology object names them. `topologyPolicies`
 * (deprecated in v1alpha2, kept because schedulers still read it) folds policy and scope into one
 * word, as node-feature-discovery's topology-updater does (its `DetectTopologyPolicy`); the
 * `topologyManagerPolicy` and `topologyManagerScope` attributes carry the kubelet's own words, as
 * the resource-topology-exporter publishes them.
 */

const POD_SCOPE: Record<TopologyManagerPolicyName, string> = {
  "single-numa-node": "SingleNUMANodePodLevel",
  restricted: "RestrictedPodLevel",
  "best-effort": "BestEffortPodLevel",
  none: "None",
};

const CONTAINER_SCOPE: Record<TopologyManagerPolicyName, string> = {
  "single-numa-node": "SingleNUMANodeContainerLevel",
  restricted: "RestrictedContainerLevel",
  "best-effort": "BestEffortContainerLevel",
  none: "None",
};

/** The v1alpha2 `TopologyManagerPolicy` word for a policy under a scope. */
export function topologyPolicyWord(
  policy: TopologyManagerPolicyName,
  scope: TopologyManagerScopeName,
): string {
  return (scope === "pod" ? POD_SCOPE : CONTAINER_SCOPE)[policy];
}
