import type { AdmissionRow } from "./bench-admission.js";
import type { DeviceAdmissionRow } from "./bench-devices.js";
import type { LivePodsRow } from "./bench-live-pods.js";
import type { MergeRow } from "./bench-merge.js";
import type { ReplayRow } from "./bench-replay.js";
import type { StartupResult } from "./bench-startup.js";
import { type Target, targetMark } from "./bench-targets.js";
import type { TakeRow } from "./bench-take.js";
import { formatCount, formatMs, formatRatio, type Timing } from "./bench-timing.js";

/**
 * Each section's results as a table of strings, drawn either as aligned text (the terminal) or
 * as Markdown (the README): one set of builders, so the two never disagree.
 */

export interface Table {
  header: string[];
  rows: string[][];
}

export function renderAligned(t: Table): string {
  const widths = t.header.map((h, i) => Math.max(h.length, ...t.rows.map((r) => r[i].length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]))
      .join("  ")
      .trimEnd();
  return [line(t.header), line(widths.map((w) => "-".repeat(w))), ...t.rows.map(line)].join("\n");
}

export function renderMarkdown(t: Table): string {
  const cellText = (c: string) => c.replaceAll("|", "\\|");
  const line = (cells: string[]) => `| ${cells.map(cellText).join(" | ")} |`;
  return [line(t.header), line(t.header.map(() => "---")), ...t.rows.map(line)].join("\n");
}

const mark = (t: Target | null) => targetMark(t);

export function admissionTable(rows: readonly AdmissionRow[]): Table {
  return {
    header: [
      "NUMA",
      "machine",
      "pod",
      "scope",
      "policy",
      "outcome",
      "p50",
      "p99",
      "runs",
      "vs baseline",
      "target",
    ],
    rows: rows.map((r) => [
      String(r.numaNodes),
      r.machine,
      r.pod,
      r.scope,
      r.policy,
      r.outcome,
      formatMs(r.timing.p50Ms),
      formatMs(r.timing.p99Ms),
      String(r.timing.runs),
      formatRatio(r.vsBaseline),
      mark(r.target),
    ]),
  };
}

/** The admission rows with one column per policy: "p50 / p99", the target mark, rejections named. */
export function admissionPivot(rows: readonly AdmissionRow[]): Table {
  const policies = [...new Set(rows.map((r) => r.policy))];
  const keys = [...new Set(rows.map((r) => `${r.machine}\u0000${r.pod}\u0000${r.scope}`))];
  return {
    header: ["NUMA nodes", "machine", "pod", "scope", ...policies],
    rows: keys.map((key) => {
      const [machine, pod, scope] = key.split("\u0000");
      const cells = rows.filter((r) => r.machine === machine && r.pod === pod && r.scope === scope);
      return [
        String(cells[0].numaNodes),
        machine,
        pod,
        scope,
        ...policies.map((policy) => {
          const r = cells.find((c) => c.policy === policy);
          if (!r) return "not run";
          const parts = [`${formatMs(r.timing.p50Ms)} / ${formatMs(r.timing.p99Ms)}`];
          if (r.target) parts.push(r.target.met ? "✓" : "✗");
          if (r.outcome !== "admitted") parts.push(`(${r.outcome})`);
          return parts.join(" ");
        }),
      ];
    }),
  };
}

const timingOrNot = (t: Timing | null, why: string | null) => (t ? formatMs(t.p50Ms) : (why ?? "not run"));

export function mergeTable(rows: readonly MergeRow[]): Table {
  const count = (n: number) => (Number.isSafeInteger(n) ? formatCount(n) : n.toPrecision(2));
  return {
    header: [
      "NUMA",
      "input",
      "hints/resource",
      "implicit p50",
      "p99",
      "lists (fast) p50",
      "fast/implicit",
      "kubelet algorithm p50",
      "kubelet/implicit",
    ],
    rows: rows.map((r) => [
      String(r.numaNodes),
      r.input,
      r.hintsPerSlot.map(count).join(" x "),
      formatMs(r.implicit.p50Ms),
      formatMs(r.implicit.p99Ms),
      timingOrNot(r.fast, r.fastSkipped),
      r.mismatch ? "RESULTS DIFFER" : r.fast ? formatRatio(r.fastOverImplicit) : "-",
      timingOrNot(r.reference, r.referenceSkipped),
      r.mismatch ? "RESULTS DIFFER" : r.reference ? formatRatio(r.referenceOverImplicit) : "-",
    ]),
  };
}

export function livePodsTable(rows: readonly LivePodsRow[]): Table {
  return {
    header: [
      "machine",
      "live pods",
      "p50",
      "p99",
      "runs",
      "live pods",
      "p50",
      "p99",
      "runs",
      "ratio of p50s",
      "target",
    ],
    rows: rows.map((r) => [
      r.machine,
      formatCount(r.fewPods),
      formatMs(r.few.p50Ms),
      formatMs(r.few.p99Ms),
      String(r.few.runs),
      r.manyPods < r.manyPodsWanted
        ? `${formatCount(r.manyPods)} (fill budget; ${formatCount(r.manyPodsWanted)} asked)`
        : formatCount(r.manyPods),
      formatMs(r.many.p50Ms),
      formatMs(r.many.p99Ms),
      String(r.many.runs),
      formatRatio(r.ratio),
      mark(r.target),
    ]),
  };
}

export function replayTable(r: ReplayRow): Table {
  return {
    header: [
      "machine",
      "policy",
      "events",
      "admits",
      "rejected",
      "removes",
      "most live",
      "time",
      "events/s",
      "vs target",
      "target",
    ],
    rows: [
      [
        r.machine,
        r.policy,
        formatCount(r.events),
        formatCount(r.admits),
        formatCount(r.rejected),
        formatCount(r.removes),
        formatCount(r.maxLive),
        `${r.seconds.toFixed(1)} s`,
        formatCount(r.eventsPerSecond),
        formatRatio(r.vsTarget),
        mark(r.target),
      ],
    ],
  };
}

export function takeTable(rows: readonly TakeRow[]): Table {
  return {
    header: ["machine", "CPUs taken", "from", "p50", "p99", "runs", "target"],
    rows: rows.map((r) => [
      r.machine,
      String(r.cpus),
      `${r.available} (${r.availableCPUs} free)`,
      formatMs(r.timing.p50Ms),
      formatMs(r.timing.p99Ms),
      String(r.timing.runs),
      mark(r.target),
    ]),
  };
}

export function startupTable(result: StartupResult): Table {
  if (result.notRun) return { header: ["start-up"], rows: [[`not run: ${result.notRun}`]] };
  return {
    header: ["command", "p50", "slowest", "runs", "vs node -e 0", "target"],
    rows: result.rows.map((r) => [
      r.command,
      formatMs(r.p50Ms),
      formatMs(r.p99Ms),
      String(r.runs),
      formatRatio(r.ratio),
      r.target === null ? "" : `${r.met ? "✓" : "✗"} ≤ ${formatRatio(r.target)}`,
    ]),
  };
}

export function deviceTable(rows: readonly DeviceAdmissionRow[]): Table {
  return {
    header: ["machine", "pod", "policy", "with GPU p50", "p99", "CPU-only p50", "p99", "GPU/CPU-only"],
    rows: rows.map((r) => [
      r.machine,
      r.pod,
      r.policy,
      formatMs(r.withDevices.p50Ms),
      formatMs(r.withDevices.p99Ms),
      formatMs(r.cpuOnly.p50Ms),
      formatMs(r.cpuOnly.p99Ms),
      formatRatio(r.ratio),
    ]),
  };
}
