/**
 * Go's `time.ParseDuration` (`100ms`, `1m30s`, `1.5h`, `0`), to whole nanoseconds as a bigint.
 * Returns the error text Go prints for a malformed value.
 */
const UNIT_NS: Record<string, bigint> = {
  ns: 1n,
  us: 1_000n,
  µs: 1_000n,
  μs: 1_000n,
  ms: 1_000_000n,
  s: 1_000_000_000n,
  m: 60_000_000_000n,
  h: 3_600_000_000_000n,
};

const MAX_NS = (1n << 63n) - 1n;

export function parseGoDuration(text: string): bigint | string {
  const invalid = `time: invalid duration ${JSON.stringify(text)}`;
  let s = text;
  let negative = false;
  if (s.startsWith("-") || s.startsWith("+")) {
    negative = s[0] === "-";
    s = s.slice(1);
  }
  if (s === "0") return 0n;
  if (s === "") return invalid;
  let total = 0n;
  const part = /^([0-9]*)(?:\.([0-9]*))?([a-zµμ]*)/;
  while (s !== "") {
    const m = part.exec(s);
    if (!m || (m[1] === "" && (m[2] ?? "") === "")) return invalid;
    const unit = UNIT_NS[m[3]];
    if (unit === undefined) {
      return m[3] === ""
        ? `time: missing unit in duration ${JSON.stringify(text)}`
        : `time: unknown unit ${JSON.stringify(m[3])} in duration ${JSON.stringify(text)}`;
    }
    const whole = BigInt(m[1] || "0");
    const frac = m[2] ?? "";
    // Go truncates the fractional part toward zero at nanosecond precision.
    const fracNs = frac === "" ? 0n : (BigInt(frac) * unit) / 10n ** BigInt(frac.length);
    total += whole * unit + fracNs;
    if (total > MAX_NS) return invalid;
    s = s.slice(m[0].length);
  }
  return negative ? -total : total;
}
