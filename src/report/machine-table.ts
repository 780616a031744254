import type { CPUSet } from "../core/index.js";
import {
  hugepageResourceName,
  type Machine,
  machineNUMANodes,
  type TopologyHeader,
} from "../machine/index.js";
import { renderKeyValues, renderTable } from "./table.js";
import { formatBytes } from "./units.js";

/** One NUMA node of `podpin topology`. */
export interface NUMANodeSummary {
  id: number;
  sockets: number[];
  cpus: CPUSet;
  cores: number;
  /** Distinct hardware-thread counts of the node's cores, ascending (`[2]`, or `[1, 2]` if mixed). */
  threadsPerCore: number[];
  uncoreCaches: number[];
  /** Total memory in bytes, hugepage pools included (as cadvisor reports it); null when not described. */
  memory: bigint | null;
  hugepages: { resource: string; pages: bigint; bytes: bigint }[];
  /** Device-plugin devices that list this node (a device on two nodes counts on both), by resource. */
  devices: { resource: string; count: number }[];
}

/** One device-plugin resource of the machine. */
export interface DeviceResourceSummary {
  resource: string;
  registered: boolean;
  total: number;
  unhealthy: number;
  /** Devices whose plugin sent no NUMA node (`null` or `[]`). */
  withoutNUMA: number;
}

export interface MachineSummary {
  name: string;
  /** The topology header as stored (fixtures may leave fields at 0). */
  header: TopologyHeader;
  cpus: number;
  cores: number;
  sockets: number;
  uncoreCaches: number;
  threadsPerCore: number[];
  nodes: NUMANodeSummary[];
  devices: DeviceResourceSummary[];
  distances: ReadonlyMap<number, number[]> | null;
  notes: string[];
}

function distinctSorted(values: Iterable<number>): number[] {
  return [...new Set(values)].sort((a, b) => a - b);
}

function threadCounts(m: Machine, cpus: CPUSet): number[] {
  const perCore = new Map<number, number>();
  for (const id of cpus) {
    const core = m.topology.cpu(id).core;
    perCore.set(core, (perCore.get(core) ?? 0) + 1);
  }
  return distinctSorted(perCore.values());
}

export function machineSummary(m: Machine): MachineSummary {
  const t = m.topology;
  const nodes = machineNUMANodes(m).map((id): NUMANodeSummary => {
    const cpus = t.cpusInNUMANode(id);
    const mem = m.memory.get(id);
    return {
      id,
      sockets: t.socketsOf(cpus),
      cpus,
      cores: t.coresOf(cpus).length,
      threadsPerCore: threadCounts(m, cpus),
      uncoreCaches: t.uncoresOf(cpus),
      memory: mem ? mem.memory : null,
      hugepages: (mem?.hugepages ?? [])
        .slice()
        .sort((a, b) => a.pageSizeKiB - b.pageSizeKiB)
        .map((h) => ({
          resource: hugepageResourceName(h.pageSizeKiB),
          pages: h.numPages,
          bytes: h.numPages * BigInt(h.pageSizeKiB) * 1024n,
        })),
      devices: [...m.devices.values()]
        .map((r) => ({ resource: r.name, count: r.devices.filter((d) => d.numaNodes?.includes(id)).length }))
        .filter((d) => d.count > 0),
    };
  });
  return {
    name: m.name,
    header: {
      numCPUs: t.numCPUs,
      numCores: t.numCores,
      numSockets: t.numSockets,
      numNUMANodes: t.numNUMANodes,
      numUncoreCaches: t.numUncoreCaches,
    },
    cpus: t.all.size,
    cores: t.cores().length,
    sockets: t.sockets().length,
    uncoreCaches: t.uncoreCaches().length,
    threadsPerCore: threadCounts(m, t.all),
    nodes,
    devices: [...m.devices.values()].map((r) => ({
      resource: r.name,
      registered: r.registered,
      total: r.devices.length,
      unhealthy: r.devices.filter((d) => !d.healthy).length,
      withoutNUMA: r.devices.filter((d) => (d.numaNodes ?? []).length === 0).length,
    })),
    distances: m.distances,
    notes: [...m.notes],
  };
}

const MAX_LIST = 48;

/** A CPU list cut to a readable width (interleaved numbering makes very long lists). */
function shortList(cpus: CPUSet): string {
  const text = cpus.toString();
  if (text === "") return "-";
  if (text.length <= MAX_LIST) return text;
  const cut = text.lastIndexOf(",", MAX_LIST - 1);
  return `${text.slice(0, cut > 0 ? cut : MAX_LIST)},…`;
}

function joinOrDash(values: readonly (number | string)[]): string {
  return values.length === 0 ? "-" : values.join(",");
}

/**
 * Pools with pages, `hugepages-2Mi×512 (1Gi)`: the page count as the kernel reports it, and the
 * bytes in the units the picture's bars use. Empty pools are left out.
 */
