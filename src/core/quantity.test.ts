import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import { Quantity, QuantityParseError } from "./quantity.js";

const q = (s: string): Quantity => Quantity.parse(s);

describe("Quantity parsing and values", () => {
  // [text, value(), milliValue(), isIntegral, asInt64, canonical string, format]
  const table: [string, bigint, bigint, boolean, bigint | null, string, string][] = [
    ["500m", 1n, 500n, false, null, "500m", "DecimalSI"],
    ["2", 2n, 2000n, true, 2n, "2", "DecimalSI"],
    ["16Gi", 17179869184n, 17179869184000n, true, 17179869184n, "16Gi", "BinarySI"],
    ["1e3", 1000n, 1000000n, true, 1000n, "1e3", "DecimalExponent"],
    ["1.5G", 1500000000n, 1500000000000n, true, 1500000000n, "1500M", "DecimalSI"],
    ["1.5Gi", 1610612736n, 1610612736000n, true, null, "1536Mi", "BinarySI"],
    ["0.5", 1n, 500n, false, null, "500m", "DecimalSI"],
    ["1536Mi", 1610612736n, 1610612736000n, true, 1610612736n, "1536Mi", "BinarySI"],
    ["2000m", 2n, 2000n, true, null, "2", "DecimalSI"],
    ["977m", 1n, 977n, false, null, "977m", "DecimalSI"],
    ["-1", -1n, -1000n, true, -1n, "-1", "DecimalSI"],
    ["0", 0n, 0n, true, 0n, "0", "DecimalSI"],
    ["1Ki", 1024n, 1024000n, true, 1024n, "1Ki", "BinarySI"],
    ["1.5Ki", 1536n, 1536000n, true, null, "1536", "BinarySI"],
    ["512Mi", 536870912n, 536870912000n, true, 536870912n, "512Mi", "BinarySI"],
    ["1G", 1000000000n, 1000000000000n, true, 1000000000n, "1G", "DecimalSI"],
    ["1e9", 1000000000n, 1000000000000n, true, 1000000000n, "1e9", "DecimalExponent"],
    ["100k", 100000n, 100000000n, true, 100000n, "100k", "DecimalSI"],
    ["1n", 1n, 1n, false, null, "1n", "DecimalSI"],
    ["+3", 3n, 3000n, true, 3n, "3", "DecimalSI"],
    ["0.5Mi", 524288n, 524288000n, true, null, "512Ki", "BinarySI"],
  ];
  for (const [text, value, milli, integral, int64, canonical, format] of table) {
    test(text, () => {
      const v = q(text);
      assert.equal(v.value(), value, "value()");
      assert.equal(v.milliValue(), milli, "milliValue()");
      assert.equal(v.isIntegral(), integral, "isIntegral()");
      assert.equal(v.asInt64(), int64, "asInt64()");
      assert.equal(v.toString(), canonical, "toString()");
      assert.equal(v.format, format, "format");
    });
  }

  test("value() and milliValue() round away from zero, as apimachinery does", () => {
    assert.equal(q("1001m").value(), 2n);
    assert.equal(q("1500m").value(), 2n);
    assert.equal(q("-500m").value(), -1n);
    assert.equal(q("-1500m").value(), -2n);
    assert.equal(q("1u").milliValue(), 1n);
    assert.equal(q("-1u").milliValue(), -1n);
    assert.equal(q("1.0001").milliValue(), 1001n);
  });

  test("asInt64 follows the parser's integer form (spec: quantities as whole bytes)", () => {
    for (const text of ["1536Mi", "2Gi", "1G", "1e9", "1.5G"]) assert.notEqual(q(text).asInt64(), null, text);
    for (const text of ["1.5Gi", "0.5Mi", "500m", "0.5"]) assert.equal(q(text).asInt64(), null, text);
    // Beyond int64 the parser keeps a decimal: not representable.
    assert.equal(q("10E").asInt64(), null);
    assert.equal(q("9E").asInt64(), 9000000000000000000n);
  });

  test("comparison and arithmetic are exact", () => {
    assert.equal(q("1Gi").cmp(q("1G")), 1);
    assert.equal(q("1000m").cmp(q("1")), 0);
    assert.ok(q("2000m").equals(q("2")));
    assert.equal(q("1Gi").add(q("512Mi")).toString(), "1536Mi");
    assert.equal(q("1").add(q("500m")).toString(), "1500m");
    assert.equal(q("1").sub(q("1500m")).toString(), "-500m");
    assert.equal(Quantity.max(q("3"), q("2500m")).toString(), "3");
    assert.equal(Quantity.fromMilli(1500).toString(), "1500m");
    assert.equal(Quantity.fromInt(1073741824, "BinarySI").toString(), "1Gi");
    assert.equal(Quantity.zero().toString(), "0");
  });

  test("bad inputs: precise errors naming the field", () => {
    const cases: [string, RegExp][] = [
      ["", /^mem: invalid quantity "": expected a number with an optional suffix/],
      ["abc", /^mem: invalid quantity "abc": no digits/],
      ["1.2.3", /^mem: invalid quantity "1\.2\.3": expected a number/],
      ["5Xi", /^mem: invalid quantity "5Xi": unknown suffix "Xi"/],
      ["1Ki5", /^mem: invalid quantity "1Ki5": unknown suffix "Ki5"/],
      ["1 Gi", /^mem: invalid quantity "1 Gi": expected a number/],
      ["--1", /^mem: invalid quantity "--1"/],
      [".", /^mem: invalid quantity ".": no digits/],
      ["1e", /^mem: invalid quantity "1e": unknown suffix "e"/],
    ];
    for (const [text, message] of cases) {
      assert.throws(
        () => Quantity.parse(text, "mem"),
        (err: unknown) => err instanceof QuantityParseError && message.test(err.message),
        text,
      );
    }
  });
});

