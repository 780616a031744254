import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { CadvisorCore, CadvisorMachineInfo, CadvisorNode } from "./cadvisor.js";
import { discoverMachine, discoverTopology, toMachineInfo } from "./discover.js";
import { MachineError } from "./errors.js";
import { machineFacts } from "./facts.js";
import { PRESETS } from "./presets/index.js";
import { layoutMachineInfo } from "./presets/generate.js";

const core = (core_id: number, thread_ids: number[], socket_id: number, uncore?: number): CadvisorCore => ({
  core_id,
  thread_ids,
  socket_id,
  caches: [],
  uncore_caches: uncore === undefined ? [] : [{ id: uncore, size: 0n, type: "Unified", level: 3 }],
});
const node = (
  node_id: number,
  cores: CadvisorCore[],
  memory = 1n << 30n,
  distances: number[] = [],
): CadvisorNode => ({
  node_id,
  memory,
  hugepages: [],
  cores,
  caches: [],
  distances,
});

describe("discoverTopology (kubelet topology.Discover)", () => {
  // The machine info of the kubelet's topology_hints_test: 2 nodes, cadvisor core ids repeat per socket.
  const hints12: CadvisorMachineInfo = {
    num_cores: 12,
    num_sockets: 2,
    topology: [
      node(0, [core(0, [0, 6], 0), core(1, [1, 7], 0), core(2, [2, 8], 0)]),
      node(1, [core(0, [3, 9], 1), core(1, [4, 10], 1), core(2, [5, 11], 1)]),
    ],
  };

  test("core id is the lowest thread id; uncore falls back to the socket id", () => {
    const t = discoverTopology(hints12);
    assert.deepEqual(t.cpu(9), { id: 9, core: 3, socket: 1, numa: 1, uncore: 1 });
    assert.deepEqual(t.cpu(6), { id: 6, core: 0, socket: 0, numa: 0, uncore: 0 });
    assert.equal(t.cpusInCore(4).toString(), "4,10");
  });

  test("header: cadvisor's CPU and socket counts, core entries, distinct NUMA and uncore ids", () => {
    const t = discoverTopology(hints12);
    assert.deepEqual(
      [t.numCPUs, t.numSockets, t.numCores, t.numNUMANodes, t.numUncoreCaches],
      [12, 2, 6, 2, 2],
    );
  });

  test("the first uncore cache of a core gives its uncore id", () => {
    const info: CadvisorMachineInfo = {
      num_cores: 4,
      num_sockets: 1,
      topology: [node(0, [core(0, [0], 0, 7), core(1, [1], 0, 7), core(2, [2], 0, 9), core(3, [3], 0)])],
    };
    const t = discoverTopology(info);
    assert.deepEqual(
      t.all.toArray().map((id) => t.cpu(id).uncore),
      [7, 7, 9, 0],
    );
    assert.equal(t.numUncoreCaches, 3);
  });

  test("CPU-less nodes are NUMA nodes of the machine but not of the CPU header", () => {
    const info: CadvisorMachineInfo = {
      num_cores: 2,
      num_sockets: 1,
      topology: [node(0, [core(0, [0, 1], 0)], 8n << 30n, [10, 40]), node(1, [], 16n << 30n, [40, 10])],
    };
    const m = discoverMachine(info, { name: "x" });
    assert.equal(m.topology.numNUMANodes, 1);
    assert.deepEqual([...m.memory.keys()], [0, 1]);
    assert.equal(m.memory.get(1)?.memory, 16n << 30n);
    assert.deepEqual(m.distances?.get(1), [40, 10]);
  });

  test("kubelet errors: no CPUs, empty and repeated thread lists, a CPU in two cores", () => {
    const bad =
      (topology: CadvisorNode[], num_cores = 2) =>
      () =>
        discoverTopology({ num_cores, num_sockets: 1, topology }, "m.json");
    assert.throws(
      bad([node(0, [core(0, [0], 0)])], 0),
      /^MachineError: m\.json: could not detect number of cpus/,
    );
    assert.throws(bad([node(0, [core(5, [], 0)])]), /m\.json: node 0 core 5: no cpus provided/);
    assert.throws(bad([node(0, [core(0, [1, 1], 0)])]), /cpus provided are not unique/);
    assert.throws(
      bad([node(0, [core(0, [0, 1], 0), core(1, [1], 0)])]),
      /CPU 1 appears in more than one core/,
    );
    assert.throws(
      () =>
        discoverMachine(
          {
            num_cores: 2,
            num_sockets: 1,
            topology: [node(0, [core(0, [0], 0)]), node(0, [core(1, [1], 0)])],
          },
          { name: "x" },
        ),
      MachineError,
    );
  });

  test("distances: every row one entry per node, or none at all", () => {
    const info: CadvisorMachineInfo = {
      num_cores: 2,
      num_sockets: 1,
      topology: [node(0, [core(0, [0], 0)], 1n, [10, 20]), node(1, [core(1, [1], 0)], 1n, [20])],
    };
    assert.throws(() => discoverMachine(info, { name: "x" }), /NUMA node 1: expected 2 distances/);
    info.topology[1].distances = [];
    info.topology[0].distances = [];
    assert.equal(discoverMachine(info, { name: "x" }).distances, null);
  });
});

