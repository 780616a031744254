import { Quantity } from "../core/index.js";
import { DEFAULT_FEATURE_GATES, DEFAULT_KUBERNETES_VERSION, type KubeletConfig } from "../k8s/index.js";
import type { NodeConfig } from "./types.js";

/** The kubelet's Linux default `evictionHard`, as the KubeletConfiguration reader applies it. */
function defaultEvictionHard(): NodeConfig["evictionHard"] {
  return {
    "memory.available": { quantity: Quantity.parse("100Mi") },
    "nodefs.available": { percentage: 10 },
    "nodefs.inodesFree": { percentage: 5 },
    "imagefs.available": { percentage: 15 },
    "imagefs.inodesFree": { percentage: 5 },
  };
}

/** The kubelet's defaults: every manager `none`, container scope, gates at their defaults. */
export function defaultNodeConfig(overrides: Partial<NodeConfig> = {}): NodeConfig {
  return {
    kubernetesVersion: DEFAULT_KUBERNETES_VERSION,
    featureGates: { ...DEFAULT_FEATURE_GATES },
    cpuManagerPolicy: "none",
    cpuManagerPolicyOptions: {},
    reservedSystemCPUs: null,
    numReservedCPUs: 0,
    memoryManagerPolicy: "None",
    reservedMemory: new Map(),
    topologyManagerPolicy: "none",
    topologyManagerScope: "container",
    topologyManagerPolicyOptions: {},
    cpuCFSQuota: true,
    cpuCFSQuotaPeriodUs: 100_000,
    maxPods: 110,
    podsPerCore: 0,
    systemReserved: {},
    kubeReserved: {},
    evictionHard: defaultEvictionHard(),
    registerWithTaints: [],
    ...overrides,
  };
}

/** The Node's configuration from a parsed KubeletConfiguration. */
export function nodeConfigFromKubelet(k: KubeletConfig): NodeConfig {
  return {
    kubernetesVersion: k.kubernetesVersion,
    featureGates: { ...k.featureGates },
    cpuManagerPolicy: k.cpuManagerPolicy,
    cpuManagerPolicyOptions: { ...k.cpuManagerPolicyOptions },
    reservedSystemCPUs: k.reservedSystemCPUs,
    numReservedCPUs: k.numReservedCPUs,
    memoryManagerPolicy: k.memoryManagerPolicy,
    reservedMemory: k.reservedMemory,
    topologyManagerPolicy: k.topologyManagerPolicy,
    topologyManagerScope: k.topologyManagerScope,
    topologyManagerPolicyOptions: { ...k.topologyManagerPolicyOptions },
    cpuCFSQuota: k.cpuCFSQuota,
    cpuCFSQuotaPeriodUs: k.cpuCFSQuotaPeriodUs,
    maxPods: k.maxPods,
    podsPerCore: k.podsPerCore,
    systemReserved: { ...k.systemReserved },
    kubeReserved: { ...k.kubeReserved },
    evictionHard: { ...k.evictionHard },
    registerWithTaints: k.registerWithTaints.map((t) => ({ ...t })),
    // The kubelet's own flags (not configuration fields), when its command line gave them.
    ...(k.nodeName !== undefined ? { nodeName: k.nodeName } : {}),
    ...(k.nodeLabels ? { nodeLabels: { ...k.nodeLabels } } : {}),
  };
}
