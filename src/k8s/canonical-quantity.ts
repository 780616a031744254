import { Quantity } from "../core/index.js";
import type { Pod } from "./types.js";

/**
 * Quantities as the kubelet receives them from the API server. The API server stores every quantity
 * in apimachinery's canonical text (`Quantity.String()`), and the kubelet parses that text again, so
 * `1.5Gi` arrives as `1536Mi` and `0.5` CPU as `500m`. That matters because the Memory Manager's
 * `AsInt64` only succeeds for the parser's integer form: a canonical `1536Mi` pins, a literal
 * `1.5Gi` (a static pod read from disk) does not. This reproduces the round trip:
 * 1. the parser's rounding: values are rounded up (away from zero) to nano precision, a binary-SI
 *    value is capped at 2^63-1, and a binary-SI value strictly between 0 and 1 becomes decimal;
 * 2. `CanonicalizeBytes`: binary SI with the largest power-of-1024 suffix for a whole value of at
 *    least 1024, otherwise decimal with an exponent that is a multiple of 3;
 * 3. parsing the text as the kubelet does.
 */

const NANO_DIGITS = 9;
const INT64_MAX = (1n << 63n) - 1n;
const pow10 = (n: number): bigint => 10n ** BigInt(n);

const DECIMAL_SUFFIX: Record<number, string> = {
  [-9]: "n",
  [-6]: "u",
  [-3]: "m",
  0: "",
  3: "k",
  6: "M",
  9: "G",
  12: "T",
  15: "P",
  18: "E",
};
const BINARY_SUFFIX = ["", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"];

/** `num / 10^den` rounded away from zero to at most nine fractional digits. */
function roundToNano(num: bigint, den: number): { num: bigint; den: number } {
  if (den <= NANO_DIGITS) return { num, den };
  const div = pow10(den - NANO_DIGITS);
  const q = num / div;
  const r = num % div;
  return { num: r === 0n ? q : q + (num < 0n ? -1n : 1n), den: NANO_DIGITS };
}

function decimalText(num: bigint, den: number, exponentForm: boolean): string {
  let mant = num;
  let exp = -den;
  while (mant % 10n === 0n) {
    mant /= 10n;
    exp++;
  }
  const extra = ((exp % 3) + 3) % 3;
  mant *= pow10(extra);
  exp -= extra;
  if (exponentForm) return exp === 0 ? `${mant}` : `${mant}e${exp}`;
  // Beyond E apimachinery has no suffix; an exponent keeps the value readable and exact.
  const suffix = DECIMAL_SUFFIX[exp];
  return suffix === undefined ? `${mant}e${exp}` : `${mant}${suffix}`;
}

/** The text the API server stores for `q` (apimachinery `Quantity.String()` after parsing). */
export function canonicalQuantityText(q: Quantity): string {
  let { num, den } = roundToNano(q.num, q.denDigits);
  let format = q.format;
  if (num === 0n) return "0";
  const abs = num < 0n ? -num : num;
  if (format === "BinarySI") {
    const scale = pow10(den);
    if (abs > INT64_MAX * scale) {
      num = num < 0n ? -INT64_MAX : INT64_MAX;
      den = 0;
    }
    if (abs < scale) format = "DecimalSI";
  }
  const whole = den === 0 || num % pow10(den) === 0n;
  if (format === "BinarySI" && whole) {
    let n = num / pow10(den);
    const nAbs = n < 0n ? -n : n;
    if (nAbs >= 1024n) {
      let i = 0;
      while (i < BINARY_SUFFIX.length - 1 && n % 1024n === 0n) {
        n /= 1024n;
        i++;
      }
      return `${n}${BINARY_SUFFIX[i]}`;
    }
  }
  return decimalText(num, den, format === "DecimalExponent");
}

/** `q` after the API server's round trip: canonical text, parsed again. */
export function canonicalQuantity(q: Quantity): Quantity {
  return Quantity.parse(canonicalQuantityText(q));
}

/** Every quantity anywhere in `value` (resource lists, overhead, ...) replaced by `canonicalQuantity`. */
function canonicalDeep<T>(value: T): T {
  if (value instanceof Quantity) return canonicalQuantity(value) as T;
  if (Array.isArray(value)) return value.map((v) => canonicalDeep(v)) as T;
  if (value && typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = canonicalDeep(v);
    return out as T;
  }
  return value;
}

/** The pod as the kubelet receives it from the API server: every quantity canonical. */
export function canonicalizePodQuantities(pod: Pod): Pod {
  return canonicalDeep(pod);
}

/** How each quantity read from a manifest was written (`1.5Gi`), for messages about it. */
const spellings = new WeakMap<Quantity, string>();

export function rememberSpelling(q: Quantity, text: string): void {
  spellings.set(q, text);
}

/** `q` as the manifest wrote it, else its canonical text. */
export function writtenQuantity(q: Quantity): string {
  return spellings.get(q) ?? q.toString();
}

/**
 * `explain`'s note on a memory or hugepages request that the Memory Manager's `AsInt64` refuses.
 * Through the API server most such requests arrive canonical and pin; a static pod keeps them as
 * written, so the note says which form would pin.
 */
export function memoryQuantityNote(resource: string, q: Quantity): string {
  const written = writtenQuantity(q);
  const canonical = canonicalQuantity(q);
  if (canonical.asInt64() !== null)
    return `${resource} request ${written} is not a whole-byte quantity in the kubelet's integer form: the Memory Manager cannot pin it (a static pod keeps the quantity as written; write ${canonical.toString()}, the form the API server gives the kubelet)`;
  return `${resource} request ${written} is not a whole number of bytes: the Memory Manager cannot pin it`;
}
