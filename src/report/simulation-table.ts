import type { AdmitStepDoc, BlockDoc, NUMANodeDoc, SimulationDoc } from "./simulation-doc.js";
import { renderKeyValues, renderTable } from "./table.js";
import { formatBytes } from "./units.js";

function size(v: number | string): string {
  return formatBytes(BigInt(v));
}

function blocksText(blocks: readonly BlockDoc[] | null): string {
  if (!blocks || blocks.length === 0) return "-";
  return blocks
    .map((b) => `${b.type === "memory" ? "" : `${b.type} `}${size(b.size)} @${b.numaAffinity.join(",")}`)
    .join(", ");
}

function quotaText(q: number | null): string {
  if (q === null) return "-";
  return q < 0 ? "max (-1)" : String(q);
}

const ASSIGNMENT_LABEL: Record<string, string> = {
  node_exclusive: "node exclusive",
  pod_exclusive: "pod exclusive",
  pod_shared: "pod shared",
  node_shared: "node shared",
};

function admitText(s: AdmitStepDoc): string {
  const who = `${s.pod.namespace}/${s.pod.name}`;
  if (!s.admitted) {
    const lines = [`REJECTED  ${who}  reason=${s.reason}`, `  ${s.status}`];
    if (s.leftoverState)
      lines.push("  (state left behind by an earlier provider is reclaimed at the next admission)");
    return lines.join("\n");
  }
  const lines = [
    `ADMITTED  ${who}  (${s.path === "pod-level" ? "pod scope, pod-level resources" : `${s.path} scope`})`,
  ];
  const rows = (s.containers ?? []).map((c) => [
    c.name,
    c.kind,
    ASSIGNMENT_LABEL[c.assignmentType] ?? c.assignmentType,
    c.nodeSharedPool ? `${c.cpus} (node shared pool)` : c.cpus,
    c.numaAffinity === null ? "any" : c.numaAffinity.join(","),
    c.cpusetMems ?? "-",
    blocksText(c.memory),
    quotaText(c.cfsQuotaUs),
  ]);
  lines.push(
    renderTable(["CONTAINER", "KIND", "ASSIGNMENT", "CPUS", "NUMA", "MEMS", "MEMORY", "CFS QUOTA"], rows)
      .split("\n")
      .map((l) => `  ${l}`)
      .join("\n"),
  );
  const pod: [string, string][] = [];
  if (s.bubble !== null)
    pod.push(["pod bubble", s.bubble || "-"], ["pod shared pool", s.podSharedPool || "- (empty)"]);
  if (s.podMemory) pod.push(["pod memory", blocksText(s.podMemory)]);
  if (s.podCgroup) {
    const c = s.podCgroup;
    let quota =
      c.cpuQuotaUs === null ? "-" : c.cpuQuotaUs < 0 ? "max (-1)" : `${c.cpuQuotaUs} per ${c.cpuPeriodUs} us`;
    if (c.documentedCpuQuotaUs !== null)
      quota += `  (the documentation describes ${c.documentedCpuQuotaUs} per ${c.cpuPeriodUs} us; the kubelet sets the value shown)`;
    pod.push(["pod cpu quota", quota]);
    pod.push(["pod memory limit", c.memoryLimitBytes === null ? "-" : size(c.memoryLimitBytes)]);
  }
  if (pod.length > 0)
    lines.push(
      renderKeyValues(pod)
        .split("\n")
        .map((l) => `  ${l}`)
        .join("\n"),
    );
  return lines.join("\n");
}

function memoryColumn(n: NUMANodeDoc, resource: string): string {
  const t = n.memory?.[resource];
  return t ? `${size(t.free)} / ${size(t.allocatable)}` : "-";
}

/** The node after the run: per NUMA node its CPUs, free CPUs and free/allocatable memory. */
export function renderNodeTable(doc: SimulationDoc): string {
  const resources = [...new Set(doc.node.numaNodes.flatMap((n) => Object.keys(n.memory ?? {})))].sort();
  const header = ["NUMA", "CPUS", "FREE CPUS", ...resources.map((r) => `FREE/ALLOCATABLE ${r}`)];
  const rows = doc.node.numaNodes.map((n) => [
    String(n.id),
    n.cpus || "-",
    n.freeCpus || "-",
    ...resources.map((r) => memoryColumn(n, r)),
  ]);
  return [
    `NODE  ${doc.machine.name}: default CPU set ${doc.node.defaultCpuSet || "-"}, reserved ${doc.node.reservedCpus || "-"}`,
    renderTable(header, rows)
      .split("\n")
      .map((l) => `  ${l}`)
      .join("\n"),
  ].join("\n");
}

/** `podpin simulate -o table`: each step, then the node. */
export function renderSimulationTable(doc: SimulationDoc): string {
  const parts: string[] = [];
  for (const s of doc.steps) {
    if (s.op === "admit") parts.push(admitText(s));
    else
      parts.push(
        s.removed
          ? `REMOVED   ${s.pod.namespace}/${s.pod.name}  (default CPU set now ${s.defaultCpuSet})`
          : `NOT REMOVED  ${s.target}: no admitted pod has that uid or name`,
      );
  }
  parts.push(renderNodeTable(doc));
  return `${parts.join("\n\n")}\n`;
}
