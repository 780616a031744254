import { containersInOrder, type Pod } from "../k8s/index.js";

/**
 * Bounds of the engine's input that no real input reaches (docs/limits.md, "Engine"). The API
 * server sets no limit on the number of containers of a pod (only the request size, 3 MiB, and
 * etcd's 1.5 MiB value, bound the object); Kubernetes' scalability thresholds are 110 pods per
 * node by default and 150,000 pods in a whole cluster. Past these bounds the engine refuses the
 * input with a `NodeLimitError` instead of running for minutes.
 */
export const MAX_CONTAINERS_PER_POD = 10_000;

/** Pods admitted in one simulated run (one `Node`): the largest cluster Kubernetes supports. */
export const MAX_PODS_PER_RUN = 150_000;

/** An input beyond one of the engine's limits (an input error: the CLI exits 2). */
export class NodeLimitError extends Error {
  override name = "NodeLimitError";
}

/** The pod's containers (init, sidecar and app) when within the limit; a `NodeLimitError` otherwise. */
export function checkContainerCount(pod: Pod): void {
  const n = containersInOrder(pod).length;
  if (n > MAX_CONTAINERS_PER_POD)
    throw new NodeLimitError(
      `pod ${pod.namespace}/${pod.name} has ${n} containers (init and app); podpin admits at most ${MAX_CONTAINERS_PER_POD} per pod`,
    );
}

/** Refuses the admission that would make `count` admissions in one run. */
export function checkPodCount(count: number, limit = MAX_PODS_PER_RUN): void {
  if (count > limit)
    throw new NodeLimitError(
      `admission ${count} of one run: podpin admits at most ${limit} pods per run (the largest cluster Kubernetes supports)`,
    );
}
