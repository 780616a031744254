import { Quantity } from "../../core/index.js";
import type { EvictionThreshold, ResourceList } from "../../k8s/index.js";
import { EPHEMERAL_STORAGE, MEMORY } from "./resources.js";

/**
 * The part of node allocatable that hard eviction thresholds reserve (`hardEvictionReservation`,
 * `pkg/kubelet/cm/helpers.go`): `memory.available` reserves memory, `nodefs.available` reserves
 * ephemeral storage; no other signal reserves anything. Every `evictionHard` entry is a
 * "less than" threshold, the only operator that reserves.
 */

const RESERVING_SIGNALS: Readonly<Record<string, string>> = {
  "memory.available": MEMORY,
  "nodefs.available": EPHEMERAL_STORAGE,
};

/**
 * A percentage threshold's quantity (`GetThresholdQuantity`): the kubelet parses the percentage
 * as a 32-bit float and divides it by 100 in 32-bit arithmetic, then scales the capacity in 64-bit
 * and truncates. So `10%` of 1073754169678 bytes is 107375418567, not the exact tenth.
 */
export function percentageOfCapacity(percentage: number, capacityBytes: bigint): bigint {
  const fraction = Math.fround(Math.fround(percentage) / 100);
  return BigInt(Math.trunc(Number(capacityBytes) * fraction));
}

/**
 * `0%` and `100%` thresholds are dropped when the kubelet parses them (`parseThresholdStatement`),
 * so they reserve nothing.
 */
function isIgnored(t: EvictionThreshold): boolean {
  return "percentage" in t && (t.percentage === 0 || t.percentage === 100);
}

/** Memory and ephemeral-storage reservations of the thresholds, against `capacity`. */
export function hardEvictionReservation(
  thresholds: Readonly<Record<string, EvictionThreshold>>,
  capacity: ResourceList,
): ResourceList {
  const out: ResourceList = {};
  for (const [signal, threshold] of Object.entries(thresholds)) {
    const resource = RESERVING_SIGNALS[signal];
    if (!resource || isIgnored(threshold)) continue;
    if ("quantity" in threshold) out[resource] = threshold.quantity;
    else {
      const cap = capacity[resource]?.value() ?? 0n;
      out[resource] = Quantity.fromInt(percentageOfCapacity(threshold.percentage, cap), "BinarySI");
    }
  }
  return out;
}
