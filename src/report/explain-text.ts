import type { HintData } from "../managers/topology/index.js";
import type { DeviceAllocationDoc } from "./device-doc.js";
import type { ExplainDoc } from "./explain-doc.js";
import { fitLines, rejectionLines } from "./explain-fit-text.js";
import {
  nodeDeviceIds,
  renderAdmitStep,
  type ShortIds,
  shortIdsOf,
  stepDeviceIds,
} from "./simulation-table.js";
import { predicateDetailLines, resourceFitTable } from "./predicate-text.js";
import { renderTable } from "./table.js";

function hintText(h: HintData): string {
  return `${h.numaNodes === null ? "any" : `{${h.numaNodes.join(",")}}`}${h.preferred ? " preferred" : ""}`;
}

function hintsText(hints: HintData[] | null, unlisted?: number | null): string {
  if (hints === null) return "no preference";
  if (hints.length === 0) return "[] (cannot be satisfied)";
  const listed = hints.map(hintText).join("  ");
  if (unlisted === undefined) return listed;
  const more =
    unlisted === null
      ? "more than can be counted"
      : Number.isSafeInteger(unlisted)
        ? `${unlisted.toLocaleString("en-US")} more`
        : `about ${unlisted.toPrecision(3)} more`;
  return `${listed}  … and ${more}`;
}

const indent = (text: string, by = "  ") =>
  text
    .split("\n")
    .map((l) => (l ? by + l : l))
    .join("\n");

/** Short ids over every device the document names (the node's, the decision's, the choices'). */
function shortIdsFor(doc: ExplainDoc): ShortIds {
  const ids = stepDeviceIds(doc.decision, nodeDeviceIds(doc.node));
  const calls = [
    ...doc.decision.deviceAllocations,
    ...(doc.decision.deferredDevices ?? []).flatMap((d) => d.devicesToAllocate),
  ];
  for (const c of calls) {
    const set = ids.get(c.resource) ?? new Set<string>();
    for (const id of [...(c.devices ?? []), ...(c.choose?.from ?? [])]) set.add(id);
    ids.set(c.resource, set);
  }
  return shortIdsOf(ids);
}

/** The kubelet's freedom in a choice: which of several equal candidates it takes is not fixed. */
function choiceNote(c: DeviceAllocationDoc, short: ShortIds): string {
  if (c.error !== null) return c.error;
  if (c.devices === null) return "already held (nothing to choose)";
  if (c.choose === null) return c.devices.length === 0 ? "nothing requested" : "";
  const from =
    c.choose.from.length <= 4
      ? c.choose.from.map((id) => short(c.resource, id)).join(" ")
      : `${c.choose.from.length} equal candidates`;
  return `a kubelet may take any ${c.choose.count} of ${from} (podpin takes the lowest ids)`;
}

function callsTable(calls: readonly DeviceAllocationDoc[], short: ShortIds): string {
  const rows = calls.map((c) => [
    c.container,
    c.resource,
    String(c.required),
    c.devices === null || c.devices.length === 0
      ? "-"
      : c.devices.map((id) => short(c.resource, id)).join(" "),
    choiceNote(c, short),
  ]);
  return indent(renderTable(["CONTAINER", "RESOURCE", "REQUIRED", "CHOSEN", "NOTE"], rows));
}

function providerRows(m: ExplainDoc["merges"][number]): string[][] {
  const rows: string[][] = [];
  for (const p of m.providers) {
    if (p.hints === null) rows.push([p.provider, "-", "no preference"]);
    else if (Object.keys(p.hints).length === 0)
      rows.push([
        p.provider,
        "-",
        p.provider === "device" ? "no device requests" : "no preference (empty answer)",
      ]);
    else
      for (const [r, hints] of Object.entries(p.hints))
        rows.push([p.provider, r, hintsText(hints, p.unlisted?.[r])]);
  }
  return rows;
}

/** The predicate admit handler's section: allocatable vs used vs requested, and its failures. */
function predicateLines(doc: ExplainDoc): string[] {
  const p = doc.predicate;
  const ran = doc.decision.predicate !== null;
  const verdict = !ran
    ? "predicate admit handler, not run: the Topology Manager refused first; what it would have found"
    : p.admitted
      ? "predicate admit handler: admits"
      : `predicate admit handler: rejects, ${doc.decision.reason}`;
  const out = ["", `NODE ALLOCATABLE  (${verdict})`];
  if (p.rejectedAt === "general-filter" || p.rejectedAt === "preemption" || p.admitted || !ran)
    out.push(indent(resourceFitTable(p)));
  const details = predicateDetailLines(p, doc.decision.preempted);
  out.push(...details.map((l) => `  ${l}`));
  return out;
}