describe("Quantity properties", () => {
  test("parse(toString(q)) is the same value, for milli CPU and binary byte quantities", () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(10n ** 15n), max: 10n ** 15n }), (n) => {
        const m = Quantity.fromMilli(n);
        assert.equal(Quantity.parse(m.toString()).cmp(m), 0);
        const b = Quantity.fromInt(n, "BinarySI");
        assert.equal(Quantity.parse(b.toString()).cmp(b), 0);
      }),
    );
  });

  test("value() * 1000 >= milliValue() >= 1000 * (value() - 1) for positive quantities", () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 1n, max: 10n ** 12n }), (n) => {
        const v = Quantity.fromMilli(n);
        assert.ok(v.value() * 1000n >= v.milliValue());
        assert.ok(v.milliValue() > (v.value() - 1n) * 1000n);
        assert.equal(v.isIntegral(), n % 1000n === 0n);
      }),
    );
  });
});

describe("Quantity arithmetic against the general formulas", () => {
  // Values with few and many decimal places (past the table of powers of ten), signs and formats.
  const text = fc
    .tuple(
      fc.constantFrom("", "-"),
      fc.stringMatching(/^[0-9]{1,12}$/),
      fc.option(fc.stringMatching(/^[0-9]{0,12}$/)),
      fc.oneof(
        fc.constantFrom("", "n", "u", "m", "k", "M", "G", "Ki", "Mi", "Gi"),
        fc.integer({ min: -60, max: 30 }).map((e) => `e${e}`),
      ),
    )
    .map(([sign, i, f, s]) => `${sign}${i}${f === null ? "" : `.${f}`}${s}`);
  const quantity = text.map((t) => Quantity.parse(t));

  const pow = (n: number): bigint => 10n ** BigInt(n);
  const ceilDiv = (a: bigint, b: bigint): bigint => {
    const r = a % b;
    return a / b + (r > 0n ? 1n : r < 0n ? -1n : 0n);
  };
  /** Both numerators over the larger number of decimal places, as the general formulas scale them. */
  const common = (a: Quantity, b: Quantity): [bigint, bigint, number] => {
    const d = Math.max(a.denDigits, b.denDigits);
    return [a.num * pow(d - a.denDigits), b.num * pow(d - b.denDigits), d];
  };

  test("cmp and add agree with scaling both sides to the larger number of places", () => {
    fc.assert(
      fc.property(quantity, quantity, (a, b) => {
        const [x, y, d] = common(a, b);
        assert.equal(a.cmp(b), x < y ? -1 : x > y ? 1 : 0);
        const sum = a.add(b);
        // The sum's value is (x + y) / 10^d, whatever places it keeps.
        assert.equal(sum.num * pow(d), (x + y) * pow(sum.denDigits), `${a} + ${b}`);
        assert.equal(sum.format, a.isZero() ? b.format : a.format);
        // Trailing zeros of the fraction are normalised away, whichever path summed.
        assert.ok(sum.denDigits === 0 || sum.num % 10n !== 0n || sum.num === 0n);
        // The compact integer form survives a sum of whole numbers only.
        assert.equal(sum.asInt64(), d === 0 ? sum.num : null);
      }),
      { numRuns: 2000 },
    );
  });

  test("value, milliValue and isIntegral agree with rounding num / 10^places up", () => {
    fc.assert(
      fc.property(quantity, (q) => {
        const value = ceilDiv(q.num, pow(q.denDigits));
        const milli = ceilDiv(q.num * 1000n, pow(q.denDigits));
        assert.equal(q.value(), value);
        assert.equal(q.milliValue(), milli);
        assert.equal(q.isIntegral(), value * 1000n === milli);
      }),
      { numRuns: 2000 },
    );
  });
});
