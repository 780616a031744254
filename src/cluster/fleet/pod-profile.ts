import type { Container, Pod, QOSClass, ResourceList } from "../../k8s/index.js";
import { amountsOf } from "../../node/index.js";
import type { ClusterState, PodColumns } from "./cluster-state.js";
import { isNativeResource, needsZoneAmounts, type Requests, type TopologyMatchPod } from "./numa-filter.js";
import { schedulerRequest, toNumbers } from "./requests.js";

/**
 * Everything the scheduler reads of a pod, computed once per distinct resource shape: thousands
 * of replicas of a workload share one profile.
 */
export interface PodProfile {
  key: string;
  /** The first pod seen with this shape. */
  pod: Pod;
  columns: PodColumns;
  topology: TopologyMatchPod;
  /** Whether the topology filter's verdict depends on the zones' amounts (`needsZoneAmounts`). */
  topologyNeedsAmounts: boolean;
  /** Effective request: cpu millicores and memory bytes (the alignment's "fewest NUMA nodes"). */
  cpu: number;
  memory: number;
}

function listKey(list: ResourceList | undefined): string {
  if (!list) return "";
  return Object.keys(list)
    .sort()
    .map((k) => `${k}=${list[k].toString()}`)
    .join(",");
}

function containerKey(c: Container): string {
  return `${c.restartPolicy ?? ""}|${listKey(c.resources?.requests)}|${listKey(c.resources?.limits)}`;
}

/** Pods with equal keys are equal to the scheduler and to the resource managers. */
export function shapeKey(pod: Pod, qos: QOSClass): string {
  return [
    qos,
    pod.initContainers.map(containerKey).join(";"),
    pod.containers.map(containerKey).join(";"),
    listKey(pod.resources?.requests),
    listKey(pod.resources?.limits),
    listKey(pod.overhead),
  ].join("#");
}

const requestsOf = (c: Container): Map<string, number> => toNumbers(amountsOf(c.resources?.requests ?? {}));

/**
 * The pod's request as the NodeResourceTopologyMatch plugin computes it (scheduler-plugins
 * pkg/util/resource.go `GetPodEffectiveRequest`): per resource the larger of the app containers'
 * sum and the largest init container (sidecars are init containers there), plus the overhead.
 * Pod-level requests are not read.
 */
export function topologyEffectiveRequest(
  initContainers: readonly Requests[],
  containers: readonly Requests[],
  overhead: Requests,
): Map<string, number> {
  const out = new Map<string, number>();
  for (const c of containers) for (const [name, v] of c) out.set(name, (out.get(name) ?? 0) + v);
  for (const c of initContainers)
    for (const [name, v] of c) if (!out.has(name) || v > (out.get(name) ?? 0)) out.set(name, v);
  for (const [name, v] of overhead) out.set(name, (out.get(name) ?? 0) + v);
  return out;
}

export class PodProfiles {
  private readonly byKey = new Map<string, PodProfile>();
  constructor(private readonly state: ClusterState) {}

  of(pod: Pod, qos: QOSClass): PodProfile {
    const key = shapeKey(pod, qos);
    let profile = this.byKey.get(key);
    if (!profile) {
      const req = schedulerRequest(pod);
      const { columns, amounts } = this.state.columnsOf(req.fit);
      const containers = pod.containers.map(requestsOf);
      const initContainers = pod.initContainers.map(requestsOf);
      // resourcerequests/exclusive.go `IncludeNonNative`: a name in any container's requests.
      const nonNative = [...containers, ...initContainers].some((c) =>
        [...c.keys()].some((name) => !isNativeResource(name)),
      );
      const effective = topologyEffectiveRequest(
        initContainers,
        containers,
        toNumbers(amountsOf(pod.overhead ?? {})),
      );
      const topology: TopologyMatchPod = {
        qos,
        pod: effective,
        initContainers,
        sidecars: pod.initContainers.map((c) => c.restartPolicy === "Always"),
        containers,
        nonNative,
      };
      profile = {
        key,
        pod,
        columns: {
          columns,
          amounts,
          fitCPU: req.fit.get("cpu") ?? 0,
          fitMemory: req.fit.get("memory") ?? 0,
          scoreCPU: req.scoreCPU,
          scoreMemory: req.scoreMemory,
        },
        topology,
        topologyNeedsAmounts: needsZoneAmounts(topology),
        cpu: req.fit.get("cpu") ?? 0,
        memory: req.fit.get("memory") ?? 0,
      };
      this.byKey.set(key, profile);
    }
    return profile;
  }

  all(): PodProfile[] {
    return [...this.byKey.values()];
  }
}
