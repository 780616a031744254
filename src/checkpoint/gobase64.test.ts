import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import { goBase64Decode, goBase64Encode } from "./gobase64.js";

function decode(s: string): string {
  const r = goBase64Decode(Buffer.from(s, "utf8"));
  return r.ok ? `ok ${Buffer.from(r.bytes).toString("hex")}` : r.error;
}

describe("Go's base64.StdEncoding.Decode", () => {
  test("decodes padded standard base64 and skips CR and LF anywhere", () => {
    assert.equal(decode(""), "ok ");
    assert.equal(decode("QQ=="), "ok 41");
    assert.equal(decode("QUI="), "ok 4142");
    assert.equal(decode("QUJD"), "ok 414243");
    assert.equal(decode("\r\nQU\nJD\r\n"), "ok 414243");
    assert.equal(decode("QQ\n=="), "ok 41");
    assert.equal(decode("QQ=\r\n="), "ok 41");
    assert.equal(decode("\n"), "ok ");
    // Not strict: the unused low bits of the last quantum are ignored.
    assert.equal(decode("QR=="), "ok 41");
  });

  test("names the offending byte as Go does", () => {
    const at = (n: number) => `illegal base64 data at input byte ${n}`;
    assert.equal(decode("!"), at(0));
    assert.equal(decode("Q"), at(0));
    assert.equal(decode("QQ"), at(0));
    assert.equal(decode("QUJ"), at(0));
    assert.equal(decode("QUJDQQ"), at(4));
    assert.equal(decode("="), at(0));
    assert.equal(decode("Q==="), at(1));
    assert.equal(decode("QQ="), at(3));
    assert.equal(decode("QQ=x"), at(2));
    assert.equal(decode("QQ==x"), at(4));
    assert.equal(decode("QUI=QUI="), at(4));
    assert.equal(decode("QUJD-_"), at(4));
    // Offsets count bytes of the UTF-8 text, not characters.
    assert.equal(decode("é"), at(0));
    assert.equal(decode("QUJDé"), at(4));
  });

  test("round-trips every byte string", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        const r = goBase64Decode(Buffer.from(goBase64Encode(bytes), "latin1"));
        assert.ok(r.ok);
        assert.deepEqual([...r.bytes], [...bytes]);
      }),
    );
  });

  test("accepts exactly whole quanta: padding-free text of length 4k always, other lengths never", () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[A-Za-z0-9+/=]{0,13}$/), (s) => {
        const r = goBase64Decode(Buffer.from(s, "latin1"));
        if (r.ok) assert.equal(s.length % 4, 0);
        if (!s.includes("=") && s.length % 4 === 0) assert.ok(r.ok);
      }),
    );
  });
});
