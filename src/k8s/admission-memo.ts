import type { Container, Pod, QOSClass, ResourceList } from "./types.js";

/** What one admission works out about a pod once and reads many times. */
export interface PodMemo {
  requests?: ResourceList;
  limits?: ResourceList;
  /** The pod's QOS class with the PodLevelResources gate off, then on. */
  qosGateOff?: QOSClass;
  qosGateOn?: QOSClass;
  containersInOrder?: readonly Container[];
  /** What other modules work out per admission (`admissionValue`), by their keys. */
  values?: Map<AdmissionKey<unknown>, unknown>;
}

/** The key of a value some module works out once per admission (`admissionValue`). */
export class AdmissionKey<T> {
  declare readonly valueType: T;
  constructor(readonly name: string) {}
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

/**
 * The value under `key` for `pod` in this admission, worked out by `compute` on first need; outside
 * `withAdmissionMemo`, `compute()` each time. A value that depends on more than the pod (a node's
 * feature gates) must say so itself: nested work may share the memo.
 */
export function admissionValue<T>(pod: Pod, key: AdmissionKey<T>, compute: () => T): T {
  const memo = podMemo(pod);
  if (memo === null) return compute();
  const values = (memo.values ??= new Map());
  if (values.has(key)) return values.get(key) as T;
  const value = compute();
  values.set(key, value);
  return value;
}
