import type { DevicePoolDoc, UpdateDevicesStepDoc } from "./device-doc.js";
import { formatHeldDevices, plural, shortDeviceIds } from "./device-text.js";
import type {
  AdmitStepDoc,
  BlockDoc,
  NodeDoc,
  NUMANodeDoc,
  RemoveStepDoc,
  SimulationDoc,
} from "./simulation-doc.js";
import {
  nodeAllocatableTable,
  PREDICATE_LEFTOVER_NOTE,
  predicateDetailLines,
  resourceFitTable,
} from "./predicate-text.js";
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

const indentLines = (text: string): string =>
  text
    .split("\n")
    .map((l) => `  ${l}`)
    .join("\n");

/** Short device ids for one document: each unique among the ids of its resource the document knows. */
export type ShortIds = (resource: string, id: string) => string;

/** Short ids over every device id a document names, per resource. */
export function shortIdsOf(idsByResource: ReadonlyMap<string, Iterable<string>>): ShortIds {
  const maps = new Map([...idsByResource].map(([r, ids]) => [r, shortDeviceIds(ids)]));
  return (resource, id) => maps.get(resource)?.get(id) ?? id;
}

function addIds(into: Map<string, Set<string>>, resource: string, ids: Iterable<string>): void {
  let set = into.get(resource);
  if (!set) into.set(resource, (set = new Set()));
  for (const id of ids) set.add(id);
}

/** Every device id of the node section (every device the plugins list, any health, and those in use). */
export function nodeDeviceIds(
  node: NodeDoc | null,
  into = new Map<string, Set<string>>(),
): Map<string, Set<string>> {
  if (!node) return into;
  const pools = [...node.numaNodes.map((n) => n.devices), node.devicesWithoutNUMA];
  for (const p of pools) for (const [r, pool] of Object.entries(p)) addIds(into, r, pool.devices);
  for (const [r, ids] of Object.entries(node.devicesInUse)) addIds(into, r, ids);
  return into;
}

/** Every device id an admit step names. */
export function stepDeviceIds(
  s: AdmitStepDoc,
  into = new Map<string, Set<string>>(),
): Map<string, Set<string>> {
  for (const c of s.containers ?? [])
    for (const a of c.devices)
      addIds(
        into,
        a.resource,
        a.devices.map((d) => d.id),
      );
  return into;
}

export interface AdmitTextOptions {
  /** Show the DEVICES column (the machine has devices, or some container holds some). */
  devicesColumn: boolean;
  short: ShortIds;
}

function devicesCell(c: NonNullable<AdmitStepDoc["containers"]>[number], short: ShortIds): string {
  const held = formatHeldDevices(c.devices, short);
  return c.deviceError === null ? held : `${held} (failed at container start)`;
}

/** The pod-level path's deferred device choice, when the pod asks for any device. */
function deferredLines(s: AdmitStepDoc): string[] {
  const d = s.deferredDevices;
  if (d === null || !d.some((x) => x.error !== null || x.devicesToAllocate.length > 0)) return [];
  const lines = [
    "devices: chosen at container start, not reserved at admission (pod-level resources: the device hints join the pod's NUMA choice, but nothing is reserved until each container is created; only the stored pod hint aligns them)",
  ];
  for (const x of d)
    if (x.error !== null) lines.push(`devices for ${x.container} at container start failed: ${x.error}`);
  return lines;
}

