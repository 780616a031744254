import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { CPUSet, CPUSetParseError, MAX_CPU_ID, quoteShort } from "../core/index.js";
import type { CadvisorCache, CadvisorCore, CadvisorMachineInfo, CadvisorNode } from "./cadvisor.js";
import { isNodeLevelCache } from "./cadvisor.js";
import { deviceResourceNotes, sortedDeviceResources } from "./devices.js";
import { discoverMachine } from "./discover.js";
import { MachineError } from "./errors.js";
import { MAX_NUMA_ID } from "./limits.js";
import type { Machine } from "./machine.js";
import { SYSFS_PCI_DIR, readPciGpus } from "./pci.js";

export { type FakePciDevice, fakeGpu, writeFakeSysfs } from "./fake-sysfs.js";
export { GPU_VENDORS, SYSFS_PCI_DIR, readPciGpus } from "./pci.js";

/**
 * Discovery from a sysfs tree, the way cadvisor builds the machine info the kubelet reads
 * (`GetNodesInfo`): one entry per `node<N>` directory, its online CPUs grouped into cores, its
 * memory from `meminfo`, hugepage pools, distances, and L3 caches split into node-level and uncore
 * caches by cadvisor's rule (see `isNodeLevelCache`). `root` is the directory that holds `sys/`
 * (`/` for the running machine), so a generated tree can stand in for the real one. GPUs come
 * from the PCI tree (`pci.ts`), as their device plugins would advertise them.
 *
 * Where cadvisor would skip a CPU with a missing topology file and carry on, podpin stops with a
 * one-line error naming the file: a partial picture would make every later decision wrong.
 */
export const SYSFS_CPU_DIR = "sys/devices/system/cpu";
export const SYSFS_NODE_DIR = "sys/devices/system/node";

export interface SysfsMachineInfo {
  info: CadvisorMachineInfo;
  /** Caveats met while reading (no NUMA directory, say). */
  notes: string[];
}

function readText(path: string, expected: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOENT") throw new MachineError(path, `missing file: expected ${expected}`);
    throw new MachineError(path, `cannot read (${code ?? String(err)}): expected ${expected}`);
  }
}

function readInt(path: string, expected: string): number {
  const text = readText(path, expected).trim();
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(Number(text)))
    throw new MachineError(path, `expected ${expected}, got ${quoteShort(text)}`);
  return Number(text);
}

function readCPUList(path: string, expected: string): CPUSet {
  const text = readText(path, expected);
  try {
    return CPUSet.parse(text, path);
  } catch (err) {
    if (err instanceof CPUSetParseError) {
      throw new MachineError(
        path,
        `expected ${expected} in the list format (e.g. "0-3,8"), got ${quoteShort(text.trim())}${
          /exceeds the largest/.test(err.message) ? ` (CPU ids are at most ${MAX_CPU_ID})` : ""
        }`,
      );
    }
    throw err;
  }
}

/** Entries `<prefix><N>` of a directory, sorted by N. */
function numberedEntries(dir: string, prefix: string): { id: number; path: string }[] {
  if (!existsSync(dir)) return [];
  const re = new RegExp(`^${prefix}(\\d+)$`);
  return readdirSync(dir)
    .map((name) => ({ m: re.exec(name), name }))
    .filter((e) => e.m !== null)
    .map((e) => ({ id: Number(e.m![1]), path: join(dir, e.name) }))
    .map((e) => {
      const max = prefix === "cpu" ? MAX_CPU_ID : prefix === "node" ? MAX_NUMA_ID : Number.MAX_SAFE_INTEGER;
      if (!Number.isSafeInteger(e.id) || e.id > max)
        throw new MachineError(e.path, `expected ${prefix}<N> with N at most ${max}`);
      return e;
    })
    .sort((a, b) => a.id - b.id);
}

function onlineCPUs(cpuDir: string): CPUSet {
  const list = join(cpuDir, "online");
  if (existsSync(list)) return readCPUList(list, "the online CPUs");
  // Without the global list, each CPU says for itself; the boot CPU usually has no `online` file.
  const ids: number[] = [];
  for (const { id, path } of numberedEntries(cpuDir, "cpu")) {
    const flag = join(path, "online");
    if (!existsSync(flag)) ids.push(id);
    else {
      const v = readInt(flag, "0 or 1");
      if (v > 1) throw new MachineError(flag, `expected 0 or 1, got ${v}`);
      if (v === 1) ids.push(id);
    }
  }
  return CPUSet.fromIds(ids);
}

