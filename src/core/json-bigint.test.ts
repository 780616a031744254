import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import { JSONParseError, parseJSONExact, toBigInt } from "./json-bigint.js";

describe("parseJSONExact", () => {
  test("integers beyond 2^53 become exact bigints; everything else is what JSON.parse gives", () => {
    const text =
      '{"free": 18446744072635809792, "total": 4294967296, "neg": -9007199254740993, "f": 1.5, "e": 1e3, "s": "a\\"b\\u00e9", "t": true, "n": null, "a": [1, [], {}]}';
    assert.deepEqual(parseJSONExact(text), {
      free: 18446744072635809792n,
      total: 4294967296,
      neg: -9007199254740993n,
      f: 1.5,
      e: 1000,
      s: 'a"bé',
      t: true,
      n: null,
      a: [1, [], {}],
    });
  });

  test("2^53 - 1 stays a number, 2^53 becomes a bigint", () => {
    assert.equal(parseJSONExact("9007199254740991"), 9007199254740991);
    assert.equal(parseJSONExact("9007199254740992"), 9007199254740992n);
  });

  test("agrees with JSON.parse on JSON without big integers", () => {
    const safe = fc.jsonValue({ maxDepth: 3 }).filter((v) => !JSON.stringify(v).match(/\d{16,}/));
    fc.assert(
      fc.property(safe, (v) => {
        const text = JSON.stringify(v, null, 1);
        assert.deepEqual(parseJSONExact(text), JSON.parse(text));
      }),
    );
  });

  test("errors give line and column and say what was expected", () => {
    const cases: [string, RegExp][] = [
      ["", /^state: invalid JSON at line 1, column 1: unexpected end of input$/],
      ['{"a": 1,\n "b" 2}', /^state: invalid JSON at line 2, column 6: expected ":"$/],
      ['{"a": 1 "b": 2}', /^state: invalid JSON at line 1, column 9: expected "," or "}"$/],
      ["[1, 2", /^state: invalid JSON at line 1, column 6: expected "," or "]"$/],
      ["{a: 1}", /^state: invalid JSON at line 1, column 2: expected a string key$/],
      ['"abc', /unterminated string/],
      ["[1] x", /^state: invalid JSON at line 1, column 5: unexpected trailing content$/],
      ["01", /unexpected trailing content/],
      ["[tru]", /unexpected "t"/],
      ['"bad \\x escape"', /^state: invalid JSON at line 1, column 1: invalid string/],
    ];
    for (const [text, message] of cases) {
      assert.throws(
        () => parseJSONExact(text, "state"),
        (err: unknown) => err instanceof JSONParseError && message.test(err.message),
        JSON.stringify(text),
      );
    }
  });
});

describe("toBigInt", () => {
  test("numbers and bigints; anything else names the field", () => {
    assert.equal(toBigInt(5, "x"), 5n);
    assert.equal(toBigInt(18446744073709551615n, "x"), 18446744073709551615n);
    assert.throws(
      () => toBigInt(1.5, "memoryMap.free"),
      /^JSONParseError: memoryMap\.free: expected an integer, got 1\.5$/,
    );
    assert.throws(() => toBigInt("7", "f"), /f: expected an integer, got "7"/);
  });
});
