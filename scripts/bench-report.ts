import { machineLine } from "./bench-machine.js";
import type { BenchResults } from "./bench-results.js";
import {
  admissionPivot,
  admissionTable,
  deviceTable,
  livePodsTable,
  mergeTable,
  renderAligned,
  renderMarkdown,
  replayTable,
  startupTable,
  type Table,
  takeTable,
} from "./bench-tables.js";

/**
 * The whole report, section by section in a fixed order, with the same headings and captions in
 * the terminal and in the README; only the table drawing (and the admission table's layout) differ.
 */

interface Section {
  heading: string;
  caption: string;
  table: Table;
}

const ADMISSION_CAPTION =
  "One admission (`Node.admit`), the pod removed between samples, on the worked examples' kubelet " +
  "configuration (static CPU and Static memory managers). Pods: classic = one Guaranteed container " +
  "with 4 whole CPUs and 4Gi; pod-level = the KEP-5526 blog's tightly-coupled-database; spanning = " +
  "a Guaranteed pod 1.5 NUMA nodes' worth of CPUs and memory on machines with 2 CPU nodes, 2.5 " +
  "nodes' worth on the others (rejected under single-numa-node, as the kubelet does). Targets (p50): " +
  "≤ 25 µs at 2 NUMA nodes, ≤ 100 µs at 8, and for best-effort and restricted ≤ 0.5 ms at 16 and ≤ 1 ms at 64. " +
  "A machine's cells are sampled in turns, ten passes over all of them, so that a drift in the host's speed " +
  "weighs on every cell alike.";

function sections(results: BenchResults, forReadme: boolean): Section[] {
  const s = results.sections;
  const out: Section[] = [];
  if (s.admission)
    out.push({
      heading: "Admission",
      caption:
        ADMISSION_CAPTION +
        (forReadme
          ? " Each cell: p50 / p99, ✓ or ✗ against its target."
          : " vs baseline = p50 / the p50 of the 2-NUMA classic pod under none, same scope."),
      table: forReadme ? admissionPivot(s.admission) : admissionTable(s.admission),
    });
  if (s.merge)
    out.push({
      heading: "Hint merge alone",
      caption:
        "Two resources' hints merged three ways in one run: the implicit merge of the hint families " +
        "(what admission runs), the fast merge of the same families listed, and the kubelet's algorithm " +
        "(every combination of the lists, kubernetes/kubernetes#135541); ratios = p50 / implicit p50. " +
        "Merges under a millisecond are timed in batches (p99 of batch means).",
      table: mergeTable(s.merge),
    });
  if (s["live-pods"])
    out.push({
      heading: "Admission against live pods",
      caption:
        "A probe pod (one exclusive CPU and a shared container) admitted and removed on a node " +
        "holding few small pods and on one holding many (best-effort, container scope), the two " +
        "sampled in turns. Target: ratio ≤ 1.2.",
      table: livePodsTable(s["live-pods"]),
    });
  if (s.replay)
    out.push({
      heading: "Admit/remove replay",
      caption:
        "A seeded random mix of pod shapes (shared-pool, 1-4 exclusive CPUs, two exclusive containers, " +
        "a pod-level budget), admitted and removed so that a few hundred stay live; pods are built " +
        "before the clock starts. Target: ≥ 20,000 events/s.",
      table: replayTable(s.replay),
    });
  if (s.take)
    out.push({
      heading: "Take-by-topology",
      caption:
        "The CPU Manager's static-policy CPU pick on 512 CPUs, default options; fragmented = a seeded, " +
        "scattered 30% of the CPUs already taken. Target: p50 ≤ 20 µs.",
      table: takeTable(s.take),
    });
  if (s.startup)
    out.push({
      heading: "Start-up",
      caption:
        "The published command (bin/podpin.js on the built dist/), one process per sample, the " +
        "commands taking turns; vs node -e 0 = p50 / the p50 of `node -e 0` in the same run.",
      table: startupTable(s.startup),
    });
  if (s.devices && !forReadme)
    out.push({
      heading: "Device-heavy admission",
      caption:
        "8 NUMA nodes with one GPU each: the pod with its GPU against the same pod without it, same node.",
      table: deviceTable(s.devices),
    });
  return out;
}

export function terminalReport(results: BenchResults): string {
  const head = `podpin bench${results.quick ? " (--quick: smoke figures)" : ""} on ${machineLine(results.machine)}`;
  const body = sections(results, false).map((s) => `${s.heading}\n${s.caption}\n\n${renderAligned(s.table)}`);
  const perSection = Object.entries(results.sectionSeconds)
    .map(([name, s]) => `${name} ${s} s`)
    .join(", ");
  return [head, ...body, `total ${results.totalSeconds.toFixed(1)} s (${perSection})`].join("\n\n");
}

/** The Markdown that goes between the README's markers. */
export function readmeReport(results: BenchResults): string {
  const head = `Measured with \`npm run bench\`${results.quick ? " --quick (smoke figures)" : ""} on ${machineLine(results.machine)}.`;
  const body = sections(results, true).map(
    (s) => `**${s.heading}.** ${s.caption}\n\n${renderMarkdown(s.table)}`,
  );
  return [head, ...body].join("\n\n");
}
