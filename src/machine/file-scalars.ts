import { z } from "zod";
import { Quantity, QuantityParseError } from "../core/index.js";
import { describeValue } from "./file-issues.js";
import { CPU_ID_EXPECTED, MAX_CPU_ID, MAX_NUMA_ID, NUMA_ID_EXPECTED } from "./limits.js";

/**
 * Scalar schemas of machine files. Files are parsed with every integer as a bigint, so these accept
 * bigints (and nothing else) and word their problem as "expected …, got …" for the one-line error.
 */

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/** "expected X, got Y", or "missing field: expected X" when the field is absent. */
export function problem(expected: string, v: unknown): string {
  return v === undefined
    ? `missing field: expected ${expected}`
    : `expected ${expected}, got ${describeValue(v)}`;
}

/** A non-negative integer up to 2^53 − 1 as a number, or null when `v` is not one. */
export function safeNonNegative(v: unknown): number | null {
  return typeof v === "bigint" && v >= 0n && v <= MAX_SAFE ? Number(v) : null;
}

/** A small non-negative integer (ids, counts), as a number. */
export const smallInt = z.unknown().transform((v, ctx): number => {
  const n = safeNonNegative(v);
  if (n !== null) return n;
  ctx.addIssue({ code: "custom", message: problem("a non-negative integer", v) });
  return z.NEVER;
});

/** A non-negative integer up to `max`, as a number; `expected` words the problem. */
export function boundedInt(max: number, expected: string) {
  return z.unknown().transform((v, ctx): number => {
    const n = safeNonNegative(v);
    if (n !== null && n <= max) return n;
    ctx.addIssue({ code: "custom", message: problem(expected, v) });
    return z.NEVER;
  });
}

/** A CPU id, 0 to MAX_CPU_ID (2^22). */
export const cpuIdInt = boundedInt(MAX_CPU_ID, CPU_ID_EXPECTED);

/** A NUMA node id, 0 to 63. */
export const numaIdInt = boundedInt(MAX_NUMA_ID, NUMA_ID_EXPECTED);

/** A positive integer up to 2^53 − 1 (a page size in KiB, a layout count). */
export const positiveInt = z.unknown().transform((v, ctx): number => {
  const n = safeNonNegative(v);
  if (n !== null && n > 0) return n;
  ctx.addIssue({ code: "custom", message: problem("a positive integer", v) });
  return z.NEVER;
});

/** A non-negative 64-bit integer (byte or page counts), as a bigint. */
export const uint64 = z.unknown().transform((v, ctx): bigint => {
  if (typeof v === "bigint" && v >= 0n && v < 1n << 64n) return v;
  ctx.addIssue({ code: "custom", message: problem("a non-negative integer below 2^64", v) });
  return z.NEVER;
});

/** A byte count written as an integer or as a quantity (`64Gi`, `1536Mi`). */
export const byteSize = z.unknown().transform((v, ctx): bigint => {
  if (typeof v === "bigint" && v >= 0n && v < 1n << 64n) return v;
  if (typeof v === "string") {
    try {
      const q = Quantity.parse(v.trim(), "size");
      if (q.denDigits === 0 && q.sign() >= 0) return q.num;
      ctx.addIssue({
        code: "custom",
        message: `expected a whole, non-negative number of bytes, got ${JSON.stringify(v)}`,
      });
      return z.NEVER;
    } catch (err) {
      if (!(err instanceof QuantityParseError)) throw err;
    }
  }
  ctx.addIssue({
    code: "custom",
    message: problem('a byte size (an integer or a quantity such as "64Gi")', v),
  });
  return z.NEVER;
});