interface CPUFacts {
  coreId: number;
  packageId: number;
  siblings: CPUSet;
}

function cpuFacts(cpuDir: string, cpu: number): CPUFacts {
  const t = join(cpuDir, `cpu${cpu}`, "topology");
  return {
    coreId: readInt(join(t, "core_id"), "the core id (a non-negative integer)"),
    packageId: readInt(join(t, "physical_package_id"), "the package (socket) id (a non-negative integer)"),
    siblings: readCPUList(join(t, "thread_siblings_list"), "the CPUs of this CPU's core"),
  };
}

/** Caches above L2 seen from `cpu`, with the number of CPUs each serves. */
function sharedCaches(cpuDir: string, cpu: number): { cache: CadvisorCache; cpus: number }[] {
  const cacheDir = join(cpuDir, `cpu${cpu}`, "cache");
  const out: { cache: CadvisorCache; cpus: number }[] = [];
  // A missing cache directory is normal on some platforms (arm64 guests): no uncore data then.
  for (const { path } of numberedEntries(cacheDir, "index")) {
    const level = readInt(join(path, "level"), "the cache level (an integer)");
    if (level <= 2) continue;
    const shared = readCPUList(join(path, "shared_cpu_list"), "the CPUs sharing this cache");
    const idFile = join(path, "id");
    // Without an `id` file the cache is named by its lowest CPU: unique per cache and stable.
    const id = existsSync(idFile) ? readInt(idFile, "the cache id (a non-negative integer)") : shared.min();
    const sizeFile = join(path, "size");
    let size = 0n;
    if (existsSync(sizeFile)) {
      const m = /^(\d+)K$/.exec(readText(sizeFile, "the cache size").trim());
      if (!m) throw new MachineError(sizeFile, `expected a size such as "32768K"`);
      size = BigInt(m[1]) * 1024n;
    }
    const typeFile = join(path, "type");
    const type = existsSync(typeFile) ? readText(typeFile, "the cache type").trim() : "Unified";
    // cadvisor compares CPU counts; podpin counts the CPUs of the list, not its comma-separated parts.
    out.push({ cache: { id, size, type, level }, cpus: shared.size });
  }
  return out;
}

function coresOf(cpuDir: string, cpus: CPUSet): { cores: CadvisorCore[]; packages: Set<number> } {
  const cores: CadvisorCore[] = [];
  const packages = new Set<number>();
  let left = cpus;
  // Threads are grouped by the kernel's sibling list rather than by (package, core_id) as cadvisor
  // does: the same on sane firmware, and right where core ids repeat within a package.
  while (!left.isEmpty()) {
    const first = left.min();
    const facts = cpuFacts(cpuDir, first);
    const threads = facts.siblings.intersect(left).union(CPUSet.of(first));
    for (const t of threads) if (t !== first) packages.add(cpuFacts(cpuDir, t).packageId);
    packages.add(facts.packageId);
    cores.push({
      core_id: facts.coreId,
      thread_ids: threads.toArray(),
      socket_id: facts.packageId,
      caches: [],
      uncore_caches: [],
    });
    left = left.difference(threads);
  }
  return { cores, packages };
}

function addCaches(cpuDir: string, node: CadvisorNode): void {
  for (const core of node.cores) {
    for (const { cache, cpus } of sharedCaches(cpuDir, core.thread_ids[0])) {
      const sameAs = (c: CadvisorCache): boolean =>
        c.id === cache.id && c.level === cache.level && c.type === cache.type;
      if (isNodeLevelCache(cpus, node.cores.length, core.thread_ids.length)) {
        if (!node.caches.some(sameAs)) node.caches.push(cache);
      } else if (!core.uncore_caches.some(sameAs)) core.uncore_caches.push(cache);
    }
  }
}

function nodeMemory(nodeDir: string, id: number): bigint {
  const path = join(nodeDir, "meminfo");
  const m = new RegExp(`^Node ${id} MemTotal:\\s+(\\d+) kB\\s*$`, "m").exec(
    readText(path, "the node's meminfo"),
  );
  if (!m) throw new MachineError(path, `expected a line "Node ${id} MemTotal: <size> kB"`);
  return BigInt(m[1]) * 1024n;
}