export interface ExplainTextOptions {
  /**
   * Also what holds for most pods: the pod CPU quota the documentation describes beside the one the
   * kubelet sets (the document keeps it in `podCgroup.documentedCpuQuotaUs` either way).
   */
  verbose?: boolean;
}

/** The decision as the DECISION block shows it: without the documented quota unless verbose. */
function shownDecision(doc: ExplainDoc, verbose: boolean): ExplainDoc["decision"] {
  const d = doc.decision;
  if (verbose || d.podCgroup === null || d.podCgroup.documentedCpuQuotaUs === null) return d;
  return { ...d, podCgroup: { ...d.podCgroup, documentedCpuQuotaUs: null } };
}

/**
 * `podpin explain -o table`: the verdict and its cause, each merge with its hints and candidates,
 * devices, notes, what fits.
 */
export function renderExplainText(doc: ExplainDoc, opts: ExplainTextOptions = {}): string {
  const d = doc.decision;
  const short = shortIdsFor(doc);
  const out: string[] = [];
  out.push(
    `${d.admitted ? "ADMITTED" : "REJECTED"}  ${d.pod.namespace}/${d.pod.name}  (topologyManagerPolicy ${doc.policy}, scope ${doc.scope}, path ${d.path}, kubelet ${doc.kubernetesVersion})`,
  );
  if (!d.admitted)
    out.push(
      `  reason:  ${d.reason}`,
      `  message: ${d.status}`,
      `  by:      the ${d.rejectedBy === "predicate" ? "predicate admit handler (after the resource managers)" : "Topology Manager (the resource managers)"}`,
      ...rejectionLines(doc),
    );
  for (const m of doc.merges) {
    out.push("", `HINTS  ${m.container === null ? "for the whole pod" : `for container ${m.container}`}`);
    out.push(indent(renderTable(["PROVIDER", "RESOURCE", "HINTS"], providerRows(m))));
    if (m.candidatesTruncated) out.push("  candidates: too many permutations to list");
    else if (m.candidates.length > 0)
      out.push(
        `  candidates: ${m.candidates
          .map((c) => `${c.winner ? "*" : ""}{${c.numaNodes.join(",")}}${c.preferred ? " preferred" : ""}`)
          .join("  ")}`,
      );
    out.push(`  merged: ${hintText(m.result)} -> ${m.admitted ? "admit" : "reject"}`, `  why:    ${m.why}`);
  }
  for (const a of doc.allocations.filter((x) => x.error))
    out.push(
      "",
      `ALLOCATION FAILED  ${a.provider} ${a.call}${a.container ? ` for ${a.container}` : ""}: ${a.error?.message}${a.error?.reason ? ` (${a.error.reason})` : ""}`,
    );
  if (d.deviceAllocations.length > 0)
    out.push("", "DEVICE CHOICES AT ADMISSION", callsTable(d.deviceAllocations, short));
  const deferred = (d.deferredDevices ?? []).flatMap((x) => x.devicesToAllocate);
  const deferredErrors = (d.deferredDevices ?? []).filter(
    (x) => x.error !== null && x.devicesToAllocate.every((c) => c.error === null),
  );
  if (deferred.length > 0 || deferredErrors.length > 0) {
    out.push("", "DEVICES AT CONTAINER START  (pod-level path: nothing was reserved at admission)");
    if (deferred.length > 0) out.push(callsTable(deferred, short));
    for (const x of deferredErrors) out.push(`  ${x.container}: ${x.error}`);
  }
  if (doc.deviceErrors.length > 0) {
    out.push("", "DEVICE ERRORS");
    for (const e of doc.deviceErrors) {
      out.push(
        `  ${e.container} ${e.resource}${e.atContainerStart ? " (at container start)" : ""}: ${e.error}`,
      );
      if (e.explanation) out.push(`    ${e.explanation}`);
    }
  }
  if (d.admitted) {
    const devicesColumn = (doc.node?.deviceResources.length ?? 0) > 0;
    out.push(
      "",
      "DECISION",
      indent(
        renderAdmitStep(shownDecision(doc, opts.verbose ?? false), { devicesColumn, short })
          .split("\n")
          .slice(1)
          .join("\n"),
        "",
      ),
    );
  } else if (d.warnings.length > 0) {
    out.push("", ...d.warnings.map((w) => `  warning: ${w}`));
  }
  out.push(...predicateLines(doc));
  if (doc.notes.length > 0) out.push("", "NOTES", ...doc.notes.map((n) => `  - ${n}`));
  out.push(...fitLines(doc));
  return `${out.join("\n")}\n`;
}