/** One admit step: the verdict line, the containers, the pod-level results, device notes and warnings. */
export function renderAdmitStep(s: AdmitStepDoc, opts: AdmitTextOptions): string {
  const who = `${s.pod.namespace}/${s.pod.name}`;
  const warnings = s.warnings.map((w) => `  warning: ${w}`);
  if (!s.admitted) {
    const lines = [`REJECTED  ${who}  reason=${s.reason}`, `  ${s.status}`];
    lines.push(
      s.rejectedBy === "predicate"
        ? "  rejected by: the predicate admit handler (node allocatable and the general predicates), which runs after the Topology Manager admitted the pod"
        : "  rejected by: the Topology Manager admit handler (the resource managers)",
    );
    if (s.rejectedBy === "predicate" && s.predicate) {
      lines.push(...predicateDetailLines(s.predicate).map((l) => `  ${l}`));
      if (s.predicate.rejectedAt === "general-filter" || s.predicate.rejectedAt === "preemption")
        lines.push(indentLines(resourceFitTable(s.predicate)));
      if (s.leftoverState) lines.push(`  (${PREDICATE_LEFTOVER_NOTE})`);
    } else if (s.leftoverState)
      lines.push("  (state left behind by an earlier provider is reclaimed at the next admission)");
    return [...lines, ...warnings].join("\n");
  }
  const lines = [
    `ADMITTED  ${who}  (${s.path === "pod-level" ? "pod scope, pod-level resources" : `${s.path} scope`})`,
  ];
  const containers = s.containers ?? [];
  const withDevices =
    opts.devicesColumn || containers.some((c) => c.devices.length > 0 || c.deviceError !== null);
  const rows = containers.map((c) => [
    c.name,
    c.kind,
    ASSIGNMENT_LABEL[c.assignmentType] ?? c.assignmentType,
    c.nodeSharedPool ? `${c.cpus} (node shared pool)` : c.cpus,
    c.numaAffinity === null ? "any" : c.numaAffinity.join(","),
    c.cpusetMems ?? "-",
    blocksText(c.memory),
    ...(withDevices ? [devicesCell(c, opts.short)] : []),
    quotaText(c.cfsQuotaUs),
  ]);
  const header = ["CONTAINER", "KIND", "ASSIGNMENT", "CPUS", "NUMA", "MEMS", "MEMORY"];
  if (withDevices) header.push("DEVICES");
  header.push("CFS QUOTA");
  lines.push(indentLines(renderTable(header, rows)));
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
  if (pod.length > 0) lines.push(indentLines(renderKeyValues(pod)));
  lines.push(...deferredLines(s).map((l) => `  ${l}`));
  if (s.predicate && s.preempted.length > 0)
    lines.push(...predicateDetailLines(s.predicate, s.preempted).map((l) => `  ${l}`));
  lines.push(...warnings);
  return lines.join("\n");
}

function removeText(s: RemoveStepDoc, short: ShortIds): string {
  if (!s.removed) return `NOT REMOVED  ${s.target}: no admitted pod has that uid or name`;
  const lines = [`REMOVED   ${s.pod.namespace}/${s.pod.name}  (default CPU set now ${s.defaultCpuSet})`];
  const pending = Object.entries(s.devicesPendingRelease).filter(([, ids]) => ids.length > 0);
  if (pending.length > 0)
    lines.push(
      `  its devices stay in use until the Device Manager's next purge (the next hint request or device allocation): ${pending
        .map(([r, ids]) => `${r} ${ids.map((id) => short(r, id)).join(" ")}`)
        .join(", ")}`,
    );
  return lines.join("\n");
}

function holderText(h: UpdateDevicesStepDoc["unhealthyHeld"][number]["holders"][number]): string {
  return `${h.pod.namespace ? `${h.pod.namespace}/` : ""}${h.pod.name} (${h.container})${h.admitted ? "" : " [no longer admitted]"}`;
}

function updateText(s: UpdateDevicesStepDoc, short: ShortIds): string {
  const unhealthy = s.devices.filter((d) => !d.healthy);
  const lines = [
    `DEVICES   ${s.resource}: the plugin now lists ${plural(s.devices.length, "device")}, ${s.allocatable} healthy${
      unhealthy.length > 0 ? `, unhealthy: ${unhealthy.map((d) => short(s.resource, d.id)).join(" ")}` : ""
    }; ${s.allocatedDevices.length} in use`,
  ];
  for (const u of s.unhealthyHeld)
    lines.push(
      `  ${short(s.resource, u.id)} is unhealthy and still held by ${u.holders.map(holderText).join(", ")}: the kubelet takes no device back; the health is checked when a container is allocated again`,
    );
  return lines.join("\n");
}

function memoryColumn(n: NUMANodeDoc, resource: string): string {
  const t = n.memory?.[resource];
  return t ? `${size(t.free)} / ${size(t.allocatable)}` : "-";
}

