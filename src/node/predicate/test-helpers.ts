import { Quantity } from "../../core/index.js";
import { type Pod, podFromObject } from "../../k8s/index.js";
import type { NodeObject } from "./types.js";

/**
 * Builders for the predicate handler's tests (test-only). Pods are read by the real parser,
 * without API defaulting, as the kubelet's own tests hand them over.
 */

type Obj = Record<string, unknown>;

let counter = 0;

/** A pod from its `spec` (and optional `metadata`), with a fresh uid unless one is given. */
export function pod(spec: Obj = {}, metadata: Obj = {}): Pod {
  const uid = (metadata.uid as string | undefined) ?? `pod-${++counter}`;
  return podFromObject({ metadata: { name: uid, uid, ...metadata }, spec }, `test pod ${uid}`, {
    applyDefaults: false,
  });
}

/** One container requesting `requests`. */
export function requesting(requests: Record<string, string>, extra: Obj = {}): Obj {
  return { containers: [{ name: "c", resources: { requests } }], ...extra };
}

/** A node in the node-status form: allocatable given, `pods: 110` unless overridden. */
export function statusNode(allocatable: Record<string, string>, extra: Partial<NodeObject> = {}): NodeObject {
  const list = Object.fromEntries(
    Object.entries({ pods: "110", ...allocatable }).map(([k, v]) => [k, Quantity.parse(v)]),
  );
  return {
    name: "node",
    labels: {},
    taints: [],
    supplementalGroupsPolicy: true,
    capacity: list,
    allocatable: list,
    ephemeralStorageKnown: true,
    ...extra,
  };
}
