import { availableParallelism } from "node:os";
import { performance } from "node:perf_hooks";
import { type AdmissionRow, benchAdmissions } from "./bench-admission.js";
import { benchDeviceAdmissions, type DeviceAdmissionRow } from "./bench-devices.js";
import { benchLivePods, type LivePodsRow, type WidePodRow } from "./bench-live-pods.js";
import { benchMerges, type MergeRow } from "./bench-merge.js";
import { benchStartup, type StartupResult } from "./bench-startup.js";
import { formatMs, formatRatio } from "./bench-timing.js";

/**
 * `npm run bench [-- --json]`: admission latency of the Node engine on machines of growing NUMA
 * count, and the hint merge alone (reference enumeration against the fast merge). Every figure
 * comes with a ratio against a baseline measured in the same run.
 */

const USAGE = `usage: npm run bench [-- --json] [-- --startup]
  --json      print the results as JSON instead of tables
  --startup   measure the command's start-up only`;

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]))
      .join("  ")
      .trimEnd();
  return [line(header), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n");
}

function admissionTable(rows: AdmissionRow[]): string {
  return table(
    ["NUMA", "machine", "pod", "policy", "median", "p95", "runs", "vs 2-NUMA", "ref median", "ref/fast"],
    rows.map((r) => [
      String(r.numaNodes),
      r.machine,
      r.pod,
      r.policy,
      r.timing ? formatMs(r.timing.medianMs) : "not run",
      r.timing ? formatMs(r.timing.p95Ms) : "",
      r.timing ? String(r.timing.runs) : "",
      r.timing ? formatRatio(r.vsBaseline) : (r.skipped ?? ""),
      r.reference ? formatMs(r.reference.medianMs) : r.timing ? "not run" : "",
      r.mismatch
        ? "RESULTS DIFFER"
        : r.reference
          ? formatRatio(r.referenceOverFast)
          : (r.referenceSkipped ?? ""),
    ]),
  );
}

function deviceTable(rows: DeviceAdmissionRow[]): string {
  return table(
    ["machine", "pod", "policy", "with GPU median", "p95", "CPU-only median", "p95", "GPU/CPU-only"],
    rows.map((r) => [
      r.machine,
      r.pod,
      r.policy,
      formatMs(r.withDevices.medianMs),
      formatMs(r.withDevices.p95Ms),
      formatMs(r.cpuOnly.medianMs),
      formatMs(r.cpuOnly.p95Ms),
      formatRatio(r.ratio),
    ]),
  );
}

function mergeTable(rows: MergeRow[]): string {
  const count = (n: number) => (Number.isSafeInteger(n) ? String(n) : n.toPrecision(2));
  return table(
    [
      "NUMA",
      "input",
      "hints/resource",
      "implicit median",
      "p95",
      "lists (fast) median",
      "fast/implicit",
      "kubelet algorithm median",
      "kubelet/implicit",
    ],
    rows.map((r) => [
      String(r.numaNodes),
      r.input,
      r.hintsPerSlot.map(count).join(" x "),
      formatMs(r.implicit.medianMs),
      formatMs(r.implicit.p95Ms),
      r.fast ? formatMs(r.fast.medianMs) : "not run",
      r.mismatch ? "RESULTS DIFFER" : r.fast ? formatRatio(r.fastOverImplicit) : (r.fastSkipped ?? ""),
      r.reference ? formatMs(r.reference.medianMs) : "not run",
      r.mismatch
        ? "RESULTS DIFFER"
        : r.reference
          ? formatRatio(r.referenceOverImplicit)
          : (r.referenceSkipped ?? ""),
    ]),
  );
}

function livePodsTable(rows: LivePodsRow[]): string {
  return table(
    [
      "machine",
      "live pods",
      "first 100 mean",
      "last 100 mean",
      "last/first",
      "first 100 median",
      "last 100 median",
      "last/first",
      "total",
    ],
    rows.map((r) => [
      r.machine,
      String(r.pods),
      formatMs(r.first100Ms),
      formatMs(r.last100Ms),
      formatRatio(r.ratio),
      formatMs(r.first100MedianMs),
      formatMs(r.last100MedianMs),
      formatRatio(r.medianRatio),
      `${r.totalSeconds.toFixed(1)} s`,
    ]),
  );
}

