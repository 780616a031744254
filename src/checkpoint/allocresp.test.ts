import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import {
  type ContainerAllocateResponse,
  type ProtobufDialect,
  decodeContainerAllocateResponse,
  emptyAllocateResponse,
  encodeContainerAllocateResponse,
} from "./allocresp.js";

const hex = (s: string) => Uint8Array.from(Buffer.from(s.replace(/\s+/g, ""), "hex"));
const DIALECTS: ProtobufDialect[] = ["google", "gogo"];

function accepts(bytes: Uint8Array, dialect: ProtobufDialect): boolean {
  return decodeContainerAllocateResponse(bytes, dialect).ok;
}

describe("ContainerAllocateResponse protobuf decoding", () => {
  test("the worked example: envs {A: 1}", () => {
    for (const d of DIALECTS) {
      const r = decodeContainerAllocateResponse(hex("0a 06 0a 01 41 12 01 31"), d);
      assert.ok(r.ok);
      assert.deepEqual([...r.value.envs], [["A", "1"]]);
      assert.equal(r.value.unknownFields, 0);
    }
  });

  test("zero bytes are the empty response", () => {
    for (const d of DIALECTS)
      assert.deepEqual(decodeContainerAllocateResponse(new Uint8Array(0), d), {
        ok: true,
        value: emptyAllocateResponse(),
      });
  });

  test("every field, and the last value of a repeated map key", () => {
    const resp: ContainerAllocateResponse = {
      envs: new Map([
        ["B", "2"],
        ["A", "1"],
      ]),
      mounts: [{ containerPath: "/opt/x", hostPath: "/opt/x", readOnly: true }],
      devices: [{ containerPath: "/dev/a", hostPath: "/dev/b", permissions: "rw" }],
      annotations: new Map([["k", "é"]]),
      cdiDevices: ["vendor.com/gpu=0", ""],
      unknownFields: 0,
    };
    const bytes = encodeContainerAllocateResponse(resp);
    for (const d of DIALECTS) {
      const r = decodeContainerAllocateResponse(bytes, d);
      assert.ok(r.ok);
      assert.deepEqual(r.value, resp);
    }
    const twice = decodeContainerAllocateResponse(hex("0a 06 0a 01 41 12 01 31  0a 06 0a 01 41 12 01 32"));
    assert.ok(twice.ok);
    assert.equal(twice.value.envs.get("A"), "2");
  });

  test("damage both libraries refuse", () => {
    for (const d of DIALECTS) {
      assert.equal(accepts(hex("0a ff"), d), false, "truncated length");
      assert.equal(accepts(hex("0a 05 0a 01 41"), d), false, "length past the end");
      assert.equal(accepts(hex("0c"), d), false, "end group at the top");
      assert.equal(accepts(hex("00 01"), d), false, "field number 0");
      assert.equal(accepts(hex("36"), d), false, "wire type 6");
      assert.equal(accepts(hex("30"), d), false, "varint cut short");
    }
  });

  test("unknown fields and groups are allowed", () => {
    for (const d of DIALECTS) {
      const r = decodeContainerAllocateResponse(hex("30 01  3b 08 01 3c  0a 08 0a 01 41 12 01 31 18 01"), d);
      assert.ok(r.ok, d);
      assert.equal(r.value.unknownFields, 2);
      assert.deepEqual([...r.value.envs], [["A", "1"]]);
    }
  });

  test("where the two libraries disagree", () => {
    const both = (bytes: Uint8Array) => DIALECTS.map((d) => accepts(bytes, d));
    // Invalid UTF-8 in a proto3 string: google validates, gogo does not.
    assert.deepEqual(both(hex("0a 06 0a 01 ff 12 01 31")), [false, true]);
    // A known field with another wire type: google keeps it as unknown, gogo fails.
    assert.deepEqual(both(hex("08 01")), [true, false]);
    // A varint whose 10th byte is above 1: google overflows, gogo drops the high bits.
    assert.deepEqual(both(hex("30 ff ff ff ff ff ff ff ff ff 02")), [false, true]);
    // An end group of another number: google compares numbers, gogo only balances.
    assert.deepEqual(both(hex("3b 44")), [false, true]);
    // A map key with wire type 0: gogo reads it as a string anyway.
    const gogo = decodeContainerAllocateResponse(hex("0a 03 08 01 41"), "gogo");
    assert.ok(gogo.ok);
    assert.deepEqual([...gogo.value.envs], [["A", ""]]);
    assert.equal(accepts(hex("0a 03 08 01 41"), "google"), false);
  });

  test("unknown groups nest as deep as google's recursion limit, and no deeper", () => {
    const groups = (n: number) => new Uint8Array([...Array(n).fill(0x3b), ...Array(n).fill(0x3c)]);
    assert.equal(accepts(groups(10001), "google"), true);
    assert.equal(accepts(groups(10002), "google"), false);
    assert.equal(accepts(groups(20000), "gogo"), true);
  });

  test("never throws, on any bytes", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        for (const d of DIALECTS) decodeContainerAllocateResponse(bytes, d);
      }),
    );
  });

  test("encode then decode gives the response back", () => {
    const str = fc.string({ maxLength: 8 });
    const map = fc
      .uniqueArray(fc.tuple(str, str), { selector: (t) => t[0], maxLength: 3 })
      .map((a) => new Map(a));
    const resp: fc.Arbitrary<ContainerAllocateResponse> = fc.record({
      envs: map,
      mounts: fc.array(fc.record({ containerPath: str, hostPath: str, readOnly: fc.boolean() }), {
        maxLength: 3,
      }),
      devices: fc.array(fc.record({ containerPath: str, hostPath: str, permissions: str }), { maxLength: 3 }),
      annotations: map,
      cdiDevices: fc.array(str, { maxLength: 3 }),
      unknownFields: fc.constant(0),
    });
    fc.assert(
      fc.property(resp, (r) => {
        // Lone surrogates cannot be encoded; the encoder writes U+FFFD as Go would.
        const clean = (s: string) => Buffer.from(s, "utf8").toString("utf8");
        const expected = {
          ...r,
          envs: new Map([...r.envs].map(([k, v]) => [clean(k), clean(v)])),
          annotations: new Map([...r.annotations].map(([k, v]) => [clean(k), clean(v)])),
          mounts: r.mounts.map((m) => ({
            ...m,
            containerPath: clean(m.containerPath),
            hostPath: clean(m.hostPath),
          })),
          devices: r.devices.map((x) => ({
            containerPath: clean(x.containerPath),
            hostPath: clean(x.hostPath),
            permissions: clean(x.permissions),
          })),
          cdiDevices: r.cdiDevices.map(clean),
        };
        const decoded = decodeContainerAllocateResponse(encodeContainerAllocateResponse(r));
        assert.ok(decoded.ok);
        assert.deepEqual(
          {
            ...decoded.value,
            envs: [...decoded.value.envs].sort(),
            annotations: [...decoded.value.annotations].sort(),
          },
          { ...expected, envs: [...expected.envs].sort(), annotations: [...expected.annotations].sort() },
        );
      }),
    );
  });
});
