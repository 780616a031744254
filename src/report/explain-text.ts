import type { HintData } from "../managers/topology/index.js";
import type { DeviceAllocationDoc } from "./device-doc.js";
import type { DeviceFitDoc, ExplainDoc } from "./explain-doc.js";
import {
  nodeDeviceIds,
  renderAdmitStep,
  type ShortIds,
  shortIdsOf,
  stepDeviceIds,
} from "./simulation-table.js";
import { predicateDetailLines, resourceFitTable } from "./predicate-text.js";
import { renderTable } from "./table.js";
import { formatBytes } from "./units.js";

function hintText(h: HintData): string {
  return `${h.numaNodes === null ? "any" : `{${h.numaNodes.join(",")}}`}${h.preferred ? " preferred" : ""}`;
}

function hintsText(hints: HintData[] | null): string {
  if (hints === null) return "no preference";
  if (hints.length === 0) return "[] (cannot be satisfied)";
  return hints.map(hintText).join("  ");
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

function deviceFitText(f: DeviceFitDoc | undefined): string {
  if (!f || f.total === 0) return "-";
  return `${f.free}/${f.total}${f.unhealthy > 0 ? ` (${f.unhealthy} unhealthy)` : ""}`;
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
    else for (const [r, hints] of Object.entries(p.hints)) rows.push([p.provider, r, hintsText(hints)]);
  }
  return rows;
}

function fitLines(doc: ExplainDoc): string[] {
  const f = doc.fit;
  if (!f) return [];
  const out = ["", "WHAT WOULD FIT NOW"];
  const resources = [...new Set(f.numaNodes.flatMap((n) => Object.keys(n.memory)))].sort();
  const devices = [
    ...new Set([...f.numaNodes.flatMap((n) => Object.keys(n.devices)), ...Object.keys(f.devicesWithoutNUMA)]),
  ].sort();
  const rows = f.numaNodes.map((n) => [
    String(n.id),
    String(n.freeCpus),
    n.freeCpuList || "-",
    ...resources.map((r) => (n.memory[r] ? formatBytes(BigInt(n.memory[r].free)) : "-")),
    ...devices.map((r) => deviceFitText(n.devices[r])),
    n.holders.join(", ") || "-",
  ]);
  if (Object.keys(f.devicesWithoutNUMA).length > 0) {
    const holders = [...new Set(Object.values(f.devicesWithoutNUMA).flatMap((x) => x.holders))];
    rows.push([
      "none",
      "-",
      "-",
      ...resources.map(() => "-"),
      ...devices.map((r) => deviceFitText(f.devicesWithoutNUMA[r])),
      holders.join(", ") || "-",
    ]);
  }
  out.push(
    indent(
      renderTable(
        [
          "NUMA",
          "FREE CPUS",
          "FREE CPU LIST",
          ...resources.map((r) => `FREE ${r}`),
          ...devices.map((r) => `FREE/ALL ${r}`),
          "HELD BY",
        ],
        rows,
      ),
    ),
  );
  if (Object.keys(f.devicesWithoutNUMA).length > 0)
    out.push(
      "  NUMA none: devices whose plugin reports no NUMA node (they never count toward a topology hint)",
    );
  if (f.wanted.length > 0)
    out.push(`  the providers preferred: ${f.wanted.map((w) => `{${w.join(",")}}`).join(" ")}`);
  const probe = Object.entries(f.probeDevices);
  const withDevices =
    probe.length > 0 ? ` and the pod's devices (${probe.map(([r, n]) => `${r} ${n}`).join(", ")})` : "";
  out.push(
    `  largest CPU request a one-container Guaranteed pod with this memory${withDevices} would be admitted with now: ${f.largestCpus === null ? "none" : f.largestCpus}`,
    `  largest memory request a one-container Guaranteed pod with these CPUs${withDevices} would be admitted with now: ${f.largestMemoryBytes === null ? "none" : formatBytes(BigInt(f.largestMemoryBytes))}`,
  );
  for (const [resource, n] of Object.entries(f.largestDevices ?? {}))
    out.push(
      `  largest ${resource} request this pod (its CPUs and memory unchanged) would be admitted with now: ${n === null ? "none" : n}`,
    );
  return out;
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

/** `podpin explain -o table`: the verdict, each merge with its hints and candidates, devices, notes, what fits. */
export function renderExplainText(doc: ExplainDoc): string {
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
      indent(renderAdmitStep(d, { devicesColumn, short }).split("\n").slice(1).join("\n"), ""),
    );
  } else if (d.warnings.length > 0) {
    out.push("", ...d.warnings.map((w) => `  warning: ${w}`));
  }
  out.push(...predicateLines(doc));
  if (doc.notes.length > 0) out.push("", "NOTES", ...doc.notes.map((n) => `  - ${n}`));
  out.push(...fitLines(doc));
  return `${out.join("\n")}\n`;
}
