import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { FIXTURE_NODE_MEMORY, kubeletFixtureMachine } from "./fixture-machines.js";
import { KUBELET_FIXTURE_NAMES, kubeletFixture } from "./kubelet-fixtures.js";

const CONFORMANCE_DIR =
  process.env.PODPIN_CONFORMANCE_DIR ??
  resolve(join(dirname(fileURLToPath(import.meta.url)), "../../../../shared/conformance"));
const TOPOLOGIES = join(CONFORMANCE_DIR, "cpu/topologies.json");

interface FixtureJSON {
  numCPUs: number;
  numSockets: number;
  numCores: number;
  numNUMANodes: number;
  numUncoreCaches: number;
  derived: { sockets: number; numaNodes: number; cores: number; uncoreCaches: number };
  cpus: { id: number; core: number; socket: number; numa: number; uncore: number }[];
}

describe("built-in kubelet fixtures equal cpu/topologies.json", () => {
  test("the fixture file is present", () => {
    assert.ok(existsSync(TOPOLOGIES), `cannot run: no conformance data at ${TOPOLOGIES}`);
  });
  const data = existsSync(TOPOLOGIES)
    ? (JSON.parse(readFileSync(TOPOLOGIES, "utf8")) as Record<string, FixtureJSON>)
    : {};

  test("the same set of fixture names", () => {
    assert.deepEqual([...KUBELET_FIXTURE_NAMES].sort(), Object.keys(data).sort());
  });

  for (const [name, f] of Object.entries(data)) {
    test(name, () => {
      const t = kubeletFixture(name);
      assert.ok(t, `no built-in fixture ${name}`);
      assert.deepEqual(
        {
          numCPUs: t.numCPUs,
          numSockets: t.numSockets,
          numCores: t.numCores,
          numNUMANodes: t.numNUMANodes,
          numUncoreCaches: t.numUncoreCaches,
        },
        {
          numCPUs: f.numCPUs,
          numSockets: f.numSockets,
          numCores: f.numCores,
          numNUMANodes: f.numNUMANodes,
          numUncoreCaches: f.numUncoreCaches,
        },
      );
      assert.equal(t.details.size, f.cpus.length);
      for (const c of f.cpus) assert.deepEqual(t.cpu(c.id), c, `${name} CPU ${c.id}`);
      // The `derived` block counts distinct ids, which is what discovery puts in the header.
      const d = kubeletFixtureMachine(name, { header: "discovered" })!.topology;
      assert.deepEqual(
        [d.numSockets, d.numNUMANodes, d.numCores, d.numUncoreCaches],
        [f.derived.sockets, f.derived.numaNodes, f.derived.cores, f.derived.uncoreCaches],
      );
    });
  }
});

describe("kubelet fixtures as machines", () => {
  test("each NUMA node of the fixture gets the documented memory, no hugepages, unknown distances", () => {
    const m = kubeletFixtureMachine("topoDualSocketMultiNumaPerSocketHT")!;
    assert.deepEqual([...m.memory.keys()], [0, 1, 2, 3]);
    for (const mem of m.memory.values())
      assert.deepEqual(mem, { memory: FIXTURE_NODE_MEMORY, hugepages: [] });
    assert.equal(m.distances, null);
    // The header stays as the test declares it (NumUncoreCache left unset).
    assert.deepEqual([m.topology.numNUMANodes, m.topology.numUncoreCaches], [4, 0]);
    assert.equal(kubeletFixtureMachine("topoDualSocketHT", { memoryPerNode: 1n })!.memory.get(1)?.memory, 1n);
    assert.equal(kubeletFixtureMachine("nope"), null);
  });
});
