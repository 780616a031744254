import { readFileSync } from "node:fs";
import { basename, extname } from "node:path";
import { type Document, LineCounter, isMap, isPair, isScalar, isSeq, parseDocument, visit } from "yaml";
import type { z } from "zod";
import { Quantity, QuantityParseError } from "../core/index.js";
import type { CadvisorCache, CadvisorMachineInfo } from "./cadvisor.js";
import { deviceResourceNotes } from "./devices.js";
import { discoverMachine } from "./discover.js";
import { MachineError } from "./errors.js";
import {
  CAPTURE_HINT,
  type FieldProblem,
  fieldProblems,
  isMissingMemory,
  withCaptureHint,
} from "./file-issues.js";
import { devicesFromFile, resourcesToDocument } from "./file-resources.js";
import {
  type CadvisorFile,
  type PodpinFile,
  cadvisorMachineSchema,
  podpinMachineSchema,
} from "./file-schema.js";
import type { HugePagePool, Machine, NUMAMemory } from "./machine.js";
import { layoutMachineInfo } from "./presets/generate.js";
import { type CPUInfo, CPUTopology } from "./topology.js";
import { MAX_NUMA_ID, NUMA_ID_EXPECTED, machineSizeProblem } from "./limits.js";
import { hugepagesExceedMemory } from "./memory-check.js";
import { machineTextProblem } from "./yaml-limits.js";

/**
 * Machine files (docs/machine-format.md): JSON or YAML, in one of two shapes — cadvisor machine
 * info (a `topology` list, as the kubelet receives it) or podpin's own (`cpus` or `layout`, plus
 * `memory`); both may carry device-plugin `resources`. Every error is one line: file, line and
 * column, field path, what was expected.
 */

type Path = (string | number)[];

