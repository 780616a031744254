import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { dirname, join, resolve } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

interface SoakReport {
  minutes: number;
  requests: number;
  requestsPerSecond: number;
  p99Ms: number;
  errors: number;
  firstErrors: string[];
  warmupSeconds: number;
  rssAfterWarmupBytes: number;
  rssEndBytes: number;
  peakRssAfterWarmupBytes: number;
  peakRssEndBytes: number;
  rssGrowthPercent: number;
  agentExit: number | null;
  ok: boolean;
}

test("a one-minute soak: steady admit/remove load, no errors, no memory growth, clean stop", {
  timeout: 180_000,
}, async (t) => {
  const run = await new Promise<{ code: number | null; stdout: string; stderr: string }>((done, fail) => {
    const child = spawn(
      process.execPath,
      ["--import", "tsx", join(ROOT, "scripts/soak.ts"), "--minutes", "1", "--json"],
      {
        cwd: ROOT,
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    child.on("error", fail);
    child.on("close", (code) => done({ code, stdout, stderr }));
  });
  let report: SoakReport;
  try {
    report = JSON.parse(run.stdout) as SoakReport;
  } catch {
    assert.fail(`the soak printed no report (exit ${run.code}): ${run.stdout}${run.stderr}`);
  }
  t.diagnostic(
    `${report.requests} requests after a ${report.warmupSeconds} s warm-up, ${report.requestsPerSecond}/s, p99 ${report.p99Ms} ms, peak RSS ${(report.peakRssAfterWarmupBytes / 2 ** 20).toFixed(1)} -> ${(report.peakRssEndBytes / 2 ** 20).toFixed(1)} MiB (${report.rssGrowthPercent}%)`,
  );
  assert.deepEqual(report.firstErrors, []);
  assert.equal(report.errors, 0);
  assert.equal(report.agentExit, 0, "the agent stopped cleanly on SIGTERM");
  assert.ok(report.rssGrowthPercent <= 10, `RSS grew ${report.rssGrowthPercent}% after warm-up`);
  assert.ok(report.requests >= 200, `a steady load: only ${report.requests} requests in a minute`);
  assert.ok(report.rssAfterWarmupBytes > 0 && report.peakRssEndBytes >= report.rssEndBytes);
  assert.equal(report.ok, true);
  assert.equal(run.code, 0, run.stderr);
});
