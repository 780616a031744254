import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { performance } from "node:perf_hooks";

/**
 * Start-up of the published command (bin/podpin.js on the compiled dist/, built first as `npm ci`
 * builds it), against `node -e 0` in the same run: each sample is one process, the commands take
 * turns so that a change in the machine's load falls on all of them alike, and the figure is the
 * median. Targets: `--version` within 1.5 times `node -e 0`, a one-pod `simulate` within 3 times.
 */

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");

interface StartupCommand {
  label: string;
  args: string[];
  /** The largest ratio to `node -e 0` the command should take; null for the baseline. */
  target: number | null;
  /** A check of what it printed, so that a broken build is not timed as a fast one. */
  expect?: RegExp;
}

const BIN = join(ROOT, "bin", "podpin.js");
const EXAMPLES = join(ROOT, "examples");

const COMMANDS: StartupCommand[] = [
  { label: "node -e 0", args: ["-e", "0"], target: null },
  { label: "podpin --version", args: [BIN, "--version"], target: 1.5, expect: /^\d+\.\d+\.\d+\n$/ },
  {
    label: "podpin simulate (one pod)",
    args: [
      BIN,
      "simulate",
      "-c",
      join(EXAMPLES, "kubelet-pod-scope.yaml"),
      join(EXAMPLES, "tightly-coupled-database.yaml"),
    ],
    target: 3,
    expect: /^ADMITTED {2}default\/tightly-coupled-database/,
  },
  { label: "podpin --help", args: [BIN, "--help"], target: null, expect: /^Usage: podpin / },
];

export interface StartupRow {
  command: string;
  p50Ms: number;
  /** Over a few dozen samples at most: the slowest, which shows the tail rather than a true p99. */
  p99Ms: number;
  runs: number;
  /** Median / the median of `node -e 0`. */
  ratio: number;
  target: number | null;
  met: boolean | null;
}

export interface StartupResult {
  rows: StartupRow[];
  /** Why nothing was measured (the build failed, a command printed the wrong thing). */
  notRun?: string;
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)];
}

function timeOnce(c: StartupCommand): number {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, c.args, { cwd: ROOT, stdio: "ignore" });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`${c.label}: exit ${r.status}`);
  return ms;
}

/** Builds dist/ (`npm run build`); the reason it failed, or null. */
function build(): string | null {
  const r = spawnSync("npm", ["run", "build"], { cwd: ROOT, encoding: "utf8" });
  if (r.status === 0) return null;
  const lines = `${r.stdout}\n${r.stderr}`.split("\n").filter((l) => l.trim() !== "");
  return `npm run build failed: ${lines.slice(-3).join(" | ")}`;
}

function checkOutputs(): string | null {
  for (const c of COMMANDS) {
    if (!c.expect) continue;
    const r = spawnSync(process.execPath, c.args, { cwd: ROOT, encoding: "utf8" });
    if (r.status !== 0 || !c.expect.test(r.stdout))
      return `${c.label}: exit ${r.status}, unexpected output: ${(r.stdout + r.stderr).slice(0, 200)}`;
  }
  return null;
}

/**
 * `build: false` times the dist/ already there (a smoke run's shortcut: it may be older than the
 * sources), and builds only when there is none.
 */
export function benchStartup(
  rounds = 25,
  warmup = 3,
  opts: { build: boolean } = { build: true },
): StartupResult {
  const mustBuild = opts.build || !existsSync(join(ROOT, "dist", "bin", "cli.js"));
  const notRun = (mustBuild ? build() : null) ?? checkOutputs();
  if (notRun) return { rows: [], notRun };
  const samples = COMMANDS.map(() => [] as number[]);
  for (let round = 0; round < warmup + rounds; round++)
    COMMANDS.forEach((c, i) => {
      const ms = timeOnce(c);
      if (round >= warmup) samples[i].push(ms);
    });
  const sorted = samples.map((s) => [...s].sort((a, b) => a - b));
  const baseline = percentile(sorted[0], 0.5);
  return {
    rows: COMMANDS.map((c, i) => {
      const median = percentile(sorted[i], 0.5);
      const ratio = median / baseline;
      return {
        command: c.label,
        p50Ms: median,
        p99Ms: percentile(sorted[i], 0.99),
        runs: sorted[i].length,
        ratio,
        target: c.target,
        met: c.target === null ? null : ratio <= c.target,
      };
    }),
  };
}