/** Finds the YAML node of `path` (map keys compared as text, so `0:` matches "0"), or its nearest ancestor. */
function locate(doc: Document, path: Path, onKey: boolean): [number, number] | null {
  let node: unknown = doc.contents;
  let range: [number, number] | null = null;
  const rangeOf = (n: unknown): [number, number] | null => {
    const r = (n as { range?: [number, number, number] } | null)?.range;
    return r ? [r[0], r[1]] : null;
  };
  range = rangeOf(node);
  for (let i = 0; i < path.length; i++) {
    const seg = path[i];
    let next: unknown = null;
    let keyNode: unknown = null;
    if (isMap(node)) {
      const pair = node.items.find(
        (p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(seg),
      );
      if (pair) {
        next = pair.value;
        keyNode = pair.key;
      }
    } else if (isSeq(node) && typeof seg === "number") next = node.items[seg];
    if (next === null || next === undefined) return range;
    const last = i === path.length - 1;
    range = (last && onKey ? rangeOf(keyNode) : null) ?? rangeOf(next) ?? rangeOf(keyNode) ?? range;
    node = next;
  }
  return range;
}

/** Keys that would read ambiguously in a dotted path (`nvidia.com/gpu`) are quoted. */
function formatPath(path: Path): string {
  if (path.length === 0) return "(top level)";
  const key = (seg: string): string => (/^[A-Za-z0-9_-]+$/.test(seg) ? seg : JSON.stringify(seg));
  return path
    .map((seg, i) => (typeof seg === "number" ? `[${seg}]` : i === 0 ? key(seg) : `.${key(seg)}`))
    .join("");
}

class Reporter {
  constructor(
    readonly file: string,
    private readonly doc: Document,
    private readonly lines: LineCounter,
  ) {}

  /** `atKey`: point at the last path element's key rather than its value (a bad key, an unknown field). */
  error(p: FieldProblem, atKey = p.atKey ?? p.message === "unknown field"): MachineError {
    const r = locate(this.doc, p.path, atKey);
    const where = r
      ? `${this.file}:${this.lines.linePos(r[0]).line}:${this.lines.linePos(r[0]).col}`
      : this.file;
    return new MachineError(where, `${formatPath(p.path)}: ${p.message}`);
  }

  fail(path: Path, message: string, atKey = false): never {
    throw this.error({ path, message }, atKey);
  }
}

function validate<S extends z.ZodType>(schema: S, data: unknown, rep: Reporter): z.output<S> {
  const r = schema.safeParse(data);
  if (r.success) return r.data;
  // The first problem is reported: one line, and later ones are often consequences of it.
  const first = fieldProblems(r.error.issues, data)[0];
  throw rep.error(isMissingMemory(first) ? withCaptureHint(first) : first);
}

export interface LoadedMachineOptions {
  /** Name used when the file has none; default: the file name without extension. */
  name?: string;
}

/** Parses the text of a machine file; `file` names it in messages. */
export function parseMachineText(text: string, file: string, opts: LoadedMachineOptions = {}): Machine {
  const lines = new LineCounter();
  // The YAML library throws (rather than reports) unresolved aliases, alias bombs and, on deep
  // nesting, stack overflows: each becomes this file's one-line error.
  const yamlError = (err: unknown): MachineError =>
    new MachineError(
      file,
      `invalid JSON/YAML: ${String((err as Error)?.message ?? err)
        .split("\n")[0]
        .slice(0, 200)}`,
    );
  const refused = machineTextProblem(text);
  if (refused) {
    throw new MachineError(
      refused.line > 0 ? `${file}:${refused.line}` : file,
      `invalid JSON/YAML: ${refused.message}`,
    );
  }
  let doc: Document;
  try {
    doc = parseDocument(text, { intAsBigInt: true, lineCounter: lines, prettyErrors: true });
  } catch (err) {
    throw yamlError(err);
  }
  if (doc.errors.length > 0) {
    const e = doc.errors[0];
    const pos = e.linePos?.[0];
    const where = pos ? `${file}:${pos.line}:${pos.col}` : file;
    throw new MachineError(
      where,
      `invalid JSON/YAML: ${e.message.split("\n")[0].replace(/ at line \d+, column \d+:?$/, "")}`,
    );
  }
  // Keys are scalars (JSON's are strings): a complex key would be stringified, slowly and hugely.
  let complexKey: unknown = null;
  visit(doc, {
    Pair(_, pair) {
      if (pair.key !== null && !isScalar(pair.key)) {
        complexKey = pair.key;
        return visit.BREAK;
      }
    },
  });
  if (complexKey !== null) {
    const at = (complexKey as { range?: [number, number] }).range?.[0];
    const pos = at === undefined ? null : lines.linePos(at);
    throw new MachineError(
      pos ? `${file}:${pos.line}:${pos.col}` : file,
      "invalid JSON/YAML: mapping keys must be scalars (strings or numbers), got a collection as a key",
    );
  }
  let data: unknown;
  try {
    data = doc.toJS({ mapAsMap: false, maxAliasCount: 100 });
  } catch (err) {
    throw yamlError(err);
  }
  const rep = new Reporter(file, doc, lines);
  const fallbackName = opts.name ?? basename(file, extname(file));
  if (data === null || typeof data !== "object" || Array.isArray(data)) {
    rep.fail([], "expected a mapping (cadvisor machine info or a podpin machine)");
  }
  const keys = Object.keys(data as object);
  if (keys.includes("topology")) {
    return fromCadvisor(validate(cadvisorMachineSchema, data, rep), rep, fallbackName);
  }
  if (keys.includes("cpus") || keys.includes("layout")) {
    return fromPodpin(validate(podpinMachineSchema, data, rep), rep, fallbackName);
  }
  return rep.fail(
    [],
    'expected either cadvisor machine info (a "topology" list) or a podpin machine ("cpus" or "layout", and "memory")',
  );
}

/** Reads and parses a machine file. */
export function loadMachineFile(path: string, opts: LoadedMachineOptions = {}): Machine {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new MachineError(path, `cannot read the machine file (${code ?? String(err)})`);
  }
  return parseMachineText(text, path, opts);
}

