/**
 * The node's NodeResourceTopology object (topology.node.k8s.io/v1alpha2): built from the engine's
 * state, and published to the API server by an agent add-on.
 */
export { buildNodeResourceTopology, NRT_API_VERSION, type NrtIdentity, zoneName } from "./build.js";
export {
  FINGERPRINT_ATTRIBUTE,
  FINGERPRINT_METHOD_ALL,
  FINGERPRINT_METHOD_ATTRIBUTE,
  type PodIdentity,
  podSetFingerprint,
} from "./fingerprint.js";
export { topologyPolicyWord } from "./policies.js";
export { createNrtPublisher, type NrtPublisher, type NrtPublisherOptions } from "./publisher.js";
export { type NrtAddOnOptions, nrtAddOn } from "./add-on.js";
