import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { after, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { CONFORMANCE_DIR } from "./location.js";
import { formatReport, runConformance } from "./runner.js";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

/** A vector tree laid out like shared/conformance, holding only what a test puts in it. */
function tree(): string {
  return mkdtempSync(join(tmpdir(), "podpin-vectors-"));
}

function put(root: string, rel: string, content: string): void {
  mkdirSync(dirname(join(root, rel)), { recursive: true });
  writeFileSync(join(root, rel), content);
}

const bitmaskCases = () =>
  JSON.parse(readFileSync(join(CONFORMANCE_DIR, "topology/bitmask.json"), "utf8")) as unknown[];

describe("conformance runner", () => {
  const roots: string[] = [];
  after(() => {
    for (const r of roots) rmSync(r, { recursive: true, force: true });
  });

  test("runs a subset of a file under any root and lists unknown files as skipped", async () => {
    const root = tree();
    roots.push(root);
    put(root, "topology/bitmask.json", JSON.stringify(bitmaskCases().slice(0, 3)));
    put(root, "topology/notes.json", "[]");
    const report = await runConformance([root]);
    assert.equal(report.passed, 3);
    assert.equal(report.failed, 0);
    assert.equal(report.skipped, 1);
    const lines = formatReport(report);
    assert.ok(lines.some((l) => l.startsWith("SKIP") && l.includes("notes.json")));
    assert.equal(lines.at(-1), "3 passed, 0 failed");
  });

  test("a changed expectation fails, naming the case with expected and actual values", async () => {
    const root = tree();
    roots.push(root);
    const cases = bitmaskCases() as Record<string, unknown>[];
    const victim = cases.find((c) => c.op === "count" && typeof c.expected === "number");
    assert.ok(victim, "the bitmask vectors hold a count case");
    const broken = { ...victim, expected: (victim.expected as number) + 1 };
    put(root, "topology/bitmask.json", JSON.stringify([broken]));
    const report = await runConformance([root]);
    assert.equal(report.failed, 1);
    const lines = formatReport(report);
    assert.ok(lines.some((l) => l.startsWith("FAIL topology/bitmask.json: ")));
    assert.ok(lines.some((l) => l.trim().startsWith("expected:")));
    assert.ok(lines.some((l) => l.trim().startsWith("actual:")));
  });

  test("the command exits 0 on success, 1 on a failure and 2 on unreadable input", () => {
    const run = (dir: string) =>
      spawnSync(process.execPath, ["--import", "tsx", join(ROOT, "src/cli/main.ts"), "conformance", dir], {
        encoding: "utf8",
        cwd: ROOT,
        timeout: 60_000,
      });
    const ok = tree();
    const bad = tree();
    const broken = tree();
    roots.push(ok, bad, broken);
    const cases = bitmaskCases() as Record<string, unknown>[];
    put(ok, "topology/bitmask.json", JSON.stringify(cases.slice(0, 2)));
    const victim = cases.find((c) => c.op === "count")!;
    put(bad, "topology/bitmask.json", JSON.stringify([{ ...victim, expected: -1 }]));
    put(broken, "topology/bitmask.json", "{ not json");
    const r0 = run(ok);
    assert.equal(r0.status, 0, r0.stderr);
    assert.match(r0.stdout, /^2 passed, 0 failed$/m);
    assert.equal(run(bad).status, 1);
    const r2 = run(broken);
    assert.equal(r2.status, 2);
    // Bad input prints nothing on stdout; the unreadable file is named on stderr.
    assert.equal(r2.stdout, "");
    assert.match(r2.stderr, /^podpin: cannot read .*bitmask\.json: /m);
  });
});
