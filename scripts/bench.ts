import { mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { benchAdmissions } from "./bench-admission.js";
import { benchDeviceAdmissions } from "./bench-devices.js";
import { benchLivePods } from "./bench-live-pods.js";
import { describeMachine } from "./bench-machine.js";
import { benchMerges } from "./bench-merge.js";
import { updateReadme, writeWhole } from "./bench-readme-splice.js";
import { benchReplay } from "./bench-replay.js";
import { terminalReport } from "./bench-report.js";
import {
  type BenchResults,
  BenchResultsError,
  type BenchSections,
  readBenchResults,
  SECTION_NAMES,
  type SectionName,
} from "./bench-results.js";
import { benchStartup } from "./bench-startup.js";
import { benchTake } from "./bench-take.js";
import type { BenchOptions } from "./bench-targets.js";

/**
 * `npm run bench`: admission latency per machine, policy, scope and pod; the hint merge alone;
 * admission against live pods; an admit/remove replay; take-by-topology; start-up. Prints tables
 * with the targets beside the figures and writes bench/results.json, from which
 * scripts/bench-readme.ts (or `--readme`) draws the README's table.
 */

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const DEFAULT_OUT = resolve(ROOT, "bench/results.json");

const USAGE = `usage: npm run bench -- [--quick] [--only SECTION[,SECTION...]] [--json] [--out FILE] [--readme] [--note TEXT]
  --quick      a smoke run (under a minute): few samples, small sizes; written only with --out
  --only       run these sections: ${SECTION_NAMES.join(", ")}
  --startup    the same as --only startup
  --json       print the results as JSON instead of tables
  --out FILE   write the results here (default bench/results.json; sections not run are kept from it)
  --readme     then rewrite README.md's benchmark table from the results file
  --note TEXT  a remark for the machine line (e.g. that other work was running)`;

interface Args {
  quick: boolean;
  json: boolean;
  readme: boolean;
  only: SectionName[];
  out: string | null;
  note: string | undefined;
}

class UsageError extends Error {}

function parseArgs(argv: string[]): Args {
  const args: Args = {
    quick: false,
    json: false,
    readme: false,
    only: [...SECTION_NAMES],
    out: null,
    note: undefined,
  };
  const value = (i: number, flag: string) => {
    const v = argv[i + 1];
    if (v === undefined || v.startsWith("--")) throw new UsageError(`${flag} expects a value`);
    return v;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--quick") args.quick = true;
    else if (a === "--json") args.json = true;
    else if (a === "--readme") args.readme = true;
    else if (a === "--startup") args.only = ["startup"];
    else if (a === "--only") {
      const names = value(i++, a).split(",");
      for (const n of names)
        if (!(SECTION_NAMES as readonly string[]).includes(n))
          throw new UsageError(`--only: unknown section ${n} (expected ${SECTION_NAMES.join(", ")})`);
      args.only = names as SectionName[];
    } else if (a === "--out") args.out = resolve(value(i++, a));
    else if (a === "--note") args.note = value(i++, a);
    else throw new UsageError(`unknown argument ${a}`);
  }
  if (args.quick && args.readme && args.out === null)
    throw new UsageError("--readme with --quick needs --out (quick figures do not go to bench/results.json)");
  return args;
}

type Runners = { [K in SectionName]: (opts: BenchOptions) => NonNullable<BenchSections[K]> };

const RUNNERS: Runners = {
  startup: (opts) => (opts.quick ? benchStartup(3, 1, { build: false }) : benchStartup()),
  admission: benchAdmissions,
  merge: benchMerges,
  take: benchTake,
  devices: benchDeviceAdmissions,
  replay: benchReplay,
  "live-pods": benchLivePods,
};

/**
 * The order of a full run: the sections that keep many pods alive after the short admissions, so
 * that their garbage does not weigh on them, and start-up (a build, then a hundred processes) last:
 * measured right after it, the admissions ran 1.5x slower for a while.
 */
const RUN_ORDER: readonly SectionName[] = [
  "admission",
  "merge",
  "take",
  "devices",
  "replay",
  "live-pods",
  "startup",
];

/** Runs the sections; one that throws is reported and left out, and the others still run. */
function runSections(only: readonly SectionName[], opts: BenchOptions) {
  const sections: BenchSections = {};
  const seconds: Partial<Record<SectionName, number>> = {};
  const failed: string[] = [];
  for (const name of RUN_ORDER) {
    if (!only.includes(name)) continue;
    const t0 = performance.now();
    const run = RUNNERS[name] as (o: BenchOptions) => unknown;
    try {
      (sections as Record<SectionName, unknown>)[name] = run(opts);
    } catch (err) {
      failed.push(`${name}: ${(err as Error).message}`);
      process.stderr.write(`bench: ${name} failed: ${(err as Error).message}\n`);
      continue;
    }
    seconds[name] = Number(((performance.now() - t0) / 1000).toFixed(1));
    // Progress on stderr, so that a long run shows it is alive and --json stays clean.
    process.stderr.write(`bench: ${name} done in ${seconds[name]} s\n`);
  }
  return { sections, seconds, failed };
}

function main(argv: string[]): number {
  if (argv.includes("--help") || argv.includes("-h")) {
    console.log(USAGE);
    return 0;
  }
  let args: Args;
  try {
    args = parseArgs(argv);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    console.error(`bench: ${err.message}\n${USAGE}`);
    return 2;
  }
  const out = args.out ?? (args.quick ? null : DEFAULT_OUT);
  let previous: BenchResults | null = null;
  try {
    // Read before measuring: a broken file is reported now, not after ten minutes of work.
    if (out && args.only.length < SECTION_NAMES.length) previous = readBenchResults(out);
  } catch (err) {
    if (!(err instanceof BenchResultsError)) throw err;
    console.error(`bench: ${err.message}`);
    return 2;
  }
  const machine = describeMachine(args.note);
  const started = performance.now();
  const { sections: measured, seconds, failed } = runSections(args.only, { quick: args.quick });
  const results: BenchResults = {
    schema: 1,
    machine,
    quick: args.quick,
    totalSeconds: Number(((performance.now() - started) / 1000).toFixed(1)),
    sectionSeconds: {
      ...(previous && previous.quick === args.quick ? previous.sectionSeconds : {}),
      ...seconds,
    },
    // Sections not run this time stay as they were, from the same kind of run only.
    sections: { ...(previous && previous.quick === args.quick ? previous.sections : {}), ...measured },
  };
  if (out) {
    mkdirSync(dirname(out), { recursive: true });
    writeWhole(out, `${JSON.stringify(results, null, 2)}\n`);
  }
  const shown: BenchResults = { ...results, sections: measured, sectionSeconds: seconds };
  console.log(args.json ? JSON.stringify(shown, null, 2) : terminalReport(shown));
  if (args.readme && out) {
    try {
      updateReadme(out, resolve(ROOT, "README.md"));
    } catch (err) {
      if (!(err instanceof BenchResultsError)) throw err;
      console.error(`bench: ${err.message}`);
      return 2;
    }
  }
  const mismatch = measured.merge?.some((m) => m.mismatch) ?? false;
  const startupFailed = measured.startup?.notRun !== undefined;
  for (const f of failed) console.error(`bench: section ${f}`);
  return mismatch || startupFailed || failed.length > 0 ? 1 : 0;
}

process.exitCode = main(process.argv.slice(2));
