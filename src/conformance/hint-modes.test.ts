import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import { type HintMode, topologyHintSettings, topologyVectors } from "../managers/topology/index.js";
import { CONFORMANCE_DIR } from "./conformance.test.js";
import { collectVectorFiles, formatReport, runConformance } from "./runner.js";

/*
 * The topology, CPU, Memory, pod-level and node vectors on both hint paths: hint families merged
 * without listing (what the node runs; the CPU and Memory Managers' lists are then their families
 * listed) and the kubelet's listed hints. The merge vectors also go through the implicit merge
 * itself, which must decide the vectors' lists like the list merges do.
 */

const FOLDERS = ["topology", "cpu", "memory", "podlevel", "node"];
const MODES: HintMode[] = ["implicit", "explicit"];

async function withMode<T>(mode: HintMode, fn: () => Promise<T>): Promise<T> {
  const saved = topologyHintSettings.hintMode;
  topologyHintSettings.hintMode = mode;
  try {
    return await fn();
  } finally {
    topologyHintSettings.hintMode = saved;
  }
}

describe("conformance vectors on both hint paths", () => {
  for (const folder of FOLDERS) {
    for (const mode of MODES) {
      test(`${folder}/ with ${mode} hints`, async () => {
        const files = collectVectorFiles(join(CONFORMANCE_DIR, folder)).filter(
          (f) => f.key !== "cpu/topologies.json",
        );
        assert.ok(files.length > 0, `no vector files in ${join(CONFORMANCE_DIR, folder)}`);
        const report = await withMode(mode, () => runConformance(files.map((f) => f.path)));
        const lines = formatReport(report).filter((l) => !l.startsWith("PASS"));
        assert.equal(report.unreadable + report.skipped + report.failed, 0, lines.join("\n"));
        assert.ok(report.passed > 0, `${folder}: no case ran`);
      });
    }
  }

  test("topology/merge.json through the implicit merge", () => {
    const file = join(CONFORMANCE_DIR, "topology", "merge.json");
    const cases = JSON.parse(readFileSync(file, "utf8")) as unknown[];
    assert.ok(cases.length > 0);
    cases.forEach((raw, i) => {
      const v = topologyVectors.mergeVectorFromJSON(raw, `case ${i}`, `topology/merge.json: case ${i}`);
      const got = topologyVectors.runMergeVector(v, { implementation: "implicit", strategy: "auto" });
      assert.deepEqual(got, { hint: v.expectedHint, admit: v.expectedAdmit }, v.name);
    });
  });
});