function nodeHugePages(nodeDir: string): CadvisorNode["hugepages"] {
  const dir = join(nodeDir, "hugepages");
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .map((name) => {
      const m = /^hugepages-(\d+)kB$/.exec(name);
      if (!m || !Number.isSafeInteger(Number(m[1])) || Number(m[1]) === 0)
        throw new MachineError(join(dir, name), `expected only directories named hugepages-<size>kB`);
      const nr = join(dir, name, "nr_hugepages");
      return {
        page_size: Number(m[1]),
        num_pages: BigInt(readInt(nr, "the number of hugepages (an integer)")),
      };
    })
    .sort((a, b) => a.page_size - b.page_size);
}

function nodeDistances(nodeDir: string, nodeCount: number): number[] {
  const path = join(nodeDir, "distance");
  const text = readText(path, "the node's distances").trim();
  const parts = text.split(/\s+/);
  if (!parts.every((p) => /^\d+$/.test(p) && Number.isSafeInteger(Number(p)))) {
    throw new MachineError(path, `expected distances as space-separated integers, got ${quoteShort(text)}`);
  }
  if (parts.length !== nodeCount) {
    throw new MachineError(path, `expected ${nodeCount} distances (one per NUMA node), got ${parts.length}`);
  }
  return parts.map(Number);
}

/** cadvisor's machine info of the sysfs tree under `root`. */
export function readSysfsMachineInfo(root: string): SysfsMachineInfo {
  const cpuDir = join(root, SYSFS_CPU_DIR);
  if (!existsSync(cpuDir))
    throw new MachineError(cpuDir, "missing directory: expected the sysfs CPU directory");
  const online = onlineCPUs(cpuDir);
  const notes: string[] = [];
  const nodeEntries = numberedEntries(join(root, SYSFS_NODE_DIR), "node");
  const packages = new Set<number>();
  const nodes: CadvisorNode[] = [];
  if (nodeEntries.length === 0) {
    // Kernels without NUMA support: cadvisor makes one node per package, memory unknown.
    notes.push(`${join(root, SYSFS_NODE_DIR)} lists no NUMA node: one node per socket, memory unknown (0)`);
    const byPackage = new Map<number, number[]>();
    for (const cpu of online) {
      const p = cpuFacts(cpuDir, cpu).packageId;
      byPackage.set(p, [...(byPackage.get(p) ?? []), cpu]);
    }
    for (const [p, ids] of [...byPackage].sort(([a], [b]) => a - b)) {
      const { cores } = coresOf(cpuDir, CPUSet.fromIds(ids));
      nodes.push({ node_id: p, memory: 0n, hugepages: [], cores, caches: [], distances: [] });
      packages.add(p);
    }
  } else {
    for (const { id, path } of nodeEntries) {
      const cpus = readCPUList(join(path, "cpulist"), "the node's CPUs").intersect(online);
      const { cores, packages: ps } = coresOf(cpuDir, cpus);
      for (const p of ps) packages.add(p);
      nodes.push({
        node_id: id,
        memory: nodeMemory(path, id),
        hugepages: nodeHugePages(path),
        cores,
        caches: [],
        distances: nodeDistances(path, nodeEntries.length),
      });
    }
  }
  for (const node of nodes) addCaches(cpuDir, node);
  const numCores = nodes.reduce((n, node) => n + node.cores.reduce((k, c) => k + c.thread_ids.length, 0), 0);
  return { info: { num_cores: numCores, num_sockets: packages.size, topology: nodes }, notes };
}

/** The machine whose sysfs is under `root` (`/` for this machine), its PCI GPUs included. */
export function discoverFromSysfs(root = "/", name = "this"): Machine {
  const { info, notes } = readSysfsMachineInfo(root);
  const pci = readPciGpus(root);
  const devices = sortedDeviceResources(pci.devices);
  const nodes = info.topology.map((n) => n.node_id);
  return discoverMachine(
    info,
    {
      name,
      notes: [
        `discovered from ${join(root, "sys")}`,
        ...notes,
        ...pci.notes,
        ...deviceResourceNotes(devices, nodes, join(root, SYSFS_PCI_DIR)),
      ],
      devices,
    },
    join(root, "sys"),
  );
}
