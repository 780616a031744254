/**
 * The few Go `strconv` behaviours whose error texts the kubelet prints verbatim in configuration
 * errors: `Quote` (for `%q`), `ParseBool` and `Atoi` (64-bit `int`).
 */

export type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };

const SIMPLE_ESCAPES: Record<string, string> = {
  "\x07": "\\a",
  "\b": "\\b",
  "\f": "\\f",
  "\n": "\\n",
  "\r": "\\r",
  "\t": "\\t",
  "\v": "\\v",
  '"': '\\"',
  "\\": "\\\\",
};

/** Go's `unicode.IsPrint`: letters, marks, numbers, punctuation, symbols and the ASCII space. */
const PRINTABLE = /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u;

/** `strconv.Quote` (what `%q` prints for a string). */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const escaped = SIMPLE_ESCAPES[ch];
    if (escaped) {
      out += escaped;
      continue;
    }
    const cp = ch.codePointAt(0)!;
    if (cp >= 0xd800 && cp <= 0xdfff) out += "\\ufffd";
    else if (PRINTABLE.test(ch)) out += ch;
    else if (cp < 0x80) out += `\\x${cp.toString(16).padStart(2, "0")}`;
    else if (cp <= 0xffff) out += `\\u${cp.toString(16).padStart(4, "0")}`;
    else out += `\\U${cp.toString(16).padStart(8, "0")}`;
  }
  return `${out}"`;
}

const TRUE_WORDS = new Set(["1", "t", "T", "TRUE", "true", "True"]);
const FALSE_WORDS = new Set(["0", "f", "F", "FALSE", "false", "False"]);

/** `strconv.ParseBool`. */
export function goParseBool(s: string): Parsed<boolean> {
  if (TRUE_WORDS.has(s)) return { ok: true, value: true };
  if (FALSE_WORDS.has(s)) return { ok: true, value: false };
  return { ok: false, error: `strconv.ParseBool: parsing ${goQuote(s)}: invalid syntax` };
}

const MAX_UINT64 = (1n << 64n) - 1n;
const UINT64_CUTOFF = MAX_UINT64 / 10n + 1n;

/**
 * `strconv.Atoi` on a 64-bit platform: optional sign, decimal digits only (no underscores),
 * int64 range. Like Go, an overflow is reported as soon as it happens, before any later invalid
 * character. Values beyond 2^53 are returned as the nearest double (callers compare ranges only).
 */
export function goAtoi(s: string): Parsed<number> {
  const syntax = { ok: false as const, error: `strconv.Atoi: parsing ${goQuote(s)}: invalid syntax` };
  const range = { ok: false as const, error: `strconv.Atoi: parsing ${goQuote(s)}: value out of range` };
  let digits = s;
  let negative = false;
  if (digits.startsWith("+") || digits.startsWith("-")) {
    negative = digits[0] === "-";
    digits = digits.slice(1);
  }
  if (digits.length === 0) return syntax;
  let n = 0n;
  for (const ch of digits) {
    if (ch < "0" || ch > "9") return syntax;
    if (n >= UINT64_CUTOFF) return range;
    n = n * 10n + BigInt(ch.charCodeAt(0) - 48);
    if (n > MAX_UINT64) return range;
  }
  if (negative ? n > 1n << 63n : n >= 1n << 63n) return range;
  return { ok: true, value: Number(negative ? -n : n) };
}
