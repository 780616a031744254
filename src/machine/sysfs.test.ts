import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { CPUSet } from "../core/index.js";
import { MachineError } from "./errors.js";
import { machineFacts } from "./facts.js";
import { machineNUMANodes } from "./machine.js";
import { presetMachine } from "./presets/index.js";
import {
  SYSFS_CPU_DIR,
  SYSFS_NODE_DIR,
  discoverFromSysfs,
  readSysfsMachineInfo,
  writeFakeSysfs,
} from "./sysfs.js";

// Thousands of small files: a memory-backed directory keeps this fast where there is one.
const scratch = existsSync("/dev/shm") ? "/dev/shm" : tmpdir();
const dirs: string[] = [];
function fakeTree(preset: string): string {
  const dir = mkdtempSync(join(scratch, "podpin-sysfs-"));
  dirs.push(dir);
  writeFakeSysfs(presetMachine(preset)!, dir);
  return dir;
}
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe("sysfs discovery of generated trees", () => {
  for (const preset of [
    "intel-xeon-6230r-2s", // dual socket, HT, interleaved numbering
    "worked-example", // dual socket, HT, offset numbering, no cache data in the preset
    "intel-spr-2s-snc4", // SNC: one L3 over four NUMA nodes
    "amd-epyc-7551-2s", // NPS4-style dies with memory-less nodes
    "amd-tr-3960x-nps4",
    "intel-xeon-max-2s-snc4-hbm-flat", // CPU-less HBM nodes
    "amd-epyc-8434p-l3numa", // L3 == NUMA node
    "nvidia-gb200-tray", // 34 nodes
  ]) {
    test(`${preset}: the tree reads back as the preset`, () => {
      const m = discoverFromSysfs(fakeTree(preset), preset);
      // Preset devices carry plugin ids (GPU UUIDs) that sysfs cannot hold; the tree has none.
      assert.equal(m.devices.size, 0);
      assert.deepEqual(machineFacts(m), { ...machineFacts(presetMachine(preset)!), devices: [] });
    });
  }

  test("EPYC 7551: memory-less NUMA nodes keep their CPUs; node sizes and distances as captured", () => {
    const m = discoverFromSysfs(fakeTree("amd-epyc-7551-2s"));
    assert.equal(m.topology.cpusInNUMANode(0).toString(), "0-7,64-71");
    assert.equal(m.memory.get(0)?.memory, 0n);
    assert.equal(m.memory.get(1)?.memory, 15960n << 20n);
    assert.deepEqual(m.distances?.get(4), [32, 32, 32, 32, 10, 16, 16, 16]);
    assert.equal(m.topology.numUncoreCaches, 16);
  });

  test("Xeon Max: CPU-less HBM nodes are NUMA nodes with memory and no CPUs", () => {
    const m = discoverFromSysfs(fakeTree("intel-xeon-max-2s-snc4-hbm-flat"));
    assert.deepEqual(machineNUMANodes(m), [...Array(16).keys()]);
    assert.equal(m.topology.numNUMANodes, 8);
    assert.ok(m.topology.cpusInNUMANode(12).isEmpty());
    assert.equal(m.memory.get(12)?.memory, 16n << 30n);
  });

  test("SNC: the uncore id is the package's L3, shared by four NUMA nodes", () => {
    const t = discoverFromSysfs(fakeTree("intel-spr-2s-snc4")).topology;
    assert.deepEqual(t.uncoreCaches(), [0, 1]);
    assert.ok(t.cpusInUncore(0).equals(t.cpusInNUMANodes([0, 1, 2, 3])));
  });

  test("hugepage pools are read per node", () => {
    const dir = fakeTree("aws-c5n-18xlarge");
    writeFileSync(join(dir, SYSFS_NODE_DIR, "node1/hugepages/hugepages-2048kB/nr_hugepages"), "512\n");
    const m = discoverFromSysfs(dir);
    assert.deepEqual(m.memory.get(1)?.hugepages, [
      { pageSizeKiB: 2048, numPages: 512n },
      { pageSizeKiB: 1048576, numPages: 0n },
    ]);
  });

  test("offline CPUs are left out; cadvisor's count of CPUs follows", () => {
    const dir = fakeTree("worked-example");
    writeFileSync(join(dir, SYSFS_CPU_DIR, "online"), "0-30\n");
    const m = discoverFromSysfs(dir);
    assert.equal(m.topology.numCPUs, 31);
    assert.ok(!m.topology.all.has(31));
    assert.equal(m.topology.cpusInCore(15).toString(), "15");
  });

  test("without cpu/online, each CPU's online file decides (the boot CPU has none)", () => {
    const dir = fakeTree("worked-example");
    unlinkSync(join(dir, SYSFS_CPU_DIR, "online"));
    writeFileSync(join(dir, SYSFS_CPU_DIR, "cpu5/online"), "0\n");
    const t = discoverFromSysfs(dir).topology;
    assert.equal(t.numCPUs, 31);
    assert.ok(t.all.has(0) && !t.all.has(5));
  });

  test("without NUMA directories: one node per socket, memory unknown", () => {
    const dir = fakeTree("worked-example");
    rmSync(join(dir, SYSFS_NODE_DIR), { recursive: true });
    const { info, notes } = readSysfsMachineInfo(dir);
    assert.deepEqual(
      info.topology.map((n) => n.node_id),
      [0, 1],
    );
    assert.match(notes[0], /lists no NUMA node/);
    const m = discoverFromSysfs(dir);
    assert.equal(m.topology.cpusInNUMANode(1).toString(), "8-15,24-31");
    assert.equal(m.memory.get(0)?.memory, 0n);
  });
});

