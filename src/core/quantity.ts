/**
 * Kubernetes resource quantities (`500m`, `2`, `16Gi`, `1e3`, `1.5G`), held exactly as a rational
 * number `num / 10^denDigits` in bigints, so no float ever touches a CPU count or a byte size.
 *
 * Besides the value, a quantity remembers what apimachinery's parser would have kept: its format
 * (decimal SI, binary SI, decimal exponent) and whether it was stored in the parser's compact
 * integer form, because the memory manager's `AsInt64` succeeds only for that form
 * (spec memory-manager.md "Quantities as whole bytes").
 */
export class QuantityParseError extends Error {
  override name = "QuantityParseError";
}

export type QuantityFormat = "DecimalSI" | "BinarySI" | "DecimalExponent";

const BINARY_SUFFIXES: Record<string, number> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };
const DECIMAL_SUFFIXES: Record<string, number> = {
  n: -9,
  u: -6,
  m: -3,
  "": 0,
  k: 3,
  M: 6,
  G: 9,
  T: 12,
  P: 15,
  E: 18,
};
const DECIMAL_BY_EXPONENT: Record<number, string> = Object.fromEntries(
  Object.entries(DECIMAL_SUFFIXES).map(([s, e]) => [e, s]),
);
const BINARY_BY_EXPONENT: Record<number, string> = Object.fromEntries(
  Object.entries(BINARY_SUFFIXES).map(([s, e]) => [e, s]),
);

const INT64_MAX = (1n << 63n) - 1n;
/** 10^0 … 10^40, built once: comparisons and sums scale by these on every call. */
const POW10: readonly bigint[] = Array.from({ length: 41 }, (_, i) => 10n ** BigInt(i));

function pow10(n: number): bigint {
  return n >= 0 && n < POW10.length ? POW10[n] : 10n ** BigInt(n);
}

/**
 * The decimal places a quantity's value may use: its nonzero digits lie between 10^-1000 and
 * 10^1000 (docs/limits.md). apimachinery keeps any int32 exponent lazily in an `inf.Dec`; podpin
 * holds values exactly as bigints, so it refuses values beyond this range instead of building
 * them. Every value inside it prints (`toString`) as text that parses back to the same value.
 */
export const MAX_QUANTITY_DECIMAL_EXPONENT = 1000;

/** Trailing "0" characters of a digit string, at most `max`. */
function trailingZeros(digits: string, max = digits.length): number {
  let n = 0;
  while (n < max && n < digits.length && digits.charCodeAt(digits.length - 1 - n) === 48) n++;
  return n;
}

/** `n` without up to `max` factors of ten, and how many it dropped: one conversion each way, never a loop of divisions. */
function stripTens(n: bigint, max: number): [bigint, number] {
  if (max <= 0 || n === 0n || n % 10n !== 0n) return [n, 0];
  const text = n.toString();
  const k = trailingZeros(text, max);
  return [BigInt(text.slice(0, text.length - k)), k];
}

interface QuantityText {
  sign: string;
  intPart: string;
  fracPart: string | undefined;
  letters: string;
  expDigits: string;
}

/**
 * Splits quantity text the way `^([+-]?)([0-9]*)(?:\.([0-9]*))?([a-zA-Z]*)([+-]?[0-9]*)$` would,
 * in one pass (the regular expression backtracks quadratically on long digit runs that fail).
 */