function widePodTable(rows: WidePodRow[]): string {
  return table(
    ["machine", "containers in the pod", "admission"],
    rows.map((r) => [r.machine, String(r.containers), formatMs(r.ms)]),
  );
}

function startupTable(result: StartupResult): string {
  if (result.notRun) return `not run: ${result.notRun}`;
  return table(
    ["command", "median", "p95", "runs", "vs node -e 0", "target", ""],
    result.rows.map((r) => [
      r.command,
      formatMs(r.medianMs),
      formatMs(r.p95Ms),
      String(r.runs),
      formatRatio(r.ratio),
      r.target === null ? "" : `<= ${formatRatio(r.target)}`,
      r.met === null ? "" : r.met ? "met" : "NOT MET",
    ]),
  );
}

const STARTUP_HEADING = [
  "Start-up of the published command (bin/podpin.js on dist/, built first), one process per sample,",
  "the commands taking turns; vs node -e 0 = median / the median of node -e 0 in the same run.\n",
];

function main(argv: string[]): number {
  if (argv.includes("--help") || argv.includes("-h")) {
    console.log(USAGE);
    return 0;
  }
  const unknown = argv.filter((a) => a !== "--json" && a !== "--startup");
  if (unknown.length > 0) {
    console.error(`unknown argument ${unknown[0]}\n${USAGE}`);
    return 2;
  }
  const json = argv.includes("--json");
  const started = performance.now();
  const startup = benchStartup();
  if (argv.includes("--startup")) {
    if (json) console.log(JSON.stringify({ startup }, null, 2));
    else console.log([...STARTUP_HEADING, startupTable(startup)].join("\n"));
    return startup.notRun ? 1 : 0;
  }
  const admissions = benchAdmissions();
  const merges = benchMerges();
  const devices = benchDeviceAdmissions();
  const { livePods, widePods } = benchLivePods();
  const environment = {
    node: process.version,
    platform: `${process.platform}/${process.arch}`,
    cpus: availableParallelism(),
    totalSeconds: Number(((performance.now() - started) / 1000).toFixed(1)),
  };
  if (json) {
    console.log(
      JSON.stringify({ environment, startup, admissions, merges, devices, livePods, widePods }, null, 2),
    );
  } else {
    console.log(`podpin bench (${environment.node}, ${environment.platform}, ${environment.cpus} CPUs)\n`);
    console.log([...STARTUP_HEADING, startupTable(startup), ""].join("\n"));
    console.log(
      "One admission (admit only, the pod removed between samples); vs 2-NUMA = median / the 2-NUMA median",
    );
    console.log(
      "of the same pod and policy; ref/fast = median with the reference hint generation / median.\n",
    );
    console.log(admissionTable(admissions));
    console.log(
      "\nThe hint merge alone, two resources: the implicit merge of the hint families, the fast merge of the",
    );
    console.log(
      "same families listed, and the kubelet's algorithm (every permutation); ratios = median / implicit median.\n",
    );
    console.log(mergeTable(merges));
    console.log(
      "\nA device-heavy admission (8 NUMA nodes, one GPU each): the pod with its GPU against the same pod",
    );
    console.log("without it on the same node; GPU/CPU-only = the ratio of the medians.\n");
    console.log(deviceTable(devices));
    console.log(
      "\nAdmission cost vs live pods: 5,000 pods admitted in a row, every manager on; last/first = the mean",
    );
    console.log("of the last 100 admissions / the mean of the first 100 (flat: about 1 or below).\n");
    console.log(livePodsTable(livePods));
    console.log("\nOne pod with many containers, admitted alone (container scope).\n");
    console.log(widePodTable(widePods));
    console.log(`\ntotal ${environment.totalSeconds} s`);
  }
  return merges.some((m) => m.mismatch) || admissions.some((a) => a.mismatch) ? 1 : 0;
}

process.exitCode = main(process.argv.slice(2));
