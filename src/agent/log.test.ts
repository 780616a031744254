import assert from "node:assert/strict";
import { test } from "node:test";
import { logfmtLine } from "./log.js";

test("log lines are logfmt on one line: plain values bare, others quoted, undefined left out", () => {
  const line = logfmtLine(
    "warn",
    "change listener failed",
    { op: "admit", n: 3, ok: false, error: 'bad "x"\nsecond line', empty: "", none: null, skip: undefined },
    new Date(0),
  );
  assert.equal(
    line,
    'ts=1970-01-01T00:00:00.000Z level=warn msg="change listener failed" op=admit n=3 ok=false error="bad \\"x\\"\\nsecond line" empty="" none=""',
  );
  assert.doesNotMatch(line, /\n/);
});
