import { DEFAULT_FEATURE_GATES, DEFAULT_KUBERNETES_VERSION } from "../k8s/types.js";
import type { NodeConfig } from "./types.js";

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
    ...overrides,
  };
}
