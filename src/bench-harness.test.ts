import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import type { AdmissionRow } from "../scripts/bench-admission.js";
import { README_END, README_START, spliceReadme } from "../scripts/bench-readme-splice.js";
import { readmeReport } from "../scripts/bench-report.js";
import { type BenchResults, BenchResultsError, parseBenchResults } from "../scripts/bench-results.js";
import { admissionPivot, renderMarkdown } from "../scripts/bench-tables.js";

/** The benchmark harness: a `--quick --only take` run's JSON (compiled, as `npm run bench` runs it), and the README table drawn from it. */

const ROOT = resolve(fileURLToPath(import.meta.url), "../..");

function run(script: string, args: string[]) {
  return spawnSync(process.execPath, ["--import", "tsx", join(ROOT, "scripts", script), ...args], {
    cwd: ROOT,
    encoding: "utf8",
    timeout: 60_000,
  });
}

function scratch(t: { after: (fn: () => void) => void }): string {
  const dir = mkdtempSync(join(tmpdir(), "podpin-bench-test-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test("a quick take-by-topology run writes results with the machine and p50/p99/runs per row, and the README shows them", (t) => {
  const dir = scratch(t);
  const out = join(dir, "results.json");
  const bench = run("bench-compiled.ts", [
    "--quick",
    "--only",
    "take",
    "--out",
    out,
    "--json",
    "--note",
    "test run",
  ]);
  assert.equal(bench.status, 0, `bench exited ${bench.status}: ${bench.stderr}`);
  const results = parseBenchResults(readFileSync(out, "utf8"), out);
  assert.deepEqual(JSON.parse(bench.stdout).sections, results.sections, "--json prints what it writes");
  assert.equal(results.quick, true);
  assert.equal(results.machine.node, process.version);
  assert.ok(results.machine.logicalCPUs >= 1);
  assert.ok(!Number.isNaN(Date.parse(results.machine.date)));
  assert.equal(results.machine.note, "test run");
  assert.deepEqual(Object.keys(results.sections), ["take"]);
  const rows = results.sections.take ?? [];
  assert.deepEqual(
    rows.map((r) => `${r.available}/${r.cpus}`),
    ["empty/1", "empty/64", "empty/300", "fragmented/1", "fragmented/64", "fragmented/300"],
  );
  for (const r of rows) {
    assert.equal(r.availableCPUs, r.available === "empty" ? 512 : r.availableCPUs);
    assert.ok(r.timing.runs >= 10, `${r.cpus}: ${r.timing.runs} runs`);
    assert.ok(r.timing.p50Ms > 0 && r.timing.p99Ms >= r.timing.p50Ms, JSON.stringify(r.timing));
    assert.equal(r.target.met, r.timing.p50Ms <= 0.02);
  }
  assert.ok(rows[3].availableCPUs < 512 && rows[3].availableCPUs >= 300, "fragmented leaves room for 300");

  const readme = join(dir, "README.md");
  writeFileSync(readme, `# title\n\nbefore\n\n${README_START}\nold table\n${README_END}\n\nafter\n`);
  const rendered = run("bench-readme.ts", ["--results", out, "--readme", readme]);
  assert.equal(rendered.status, 0, rendered.stderr);
  const text = readFileSync(readme, "utf8");
  assert.ok(text.startsWith(`# title\n\nbefore\n\n${README_START}\n`), text);
  assert.ok(text.endsWith(`\n${README_END}\n\nafter\n`), text);
  assert.ok(!text.includes("old table"));
  assert.match(text, new RegExp(`Node ${process.version.replaceAll(".", "\\.")}, .*; test run\\.`));
  assert.match(text, /\*\*Take-by-topology\.\*\*/);
  assert.match(text, /\| machine \| CPUs taken \| from \| p50 \| p99 \| runs \| target \|/);
  assert.equal(text.match(/^\| synthetic-8n-512c \| (1|64|300) \|/gm)?.length, 6);
  assert.match(text, /\| [✓✗] ≤ 20 µs \|/);
});

test("bad input: an unknown section, a README without markers, a results file of another shape", (t) => {
  const unknown = run("bench.ts", ["--only", "nothing"]);
  assert.equal(unknown.status, 2);
  assert.match(unknown.stderr, /^bench: --only: unknown section nothing \(expected admission, merge/);

  const dir = scratch(t);
  const results = join(dir, "results.json");
  writeFileSync(results, JSON.stringify({ schema: 2 }));
  const readme = join(dir, "README.md");
  writeFileSync(readme, "no markers\n");
  const bad = run("bench-readme.ts", ["--results", results, "--readme", readme]);
  assert.equal(bad.status, 2);
  assert.equal(bad.stderr, `bench-readme: ${results}: schema: expected 1, got 2\n`);
  assert.equal(readFileSync(readme, "utf8"), "no markers\n", "nothing half-written");

  assert.throws(() => spliceReadme("no markers\n", "x", "README.md"), {
    name: "Error",
    message: `README.md: expected the markers ${README_START} and then ${README_END}`,
  });
  assert.throws(() => spliceReadme(`${README_END}\n${README_START}\n`, "x", "R"), BenchResultsError);
  assert.throws(() => parseBenchResults("{", "r.json"), /^Error: r\.json: not JSON/);
  assert.throws(
    () => parseBenchResults(JSON.stringify({ ...minimal(), sections: { other: [] } }), "r.json"),
    /r\.json: sections\.other: expected one of admission, merge/,
  );
});

function minimal(): BenchResults {
  return {
    schema: 1,
    machine: {
      cpuModel: "CPU",
      logicalCPUs: 2,
      availableParallelism: 2,
      node: "v20.0.0",
      os: "Linux 6",
      arch: "x64",
      date: "2026-01-01T00:00:00.000Z",
      loadAverage: 0.5,
    },
    quick: false,
    totalSeconds: 1,
    sectionSeconds: {},
    sections: {},
  };
}

test("the README's admission table has one row per machine, pod and scope and one column per policy", () => {
  const row = (policy: AdmissionRow["policy"], p50Ms: number, outcome = "admitted"): AdmissionRow => ({
    numaNodes: 2,
    machine: "worked-example",
    pod: "spanning",
    podShape: "",
    scope: "pod",
    policy,
    outcome,
    timing: { p50Ms, p99Ms: p50Ms * 2, runs: 100 },
    vsBaseline: 1,
    target: { text: "≤ 25 µs", met: p50Ms <= 0.025 },
  });
  const table = admissionPivot([row("none", 0.02), row("single-numa-node", 0.5, "TopologyAffinityError")]);
  assert.equal(
    renderMarkdown(table),
    [
      "| NUMA nodes | machine | pod | scope | none | single-numa-node |",
      "| --- | --- | --- | --- | --- | --- |",
      "| 2 | worked-example | spanning | pod | 20.0 µs / 40.0 µs ✓ | 500.0 µs / 1.00 ms ✗ (TopologyAffinityError) |",
    ].join("\n"),
  );
  const text = readmeReport({ ...minimal(), sections: { admission: [row("none", 0.02)] } });
  assert.match(
    text,
    /^Measured with `npm run bench` on CPU, 2 logical CPUs, Node v20\.0\.0, Linux 6 x64, 2026-01-01/,
  );
  assert.doesNotMatch(text, /§|pod-level\.md|OPEN /, "no spec section ids in text users read");
});