function fromCadvisor(f: CadvisorFile, rep: Reporter, name: string): Machine {
  const file = rep.file;
  const cache = (c: CadvisorFile["topology"][number]["caches"][number]): CadvisorCache => ({
    id: c.id ?? 0,
    size: c.size ?? 0n,
    type: c.type ?? "",
    level: c.level,
  });
  const threads = f.topology.flatMap((n) => n.cores.flatMap((c) => c.thread_ids));
  const sockets = new Set(f.topology.flatMap((n) => n.cores.map((c) => c.socket_id ?? 0))).size;
  // cadvisor counts what it lists: a count that disagrees is a hand edit the kubelet never sees.
  if (f.num_cores !== undefined && f.num_cores !== threads.length)
    rep.fail(["num_cores"], `expected ${threads.length} (the thread_ids of "topology"), got ${f.num_cores}`);
  if (f.num_sockets !== undefined && f.num_sockets !== sockets)
    rep.fail(
      ["num_sockets"],
      `expected ${sockets} (the distinct socket_id of "topology"), got ${f.num_sockets}`,
    );
  const info: CadvisorMachineInfo = {
    // A hand-written file may leave out the counts cadvisor always fills in.
    num_cores: f.num_cores ?? threads.length,
    num_sockets: f.num_sockets ?? sockets,
    topology: f.topology.map((n) => ({
      node_id: n.node_id,
      memory: n.memory,
      hugepages: n.hugepages,
      cores: n.cores.map((c) => ({
        core_id: c.core_id,
        thread_ids: c.thread_ids,
        socket_id: c.socket_id ?? 0,
        caches: c.caches.map(cache),
        uncore_caches: c.uncore_caches.map(cache),
      })),
      caches: n.caches.map(cache),
      distances: n.distances,
    })),
  };
  const devices = devicesFromFile(f.resources);
  const nodes = f.topology.map((n) => n.node_id);
  return discoverMachine(
    info,
    {
      name,
      notes: [
        `loaded from ${file} (cadvisor machine info)`,
        ...deviceResourceNotes(devices, nodes, "resources"),
      ],
      devices,
    },
    file,
  );
}

function hugepagePools(pools: Record<string, bigint> | undefined, path: Path, rep: Reporter): HugePagePool[] {
  const out: HugePagePool[] = [];
  for (const [key, numPages] of Object.entries(pools ?? {})) {
    const size = key.replace(/^hugepages-/, "");
    let bytes: bigint | null = null;
    try {
      const q = Quantity.parse(size, "page size");
      if (q.denDigits === 0) bytes = q.num;
    } catch (err) {
      if (!(err instanceof QuantityParseError)) throw err;
    }
    if (
      bytes === null ||
      bytes <= 0n ||
      bytes % 1024n !== 0n ||
      bytes / 1024n > BigInt(Number.MAX_SAFE_INTEGER)
    ) {
      rep.fail(
        [...path, key],
        'expected a page size that is a whole number of KiB, such as "2Mi" or "1Gi"',
        true,
      );
    }
    out.push({ pageSizeKiB: Number(bytes / 1024n), numPages });
  }
  return out.sort((a, b) => a.pageSizeKiB - b.pageSizeKiB);
}

/**
 * A header must agree with the CPU list it describes: `numCPUs` is the number of CPUs, sockets,
 * NUMA nodes and uncore caches the distinct ids, and `numCores` between the distinct core ids and
 * the distinct (core, NUMA node) pairs (discovery counts a core split across nodes once per node).
 * The grouping counts may be 0, as the kubelet's test fixtures leave those they do not use.
 */
