/**
 * The Go value parsers behind the kubelet's flags (pflag's `Int32Var`, `Int64Var`, `BoolVar`,
 * `DurationVar`), with the error texts Go prints, and Go's formatting of a `time.Duration`.
 */

export type GoParsed<T> = { ok: true; value: T } | { ok: false; error: string };

/** `strconv.Quote` for the texts flags carry (printable ASCII and the usual escapes). */
export function goQuote(s: string): string {
  return JSON.stringify(s).replace(/\\u00([0-9a-f]{2})/g, "\\x$1");
}

const DIGIT_VALUE: Record<string, number> = Object.fromEntries([..."0123456789abcdef"].map((c, i) => [c, i]));

/**
 * Go's `underscoreOK` for a literal with base prefix 0: underscores only between digits (the
 * prefix counts as a digit), never doubled, leading or trailing.
 */
function underscoresOK(s: string): boolean {
  let saw = "^";
  let i = 0;
  if (s.startsWith("-") || s.startsWith("+")) s = s.slice(1);
  let hex = false;
  if (s.length >= 2 && s[0] === "0" && /[bBoOxX]/.test(s[1])) {
    i = 2;
    saw = "0";
    hex = s[1] === "x" || s[1] === "X";
  }
  for (; i < s.length; i++) {
    const c = s[i];
    if ((c >= "0" && c <= "9") || (hex && /[a-fA-F]/.test(c))) {
      saw = "0";
      continue;
    }
    if (c !== "_") return false;
    if (saw !== "0") return false;
    saw = "_";
  }
  return saw !== "_";
}

/** `strconv.ParseInt(s, 0, bits)`: sign, `0x`/`0o`/`0b`/leading-0 prefixes, underscores. */
export function goParseInt(s: string, bits: 32 | 64): GoParsed<bigint> {
  const syntax = { ok: false as const, error: `strconv.ParseInt: parsing ${goQuote(s)}: invalid syntax` };
  const range = { ok: false as const, error: `strconv.ParseInt: parsing ${goQuote(s)}: value out of range` };
  let body = s;
  let negative = false;
  if (body.startsWith("+") || body.startsWith("-")) {
    negative = body[0] === "-";
    body = body.slice(1);
  }
  if (body === "") return syntax;
  let base = 10n;
  let digits = body;
  let prefixed = false;
  if (body.length > 1 && body[0] === "0") {
    const p = body[1].toLowerCase();
    if (p === "x" || p === "o" || p === "b") {
      base = p === "x" ? 16n : p === "o" ? 8n : 2n;
      digits = body.slice(2);
    } else {
      base = 8n;
      digits = body.slice(1);
    }
    prefixed = true;
  }
  let n = 0n;
  let sawDigit = false;
  for (const raw of digits) {
    if (raw === "_") continue;
    const d = DIGIT_VALUE[raw.toLowerCase()];
    if (d === undefined || BigInt(d) >= base) return syntax;
    n = n * base + BigInt(d);
    sawDigit = true;
  }
  if (!sawDigit && !(prefixed && base === 8n)) return syntax;
  if (s.includes("_") && !underscoresOK(s)) return syntax;
  const limit = 1n << BigInt(bits - 1);
  if (negative ? n > limit : n >= limit) return range;
  return { ok: true, value: negative ? -n : n };
}

const TRUE_WORDS = new Set(["1", "t", "T", "TRUE", "true", "True"]);
const FALSE_WORDS = new Set(["0", "f", "F", "FALSE", "false", "False"]);

/** `strconv.ParseBool`. */
export function goParseBool(s: string): GoParsed<boolean> {
  if (TRUE_WORDS.has(s)) return { ok: true, value: true };
  if (FALSE_WORDS.has(s)) return { ok: true, value: false };
  return { ok: false, error: `strconv.ParseBool: parsing ${goQuote(s)}: invalid syntax` };
}

/** A fraction of `unit` nanoseconds, Go's way: trailing zeros dropped. */
function withFraction(ns: bigint, unit: bigint): string {
  const whole = ns / unit;
  const frac = ns % unit;
  if (frac === 0n) return whole.toString();
  const width = unit.toString().length - 1;
  return `${whole}.${frac.toString().padStart(width, "0").replace(/0+$/, "")}`;
}

/** `time.Duration.String()`: `100ms`, `1m30s`, `50µs`, `0s`. */
export function formatGoDuration(ns: bigint): string {
  if (ns === 0n) return "0s";
  const sign = ns < 0n ? "-" : "";
  const abs = ns < 0n ? -ns : ns;
  if (abs < 1_000n) return `${sign}${abs}ns`;
  if (abs < 1_000_000n) return `${sign}${withFraction(abs, 1_000n)}µs`;
  if (abs < 1_000_000_000n) return `${sign}${withFraction(abs, 1_000_000n)}ms`;
  const h = abs / 3_600_000_000_000n;
  const m = (abs / 60_000_000_000n) % 60n;
  const s = withFraction(abs % 60_000_000_000n, 1_000_000_000n);
  if (h > 0n) return `${sign}${h}h${m}m${s}s`;
  if (m > 0n) return `${sign}${m}m${s}s`;
  return `${sign}${s}s`;
}
