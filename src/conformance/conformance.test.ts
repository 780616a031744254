import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { collectVectorFiles, formatReport, runConformance } from "./runner.js";

/** The shared conformance folder, read at test time (never copied into the repository). */
export const CONFORMANCE_DIR =
  process.env.PODPIN_CONFORMANCE_DIR ??
  resolve(join(dirname(fileURLToPath(import.meta.url)), "../../../shared/conformance"));

describe("conformance vectors from ../shared/conformance", () => {
  test("the folder is present", () => {
    assert.ok(existsSync(CONFORMANCE_DIR), `expected the conformance folder at ${CONFORMANCE_DIR}`);
  });
  for (const { path, key } of existsSync(CONFORMANCE_DIR) ? collectVectorFiles(CONFORMANCE_DIR) : []) {
    if (key === "cpu/topologies.json") continue;
    test(key, async () => {
      const report = await runConformance([path]);
      const lines = formatReport(report).filter((l) => !l.startsWith("PASS"));
      assert.equal(report.unreadable, 0, lines.join("\n"));
      assert.equal(report.skipped, 0, `${key} is not run by any suite:\n${lines.join("\n")}`);
      assert.equal(report.failed, 0, lines.join("\n"));
      assert.ok(report.passed > 0, `${key}: no case ran`);
    });
  }
});
