import type { Container, Pod, QOSClass, ResourceList } from "./types.js";

/** What one admission works out about a pod once and reads many times. */
export interface PodMemo {
  requests?: ResourceList;
  limits?: ResourceList;
  /** The pod's QOS class with the PodLevelResources gate off, then on. */
  qosGateOff?: QOSClass;
  qosGateOn?: QOSClass;
  containersInOrder?: readonly Container[];
}

// A Map, not a WeakMap: it lives for one stretch of work, and weak tables cost the collector more.
let memos: Map<Pod, PodMemo> | null = null;
// The pod last asked about: nearly every question of an admission is about the pod it admits.
let lastPod: Pod | null = null;
let lastMemo: PodMemo | null = null;

/**
 * Runs `fn` with each pod's derived values (aggregates, QOS class, container order) remembered:
 * the hint providers, the allocations, the predicate handler and the pod cgroup each ask for them,
 * and each answer walks every container. Only for a stretch of work that does not change the pods
 * it reads (one admission); nothing is remembered across stretches.
 */
export function withAdmissionMemo<T>(fn: () => T): T {
  if (memos) return fn();
  memos = new Map();
  try {
    return fn();
  } finally {
    memos = null;
    lastPod = null;
    lastMemo = null;
  }
}

/** The pod's memo inside `withAdmissionMemo`, null outside. */
export function podMemo(pod: Pod): PodMemo | null {
  if (memos === null) return null;
  if (pod === lastPod) return lastMemo;
  let memo = memos.get(pod);
  if (!memo) memos.set(pod, (memo = {}));
  lastPod = pod;
  lastMemo = memo;
  return memo;
}
