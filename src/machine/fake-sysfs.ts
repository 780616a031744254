import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { CPUSet } from "../core/index.js";
import { type Machine, machineNUMANodes } from "./machine.js";

/**
 * One PCI function of a fake tree, by the raw text of its files (a newline is added); `null` leaves
 * a file out, so tests can write the missing and garbage files discovery must survive.
 */
export interface FakePciDevice {
  address: string;
  vendor: string | null;
  class: string | null;
  numaNode: string | null;
}

/** A GPU as the kernel lists it: NVIDIA 3D controller (0x030200) or AMD display controller (0x038000). */
export function fakeGpu(
  address: string,
  numaNode: number,
  vendor: "nvidia" | "amd" = "nvidia",
): FakePciDevice {
  return vendor === "nvidia"
    ? { address, vendor: "0x10de", class: "0x030200", numaNode: String(numaNode) }
    : { address, vendor: "0x1002", class: "0x038000", numaNode: String(numaNode) };
}

export interface FakeSysfsOptions {
  /** Written under `sys/bus/pci/devices/<address>/`; the directory exists (empty) without any. */
  pciDevices?: readonly FakePciDevice[];
  /** Written to `proc/sys/kernel/hostname` (where a copied tree keeps the node's name); none without. */
  hostname?: string;
}

/**
 * Writes the sysfs files podpin's discovery reads (under `<dir>/sys/devices/system/{cpu,node}` and
 * `<dir>/sys/bus/pci/devices`), describing `m`, for tests and demos. `m.devices` is not written:
 * presets name devices as their plugins do (GPU UUIDs), which sysfs cannot hold; pass PCI functions
 * in `opts.pciDevices` instead. Every CPU is online. Each CPU gets an L2 of its core and an L3
 * shared by the CPUs of its uncore id. Node memory is written in whole KiB, as
 * `meminfo` does. Without known distances the kernel's defaults are written (10 local, 20 remote).
 *
 * Reading the tree back gives `m` again when `m` is what discovery produces; it cannot carry an
 * uncore group that coincides with a NUMA node under an id other than the socket's (cadvisor
 * records such an L3 at node level and the kubelet then uses the socket id), nor header counts
 * that differ from the CPU list.
 */
export function writeFakeSysfs(m: Machine, dir: string, opts: FakeSysfsOptions = {}): void {
  const made = new Set<string>();
  const put = (path: string, text: string): void => {
    const full = join(dir, path);
    const parent = dirname(full);
    if (!made.has(parent)) {
      mkdirSync(parent, { recursive: true });
      made.add(parent);
    }
    writeFileSync(full, `${text}\n`);
  };
  const t = m.topology;
  const cpuDir = "sys/devices/system/cpu";
  const all = t.all.toString();
  put(`${cpuDir}/online`, all);
  put(`${cpuDir}/possible`, all);
  put(`${cpuDir}/present`, all);
  for (const id of t.all) {
    const c = t.cpu(id);
    const base = `${cpuDir}/cpu${id}`;
    // Like a real kernel, the boot CPU has no `online` switch.
    if (id !== 0) put(`${base}/online`, "1");
    put(`${base}/topology/core_id`, String(c.core));
    put(`${base}/topology/physical_package_id`, String(c.socket));
    put(`${base}/topology/thread_siblings_list`, t.cpusInCore(c.core).toString());
    const caches: [level: number, shared: CPUSet, id: number, kib: number][] = [
      [2, t.cpusInCore(c.core), c.core, 2048],
      [3, t.cpusInUncore(c.uncore), c.uncore, 32768],
    ];
    caches.forEach(([level, shared, cacheId, kib], i) => {
      const idx = `${base}/cache/index${i}`;
      put(`${idx}/level`, String(level));
      put(`${idx}/type`, "Unified");
      put(`${idx}/shared_cpu_list`, shared.toString());
      put(`${idx}/id`, String(cacheId));
      put(`${idx}/size`, `${kib}K`);
    });
  }
  const nodes = machineNUMANodes(m);
  const nodeDir = "sys/devices/system/node";
  put(`${nodeDir}/online`, CPUSet.fromIds(nodes).toString());
  put(`${nodeDir}/possible`, CPUSet.fromIds(nodes).toString());
  for (const n of nodes) {
    const base = `${nodeDir}/node${n}`;
    put(`${base}/cpulist`, t.cpusInNUMANode(n).toString());
    const mem = m.memory.get(n);
    const kib = (mem?.memory ?? 0n) / 1024n;
    put(
      `${base}/meminfo`,
      [`Node ${n} MemTotal:       ${kib} kB`, `Node ${n} MemFree:        ${kib} kB`].join("\n"),
    );
    const row = m.distances?.get(n) ?? nodes.map((o) => (o === n ? 10 : 20));
    put(`${base}/distance`, row.join(" "));
    for (const h of mem?.hugepages ?? []) {
      put(`${base}/hugepages/hugepages-${h.pageSizeKiB}kB/nr_hugepages`, String(h.numPages));
    }
  }
  if (opts.hostname !== undefined) put("proc/sys/kernel/hostname", opts.hostname);
  const pciDir = "sys/bus/pci/devices";
  mkdirSync(join(dir, pciDir), { recursive: true });
  for (const d of opts.pciDevices ?? []) {
    mkdirSync(join(dir, pciDir, d.address), { recursive: true });
    const files: [string, string | null][] = [
      ["vendor", d.vendor],
      ["class", d.class],
      ["numa_node", d.numaNode],
    ];
    for (const [file, text] of files) if (text !== null) put(`${pciDir}/${d.address}/${file}`, text);
  }
}