function splitQuantityText(text: string): QuantityText | null {
  let i = 0;
  const n = text.length;
  const isDigit = (c: number) => c >= 48 && c <= 57;
  const isLetter = (c: number) => (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
  const scan = (pred: (c: number) => boolean): string => {
    const start = i;
    while (i < n && pred(text.charCodeAt(i))) i++;
    return text.slice(start, i);
  };
  let sign = "";
  if (i < n && (text[i] === "+" || text[i] === "-")) sign = text[i++];
  const intPart = scan(isDigit);
  let fracPart: string | undefined;
  if (i < n && text[i] === ".") {
    i++;
    fracPart = scan(isDigit);
  }
  const letters = scan(isLetter);
  const expStart = i;
  if (i < n && (text[i] === "+" || text[i] === "-")) i++;
  scan(isDigit);
  if (i !== n) return null;
  return { sign, intPart, fracPart, letters, expDigits: text.slice(expStart) };
}

/** a / b (b > 0) rounded away from zero, as apimachinery's scaling rounds ("up" for negatives too). */
function ceilDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  const r = a % b;
  return r > 0n ? q + 1n : r < 0n ? q - 1n : q;
}

export class Quantity {
  /** Value = num / 10^denDigits. */
  readonly num: bigint;
  readonly denDigits: number;
  readonly format: QuantityFormat;
  /** The parser's compact integer form `value × 10^scale`, or null when it fell back to a decimal. */
  private readonly compact: { value: bigint; scale: number } | null;

  private constructor(
    num: bigint,
    denDigits: number,
    format: QuantityFormat,
    compact: { value: bigint; scale: number } | null,
  ) {
    // Normalise trailing zeros of the fraction so equal values compare equal structurally.
    if (denDigits > 0 && num !== 0n && num % 10n === 0n) {
      const [stripped, dropped] = stripTens(num, denDigits);
      this.num = stripped;
      this.denDigits = denDigits - dropped;
    } else {
      this.num = num;
      this.denDigits = denDigits;
    }
    this.format = format;
    this.compact = compact;
  }

  static zero(format: QuantityFormat = "DecimalSI"): Quantity {
    return new Quantity(0n, 0, format, { value: 0n, scale: 0 });
  }

  /** An integer quantity (bytes or whole CPUs). */
  static fromInt(n: bigint | number, format: QuantityFormat = "DecimalSI"): Quantity {
    const v = BigInt(n);
    return new Quantity(v, 0, format, { value: v, scale: 0 });
  }

  static fromMilli(m: bigint | number): Quantity {
    const v = BigInt(m);
    return new Quantity(v, 3, "DecimalSI", { value: v, scale: -3 });
  }

