import { CONFIG_MIRROR_ANNOTATION, CONFIG_SOURCE_ANNOTATION, type Pod } from "../../k8s/index.js";

/**
 * The kubelet's pod kinds that matter at admission (`pkg/kubelet/types`): static and mirror pods,
 * critical pods, and which pod a critical pod may preempt.
 */

/** `SystemCriticalPriority`: twice the highest user-definable priority. */
export const SYSTEM_CRITICAL_PRIORITY = 2_000_000_000;

/** A pod the kubelet read from a file or URL: its config source is known and not the API server. */
export function isStaticPod(pod: Pod): boolean {
  const source = pod.annotations?.[CONFIG_SOURCE_ANNOTATION];
  return source !== undefined && source !== "api";
}

/** The API server's mirror of a static pod. */
export function isMirrorPod(pod: Pod): boolean {
  return pod.annotations !== undefined && Object.hasOwn(pod.annotations, CONFIG_MIRROR_ANNOTATION);
}

/** `IsCriticalPod`: static, mirror, or a priority of at least `SystemCriticalPriority`. */
export function isCriticalPod(pod: Pod): boolean {
  if (isStaticPod(pod) || isMirrorPod(pod)) return true;
  return pod.priority !== undefined && pod.priority >= SYSTEM_CRITICAL_PRIORITY;
}

/**
 * `Preemptable`: a critical pod may evict any non-critical pod; otherwise only a pod of lower
 * priority, when both have one.
 */
export function preemptable(preemptor: Pod, preemptee: Pod): boolean {
  if (isCriticalPod(preemptor) && !isCriticalPod(preemptee)) return true;
  if (preemptor.priority !== undefined && preemptee.priority !== undefined)
    return preemptor.priority > preemptee.priority;
  return false;
}
