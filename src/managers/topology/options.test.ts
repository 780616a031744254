import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { ManagerError } from "../../core/index.js";
import { DEFAULT_FEATURE_GATES } from "../../k8s/index.js";
import { goAtoi, goParseBool, goQuote } from "./go-strconv.js";
import {
  checkPolicyOptionAvailable,
  type OptionMaturity,
  parseTopologyPolicyOptions,
  TOPOLOGY_POLICY_OPTIONS,
  type TopologyPolicyOptions,
} from "./options.js";

const gates = DEFAULT_FEATURE_GATES;

function errorOf(r: TopologyPolicyOptions | ManagerError): string {
  assert.ok(r instanceof ManagerError, `expected an error, got ${JSON.stringify(r)}`);
  return r.message;
}

describe("Go strconv", () => {
  test("ParseBool accepts exactly Go's spellings", () => {
    for (const s of ["1", "t", "T", "TRUE", "true", "True"])
      assert.deepEqual(goParseBool(s), { ok: true, value: true });
    for (const s of ["0", "f", "F", "FALSE", "false", "False"])
      assert.deepEqual(goParseBool(s), { ok: true, value: false });
    for (const s of ["yes", "tRUE", " true", ""]) assert.equal(goParseBool(s).ok, false);
    assert.deepEqual(goParseBool("yes"), {
      ok: false,
      error: 'strconv.ParseBool: parsing "yes": invalid syntax',
    });
  });

  test("Atoi: sign, digits only, int64 range, overflow reported before a later bad character", () => {
    assert.deepEqual(goAtoi("16"), { ok: true, value: 16 });
    assert.deepEqual(goAtoi("+8"), { ok: true, value: 8 });
    assert.deepEqual(goAtoi("-1"), { ok: true, value: -1 });
    assert.deepEqual(goAtoi("007"), { ok: true, value: 7 });
    assert.equal(goAtoi("9223372036854775807").ok, true);
    assert.equal(goAtoi("-9223372036854775808").ok, true);
    const syntax = (s: string) => `strconv.Atoi: parsing ${goQuote(s)}: invalid syntax`;
    const range = (s: string) => `strconv.Atoi: parsing ${goQuote(s)}: value out of range`;
    for (const s of ["", "+", "-", " 8", "8 ", "1_000", "0x10", "1e3", "8.0"])
      assert.deepEqual(goAtoi(s), { ok: false, error: syntax(s) }, s);
    for (const s of [
      "9223372036854775808",
      "-9223372036854775809",
      "99999999999999999999",
      "99999999999999999999x",
    ])
      assert.deepEqual(goAtoi(s), { ok: false, error: range(s) }, s);
  });

  test("Quote escapes like %q", () => {
    assert.equal(goQuote('a"b\\c'), '"a\\"b\\\\c"');
    assert.equal(goQuote("\t\n\x01\x7f"), '"\\t\\n\\x01\\x7f"');
    assert.equal(goQuote("né"), '"né"');
    assert.equal(goQuote("a\u00a0b"), '"a\\u00a0b"');
  });
});

describe("topologyManagerPolicyOptions", () => {
  test("defaults and valid values", () => {
    assert.deepEqual(parseTopologyPolicyOptions({}, gates), {
      preferClosestNUMA: false,
      maxAllowableNUMANodes: 8,
    });
    assert.deepEqual(
      parseTopologyPolicyOptions(
        { "prefer-closest-numa-nodes": "True", "max-allowable-numa-nodes": "16" },
        gates,
      ),
      { preferClosestNUMA: true, maxAllowableNUMANodes: 16 },
    );
  });

  test("error texts", () => {
    assert.equal(
      errorOf(parseTopologyPolicyOptions({ "prefer-closest-numa-nodes": "yes" }, gates)),
      'bad value for option "prefer-closest-numa-nodes": strconv.ParseBool: parsing "yes": invalid syntax',
    );
    assert.equal(
      errorOf(parseTopologyPolicyOptions({ "max-allowable-numa-nodes": "abc" }, gates)),
      'unable to convert policy option to integer "max-allowable-numa-nodes": strconv.Atoi: parsing "abc": invalid syntax',
    );
    assert.equal(
      errorOf(parseTopologyPolicyOptions({ "max-allowable-numa-nodes": "7" }, gates)),
      'the minimum value of "max-allowable-numa-nodes" should not be less than 8',
    );
    // OPEN TM-3: unconfirmed options are unknown.
    for (const name of ["numa-allocation-strategy", "restrict-to-cpu-numa-nodes"])
      assert.equal(
        errorOf(parseTopologyPolicyOptions({ [name]: "true" }, gates)),
        `unknown Topology Manager Policy option: "${name}"`,
      );
  });

  test("several bad options: the first in sorted name order is reported", () => {
    assert.equal(
      errorOf(parseTopologyPolicyOptions({ zeta: "1", "max-allowable-numa-nodes": "1" }, gates)),
      'the minimum value of "max-allowable-numa-nodes" should not be less than 8',
    );
  });

  test("alpha and beta options need their gates", () => {
    const table = TOPOLOGY_POLICY_OPTIONS as Map<string, OptionMaturity>;
    table.set("an-alpha-option", "alpha");
    table.set("a-beta-option", "beta");
    try {
      const off = { TopologyManagerPolicyAlphaOptions: false, TopologyManagerPolicyBetaOptions: false };
      assert.equal(
        checkPolicyOptionAvailable("an-alpha-option", off)?.message,
        'topology manager policy alpha-level options not enabled, but option "an-alpha-option" provided',
      );
      assert.equal(
        checkPolicyOptionAvailable("a-beta-option", off)?.message,
        'topology manager policy beta-level options not enabled, but option "a-beta-option" provided',
      );
      const on = { TopologyManagerPolicyAlphaOptions: true, TopologyManagerPolicyBetaOptions: true };
      assert.equal(checkPolicyOptionAvailable("an-alpha-option", on), null);
      assert.equal(checkPolicyOptionAvailable("prefer-closest-numa-nodes", off), null);
    } finally {
      table.delete("an-alpha-option");
      table.delete("a-beta-option");
    }
  });
});
