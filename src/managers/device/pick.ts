import { compareBytewise } from "../../machine/index.js";

/**
 * Which `count` devices to take from a group that offers more than needed. The kubelet walks a Go
 * set, so its choice is unspecified; podpin takes the candidates in ascending id order, comparing
 * ids byte-wise (code units).
 * OPEN DM-1 (device-manager.md §14): every choice among equals goes through this one function.
 */
export function pickDevices(candidates: Iterable<string>, count: number): string[] {
  return [...candidates].sort(compareBytewise).slice(0, Math.max(0, count));
}
