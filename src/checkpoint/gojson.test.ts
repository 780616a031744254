import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import { fnv1a32 } from "./fnv.js";
import { encodeGo, goJSONString, unmarshalInto } from "./gojson.js";
import { GoJSONSyntaxError, parseGoJSON } from "./gojson-parse.js";
import { goQuote } from "./gostring.js";
import { CPU_V2, CPU_V3, MEMORY_V1, newCPUV2, newCPUV3, newMemoryV1 } from "./kubelet-types.js";
import { parseGoCPUSet } from "./gocpuset.js";

function syntaxError(text: string): string {
  try {
    parseGoJSON(text);
  } catch (err) {
    assert.ok(err instanceof GoJSONSyntaxError);
    return err.message;
  }
  assert.fail(`${JSON.stringify(text)} parsed`);
}

describe("FNV-1a 32", () => {
  test("known values", () => {
    assert.equal(fnv1a32(""), 0x811c9dc5);
    assert.equal(fnv1a32("a"), 0xe40c292c);
    assert.equal(fnv1a32("foobar"), 0xbf9cf968);
    // A data checksum from the kubelet's CPU state tests.
    assert.equal(fnv1a32('(string){"policyName":"none","defaultCPUSet":"4-6"}'), 657950972);
  });
});

describe("Go JSON syntax errors", () => {
  test("are worded as encoding/json words them", () => {
    assert.equal(syntaxError(""), "unexpected end of JSON input");
    assert.equal(syntaxError("{"), "unexpected end of JSON input");
    assert.equal(syntaxError('{"a":1'), "unexpected end of JSON input");
    assert.equal(syntaxError("x"), "invalid character 'x' looking for beginning of value");
    assert.equal(syntaxError("{a"), "invalid character 'a' looking for beginning of object key string");
    assert.equal(syntaxError('{"a" 1}'), "invalid character '1' after object key");
    assert.equal(syntaxError('{"a":1 "b"}'), "invalid character '\"' after object key:value pair");
    assert.equal(syntaxError("[1 2]"), "invalid character '2' after array element");
    assert.equal(syntaxError("{} {}"), "invalid character '{' after top-level value");
    assert.equal(syntaxError("01"), "invalid character '1' after top-level value");
    assert.equal(syntaxError("-x"), "invalid character 'x' in numeric literal");
    assert.equal(syntaxError("1.x"), "invalid character 'x' after decimal point in numeric literal");
    assert.equal(syntaxError("1ex"), "invalid character 'x' in exponent of numeric literal");
    assert.equal(syntaxError("trux"), "invalid character 'x' in literal true (expecting 'e')");
    assert.equal(syntaxError('"a\nb"'), "invalid character '\\n' in string literal");
    assert.equal(syntaxError('"\\q"'), "invalid character 'q' in string escape code");
    assert.equal(syntaxError('"\\u12g4"'), "invalid character 'g' in \\u hexadecimal character escape");
    assert.equal(syntaxError("\ufeff{}"), "invalid character 'ï' looking for beginning of value");
  });

  test("never throws anything but a syntax error on arbitrary text", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), (s) => {
        try {
          parseGoJSON(s);
        } catch (err) {
          assert.ok(err instanceof GoJSONSyntaxError, String(err));
        }
      }),
    );
  });
});

