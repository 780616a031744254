import type { KubePodObject } from "../types.js";

/*
 * The kubelet admits the pods it finds at start-up sorted by creation time (HandlePodAdditions
 * sorts its batch with sliceutils.PodsByCreationTime), so an older pod gets its resources before a
 * newer one whatever order the API server listed them in. Its sort is not stable on equal
 * timestamps (one-second resolution); podpin breaks ties by namespace, then name, then uid, so the
 * order is the same on every run.
 */
export function kubeletOrder(a: KubePodObject, b: KubePodObject): number {
  const ta = Date.parse(a.metadata.creationTimestamp ?? "") || 0;
  const tb = Date.parse(b.metadata.creationTimestamp ?? "") || 0;
  return (
    ta - tb ||
    compare(a.metadata.namespace, b.metadata.namespace) ||
    compare(a.metadata.name, b.metadata.name) ||
    compare(a.metadata.uid, b.metadata.uid)
  );
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A phase the pod never leaves: its containers have all ended for good. */
export function isTerminalPhase(pod: KubePodObject): boolean {
  return pod.status?.phase === "Succeeded" || pod.status?.phase === "Failed";
}

interface ContainerStatus {
  state?: { running?: unknown; waiting?: unknown; terminated?: unknown };
}

/**
 * Deleted gracefully and nothing left running: the deletionTimestamp is set and every container
 * status is other than running (terminated, or waiting: the kubelet starts nothing more of a pod being
 * deleted), or there is none (the pod never started). Until then the containers
 * still hold their CPUs, as the kubelet keeps a terminating pod's resources until it has stopped.
 */
export function isFinishedTerminating(pod: KubePodObject): boolean {
  if (!pod.metadata.deletionTimestamp) return false;
  const status = pod.status as
    | { containerStatuses?: ContainerStatus[]; initContainerStatuses?: ContainerStatus[] }
    | undefined;
  const all = [...(status?.initContainerStatuses ?? []), ...(status?.containerStatuses ?? [])];
  return all.every((s) => !s.state?.running);
}

/** The pod no longer needs its resources: a terminal phase, or terminating with nothing running. */
export function releasesResources(pod: KubePodObject): boolean {
  return isTerminalPhase(pod) || isFinishedTerminating(pod);
}

export function podKey(pod: KubePodObject): string {
  return `${pod.metadata.namespace}/${pod.metadata.name}`;
}
