/**
 * The parts of a Pod and a Node that the kubelet's predicate admit handler reads besides resources:
 * host ports, node selection (node name, node selector, required node affinity), taints and
 * tolerations. Field names and spellings are the Kubernetes API's, so a manifest maps one to one.
 */

/** A container port; only `hostPort > 0` entries take a port on the node. */
export interface ContainerPort {
  containerPort: number;
  /** 0 or absent: no host port. */
  hostPort?: number;
  /** Empty or absent means every address (`0.0.0.0`). */
  hostIP?: string;
  /** `TCP` (the default), `UDP` or `SCTP`. */
  protocol?: string;
  name?: string;
}

/** `In`, `NotIn`, `Exists`, `DoesNotExist`, `Gt`, `Lt` (anything else never matches). */
export interface NodeSelectorRequirement {
  key: string;
  operator: string;
  values?: string[];
}

/** One term of a required node affinity: all its requirements must match. */
export interface NodeSelectorTerm {
  matchExpressions?: NodeSelectorRequirement[];
  matchFields?: NodeSelectorRequirement[];
}

export interface NodeAffinity {
  /** Absent: no constraint. Present with no terms: matches no node. */
  requiredDuringSchedulingIgnoredDuringExecution?: { nodeSelectorTerms: NodeSelectorTerm[] };
}

export interface Affinity {
  nodeAffinity?: NodeAffinity;
}

/** A node taint; only `NoExecute` ones matter at kubelet admission. */
export interface Taint {
  key: string;
  value?: string;
  /** `NoSchedule`, `PreferNoSchedule` or `NoExecute`. */
  effect: string;
}

export interface Toleration {
  key?: string;
  /** `Equal` (the default) or `Exists`. */
  operator?: string;
  value?: string;
  effect?: string;
  tolerationSeconds?: number;
}

/** The pod annotation naming where the kubelet got a pod from (`api`, `file`, `http`). */
export const CONFIG_SOURCE_ANNOTATION = "kubernetes.io/config.source";
/** The annotation the kubelet puts on the API mirror of a static pod. */
export const CONFIG_MIRROR_ANNOTATION = "kubernetes.io/config.mirror";
/** The well-known OS label of nodes and pods. */
export const LABEL_OS = "kubernetes.io/os";