describe("Go JSON decoding", () => {
  test("matches keys case-insensitively, exact spelling first, and ignores unknown keys", () => {
    const cp = newCPUV2();
    assert.equal(
      unmarshalInto('{"POLICYNAME":"a","defaultCPUSet":"1-3","other":[1,{"x":null}]}', CPU_V2, cp),
      null,
    );
    assert.equal(cp.PolicyName, "a");
    assert.equal(cp.DefaultCPUSet, "1-3");
  });

  test("reports the first type error and keeps decoding", () => {
    const cp = newCPUV2();
    const err = unmarshalInto('{"policyName":5,"defaultCpuSet":"2","entries":{"p":{"c":7}}}', CPU_V2, cp);
    assert.equal(
      err,
      "json: cannot unmarshal number into Go struct field CPUManagerCheckpointV2.policyName of type string",
    );
    assert.equal(cp.DefaultCPUSet, "2");
    assert.equal(
      unmarshalInto('{"checksum":-1}', CPU_V2, newCPUV2()),
      "json: cannot unmarshal number -1 into Go struct field CPUManagerCheckpointV2.checksum of type checksum.Checksum",
    );
    assert.equal(
      unmarshalInto("[]", CPU_V2, newCPUV2()),
      "json: cannot unmarshal array into Go value of type state.CPUManagerCheckpointV2",
    );
    assert.equal(
      unmarshalInto('{"machineState":{"x":{}}}', MEMORY_V1, newMemoryV1()),
      "json: cannot unmarshal number x into Go struct field MemoryManagerCheckpointV1.machineState of type int",
    );
  });

  test("a pod entry's own UnmarshalJSON stops decoding at a bad CPU set", () => {
    const cp = newCPUV3();
    const err = unmarshalInto('{"podEntries":{"p":{"cpuSet":"x"}},"policyName":"late"}', CPU_V3, cp);
    assert.equal(err, 'failed to parse cpuset: strconv.Atoi: parsing "x": invalid syntax');
    assert.equal(cp.PolicyName, "", "fields after the failing entry are not decoded");
    assert.equal(
      unmarshalInto('{"podEntries":{"p":"1-3"}}', CPU_V3, newCPUV3()),
      "json: cannot unmarshal string into Go struct field CPUManagerCheckpointV3.podEntries of type state.podEntryJSON",
    );
  });

  test("null empties maps but leaves strings alone; repeated map keys merge", () => {
    const cp = newCPUV2();
    unmarshalInto(
      '{"policyName":"a","entries":{"p":{}},"policyName":null,"entries":{"q":{"c":"1"}}}',
      CPU_V2,
      cp,
    );
    assert.equal(cp.PolicyName, "a");
    assert.deepEqual([...(cp.Entries as Map<string, unknown>).keys()], ["p", "q"]);
    unmarshalInto('{"entries":null}', CPU_V2, cp);
    assert.equal(cp.Entries, null);
  });
});

describe("Go JSON encoding", () => {
  test("escapes strings as json.Marshal does", () => {
    assert.equal(goJSONString('a"b\\c'), '"a\\"b\\\\c"');
    assert.equal(goJSONString("<&>"), '"\\u003c\\u0026\\u003e"');
    assert.equal(goJSONString("\n\t\b\f\u0001\u2028é😀"), '"\\n\\t\\b\\f\\u0001\\u2028é😀"');
  });

  test("sorts map keys as strings and honours omitempty", () => {
    const cp = { PolicyName: "s", DefaultCPUSet: "", Entries: new Map(), Checksum: 3n };
    assert.equal(encodeGo(cp, CPU_V2), '{"policyName":"s","defaultCpuSet":"","checksum":3}');
    const ms = newMemoryV1();
    ms.MachineState = new Map([
      [10n, null],
      [2n, null],
    ]);
    assert.equal(
      encodeGo(ms, MEMORY_V1),
      '{"policyName":"","machineState":{"10":null,"2":null},"checksum":0}',
    );
  });

  test("decoding what was encoded gives the same encoding", () => {
    fc.assert(
      fc.property(
        fc.string(),
        fc.dictionary(fc.string(), fc.dictionary(fc.string(), fc.string())),
        (p, e) => {
          const entries = new Map(Object.entries(e).map(([k, v]) => [k, new Map(Object.entries(v))]));
          const text = encodeGo(
            { PolicyName: p, DefaultCPUSet: "1", Entries: entries, Checksum: 0n },
            CPU_V2,
          );
          const back = newCPUV2();
          assert.equal(unmarshalInto(text, CPU_V2, back), null);
          assert.equal(encodeGo(back, CPU_V2), text);
        },
      ),
    );
  });
});

describe("cpuset.Parse", () => {
  test("follows strconv.Atoi", () => {
    const ok = (s: string) => {
      const r = parseGoCPUSet(s);
      assert.ok("set" in r, s);
      return r.set.toString();
    };
    const bad = (s: string) => {
      const r = parseGoCPUSet(s);
      assert.ok("error" in r, s);
      return r.error;
    };
    assert.equal(ok(""), "");
    assert.equal(ok("0-2,+5,007,9-9"), "0-2,5,7,9");
    assert.equal(bad("1.3"), 'strconv.Atoi: parsing "1.3": invalid syntax');
    assert.equal(bad(" 1"), 'strconv.Atoi: parsing " 1": invalid syntax');
    assert.equal(bad("1,"), 'strconv.Atoi: parsing "": invalid syntax');
    assert.equal(bad("-1"), 'strconv.Atoi: parsing "": invalid syntax');
    assert.equal(bad("3-1"), 'invalid range "3-1" (3 > 1)');
    assert.equal(bad("1--3"), 'invalid range "1--3" (1 > -3)');
    assert.equal(
      bad("99999999999999999999"),
      'strconv.Atoi: parsing "99999999999999999999": value out of range',
    );
    assert.match(bad("0-99999999"), /exceeds the largest supported CPU id/);
  });

  test("%q quoting", () => {
    assert.equal(goQuote('a"b\\'), '"a\\"b\\\\"');
    assert.equal(goQuote("\x01\n"), '"\\x01\\n"');
  });
});