describe("sysfs errors name the file and what was expected", () => {
  const broken = (preset: string, file: string, content: string | null): (() => unknown) => {
    const dir = fakeTree(preset);
    const path = join(dir, file);
    if (content === null) unlinkSync(path);
    else writeFileSync(path, content);
    return () => discoverFromSysfs(dir);
  };
  const expectError = (fn: () => unknown, fileSuffix: string, what: RegExp) => {
    assert.throws(fn, (err: unknown) => {
      assert.ok(err instanceof MachineError, String(err));
      assert.ok(err.path.endsWith(fileSuffix), err.path);
      assert.match(err.message, what);
      assert.equal(err.message.split("\n").length, 1);
      return true;
    });
  };

  test("a missing topology file", () => {
    const f = `${SYSFS_CPU_DIR}/cpu3/topology/core_id`;
    expectError(broken("worked-example", f, null), f, /missing file: expected the core id/);
  });
  test("a malformed package id", () => {
    const f = `${SYSFS_CPU_DIR}/cpu7/topology/physical_package_id`;
    expectError(broken("worked-example", f, "zero\n"), f, /expected the package \(socket\) id .* got "zero"/);
  });
  test("a malformed sibling list", () => {
    const f = `${SYSFS_CPU_DIR}/cpu0/topology/thread_siblings_list`;
    expectError(
      broken("worked-example", f, "0-\n"),
      f,
      /expected the CPUs of this CPU's core in the list format/,
    );
  });
  test("a missing node cpulist", () => {
    const f = `${SYSFS_NODE_DIR}/node1/cpulist`;
    expectError(broken("worked-example", f, null), f, /missing file: expected the node's CPUs/);
  });
  test("meminfo without MemTotal", () => {
    const f = `${SYSFS_NODE_DIR}/node0/meminfo`;
    expectError(
      broken("worked-example", f, "Node 0 MemFree: 12 kB\n"),
      f,
      /expected a line "Node 0 MemTotal: <size> kB"/,
    );
  });
  test("a distance row of the wrong length", () => {
    const f = `${SYSFS_NODE_DIR}/node1/distance`;
    expectError(
      broken("worked-example", f, "21 10 10\n"),
      f,
      /expected 2 distances \(one per NUMA node\), got 3/,
    );
  });
  test("a missing distance file", () => {
    const f = `${SYSFS_NODE_DIR}/node0/distance`;
    expectError(broken("worked-example", f, null), f, /missing file: expected the node's distances/);
  });
  test("a bad hugepage count", () => {
    const f = `${SYSFS_NODE_DIR}/node0/hugepages/hugepages-2048kB/nr_hugepages`;
    expectError(broken("aws-c5n-18xlarge", f, "-1\n"), f, /expected the number of hugepages/);
  });
  test("a bad cache level", () => {
    const f = `${SYSFS_CPU_DIR}/cpu2/cache/index1/level`;
    expectError(broken("worked-example", f, "three\n"), f, /expected the cache level/);
  });
  test("no sysfs at all", () => {
    const dir = mkdtempSync(join(tmpdir(), "podpin-empty-"));
    dirs.push(dir);
    expectError(() => discoverFromSysfs(dir), SYSFS_CPU_DIR, /missing directory/);
  });
});

describe("the machine the tests run on", () => {
  const real = "/sys/devices/system/cpu";
  test("every online CPU is discovered, and the NUMA nodes cover them", () => {
    assert.ok(existsSync(real), `cannot run: ${real} is missing (this test reads the real sysfs)`);
    const m = discoverFromSysfs("/");
    const online = CPUSet.parse(readFileSync(join(real, "online"), "utf8"));
    assert.ok(m.topology.all.equals(online), `discovered ${m.topology.all}, online ${online}`);
    assert.equal(m.topology.numCPUs, online.size);
    const covered = m.topology.cpusInNUMANodes(machineNUMANodes(m));
    assert.ok(covered.equals(online));
    for (const id of online) {
      const c = m.topology.cpu(id);
      assert.ok(m.topology.cpusInCore(c.core).has(id));
      assert.equal(c.core, m.topology.cpusInCore(c.core).min());
    }
    if (m.distances) for (const row of m.distances.values()) assert.equal(row.length, m.memory.size);
  });
});
