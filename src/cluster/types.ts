/*
 * The contracts between the cluster side's parts: the pod watch (pods bound to this node), the
 * events it and others emit, and the NodeResourceTopology object the publisher applies. Each part
 * owns its implementation; these shapes are what they promise each other.
 */

/** A pod as the API server serves it (metadata, spec, status), parsed JSON. */
export interface KubePodObject {
  apiVersion?: string;
  kind?: string;
  metadata: {
    name: string;
    namespace: string;
    uid: string;
    resourceVersion?: string;
    creationTimestamp?: string;
    deletionTimestamp?: string;
    [key: string]: unknown;
  };
  spec: { nodeName?: string; [key: string]: unknown };
  status?: { phase?: string; [key: string]: unknown };
}

export interface PodObjectRef {
  namespace: string;
  name: string;
  uid: string;
}

/** One Kubernetes Event about a pod, as the kubelet's event recorder would post it. */
export interface PodEvent {
  involved: PodObjectRef;
  type: "Normal" | "Warning";
  reason: string;
  message: string;
}

/** Posts events (aggregating repeats, as client-go's recorder does); never throws at the caller. */
export interface EventSink {
  emit(event: PodEvent): Promise<void>;
}

/** A name/value pair of `topology.node.k8s.io/v1alpha2` (attributes, costs). */
export interface NrtAttribute {
  name: string;
  value: string | number;
}

export interface NrtResourceInfo {
  name: string;
  /** Quantities in Kubernetes canonical form ("16", "64Gi"). */
  capacity: string;
  allocatable: string;
  available: string;
}

export interface NrtZone {
  name: string;
  type: string;
  parent?: string;
  costs?: NrtAttribute[];
  attributes?: NrtAttribute[];
  resources?: NrtResourceInfo[];
}

/** `NodeResourceTopology` of `topology.node.k8s.io/v1alpha2`, one per node, named after it. */
export interface NodeResourceTopologyObject {
  apiVersion: "topology.node.k8s.io/v1alpha2";
  kind: "NodeResourceTopology";
  metadata: { name: string; [key: string]: unknown };
  topologyPolicies?: string[];
  attributes?: NrtAttribute[];
  zones: NrtZone[];
}

/** Server-side apply of the node's NRT object (field manager `podpin`). */
export interface NrtApplier {
  applyNodeResourceTopology(object: NodeResourceTopologyObject): Promise<void>;
}

/** What the pod watch saw change; `SYNCED` follows a (re)list once the cache matches the server. */
export interface NodePodsChange {
  type: "ADDED" | "MODIFIED" | "DELETED" | "SYNCED";
  pod?: KubePodObject;
}

/** The pods bound to this node, as the watch's cache holds them. */
export interface NodePods {
  /** Every pod the cache holds, in the order the kubelet would have admitted them. */
  current(): readonly KubePodObject[];
  onChange(listener: (change: NodePodsChange) => void): () => void;
}
