import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { CPUSet } from "../../core/index.js";
import { type CPUInfo, CPUTopology, kubeletFixture } from "../../machine/index.js";
import {
  ReferenceCPUAccumulator as CPUAccumulator,
  ids,
  type SortStrategy,
} from "./accumulator.reference.js";

function fixture(name: string): CPUTopology {
  const topo = kubeletFixture(name);
  assert.ok(topo, `fixture ${name}`);
  return topo;
}

function accumulator(topo: CPUTopology, available: string, n = 1, strategy: SortStrategy = "packed") {
  return new CPUAccumulator(topo, CPUSet.parse(available), n, strategy);
}

describe("CPUAccumulator orientation and orderings", () => {
  // topoDualSocketHT: 12 CPUs, core c = CPUs {c, c+6}, socket = NUMA = c % 2; header NumNUMANodes 0.
  const dual = fixture("topoDualSocketHT");

  it("is NUMA-first when the header says NumSockets >= NumNUMANodes (0 counts)", () => {
    assert.equal(accumulator(dual, "0-11").index.numaFirst, true);
    assert.equal(accumulator(fixture("topoDualSocketMultiNumaPerSocketHT"), "0-79").index.numaFirst, false);
    assert.equal(
      accumulator(fixture("fakeTopoMultiSocketDualSocketPerNumaHT"), "0-79").index.numaFirst,
      true,
    );
  });

  it("breaks equal free counts by ascending id and nests cores under sockets", () => {
    const acc = accumulator(dual, "0-11");
    const ix = acc.index;
    assert.deepEqual(ids(ix.numa, acc.numaOrder()), [0, 1]);
    assert.deepEqual(ids(ix.socket, acc.socketOrder()), [0, 1]);
    assert.deepEqual(ids(ix.core, acc.coreOrder()), [0, 2, 4, 1, 3, 5]);
    assert.deepEqual(acc.leftoverCPUOrder(), [0, 6, 2, 8, 4, 10, 1, 7, 3, 9, 5, 11]);
  });

  it("puts the element with fewer free CPUs first at every level", () => {
    // Socket/NUMA 1 keeps only CPUs 1 and 5 (one thread of cores 1 and 5); socket 0 is all free.
    const acc = accumulator(dual, "0-2,4-6,8,10");
    const ix = acc.index;
    assert.deepEqual(ids(ix.numa, acc.numaOrder()), [1, 0]);
    assert.deepEqual(ids(ix.core, acc.coreOrder()), [1, 5, 0, 2, 4]);
    assert.deepEqual(acc.leftoverCPUOrder(), [1, 5, 0, 6, 2, 8, 4, 10]);
    // Within a socket, a core with one free thread comes before fully free cores.
    const mixed = accumulator(dual, "0,2,4,6,10");
    assert.deepEqual(ids(mixed.index.core, mixed.coreOrder()), [2, 0, 4]);
  });

  it("orders leftover CPUs socket by socket in id order with the spread strategy", () => {
    const acc = accumulator(dual, "0-11", 1, "spread");
    assert.deepEqual(acc.leftoverCPUOrder(), [0, 2, 4, 6, 8, 10, 1, 3, 5, 7, 9, 11]);
  });

  it("recomputes orders after every take", () => {
    const acc = accumulator(dual, "0-11", 4);
    const ix = acc.index;
    acc.take([0, 6, 2]);
    assert.equal(acc.need, 1);
    assert.equal(acc.freeCount, 9);
    assert.deepEqual(ids(ix.numa, acc.numaOrder()), [0, 1]);
    assert.deepEqual(ids(ix.core, acc.coreOrder()), [2, 4, 1, 3, 5]);
    acc.take([1, 7, 3, 9]);
    assert.deepEqual(ids(ix.numa, acc.numaOrder()), [1, 0]);
    assert.deepEqual(acc.result().toString(), "0-3,6-7,9");
  });

  it("is socket-first when NUMA nodes outnumber sockets, nesting NUMA nodes and cores under sockets", () => {
    // 2 sockets, 4 NUMA nodes of 10 cores; core c = CPUs {c, c+40}; NUMA 0 is busy.
    const acc = accumulator(fixture("topoDualSocketMultiNumaPerSocketHT"), "10-39,50-79");
    const ix = acc.index;
    assert.deepEqual(ids(ix.socket, acc.socketOrder()), [0, 1]);
    assert.deepEqual(ids(ix.numa, acc.numaOrder()), [1, 2, 3]);
    assert.deepEqual(ids(ix.core, acc.coreOrder()).slice(0, 3), [10, 11, 12]);
  });

  it("repeats a socket that spans several NUMA nodes in NUMA-first order, as the kubelet does", () => {
    // Header NumNUMANodes 0 but two NUMA ids inside the one socket.
    const acc = accumulator(fixture("topoUncoreSingleSocketMultiNuma"), "0-15");
    assert.deepEqual(ids(acc.index.socket, acc.socketOrder()), [0, 0]);
  });

  it("lists uncore caches NUMA node by NUMA node", () => {
    // topoUncoreSingleSocketNoSMT: 16 CPUs, uncore = cpu / 4, one NUMA node.
    const acc = accumulator(fixture("topoUncoreSingleSocketNoSMT"), "1-15");
    assert.deepEqual(ids(acc.index.uncore, acc.uncoreOrder()), [0, 1, 2, 3]);
    assert.deepEqual(ids(acc.index.uncore, acc.freeUncoreCaches()), [1, 2, 3]);
    const partial = accumulator(fixture("topoUncoreSingleSocketNoSMT"), "0-5,8-15");
    assert.deepEqual(ids(partial.index.uncore, partial.uncoreOrder()), [1, 0, 2, 3]);
  });
});