  /** Parses a quantity string; `what` names the field in the error message. */
  static parse(text: string, what = "quantity"): Quantity {
    const m = splitQuantityText(text);
    const fail = (why: string): never => {
      const shown =
        text.length <= 64
          ? JSON.stringify(text)
          : `${JSON.stringify(text.slice(0, 64))}… (${text.length} characters)`;
      throw new QuantityParseError(`${what}: invalid quantity ${shown}: ${why}`);
    };
    if (text === "" || !m) return fail("expected a number with an optional suffix (e.g. 500m, 2, 16Gi, 1e3)");
    const { sign, intPart, fracPart: fracPartRaw, letters, expDigits } = m;
    const fracPart = fracPartRaw ?? "";
    if (intPart === "" && fracPart === "") return fail("no digits");
    let format: QuantityFormat;
    let binaryExp = 0;
    let decimalExp = 0;
    if ((letters === "e" || letters === "E") && expDigits !== "") {
      if (!/^[+-]?[0-9]+$/.test(expDigits)) return fail("bad exponent");
      format = "DecimalExponent";
      decimalExp = Number(expDigits);
      // apimachinery reads the exponent as an int64 and keeps it as an int32.
      if (!Number.isSafeInteger(decimalExp) || Math.abs(decimalExp) > 2147483647)
        return fail("exponent out of range");
    } else if (expDigits !== "") {
      return fail(`unknown suffix ${JSON.stringify(letters + expDigits)}`);
    } else if (letters in BINARY_SUFFIXES) {
      format = "BinarySI";
      binaryExp = BINARY_SUFFIXES[letters];
    } else if (letters in DECIMAL_SUFFIXES) {
      format = "DecimalSI";
      decimalExp = DECIMAL_SUFFIXES[letters];
    } else {
      return fail(
        `unknown suffix ${JSON.stringify(letters)} (expected one of n u m k M G T P E Ki Mi Gi Ti Pi Ei or e<N>)`,
      );
    }
    const negative = sign === "-";
    // apimachinery drops leading zeros of the integer part before counting digits.
    const numDigits = intPart.slice(intPart.length - intPart.replace(/^0+/, "").length);
    // Where the value's nonzero digits lie, from the text alone (before any bigint is built): the
    // lowest at 10^low, the highest at 10^high (binary suffixes add at most 19 places).
    const fracSig = fracPart.slice(0, fracPart.length - trailingZeros(fracPart));
    const sig = (numDigits + fracSig).replace(/^0+/, "");
    if (sig !== "") {
      const low = decimalExp - fracSig.length + (fracSig === "" ? trailingZeros(numDigits) : 0);
      const top =
        numDigits !== "" ? numDigits.length - 1 : -(fracSig.length - fracSig.replace(/^0+/, "").length) - 1;
      const high = decimalExp + top + (binaryExp > 0 ? 19 : 0);
      const LIMIT = MAX_QUANTITY_DECIMAL_EXPONENT;
      if (low < -LIMIT || high > LIMIT + 19 || (binaryExp === 0 && high > LIMIT)) {
        return fail(
          `value out of range (podpin holds quantities whose digits lie between 10^-${LIMIT} and 10^${LIMIT})`,
        );
      }
    }
    // Trailing zeros of the fraction are dropped as text: never a division per zero.
    const digits = BigInt((intPart || "0") + fracSig) * (negative ? -1n : 1n);
    let num = digits * (1n << BigInt(binaryExp));
    let denDigits = fracSig.length;
    // A zero keeps no exponent: "0e2147483647" must not build 10^2147483647.
    if (sig === "") denDigits = 0;
    else if (decimalExp >= 0) num *= pow10(decimalExp);
    else denDigits += -decimalExp;
    if (binaryExp > 0 && num !== 0n) {
      const abs = (num < 0n ? -num : num).toString();
      if (abs.length - 1 - denDigits > MAX_QUANTITY_DECIMAL_EXPONENT) {
        return fail(
          `value out of range (podpin holds quantities whose digits lie between 10^-${MAX_QUANTITY_DECIMAL_EXPONENT} and 10^${MAX_QUANTITY_DECIMAL_EXPONENT})`,
        );
      }
    }

    // Reproduce which representation apimachinery's ParseQuantity keeps (int64Amount or inf.Dec).
    let compact: { value: bigint; scale: number } | null = null;
    let precision: number;
    let scale = 0;
    let mantissa = 1n;
    if (format === "BinarySI") {
      if (fracPart.length === 0) {
        mantissa = 1n << BigInt(binaryExp);
        precision = 15 - numDigits.length - Math.trunc((binaryExp * 3) / 10) - 1;
      } else {
        precision = -1;
      }
    } else {
      scale = decimalExp;
      precision = 18 - (numDigits.length + fracPart.length);
    }
    if (precision >= 0) {
      scale -= fracPart.length;
      if (scale >= -9) {
        const shifted = BigInt((intPart || "0") + fracPart);
        if (shifted <= INT64_MAX) {
          const product = shifted * mantissa;
          if (product <= INT64_MAX) compact = { value: negative ? -product : product, scale };
        }
      }
    }
    return new Quantity(num, denDigits, format, compact);
  }

  isZero(): boolean {
    return this.num === 0n;
  }

  sign(): number {
    return this.num > 0n ? 1 : this.num < 0n ? -1 : 0;
  }

  /** Go `Value()`: the value rounded up (away from zero) to an integer. */
  value(): bigint {
    return this.denDigits === 0 ? this.num : ceilDiv(this.num, pow10(this.denDigits));
  }

