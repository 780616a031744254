import type { HintData } from "../managers/topology/index.js";
import type { ExplainDoc } from "./explain-doc.js";
import type { SimulationDoc } from "./simulation-doc.js";
import { renderSimulationTable } from "./simulation-table.js";
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

/** `podpin explain -o table`: the verdict, each merge with its hints and candidates, notes, what fits. */
export function renderExplainText(doc: ExplainDoc): string {
  const d = doc.decision;
  const out: string[] = [];
  out.push(
    `${d.admitted ? "ADMITTED" : "REJECTED"}  ${d.pod.namespace}/${d.pod.name}  (topologyManagerPolicy ${doc.policy}, scope ${doc.scope}, path ${d.path}, kubelet ${doc.kubernetesVersion})`,
  );
  if (!d.admitted) out.push(`  reason:  ${d.reason}`, `  message: ${d.status}`);
  for (const m of doc.merges) {
    out.push("", `HINTS  ${m.container === null ? "for the whole pod" : `for container ${m.container}`}`);
    const rows: string[][] = [];
    for (const p of m.providers) {
      if (p.hints === null) rows.push([p.provider, "-", "no preference"]);
      else if (Object.keys(p.hints).length === 0)
        rows.push([p.provider, "-", "no preference (empty answer)"]);
      else for (const [r, hints] of Object.entries(p.hints)) rows.push([p.provider, r, hintsText(hints)]);
    }
    out.push(indent(renderTable(["PROVIDER", "RESOURCE", "HINTS"], rows)));
    if (m.candidatesTruncated) out.push("  candidates: too many permutations to list");
    else if (m.candidates.length > 0)
      out.push(
        `  candidates: ${m.candidates
          .map((c) => `${c.winner ? "*" : ""}{${c.numaNodes.join(",")}}${c.preferred ? " preferred" : ""}`)
          .join("  ")}`,
      );
    out.push(`  merged: ${hintText(m.result)} -> ${m.admitted ? "admit" : "reject"}`, `  why:    ${m.why}`);
  }
  const failed = doc.allocations.filter((a) => a.error);
  for (const a of failed)
    out.push(
      "",
      `ALLOCATION FAILED  ${a.provider} ${a.call}${a.container ? ` for ${a.container}` : ""}: ${a.error?.message}${a.error?.reason ? ` (${a.error.reason})` : ""}`,
    );
  if (d.admitted) {
    const sim: SimulationDoc = {
      apiVersion: "podpin/v1",
      kind: "Simulation",
      kubernetesVersion: doc.kubernetesVersion,
      machine: { name: "", cpus: 0, sockets: 0, numaNodes: 0 },
      kubelet: {
        cpuManagerPolicy: "",
        memoryManagerPolicy: "",
        topologyManagerPolicy: doc.policy,
        topologyManagerScope: doc.scope,
        featureGates: {},
        reservedCpus: "",
      },
      steps: [d],
      node: { defaultCpuSet: d.defaultCpuSet, reservedCpus: "", numaNodes: [] },
      state: { cpuManagerCheckpoint: null, memoryManagerCheckpoint: null },
    };
    out.push(
      "",
      "DECISION",
      indent(renderSimulationTable(sim).split("\n\nNODE")[0].split("\n").slice(1).join("\n"), ""),
    );
  }
  if (doc.notes.length > 0) out.push("", "NOTES", ...doc.notes.map((n) => `  - ${n}`));
  if (doc.fit) {
    const f = doc.fit;
    out.push("", "WHAT WOULD FIT NOW");
    const resources = [...new Set(f.numaNodes.flatMap((n) => Object.keys(n.memory)))].sort();
    out.push(
      indent(
        renderTable(
          ["NUMA", "FREE CPUS", "FREE CPU LIST", ...resources.map((r) => `FREE ${r}`), "HELD BY"],
          f.numaNodes.map((n) => [
            String(n.id),
            String(n.freeCpus),
            n.freeCpuList || "-",
            ...resources.map((r) => (n.memory[r] ? formatBytes(BigInt(n.memory[r].free)) : "-")),
            n.holders.join(", ") || "-",
          ]),
        ),
      ),
    );
    if (f.wanted.length > 0)
      out.push(`  the providers preferred: ${f.wanted.map((w) => `{${w.join(",")}}`).join(" ")}`);
    out.push(
      `  largest CPU request a one-container Guaranteed pod with this memory would be admitted with now: ${f.largestCpus === null ? "none" : f.largestCpus}`,
      `  largest memory request a one-container Guaranteed pod with these CPUs would be admitted with now: ${f.largestMemoryBytes === null ? "none" : formatBytes(BigInt(f.largestMemoryBytes))}`,
    );
  }
  return `${out.join("\n")}\n`;
}
