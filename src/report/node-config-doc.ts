import { jsonInteger } from "../core/index.js";
import type { NodeConfig } from "../node/index.js";
import type { JSONInteger } from "./simulation-doc.js";

/**
 * The kubelet settings the engine decided with, complete, as plain JSON (docs/output-format.md,
 * `kubelet.nodeConfig`): what `podpin explain --state` restores, and what it compares a `-c`
 * given with it against. Quantities are their text, CPU sets the Linux list format, bytes integers.
 */
export interface NodeConfigDoc {
  kubernetesVersion: string;
  featureGates: Record<string, boolean>;
  cpuManagerPolicy: string;
  cpuManagerPolicyOptions: Record<string, string>;
  reservedSystemCPUs: string | null;
  numReservedCPUs: number;
  memoryManagerPolicy: string;
  /** Per NUMA node, the bytes reserved per resource, NUMA ids ascending. */
  reservedMemory: { numaNode: number; limits: Record<string, JSONInteger> }[];
  topologyManagerPolicy: string;
  topologyManagerScope: string;
  topologyManagerPolicyOptions: Record<string, string>;
  cpuCFSQuota: boolean;
  cpuCFSQuotaPeriodUs: number;
  maxPods: number;
  podsPerCore: number;
  systemReserved: Record<string, string>;
  kubeReserved: Record<string, string>;
  /** Each hard eviction threshold: a quantity (`100Mi`) or a percentage (`10%`). */
  evictionHard: Record<string, string>;
  registerWithTaints: { key: string; value?: string; effect: string }[];
  nodeName: string | null;
  nodeLabels: Record<string, string> | null;
}

const sorted = <T>(r: Readonly<Record<string, T>>): Record<string, T> =>
  Object.fromEntries(Object.entries(r).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));

export function nodeConfigDoc(c: NodeConfig): NodeConfigDoc {
  return {
    kubernetesVersion: c.kubernetesVersion,
    featureGates: sorted({ ...c.featureGates }),
    cpuManagerPolicy: c.cpuManagerPolicy,
    cpuManagerPolicyOptions: sorted(c.cpuManagerPolicyOptions),
    reservedSystemCPUs: c.reservedSystemCPUs === null ? null : c.reservedSystemCPUs.toString(),
    numReservedCPUs: c.numReservedCPUs,
    memoryManagerPolicy: c.memoryManagerPolicy,
    reservedMemory: [...c.reservedMemory]
      .sort(([a], [b]) => a - b)
      .map(([numaNode, m]) => ({
        numaNode,
        limits: sorted(Object.fromEntries([...m].map(([r, v]) => [r, jsonInteger(v)]))),
      })),
    topologyManagerPolicy: c.topologyManagerPolicy,
    topologyManagerScope: c.topologyManagerScope,
    topologyManagerPolicyOptions: sorted(c.topologyManagerPolicyOptions),
    cpuCFSQuota: c.cpuCFSQuota,
    cpuCFSQuotaPeriodUs: c.cpuCFSQuotaPeriodUs,
    maxPods: c.maxPods,
    podsPerCore: c.podsPerCore,
    systemReserved: sorted(
      Object.fromEntries(Object.entries(c.systemReserved).map(([k, q]) => [k, q.toString()])),
    ),
    kubeReserved: sorted(
      Object.fromEntries(Object.entries(c.kubeReserved).map(([k, q]) => [k, q.toString()])),
    ),
    evictionHard: sorted(
      Object.fromEntries(
        Object.entries(c.evictionHard).map(([k, t]) => [
          k,
          "quantity" in t ? t.quantity.toString() : `${t.percentage}%`,
        ]),
      ),
    ),
    registerWithTaints: c.registerWithTaints.map((t) => ({ ...t })),
    nodeName: c.nodeName ?? null,
    nodeLabels: c.nodeLabels ? sorted(c.nodeLabels) : null,
  };
}
