/**
 * The Kubernetes side of the agent: the API server connection, the watch of the node's pods
 * driving the engine, and the events it posts.
 */
export { type ClusterAddOn, type ClusterAddOnOptions, clusterAddOn } from "./cluster-add-on.js";
export {
  EVENT_COMPONENT,
  EventRecorder,
  type EventRecorderOptions,
  REPORTING_CONTROLLER,
} from "./events/index.js";
export {
  ClusterClient,
  ClusterSetupError,
  FIELD_MANAGER,
  KubeApiError,
  type KubeConfigSource,
  loadKubeConfig,
  type NodeObject,
  type PodSource,
} from "./kube/index.js";
export { type NodeChangesOptions, nodeChangesAddOn } from "./node-changes.js";
export {
  type NodeFacts,
  nodeFactsOf,
  type NodeReader,
  type ReadNodeOptions,
  readNodeAtStart,
  withNodeFacts,
} from "./node-facts.js";
export { INVALID_POD_REASON, PodSync, type PodSyncOptions } from "./pod-sync.js";
export type {
  EventSink,
  KubePodObject,
  NodePods,
  NodePodsChange,
  NodeResourceTopologyObject,
  NrtApplier,
  PodEvent,
  PodObjectRef,
} from "./types.js";
export { kubeletOrder, PodReflector, releasesResources } from "./watch/index.js";
