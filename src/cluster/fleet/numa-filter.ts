import type { QOSClass } from "../../k8s/index.js";
import type { NumaZone } from "./numa-zones.js";

/**
 * The scheduler-plugins `NodeResourceTopologyMatch` plugin on a node's NUMA zones, as
 * kubernetes-sigs/scheduler-plugins pkg/noderesourcetopology/ has it:
 * - Filter (filter.go): only nodes whose kubelet runs the `single-numa-node` Topology Manager
 *   policy are checked (every other policy passes); BestEffort pods that name no non-native
 *   resource in any container's requests pass. Pod scope: the pod's effective request must fit
 *   in one zone. Container scope: each init container (sidecars too) must fit in some zone; each
 *   app container must fit in some zone and is then taken from the lowest such zone, as the
 *   kubelet would pick it. For a pod that is not Guaranteed, cpu, memory and hugepages fit
 *   anywhere and are not taken (numaresources.go `isResourceSetSuitable`,
 *   `subtractResourcesFromNUMANodeList`). A resource the node's allocatable lacks fails; one no
 *   zone reports but the node has passes when it is host-level (ephemeral storage, storage,
 *   non-native names).
 * - Score (score.go, least_allocated.go; strategy `LeastAllocated`, optional): a pod that is not
 *   Guaranteed scores the maximum on every node; a node not on `single-numa-node` scores 0;
 *   otherwise per zone the least-allocated score of every requested resource (weight 1 each, the
 *   plugin's default weight, in whole units: CPUs, bytes, devices; a resource the zone lacks
 *   scores 0), and the node's score is the lowest non-zero zone score (container scope: the mean
 *   over init and app containers, truncated).
 * The plugin reads container requests only (util/resource.go `GetPodEffectiveRequest`: the larger
 * of the app containers' sum and the largest init container, plus overhead): pod-level requests
 * (`spec.resources`) are not seen, nor do sidecars add to the app containers.
 */

export type Requests = ReadonlyMap<string, number>;

export interface TopologyMatchPod {
  qos: QOSClass;
  /** The pod's effective request as the plugin computes it (pod scope). */
  pod: Requests;
  /** Every init container's requests, sidecars included, in spec order. */
  initContainers: readonly Requests[];
  /** Per init container, whether it is a sidecar (`restartPolicy: Always`): the filter's words differ. */
  sidecars: readonly boolean[];
  containers: readonly Requests[];
  /** Whether any container's requests name a non-native resource (an extended resource, a device). */
  nonNative: boolean;
}

export interface TopologyMatchNode {
  policy: string;
  scope: "container" | "pod";
  zones: readonly NumaZone[];
  /** The node's allocatable, by resource name. */
  allocatable: Requests;
}

export type TopologyMatchVerdict =
  | null
  | "cannot align pod"
  | "cannot align container"
  | "cannot align init container"
  | "cannot align sidecar container";

const isHugePages = (name: string): boolean => name.startsWith("hugepages-");

/** core/v1 helper `IsNativeResource`: no domain, or one in kubernetes.io. */
export const isNativeResource = (name: string): boolean =>
  !name.includes("/") || name.includes("kubernetes.io/");

/** cpu, memory and hugepages: what the Topology Manager always binds to NUMA nodes. */
const isNUMAAffine = (name: string): boolean => name === "cpu" || name === "memory" || isHugePages(name);

function isHostLevel(name: string): boolean {
  return name === "ephemeral-storage" || name === "storage" || !isNativeResource(name);
}

function suitable(qos: QOSClass, name: string, wanted: number, has: number): boolean {
  if (qos !== "Guaranteed" && isNUMAAffine(name)) return true;
  return has >= wanted;
}

/** The lowest NUMA id among `zones` where every request fits, as an index into `zones`, or -1. */
export function fittingZone(
  zones: readonly { id: number; available: ReadonlyMap<string, number> }[],
  requests: Requests,
  qos: QOSClass,
  allocatable: Requests,
): number {
  for (const [name, wanted] of requests) if (wanted !== 0 && !allocatable.has(name)) return -1;
  let best = -1;
  for (let i = 0; i < zones.length; i++) {
    let fits = true;
    for (const [name, wanted] of requests) {
      if (wanted === 0) continue;
      const has = zones[i].available.get(name);
      if (has === undefined) {
        // Host-level and reported by no zone: not bound to NUMA nodes, available at node level.
        if (isHostLevel(name) && !zones.some((z) => z.available.has(name))) continue;
        fits = false;
        break;
      }
      if (!suitable(qos, name, wanted, has)) {
        fits = false;
        break;
      }
    }
    // Single-numa-node admits on one NUMA node: the kubelet's narrowest hint, the lowest id.
    if (fits && (best < 0 || zones[i].id < zones[best].id)) best = i;
  }
  return best;
}

