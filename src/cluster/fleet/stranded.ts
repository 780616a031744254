import type { FleetNodes } from "./fleet-nodes.js";
import { topologyMatchFilter } from "./numa-filter.js";
import type { PodProfile } from "./pod-profile.js";
import { fitsNode } from "./scheduler.js";

/**
 * Stranded CPUs: a node's free CPUs (allocatable whole CPUs no admitted pod requests) count as
 * stranded when none of the demand the run left unmet could use them: no pod shape that was
 * rejected by a kubelet or left unschedulable, asking for CPU, would be placed on the node by the
 * scenario's scheduler (NodeResourcesFit, and in the NUMA-aware run the topology filter) and then
 * admitted by its kubelet. A run that met all its demand strands nothing. The kubelet's answer is
 * a trial admission, undone at once; nodes with no free CPU are not tried.
 */
export function strandedCPUs(
  nodes: FleetNodes,
  unmet: readonly PodProfile[],
  free: readonly number[],
  numaAware: boolean,
): number[] {
  const candidates = unmet.filter((p) => p.cpu > 0).sort((a, b) => a.cpu - b.cpu || (a.key < b.key ? -1 : 1));
  return free.map((cpus, n) => {
    if (cpus <= 0 || candidates.length === 0) return 0;
    for (const [i, profile] of candidates.entries()) {
      if (!fitsNode(nodes.state, n, profile.columns)) continue;
      if (
        numaAware &&
        topologyMatchFilter(profile.topology, nodes.topology(n, profile.topologyNeedsAmounts)) !== null
      )
        continue;
      const kubelet = nodes.kubelet(n);
      const uid = `podpin-fleet-trial-${n}-${i}`;
      const pod = { ...profile.pod, uid, name: `${profile.pod.name}-trial` };
      const result = kubelet.admit(pod);
      nodes.changed(n);
      if (result.admitted) {
        kubelet.remove(uid);
        return 0;
      }
      if (result.leftoverState)
        for (const c of [...pod.initContainers, ...pod.containers]) kubelet.removeContainer(uid, c.name);
    }
    return cpus;
  });
}
