import { Quantity } from "../../core/index.js";
import type { NrtResourceInfo } from "../types.js";

/** One resource of a zone, in whole units (CPUs, bytes, devices). */
export interface ZoneAmounts {
  capacity: bigint;
  allocatable: bigint;
  available: bigint;
}

/** Byte amounts print as the API server would canonicalise a binary quantity ("64Gi"); counts as integers. */
export type AmountFormat = "count" | "bytes";

function clamp(value: bigint, low: bigint, high: bigint): bigint {
  return value < low ? low : value > high ? high : value;
}

/**
 * The published resource: `allocatable` never above `capacity`, `available` between 0 and
 * `allocatable` (a state restored from elsewhere could say otherwise; the object must not).
 */
export function resourceInfo(name: string, amounts: ZoneAmounts, format: AmountFormat): NrtResourceInfo {
  const capacity = amounts.capacity < 0n ? 0n : amounts.capacity;
  const allocatable = clamp(amounts.allocatable, 0n, capacity);
  const available = clamp(amounts.available, 0n, allocatable);
  const text = (n: bigint) => Quantity.fromInt(n, format === "bytes" ? "BinarySI" : "DecimalSI").toString();
  return { name, capacity: text(capacity), allocatable: text(allocatable), available: text(available) };
}