function take(zone: Map<string, number>, requests: Requests, qos: QOSClass): void {
  for (const [name, wanted] of requests) {
    if ((qos !== "Guaranteed" && isNUMAAffine(name)) || wanted === 0) continue;
    const has = zone.get(name);
    if (has !== undefined) zone.set(name, has - wanted);
  }
}

export function topologyMatchFilter(pod: TopologyMatchPod, node: TopologyMatchNode): TopologyMatchVerdict {
  if (node.policy !== "single-numa-node") return null;
  if (pod.qos === "BestEffort" && !pod.nonNative) return null;
  if (node.scope === "pod")
    return fittingZone(node.zones, pod.pod, pod.qos, node.allocatable) < 0 ? "cannot align pod" : null;
  for (const [i, c] of pod.initContainers.entries())
    if (fittingZone(node.zones, c, pod.qos, node.allocatable) < 0)
      return pod.sidecars[i] ? "cannot align sidecar container" : "cannot align init container";
  const zones = node.zones.map((z) => ({ id: z.id, available: new Map(z.available) }));
  for (const c of pod.containers) {
    const at = fittingZone(zones, c, pod.qos, node.allocatable);
    if (at < 0) return "cannot align container";
    take(zones[at].available, c, pod.qos);
  }
  return null;
}

/**
 * Whether the filter's verdict for `pod` depends on how much each zone has left, not only on which
 * resources the zones list: false for a pod that is not Guaranteed and asks for nothing but cpu,
 * memory and hugepages (those fit any zone that lists them, and are not taken), and for a
 * BestEffort pod the filter lets through.
 */
export function needsZoneAmounts(pod: TopologyMatchPod): boolean {
  if (pod.qos === "Guaranteed") return true;
  if (pod.qos === "BestEffort" && !pod.nonNative) return false;
  const asks = (r: Requests) => [...r].some(([name, v]) => v !== 0 && !isNUMAAffine(name));
  return asks(pod.pod) || pod.initContainers.some(asks) || pod.containers.some(asks);
}

export const MAX_NODE_SCORE = 100;

/** least_allocated.go: CPUs count whole (a quantity's `Value()` rounds up), the rest in their units. */
const wholeUnits = (name: string, amount: number): number =>
  name === "cpu" ? Math.ceil(amount / 1000) : amount;

function zoneScore(requests: Requests, available: ReadonlyMap<string, number>): number {
  let score = 0;
  let weights = 0;
  for (const [name, amount] of requests) {
    const capacity = available.get(name) ?? 0;
    const s =
      capacity === 0 || amount > capacity
        ? 0
        : Math.floor(
            ((wholeUnits(name, capacity) - wholeUnits(name, amount)) * MAX_NODE_SCORE) /
              wholeUnits(name, capacity),
          );
    score += s;
    weights += 1;
  }
  // A container without requests: the plugin would divide by zero; it cannot be Guaranteed
  // unless the pod has pod-level resources, which the plugin does not read.
  return weights === 0 ? 0 : Math.floor(score / weights);
}

function lowestNonZero(requests: Requests, zones: readonly NumaZone[]): number {
  let min = 0;
  for (const z of zones) {
    const s = zoneScore(requests, z.available);
    if (min === 0 || (s !== 0 && s < min)) min = s;
  }
  return min;
}

/** The plugin's `LeastAllocated` score. */
export function topologyMatchScore(pod: TopologyMatchPod, node: TopologyMatchNode): number {
  if (pod.qos !== "Guaranteed") return MAX_NODE_SCORE;
  if (node.policy !== "single-numa-node") return 0;
  if (node.scope === "pod") return lowestNonZero(pod.pod, node.zones);
  const all = [...pod.initContainers, ...pod.containers];
  if (all.length === 0) return 0;
  return Math.trunc(all.reduce((sum, c) => sum + lowestNonZero(c, node.zones), 0) / all.length);
}