function poolColumn(pool: DevicePoolDoc | undefined): string {
  if (!pool || pool.devices.length === 0) return "-";
  const bad = pool.unhealthy.length > 0 ? ` (${pool.unhealthy.length} unhealthy)` : "";
  return `${pool.free.length} / ${pool.devices.length}${bad}`;
}

/** Devices in use whose every holder is gone (or that no record holds): released at the next purge. */
function staleDevices(node: NodeDoc, short: ShortIds): string[] {
  const out = new Map<string, Set<string>>();
  for (const p of [...node.numaNodes.map((n) => n.devices), node.devicesWithoutNUMA])
    for (const [r, pool] of Object.entries(p))
      for (const h of pool.held) if (h.holders.every((x) => !x.admitted)) addIds(out, r, [h.id]);
  return [...out].map(([r, ids]) => `${r} ${[...ids].map((id) => short(r, id)).join(" ")}`);
}

/** The node after the run: per NUMA node its CPUs, free CPUs, free/allocatable memory and free/total devices. */
export function renderNodeTable(doc: SimulationDoc): string {
  const node = doc.node;
  const short = shortIdsOf(nodeDeviceIds(node));
  const resources = [...new Set(node.numaNodes.flatMap((n) => Object.keys(n.memory ?? {})))].sort();
  const devices = node.deviceResources.map((r) => r.resource);
  const header = [
    "NUMA",
    "CPUS",
    "FREE CPUS",
    ...resources.map((r) => `FREE/ALLOCATABLE ${r}`),
    ...devices.map((r) => `FREE/TOTAL ${r}`),
  ];
  const rows = node.numaNodes.map((n) => [
    String(n.id),
    n.cpus || "-",
    n.freeCpus || "-",
    ...resources.map((r) => memoryColumn(n, r)),
    ...devices.map((r) => poolColumn(n.devices[r])),
  ]);
  if (Object.keys(node.devicesWithoutNUMA).length > 0)
    rows.push([
      "none",
      "-",
      "-",
      ...resources.map(() => "-"),
      ...devices.map((r) => poolColumn(node.devicesWithoutNUMA[r])),
    ]);
  const lines = [
    `NODE  ${doc.machine.name}: default CPU set ${node.defaultCpuSet || "-"}, reserved ${node.reservedCpus || "-"}`,
    indentLines(renderTable(header, rows)),
  ];
  if (Object.keys(node.devicesWithoutNUMA).length > 0)
    lines.push(
      "  NUMA none: devices whose plugin reports no NUMA node (they never count toward a topology hint)",
    );
  const stale = staleDevices(node, short);
  if (stale.length > 0)
    lines.push(
      `  in use by pods no longer admitted, released at the Device Manager's next purge: ${stale.join(", ")}`,
    );
  const a = node.allocatable;
  lines.push(`  node allocatable (node object ${a.name}, what the predicate admit handler checks):`);
  lines.push(indentLines(indentLines(nodeAllocatableTable(a))));
  if (!a.ephemeralStorageKnown)
    lines.push(
      "    no ephemeral-storage: the machine description gives no root filesystem size (not checked)",
    );
  return lines.join("\n");
}

/** `podpin simulate -o table`: each step, then the node. */
export function renderSimulationTable(doc: SimulationDoc): string {
  const ids = nodeDeviceIds(doc.node);
  for (const s of doc.steps) {
    if (s.op === "admit") stepDeviceIds(s, ids);
    if (s.op === "updateDevices")
      addIds(
        ids,
        s.resource,
        s.devices.map((d) => d.id),
      );
  }
  const short = shortIdsOf(ids);
  const opts: AdmitTextOptions = { devicesColumn: doc.node.deviceResources.length > 0, short };
  const parts: string[] = [];
  for (const s of doc.steps) {
    if (s.op === "admit") parts.push(renderAdmitStep(s, opts));
    else if (s.op === "remove") parts.push(removeText(s, short));
    else parts.push(updateText(s, short));
  }
  parts.push(renderNodeTable(doc));
  return `${parts.join("\n\n")}\n`;
}
