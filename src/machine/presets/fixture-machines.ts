import type { Machine, NUMAMemory } from "../machine.js";
import { CPUTopology } from "../topology.js";
import type { PresetDefinition } from "./definition.js";
import { GiB } from "./generate.js";
import { KUBELET_FIXTURE_NAMES, kubeletFixture } from "./kubelet-fixtures.js";

/** Memory given to each NUMA node of a kubelet fixture, which describes CPUs only. */
export const FIXTURE_NODE_MEMORY = 64n * GiB;

export interface FixtureMachineOptions {
  /** Bytes per NUMA node; default `FIXTURE_NODE_MEMORY`. */
  memoryPerNode?: bigint;
  /**
   * `fixture` (default): the header exactly as the kubelet test declares it (0 = unset), which the
   * CPU algorithms read as stored. `discovered`: the counts discovery would compute from the CPU
   * list, as on a real node (the node admission cases use this, conformance/node/README.md).
   */
  header?: "fixture" | "discovered";
}

/** A kubelet test topology as a whole machine, or null when there is no such fixture. */
export function kubeletFixtureMachine(name: string, opts: FixtureMachineOptions = {}): Machine | null {
  const fixture = kubeletFixture(name);
  if (!fixture) return null;
  const topology =
    opts.header === "discovered" ? CPUTopology.fromCPUs([...fixture.details.values()]) : fixture;
  const perNode = opts.memoryPerNode ?? FIXTURE_NODE_MEMORY;
  const memory = new Map<number, NUMAMemory>(
    topology.numaNodes().map((id) => [id, { memory: perNode, hugepages: [] }]),
  );
  return {
    name,
    topology,
    memory,
    distances: null,
    devices: new Map(),
    notes: [
      `kubelet test topology ${name} (cpu/topologies.json); header ${opts.header === "discovered" ? "as discovery would count it" : "as the test declares it (0 = unset)"}`,
      `memory is not part of the fixture: each NUMA node gets ${perNode} bytes, no hugepages; distances unknown`,
    ],
  };
}

export const FIXTURE_MACHINES: readonly PresetDefinition[] = KUBELET_FIXTURE_NAMES.map((name) => {
  const t = kubeletFixture(name)!;
  return {
    name,
    description: `kubelet test topology: ${t.numCPUs} CPUs, header sockets=${t.numSockets} cores=${t.numCores} numa=${t.numNUMANodes} uncore=${t.numUncoreCaches}; 64Gi per NUMA node`,
    source: "kubernetes pkg/kubelet/cm/cpumanager policy_test.go / topology_hints_test.go",
    build: () => kubeletFixtureMachine(name)!,
  };
});