function hugepageText(n: NUMANodeSummary): string {
  const pools = n.hugepages.filter((h) => h.pages > 0n);
  return pools.length === 0
    ? "-"
    : pools.map((h) => `${h.resource}×${h.pages} (${formatBytes(h.bytes)})`).join(", ");
}

/** `nvidia.com/gpu×4, nvidia.com/hostdev×4`, or `-`. */
function nodeDevicesText(n: NUMANodeSummary): string {
  return n.devices.length === 0 ? "-" : n.devices.map((d) => `${d.resource}×${d.count}`).join(", ");
}

/** The summary line of one resource: `nvidia.com/gpu 8` plus what is unusual about it. */
function resourceText(d: DeviceResourceSummary): string {
  const extra = [
    d.registered ? "" : "not registered",
    d.unhealthy > 0 ? `${d.unhealthy} unhealthy` : "",
    d.withoutNUMA > 0 ? `${d.withoutNUMA} without NUMA node` : "",
  ].filter((x) => x !== "");
  return `${d.resource} ${d.total}${extra.length > 0 ? ` (${extra.join(", ")})` : ""}`;
}

/** The Devices column appears only on machines with device resources, so other tables stay as they were. */
function nodesTable(s: MachineSummary): string {
  const withDevices = s.devices.length > 0;
  return renderTable(
    [
      "NUMA",
      "Sockets",
      { header: "CPUs", align: "right" },
      "CPU list",
      { header: "Cores", align: "right" },
      "Threads/core",
      "L3",
      { header: "Memory", align: "right" },
      "Hugepages",
      ...(withDevices ? ["Devices"] : []),
    ],
    s.nodes.map((n) => [
      String(n.id),
      joinOrDash(n.sockets),
      String(n.cpus.size),
      shortList(n.cpus),
      String(n.cores),
      joinOrDash(n.threadsPerCore),
      joinOrDash(n.uncoreCaches),
      n.memory === null ? "-" : formatBytes(n.memory),
      hugepageText(n),
      ...(withDevices ? [nodeDevicesText(n)] : []),
    ]),
  );
}

function distancesTable(distances: ReadonlyMap<number, number[]>): string {
  const ids = [...distances.keys()].sort((a, b) => a - b);
  const width = Math.max(0, ...ids.map((id) => distances.get(id)!.length));
  const columnIds = ids.length === width ? ids : Array.from({ length: width }, (_, i) => i);
  return renderTable(
    ["Distance", ...columnIds.map((id) => ({ header: String(id), align: "right" as const }))],
    ids.map((id) => [String(id), ...distances.get(id)!.map(String)]),
    { gap: 2 },
  );
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

/**
 * `podpin topology -o table`: summary (device resources included), one row per NUMA node (with its
 * devices when the machine has any), the distance matrix and the notes.
 */
export function renderMachineTable(m: Machine): string {
  const s = machineSummary(m);
  const cpuLess = s.nodes.filter((n) => n.cpus.isEmpty()).length;
  const memLess = s.nodes.filter((n) => n.memory === null || n.memory === 0n).length;
  const nodeNotes = [
    cpuLess > 0 ? `${cpuLess} without CPUs` : "",
    memLess > 0 ? `${memLess} without memory` : "",
  ]
    .filter((x) => x !== "")
    .join(", ");
  const totalMem = s.nodes.reduce((sum, n) => sum + (n.memory ?? 0n), 0n);
  const h = s.header;
  const sections = [
    renderKeyValues([
      ["Machine", s.name],
      [
        "CPUs",
        `${s.cpus} (${plural(s.cores, "core")}, ${joinOrDash(s.threadsPerCore)} thread${s.threadsPerCore.length === 1 && s.threadsPerCore[0] === 1 ? "" : "s"} per core)`,
      ],
      ["Sockets", String(s.sockets)],
      ["NUMA nodes", `${s.nodes.length}${nodeNotes ? ` (${nodeNotes})` : ""}`],
      ["L3 caches", String(s.uncoreCaches)],
      ["Memory", formatBytes(totalMem)],
      ...(s.devices.length > 0
        ? [["Devices", s.devices.map(resourceText).join(", ")] as [string, string]]
        : []),
      [
        "Header",
        `numCPUs=${h.numCPUs} numCores=${h.numCores} numSockets=${h.numSockets} numNUMANodes=${h.numNUMANodes} numUncoreCaches=${h.numUncoreCaches}`,
      ],
    ]),
    nodesTable(s),
  ];
  if (s.distances && s.distances.size > 0) sections.push(distancesTable(s.distances));
  if (s.notes.length > 0) sections.push(["Notes:", ...s.notes.map((n) => `  - ${n}`)].join("\n"));
  return `${sections.join("\n\n")}\n`;
}