describe("CPUAccumulator completely free elements", () => {
  it("uses the header ratios for sockets and cores and full-topology sizes for NUMA nodes", () => {
    // A hand-made topology whose header claims 4 CPUs per core while cores really hold 2.
    const cpus: CPUInfo[] = [0, 1, 2, 3].map((id) => ({ id, core: id >> 1, socket: 0, numa: 0, uncore: 0 }));
    const topo = new CPUTopology(
      { numCPUs: 4, numCores: 1, numSockets: 1, numNUMANodes: 1, numUncoreCaches: 1 },
      cpus,
    );
    const acc = new CPUAccumulator(topo, CPUSet.parse("0-3"), 1, "packed");
    assert.deepEqual(acc.freeCores(), []);
    assert.deepEqual(ids(acc.index.socket, acc.freeSockets()), [0]);
    assert.deepEqual(ids(acc.index.numa, acc.freeNUMANodes()), [0]);
    const busy = new CPUAccumulator(topo, CPUSet.parse("0-2"), 1, "packed");
    assert.deepEqual(busy.freeNUMANodes(), []);
    assert.deepEqual(busy.freeSockets(), []);
  });

  it("finds the lowest cores with free CPUs in an uncore cache", () => {
    // topoUncoreSingleSocketSMT: 8 cores, core c = CPUs {c, c+8}, uncore 0 = cores 0-3.
    const acc = accumulator(fixture("topoUncoreSingleSocketSMT"), "1-3,9-15");
    const cores = (k: number, u: number) => ids(acc.index.core, acc.coresNeededInUncoreCache(k, u));
    assert.deepEqual(cores(2, 0), [1, 2]);
    assert.deepEqual(cores(10, 0), [1, 2, 3]);
    assert.deepEqual(cores(3, 1), [4, 5, 6]);
  });

  it("reduces the need by the size of each taken set and ignores CPUs outside the topology", () => {
    const acc = new CPUAccumulator(fixture("topoSingleSocketHT"), CPUSet.parse("0-3,100"), 3, "packed");
    assert.equal(acc.freeCount, 4);
    assert.equal(acc.isFailed(), false);
    acc.take([0, 4]);
    assert.equal(acc.need, 1);
    assert.equal(acc.isFree(4), false);
    assert.equal(acc.needsAtLeast(1), true);
    acc.take([1]);
    assert.equal(acc.isSatisfied(), true);
  });
});

describe("CPUAccumulator against the kubelet's accumulator tables", () => {
  type Query = "freeSockets" | "freeNUMANodes" | "freeCores" | "leftover";
  const rows: [Query, string, string, number[]][] = [
    ["freeSockets", "topoDualSocketHT", "0-9,11", [1]],
    ["freeSockets", "topoDualSocketMultiNumaPerSocketHT", "1-79", [1]],
    ["freeSockets", "fakeTopoMultiSocketDualSocketPerNumaHT", "0-19,21-79", [0, 1, 3]],
    ["freeSockets", "fakeTopoMultiSocketDualSocketPerNumaHT", "1-19,21-38,41-60,61-78", [1]],
    ["freeNUMANodes", "topoDualSocketMultiNumaPerSocketHT", "1-9,11-79", [2, 3]],
    ["freeNUMANodes", "topoDualSocketMultiNumaPerSocketHT", "1-59,61-79", [1, 3]],
    ["freeNUMANodes", "fakeTopoMultiSocketDualSocketPerNumaHT", "0-9,11-79", [1]],
    ["freeCores", "topoSingleSocketHT", "0-6", [0, 1, 2]],
    ["freeCores", "topoDualSocketHT", "1-5,7-11", [2, 4, 1, 3, 5]],
    ["freeCores", "topoDualSocketHT", "2-5,8-11", [2, 4, 3, 5]],
    ["leftover", "topoSingleSocketHT", "3-7", [4, 5, 6, 3, 7]],
    ["leftover", "topoDualSocketHT", "1-11", [6, 2, 8, 4, 10, 1, 7, 3, 9, 5, 11]],
    ["leftover", "topoTripleSocketHT", "0-3,6-13", [12, 13, 0, 1, 2, 3, 6, 7, 8, 9, 10, 11]],
  ];
  for (const [query, name, available, expected] of rows) {
    it(`${query} on ${name} with ${available}`, () => {
      const acc = accumulator(fixture(name), available, 0);
      const ix = acc.index;
      const actual =
        query === "freeSockets"
          ? ids(ix.socket, acc.freeSockets()).sort((a, b) => a - b)
          : query === "freeNUMANodes"
            ? ids(ix.numa, acc.freeNUMANodes())
            : query === "freeCores"
              ? ids(ix.core, acc.freeCores())
              : acc.leftoverCPUOrder();
      assert.deepEqual(actual, expected);
    });
  }
});
