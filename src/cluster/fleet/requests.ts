import { Quantity } from "../../core/index.js";
import type { Container, Pod } from "../../k8s/index.js";
import { amountsOf, podRequestAmounts, podRequestList } from "../../node/index.js";

/**
 * What the default scheduler reads of a pod, as numbers (millicores for `cpu`, bytes, counts; all
 * exact below 2^53, far above any node). Both requests are component-helpers' `PodRequests`, as
 * the NodeResourcesFit plugin calls it: the containers' aggregate (the larger of the init
 * containers' peak and the app containers plus sidecars), pod-level requests in place of it for
 * cpu, memory and hugepages when set (gate `PodLevelResources`, on by default since 1.34), plus
 * the overhead.
 * - `fit`: the filter's request (`computePodResourceRequest` of fit.go);
 * - `score`: the scorer's request, where a container that names no cpu or memory request counts
 *   as 100m and 200Mi (`NonMissingContainerRequests` with the scheduler's defaults), so that
 *   best-effort pods still spread.
 */
export interface SchedulerRequest {
  fit: ReadonlyMap<string, number>;
  scoreCPU: number;
  scoreMemory: number;
}

export const DEFAULT_MILLI_CPU_REQUEST = 100;
export const DEFAULT_MEMORY_REQUEST = 200 * 1024 * 1024;

const GATES = { PodLevelResources: true } as const;

function withDefaults(c: Container): Container {
  const requests = { ...(c.resources?.requests ?? {}) };
  if (!requests.cpu) requests.cpu = Quantity.fromMilli(DEFAULT_MILLI_CPU_REQUEST);
  if (!requests.memory) requests.memory = Quantity.fromInt(DEFAULT_MEMORY_REQUEST, "BinarySI");
  return { ...c, resources: { requests, limits: c.resources?.limits ?? {} } };
}

export function toNumbers(m: ReadonlyMap<string, bigint>): Map<string, number> {
  const out = new Map<string, number>();
  for (const [k, v] of m) out.set(k, Number(v));
  return out;
}

export function schedulerRequest(pod: Pod): SchedulerRequest {
  const fit = toNumbers(podRequestAmounts(pod, GATES));
  const filled: Pod = {
    ...pod,
    initContainers: pod.initContainers.map(withDefaults),
    containers: pod.containers.map(withDefaults),
  };
  const score = amountsOf(podRequestList(filled, GATES));
  return { fit, scoreCPU: Number(score.get("cpu") ?? 0n), scoreMemory: Number(score.get("memory") ?? 0n) };
}
