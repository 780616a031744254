import type { Taint, Toleration } from "../../k8s/index.js";

/**
 * The kubelet's taint check (`FindMatchingUntoleratedTaint` filtered to `NoExecute`): `NoSchedule`
 * and `PreferNoSchedule` taints are the scheduler's business, not the kubelet's.
 */

/** `Toleration.ToleratesTaint`; the alpha `Gt`/`Lt` operators tolerate nothing (gate off, OPEN NA-9). */
export function toleratesTaint(t: Toleration, taint: Taint): boolean {
  if (t.effect && t.effect !== taint.effect) return false;
  if (t.key && t.key !== taint.key) return false;
  switch (t.operator ?? "") {
    case "":
    case "Equal":
      return (t.value ?? "") === (taint.value ?? "");
    case "Exists":
      return true;
    default:
      return false;
  }
}

/** The first `NoExecute` taint none of the tolerations tolerates, or null. */
export function untoleratedNoExecuteTaint(
  taints: readonly Taint[],
  tolerations: readonly Toleration[],
): Taint | null {
  for (const taint of taints) {
    if (taint.effect !== "NoExecute") continue;
    if (!tolerations.some((t) => toleratesTaint(t, taint))) return taint;
  }
  return null;
}
