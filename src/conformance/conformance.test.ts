import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { collectVectorFiles, findSuite, formatReport, runConformance } from "./runner.js";

/** The shared conformance folder, read at test time (never copied into the repository). */
export const CONFORMANCE_DIR =
  process.env.PODPIN_CONFORMANCE_DIR ??
  resolve(join(dirname(fileURLToPath(import.meta.url)), "../../../shared/conformance"));

/**
 * Vector files that arrived with an issue whose suite does not exist yet, with that issue. Each
 * entry is checked to still lack a suite, so the list cannot outlive the work it waits for; it is
 * empty once those issues are resolved.
 */
const PENDING: ReadonlyMap<string, string> = new Map<string, string>([]);

describe("conformance vectors from ../shared/conformance", () => {
  test("the folder is present", () => {
    assert.ok(existsSync(CONFORMANCE_DIR), `expected the conformance folder at ${CONFORMANCE_DIR}`);
  });
  for (const { path, key } of existsSync(CONFORMANCE_DIR) ? collectVectorFiles(CONFORMANCE_DIR) : []) {
    if (key === "cpu/topologies.json") continue;
    const pendingOn = PENDING.get(key);
    if (pendingOn) {
      test(`${key} (pending on ${pendingOn})`, async () => {
        assert.equal(await findSuite(key), null, `${key} has a suite now: remove it from PENDING`);
      });
      continue;
    }
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