function checkHeader(h: NonNullable<PodpinFile["header"]>, cpus: CPUInfo[], rep: Reporter): void {
  const distinct = (key: (c: CPUInfo) => number | string) => new Set(cpus.map(key)).size;
  const exact: [keyof typeof h, number, string][] = [
    ["numCPUs", cpus.length, "CPUs listed"],
    ["numSockets", distinct((c) => c.socket), "distinct sockets"],
    ["numNUMANodes", distinct((c) => c.numa), "distinct NUMA nodes"],
    ["numUncoreCaches", distinct((c) => c.uncore), "distinct uncore caches"],
  ];
  for (const [field, want, what] of exact) {
    if (h[field] !== want && (field === "numCPUs" || h[field] !== 0))
      rep.fail(["header", field], `expected ${want} (the ${what} in "cpus"), got ${h[field]}`);
  }
  const lo = distinct((c) => c.core);
  const hi = distinct((c) => `${c.core}/${c.numa}`);
  if (h.numCores !== 0 && (h.numCores < lo || h.numCores > hi)) {
    const want = lo === hi ? `${lo}` : `${lo} to ${hi}`;
    rep.fail(["header", "numCores"], `expected ${want} (the cores in "cpus"), got ${h.numCores}`);
  }
}

function fromPodpin(f: PodpinFile, rep: Reporter, fallbackName: string): Machine {
  const name = f.name ?? fallbackName;
  if (f.cpus && f.layout) rep.fail(["layout"], 'expected either "cpus" or "layout", not both');
  if (f.layout && f.header)
    rep.fail(["header"], 'a "layout" machine takes the header discovery computes; "header" goes with "cpus"');
  let topology: CPUTopology;
  let extraNodes = 0;
  if (f.layout) {
    const l = f.layout;
    const info = (() => {
      try {
        return layoutMachineInfo({ ...l, coresPerL3: l.coresPerL3 ?? null, memory: 0n });
      } catch (err) {
        if (err instanceof MachineError)
          return rep.fail(["layout"], err.message.replace(/^machine layout: /, ""));
        throw err;
      }
    })();
    topology = discoverMachine(info, { name }, rep.file).topology;
    extraNodes = l.cpuLessNodes ?? 0;
  } else {
    const cpus: CPUInfo[] = [];
    const seen = new Set<number>();
    (f.cpus ?? []).forEach((c, i) => {
      if (seen.has(c.id)) rep.fail(["cpus", i, "id"], `CPU ${c.id} is listed twice`);
      seen.add(c.id);
      cpus.push({ id: c.id, core: c.core, socket: c.socket, numa: c.numa, uncore: c.uncore ?? c.socket });
    });
    if (cpus.length === 0) rep.fail(["cpus"], "expected at least one CPU");
    const tooLarge = machineSizeProblem(
      cpus.length,
      cpus.reduce((m, c) => Math.max(m, c.id), 0),
    );
    if (tooLarge) rep.fail(["cpus"], tooLarge);
    if (f.header) checkHeader(f.header, cpus, rep);
    topology = f.header ? new CPUTopology(f.header, cpus) : CPUTopology.fromCPUs(cpus);
  }

  const cpuNodes = topology.numaNodes();
  const memory = new Map<number, NUMAMemory>();
  for (const [key, entry] of Object.entries(f.memory)) {
    if (!/^\d+$/.test(key) || Number(key) > MAX_NUMA_ID)
      rep.fail(["memory", key], `expected ${NUMA_ID_EXPECTED} as the key`, true);
    memory.set(Number(key), {
      memory: entry.memory,
      hugepages: hugepagePools(entry.hugepages, ["memory", key, "hugepages"], rep),
    });
    const tooMuch = hugepagesExceedMemory(Number(key), memory.get(Number(key)) as NUMAMemory);
    if (tooMuch) rep.fail(["memory", key, "hugepages"], tooMuch);
  }
  for (const n of cpuNodes) {
    if (!memory.has(n))
      rep.fail(["memory"], `expected an entry for NUMA node ${n} (it has CPUs); ${CAPTURE_HINT}`);
  }
  if (f.layout) {
    const total = cpuNodes.length + extraNodes;
    for (const n of memory.keys()) {
      if (n >= total) rep.fail(["memory", String(n)], `the layout has NUMA nodes 0-${total - 1} only`, true);
    }
    for (let n = 0; n < total; n++) {
      if (!memory.has(n))
        rep.fail(
          ["memory"],
          `expected an entry for NUMA node ${n} (the layout has ${total} nodes); ${CAPTURE_HINT}`,
        );
    }
  }
  const sortedMemory = new Map([...memory].sort(([a], [b]) => a - b));
  const allNodes = [...sortedMemory.keys()];

  let distances: Map<number, number[]> | null = null;
  if (f.distances) {
    distances = new Map();
    for (const [key, row] of Object.entries(f.distances)) {
      const n = Number(key);
      if (!/^\d+$/.test(key) || !sortedMemory.has(n)) {
        rep.fail(["distances", key], `expected one of the NUMA node ids ${allNodes.join(", ")}`, true);
      }
      if (row.length !== allNodes.length) {
        rep.fail(
          ["distances", key],
          `expected ${allNodes.length} distances (one per NUMA node, ascending ids), got ${row.length}`,
        );
      }
      distances.set(n, row);
    }
    for (const n of allNodes)
      if (!distances.has(n)) rep.fail(["distances"], `expected a row for NUMA node ${n}`);
    distances = new Map([...distances].sort(([a], [b]) => a - b));
  }
  const devices = devicesFromFile(f.resources);
  return {
    name,
    topology,
    memory: sortedMemory,
    distances,
    devices,
    notes: [
      ...(f.description ? [f.description] : []),
      ...(f.notes ?? []),
      `loaded from ${rep.file}`,
      ...deviceResourceNotes(devices, allNodes, "resources"),
    ],
  };
}

