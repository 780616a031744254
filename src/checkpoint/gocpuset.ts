/**
 * `cpuset.Parse` of `k8s.io/utils/cpuset`, with its error texts: checkpoint restore errors quote
 * them ("could not parse default cpu set \"1.3\": strconv.Atoi: parsing \"1.3\": invalid syntax").
 * It is laxer than the Linux list parser of `core/cpuset.ts` in the ways Go's `strconv.Atoi` is
 * ("+3", "007") and stricter in others (no white space).
 */
import { CPUSet } from "../core/index.js";
import { goQuote } from "./gostring.js";
import { chargeCPUSet } from "./limits.js";

/** Larger CPU ids are refused instead of allocated (the kubelet would try to build the set). */
const MAX_CPU_ID = 1 << 22;
const INT64_MAX = 2n ** 63n - 1n;

function atoi(s: string): { n: number } | { error: string } {
  if (!/^[+-]?\d+$/.test(s)) return { error: `strconv.Atoi: parsing ${goQuote(s)}: invalid syntax` };
  const n = BigInt(s);
  if (n > INT64_MAX || n < -INT64_MAX - 1n)
    return { error: `strconv.Atoi: parsing ${goQuote(s)}: value out of range` };
  return { n: Number(n) };
}

/** `bubble`: the set is a pod entry's, whose checksum dump walks every id (see `limits.ts`). */
export function parseGoCPUSet(s: string, bubble = false): { set: CPUSet } | { error: string } {
  if (s === "") return { set: CPUSet.empty };
  // Ranges, never one entry per id: "0-4194304" costs what its text costs.
  const ranges: Array<[number, number]> = [];
  const tooLarge = (r: string) => ({
    error: `CPU range ${goQuote(r)} exceeds the largest supported CPU id ${MAX_CPU_ID}`,
  });
  for (const r of s.split(",")) {
    const dash = r.indexOf("-");
    if (dash < 0) {
      const a = atoi(r);
      if ("error" in a) return a;
      if (a.n > MAX_CPU_ID) return tooLarge(r);
      if (a.n < 0) return { error: `invalid CPU id ${a.n}` };
      ranges.push([a.n, a.n]);
      continue;
    }
    const a = atoi(r.slice(0, dash));
    if ("error" in a) return a;
    const b = atoi(r.slice(dash + 1));
    if ("error" in b) return b;
    if (a.n > b.n) return { error: `invalid range ${goQuote(r)} (${a.n} > ${b.n})` };
    if (b.n > MAX_CPU_ID) return tooLarge(r);
    if (a.n < 0) return { error: `invalid CPU id ${a.n}` };
    ranges.push([a.n, b.n]);
  }
  let max = -1;
  for (const [, b] of ranges) if (b > max) max = b;
  // One set's bitset is at most 2^22 bits, so building it is cheap; its true size (overlapping
  // ranges counted once) is then charged, and a file's sets together stay within a budget.
  const set = CPUSet.fromRanges(ranges);
  chargeCPUSet(set.size, max, bubble);
  return { set };
}