describe("layouts: both Linux sibling numberings", () => {
  test("offset: core c has CPUs c and c + number of cores", () => {
    const t = discoverTopology(
      layoutMachineInfo({ sockets: 2, coresPerSocket: 4, threadsPerCore: 2, memory: 1n }),
    );
    assert.equal(t.cpusInCore(3).toString(), "3,11");
    assert.equal(t.cpusInSocket(1).toString(), "4-7,12-15");
  });
  test("adjacent: core c has CPUs 2c and 2c+1", () => {
    const t = discoverTopology(
      layoutMachineInfo({
        sockets: 2,
        coresPerSocket: 4,
        threadsPerCore: 2,
        siblings: "adjacent",
        memory: 1n,
      }),
    );
    assert.equal(t.cpusInCore(6).toString(), "6-7");
    assert.equal(t.cpusInSocket(1).toString(), "8-15");
  });
  test("interleaved sockets with offset siblings", () => {
    const t = discoverTopology(
      layoutMachineInfo({
        sockets: 2,
        coresPerSocket: 3,
        threadsPerCore: 2,
        socketNumbering: "interleaved",
        memory: 1n,
      }),
    );
    assert.equal(t.cpusInSocket(0).toString(), "0,2,4,6,8,10");
    assert.equal(t.cpusInCore(1).toString(), "1,7");
  });
  test("SMT-4 and an L3 spanning NUMA nodes", () => {
    const t = discoverTopology(
      layoutMachineInfo({
        sockets: 1,
        coresPerSocket: 4,
        threadsPerCore: 4,
        numaPerSocket: 2,
        coresPerL3: 4,
        memory: 1n,
      }),
    );
    assert.equal(t.cpusPerCore, 4);
    assert.equal(t.cpusInCore(0).toString(), "0,4,8,12");
    assert.equal(t.numNUMANodes, 2);
    assert.deepEqual(t.uncoreCaches(), [0]);
  });
  test("an L3 equal to its NUMA node is a node-level cache for cadvisor: uncore = socket", () => {
    const t = discoverTopology(
      layoutMachineInfo({
        sockets: 1,
        coresPerSocket: 8,
        threadsPerCore: 1,
        numaPerSocket: 2,
        coresPerL3: 4,
        memory: 1n,
      }),
    );
    assert.deepEqual(t.uncoreCaches(), [0]);
    const split = discoverTopology(
      layoutMachineInfo({
        sockets: 1,
        coresPerSocket: 8,
        threadsPerCore: 1,
        numaPerSocket: 1,
        coresPerL3: 4,
        memory: 1n,
      }),
    );
    assert.deepEqual(split.uncoreCaches(), [0, 1]);
  });
  test("bad layouts name the field", () => {
    assert.throws(
      () =>
        layoutMachineInfo({ sockets: 1, coresPerSocket: 6, threadsPerCore: 1, numaPerSocket: 4, memory: 1n }),
      /machine layout: numaPerSocket: 4 does not divide 6/,
    );
    assert.throws(
      () => layoutMachineInfo({ sockets: 0, coresPerSocket: 6, threadsPerCore: 1, memory: 1n }),
      /sockets: expected a positive integer/,
    );
    assert.throws(
      () => layoutMachineInfo({ sockets: 2, coresPerSocket: 2, threadsPerCore: 1, memory: [1n] }),
      /memory: expected 2 values/,
    );
  });
});

describe("toMachineInfo", () => {
  test("discovery of toMachineInfo(m) gives m back for every discovered preset", () => {
    for (const p of PRESETS) {
      if (p.name.startsWith("topo") || p.name.startsWith("fakeTopo") || p.name === "machineInfoHints12")
        continue;
      const m = p.build();
      // cadvisor machine info has no device plugins: the kubelet hears of those apart.
      const back = discoverMachine(toMachineInfo(m), { name: m.name, devices: m.devices });
      assert.deepEqual(machineFacts(back), machineFacts(m), p.name);
    }
  });
  test("kubelet fixtures keep their CPUs; core ids become the lowest thread id, the header is re-derived", () => {
    for (const p of PRESETS.filter((x) => /^(topo|fakeTopo|machineInfo)/.test(x.name))) {
      const m = p.build();
      const back = discoverMachine(toMachineInfo(m), { name: m.name }).topology;
      const t = m.topology;
      for (const id of t.all) {
        const [a, b] = [t.cpu(id), back.cpu(id)];
        assert.deepEqual([b.socket, b.numa, b.uncore], [a.socket, a.numa, a.uncore], `${p.name} CPU ${id}`);
        assert.equal(b.core, t.cpusInCore(a.core).min(), `${p.name} CPU ${id}`);
      }
    }
  });
});