/** Bytes as an exact quantity string (`64Gi`, or the plain number when no binary suffix divides it). */
function bytesText(bytes: bigint): string {
  return Quantity.fromInt(bytes, "BinarySI").toString();
}

/** A count as a JSON number when exact, else as its decimal text (which YAML reads back as an integer). */
function plainInt(n: bigint): number | bigint {
  return n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : n;
}

/**
 * `m` as a podpin machine document (the `cpus` form) that loads back to `m`, device resources
 * included. Byte sizes are quantity strings, so the document is plain JSON unless a hugepage count
 * exceeds 2^53 (then a bigint).
 */
export function machineToDocument(m: Machine): Record<string, unknown> {
  const t = m.topology;
  const memory: Record<string, unknown> = {};
  for (const [id, mem] of m.memory) {
    const pools: Record<string, number | bigint> = {};
    for (const h of mem.hugepages) pools[bytesText(BigInt(h.pageSizeKiB) * 1024n)] = plainInt(h.numPages);
    const bytes = bytesText(mem.memory);
    memory[String(id)] = mem.hugepages.length > 0 ? { memory: bytes, hugepages: pools } : bytes;
  }
  const doc: Record<string, unknown> = {
    name: m.name,
    notes: m.notes,
    header: {
      numCPUs: t.numCPUs,
      numSockets: t.numSockets,
      numCores: t.numCores,
      numNUMANodes: t.numNUMANodes,
      numUncoreCaches: t.numUncoreCaches,
    },
    cpus: [...t.details.values()].map((c) => ({
      id: c.id,
      core: c.core,
      socket: c.socket,
      numa: c.numa,
      uncore: c.uncore,
    })),
    memory,
  };
  if (m.distances) doc.distances = Object.fromEntries([...m.distances].map(([id, row]) => [String(id), row]));
  if (m.devices.size > 0) doc.resources = resourcesToDocument(m.devices);
  return doc;
}
