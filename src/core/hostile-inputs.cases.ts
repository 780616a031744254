/**
 * Inputs that once crashed, hung or were wrongly accepted by the core readers (issue 12), each
 * with what must happen now. Replayed by `hostile-inputs.test.ts`; add every new finding here.
 */
export interface HostileCase {
  name: string;
  reader: "cpu-list" | "quantity";
  input: string;
  /** "ok" with the canonical text it must print, or the typed error and a fragment of its message. */
  expect: { ok: string } | { error: "CPUSetParseError" | "QuantityParseError"; message: string };
  /** Wall-clock bound in milliseconds. */
  maxMs: number;
}

const bubble = Array.from({ length: 30 }, () => "0-4194303").join(",");

export const CORE_HOSTILE_CASES: HostileCase[] = [
  {
    name: "the 416-byte kubelet config's reservedSystemCPUs (was: V8 fatal at 2.4 GB)",
    reader: "cpu-list",
    input: bubble,
    expect: { ok: "0-4194303" },
    maxMs: 500,
  },
  {
    name: "the checkpoint V3 bubble 1-4194304 (was: 22 s and 2.8 GB)",
    reader: "cpu-list",
    input: "1-4194304",
    expect: { ok: "1-4194304" },
    maxMs: 500,
  },
  {
    name: "10,000 copies of the widest range (merged before filling)",
    reader: "cpu-list",
    input: Array.from({ length: 10000 }, () => "0-4194304").join(","),
    expect: { ok: "0-4194304" },
    maxMs: 1000,
  },
  {
    name: "an id one past the cap",
    reader: "cpu-list",
    input: "0-4194305",
    expect: {
      error: "CPUSetParseError",
      message: "CPU id 4194305 exceeds the largest supported CPU id 4194304",
    },
    maxMs: 50,
  },
  {
    name: "2^32 (was: aliased onto CPU 0 by id >>> 5)",
    reader: "cpu-list",
    input: "4294967296",
    expect: { error: "CPUSetParseError", message: "exceeds the largest supported CPU id 4194304" },
    maxMs: 50,
  },
  {
    name: "a 200,000-digit id: refused, message cut short",
    reader: "cpu-list",
    input: "9".repeat(200000),
    expect: { error: "CPUSetParseError", message: "(200000 characters)" },
    maxMs: 200,
  },
  {
    name: "cpu: 1. + 100,000 zeros (was: 10 s)",
    reader: "quantity",
    input: `1.${"0".repeat(100000)}`,
    expect: { ok: "1" },
    maxMs: 300,
  },
  {
    name: "cpu: 1. + 200,000 zeros (was: over 30 s)",
    reader: "quantity",
    input: `1.${"0".repeat(200000)}`,
    expect: { ok: "1" },
    maxMs: 500,
  },
  {
    name: "200,000 leading zeros",
    reader: "quantity",
    input: `${"0".repeat(200000)}5m`,
    expect: { ok: "5m" },
    maxMs: 500,
  },
  {
    name: "a long failing digit run (the old regular expression backtracked quadratically)",
    reader: "quantity",
    input: `${"1".repeat(100000)}!`,
    expect: { error: "QuantityParseError", message: "expected a number with an optional suffix" },
    maxMs: 200,
  },
  {
    name: "100000e999 (was: accepted and printed as 100e1002, which the parser refused)",
    reader: "quantity",
    input: "100000e999",
    expect: { error: "QuantityParseError", message: "value out of range" },
    maxMs: 50,
  },
  {
    name: "1e-1000 prints as 100e-1002, which parses back",
    reader: "quantity",
    input: "1e-1000",
    expect: { ok: "100e-1002" },
    maxMs: 50,
  },
  {
    name: "zero with the largest int32 exponent builds no 10^2147483647",
    reader: "quantity",
    input: "0e2147483647",
    expect: { ok: "0" },
    maxMs: 50,
  },
  {
    name: "an exponent beyond int32",
    reader: "quantity",
    input: "1e2147483648",
    expect: { error: "QuantityParseError", message: "exponent out of range" },
    maxMs: 50,
  },
];
