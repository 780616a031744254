import { amountText, requestLabel } from "../node/index.js";
import type { DeviceFitDoc, ExplainDoc, RequestFitDoc } from "./explain-doc.js";
import { renderTable } from "./table.js";
import { formatBytes } from "./units.js";

/*
 * The parts of `podpin explain -o table` about a rejection: what refused the pod and the fix, and
 * "what would fit now" (the free resources per NUMA node, and each request changed alone with the
 * nearest values the node admits).
 */

const indent = (text: string, by = "  ") =>
  text
    .split("\n")
    .map((l) => (l ? by + l : l))
    .join("\n");

/** `cause:`, `fix:` and `see:` under the verdict. */
export function rejectionLines(doc: ExplainDoc): string[] {
  const r = doc.rejection;
  if (!r) return [];
  return [
    `  cause:   ${r.text}`,
    ...(r.fix ? [`  fix:     ${r.fix}`] : []),
    ...(r.reference ? [`  see:     ${r.reference}`] : []),
  ];
}

function deviceFitText(f: DeviceFitDoc | undefined): string {
  if (!f || f.total === 0) return "-";
  return `${f.free}/${f.total}${f.unhealthy > 0 ? ` (${f.unhealthy} unhealthy)` : ""}`;
}

function amount(r: RequestFitDoc, v: number | string | null): string {
  return v === null ? "none" : amountText(BigInt(v), r.unit);
}

function requestLines(doc: ExplainDoc): string[] {
  const f = doc.fit;
  if (!f) return [];
  if (f.requests.length === 0)
    return doc.rejection?.rule === "predicate"
      ? [`  no request size changes this verdict (${doc.rejection.name})`]
      : [];
  const unitOf = (resource: string) => (resource === "cpu" ? "millicores" : "bytes");
  const label = (r: RequestFitDoc) => {
    const others = Object.entries(r.others).map(([k, v]) => `${k} ${amountText(BigInt(v), unitOf(k))}`);
    return others.length > 0 ? `${requestLabel(r)}, with ${others.join(" and ")}` : requestLabel(r);
  };
  const rows = f.requests.map((r) => [
    label(r),
    amount(r, r.requested),
    amount(r, r.below),
    amount(r, r.above),
  ]);
  const out = [
    "  each request changed alone, the nearest the node admits now (the engine's verdict on a copy of the node):",
    indent(renderTable(["REQUEST", "ASKED", "NEAREST BELOW", "NEAREST ABOVE"], rows), "    "),
  ];
  const cut = f.requests.filter((r) => !r.complete);
  if (cut.length > 0)
    out.push(
      `  the search stopped at its limit of trial admissions for ${cut.map((r) => requestLabel(r)).join(", ")}: the values shown are admitted, nearer ones may be too`,
    );
  return out;
}

/** `WHAT WOULD FIT NOW`: free resources per NUMA node, then the requests the node admits. */
export function fitLines(doc: ExplainDoc): string[] {
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
  out.push(...requestLines(doc));
  return out;
}
