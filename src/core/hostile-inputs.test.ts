/** Replays every core input that once failed (`hostile-inputs.cases.ts`), within its time bound. */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { CPUSet, CPUSetParseError } from "./cpuset.js";
import { CORE_HOSTILE_CASES } from "./hostile-inputs.cases.js";
import { Quantity, QuantityParseError } from "./quantity.js";

/** Bounds are for hangs and blow-ups (the old failures took 10 s and more), not benchmarks: shared CI cores get slack. */
const slack = (ms: number): number => Math.max(ms * 3, 2000);

const ERRORS = { CPUSetParseError, QuantityParseError };

describe("core hostile inputs", () => {
  for (const c of CORE_HOSTILE_CASES) {
    test(c.name, () => {
      const t = performance.now();
      let printed: string | null = null;
      let error: unknown = null;
      try {
        printed =
          c.reader === "cpu-list"
            ? CPUSet.parse(c.input, "case").toString()
            : Quantity.parse(c.input, "case").toString();
        if (c.reader === "quantity") assert.equal(Quantity.parse(printed, "printed").toString(), printed);
      } catch (err) {
        error = err;
      }
      const ms = performance.now() - t;
      if ("ok" in c.expect) {
        assert.equal(error, null, `unexpected ${error}`);
        assert.equal(printed, c.expect.ok);
      } else {
        assert.ok(
          error instanceof ERRORS[c.expect.error],
          `expected ${c.expect.error}, got ${error ?? printed}`,
        );
        const message = (error as Error).message;
        assert.ok(message.includes(c.expect.message), message);
        assert.ok(
          !message.includes("\n") && message.length < 400,
          `not one short line: ${message.slice(0, 100)}`,
        );
      }
      assert.ok(ms <= slack(c.maxMs), `took ${ms.toFixed(0)} ms (bound ${slack(c.maxMs)})`);
    });
  }
});
