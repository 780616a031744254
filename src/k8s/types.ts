import type { Quantity } from "../core/index.js";
import { podMemo } from "./admission-memo.js";
import type { Affinity, ContainerPort, Toleration } from "./scheduling-types.js";

/** Resource name -> quantity (`cpu`, `memory`, `hugepages-2Mi`, ...). */
export type ResourceList = Record<string, Quantity>;

export interface ResourceRequirements {
  requests: ResourceList;
  limits: ResourceList;
}

export interface Container {
  name: string;
  /** Null when the container has no `resources` stanza. */
  resources: ResourceRequirements | null;
  /** `Always` makes an init container a sidecar (restartable init container). */
  restartPolicy?: string;
  /** `ports`; the predicate handler reads the host ports of sidecars and app containers. */
  ports?: ContainerPort[];
}

export type QOSClass = "Guaranteed" | "Burstable" | "BestEffort";

/** The parts of a Pod the resource managers read. */
export interface Pod {
  uid: string;
  name: string;
  namespace: string;
  initContainers: Container[];
  containers: Container[];
  /** `.spec.resources` (pod-level budget); null when absent. */
  resources: ResourceRequirements | null;
  /** `.status.qosClass` when the input carried one; otherwise QoS is computed. */
  qosClass?: QOSClass;
  /** `.spec.os.name` when set. */
  os?: string;
  /** `metadata.labels` (the predicate handler reads `kubernetes.io/os`). */
  labels?: Record<string, string>;
  /** `metadata.annotations` (static and mirror pods are recognised by theirs). */
  annotations?: Record<string, string>;
  /** `.spec.nodeName` when set. */
  nodeName?: string;
  /** `.spec.nodeSelector`. */
  nodeSelector?: Record<string, string>;
  /** `.spec.affinity` (only node affinity is read). */
  affinity?: Affinity;
  /** `.spec.tolerations`. */
  tolerations?: Toleration[];
  /** `.spec.priority` (the API server resolves it from the priority class). */
  priority?: number;
  /** `.spec.priorityClassName`. */
  priorityClassName?: string;
  /** `.spec.overhead` (the runtime class's per-pod overhead). */
  overhead?: ResourceList;
  /** `.spec.securityContext.supplementalGroupsPolicy` when set. */
  supplementalGroupsPolicy?: string;
}

/**
 * Feature gates that change resource-manager behaviour. The defaults are the kubelet's (1.36 and
 * 1.37 agree on these; feature-gates-data.ts has every gate per version).
 */
export interface FeatureGates {
  PodLevelResources: boolean;
  PodLevelResourceManagers: boolean;
  CPUManagerPolicyAlphaOptions: boolean;
  CPUManagerPolicyBetaOptions: boolean;
  TopologyManagerPolicyAlphaOptions: boolean;
  TopologyManagerPolicyBetaOptions: boolean;
  DisableCPUQuotaWithExclusiveCPUs: boolean;
}

export const DEFAULT_FEATURE_GATES: Readonly<FeatureGates> = {
  // Beta and on by default since 1.34: a configuration that does not name it has it on.
  PodLevelResources: true,
  PodLevelResourceManagers: false,
  CPUManagerPolicyAlphaOptions: false,
  CPUManagerPolicyBetaOptions: true,
  TopologyManagerPolicyAlphaOptions: false,
  TopologyManagerPolicyBetaOptions: true,
  DisableCPUQuotaWithExclusiveCPUs: true,
};

export type KubernetesVersion = "1.36" | "1.37";
export const DEFAULT_KUBERNETES_VERSION: KubernetesVersion = "1.37";

/** Every container in container order: init containers, then app containers. */
export function containersInOrder(pod: Pod): readonly Container[] {
  // Called several times per admission: the app containers themselves when there is no init
  // container, else one list per admission (`withAdmissionMemo`). Readonly by type, not frozen:
  // freezing the list cost as much as building it.
  if (pod.initContainers.length === 0) return pod.containers;
  const memo = podMemo(pod);
  if (memo === null) return [...pod.initContainers, ...pod.containers];
  return (memo.containersInOrder ??= [...pod.initContainers, ...pod.containers]);
}

/** Whether a record (a resource list, labels) has no entries, found without listing its keys. */
export function isEmptyRecord(record: Readonly<Record<string, unknown>>): boolean {
  for (const _ in record) return false;
  return true;
}

export function isSidecar(c: Container): boolean {
  return c.restartPolicy === "Always";
}

/**
 * Whether the pod has an init container of `c`'s name that is not a sidecar: one that runs to
 * completion before the app containers start, so what it held can be reused after it.
 */
export function isStandardInitContainer(pod: Pod, c: Container): boolean {
  for (const init of pod.initContainers) if (init.name === c.name) return !isSidecar(init);
  return false;
}

export function isInitContainer(pod: Pod, c: Container): boolean {
  return pod.initContainers.includes(c);
}