  /** Go `MilliValue()`: the value in thousandths, rounded up (away from zero). */
  milliValue(): bigint {
    const d = this.denDigits;
    // Up to three decimal places the thousandths are exact: nothing to round.
    if (d <= 3) return this.num * POW10[3 - d];
    return ceilDiv(this.num * 1000n, pow10(d));
  }

  /** The kubelet's integral-CPU test: `Value() * 1000 == MilliValue()`. */
  isIntegral(): boolean {
    // A whole number passes; a fraction may still pass when its thousandths round up to a whole (`1.9999`).
    return this.denDigits === 0 || this.value() * 1000n === this.milliValue();
  }

  /**
   * Go `AsInt64()`: the exact integer when the parser kept the compact integer form with a
   * non-negative scale and the result fits in int64; null otherwise (e.g. `1.5Gi`, `500m`).
   */
  asInt64(): bigint | null {
    const c = this.compact;
    if (!c) return null;
    if (c.scale === 0 || c.value === 0n) return c.value;
    // |value| ≥ 10^19 beyond int64 (and no 10^scale is built for a huge scale).
    if (c.scale < 0 || c.scale > 18) return null;
    const v = c.value * pow10(c.scale);
    return v > INT64_MAX || v < -INT64_MAX - 1n ? null : v;
  }

  cmp(other: Quantity): number {
    const a = this.scaledNum(other.denDigits);
    const b = other.scaledNum(this.denDigits);
    return a < b ? -1 : a > b ? 1 : 0;
  }

  /** The numerator over 10^max(own places, `places`): itself when it already has at least that many. */
  private scaledNum(places: number): bigint {
    return places <= this.denDigits ? this.num : this.num * pow10(places - this.denDigits);
  }

  equals(other: Quantity): boolean {
    return this.cmp(other) === 0;
  }

  /** Sum, keeping this quantity's format unless it is zero, then the other's (as Go's `Add` does). */
  add(other: Quantity): Quantity {
    const d = this.denDigits > other.denDigits ? this.denDigits : other.denDigits;
    const num = this.scaledNum(d) + other.scaledNum(d);
    const format = this.isZero() ? other.format : this.format;
    return new Quantity(num, d, format, d === 0 ? { value: num, scale: 0 } : null);
  }

  sub(other: Quantity): Quantity {
    return this.add(other.negate());
  }

  negate(): Quantity {
    return new Quantity(
      -this.num,
      this.denDigits,
      this.format,
      this.compact && { value: -this.compact.value, scale: this.compact.scale },
    );
  }

  static max(a: Quantity, b: Quantity): Quantity {
    return b.cmp(a) > 0 ? b : a;
  }

  /**
   * Canonical text as apimachinery's `String()` prints it: binary SI when the value is a whole
   * number of at least 1024 (largest power-of-1024 suffix that divides it), otherwise decimal with
   * an exponent that is a multiple of 3 and an integer mantissa (`1500m`, `2`, `3k`).
   */
  toString(): string {
    const isWhole = this.denDigits === 0;
    const abs = this.num < 0n ? -this.num : this.num;
    if (this.format === "BinarySI" && isWhole && abs >= 1024n) {
      let n = this.num;
      let exp = 0;
      while (exp < 60 && n % 1024n === 0n && n !== 0n) {
        n /= 1024n;
        exp += 10;
      }
      return `${n}${BINARY_BY_EXPONENT[exp] ?? ""}`;
    }
    if (this.num === 0n) return "0";
    const [mant0, dropped] = stripTens(this.num, Number.MAX_SAFE_INTEGER);
    let mant = mant0;
    let exp = -this.denDigits + dropped;
    const extra = ((exp % 3) + 3) % 3;
    mant *= pow10(extra);
    exp -= extra;
    if (this.format === "DecimalExponent") return exp === 0 ? `${mant}` : `${mant}e${exp}`;
    const suffix = DECIMAL_BY_EXPONENT[exp];
    return suffix !== undefined ? `${mant}${suffix}` : `${mant}e${exp}`;
  }

  toJSON(): string {
    return this.toString();
  }
}
