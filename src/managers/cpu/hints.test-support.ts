import fc from "fast-check";
import { CPUSet } from "../../core/index.js";
import { type CPUInfo, CPUTopology } from "../../machine/index.js";

/**
 * Random CPU hint questions for the hint tests: machines of 1-10 NUMA nodes with arbitrary ids,
 * nodes spanning two sockets, headers as discovered, zeroed or inconsistent, available and
 * reusable CPUs at several densities, and requests around every size.
 */
export interface CPUHintCase {
  topology: CPUTopology;
  available: CPUSet;
  reusable: CPUSet;
  request: number;
  alignBySocket: boolean;
}

const nodeArb = fc.record({
  cpus: fc.integer({ min: 1, max: 6 }),
  socket: fc.integer({ min: 0, max: 2 }),
  /** Part of the node's CPUs on the next socket (a node spanning two sockets). */
  spansSockets: fc.boolean(),
});

export const cpuHintCaseArb: fc.Arbitrary<CPUHintCase> = fc
  .record({
    ids: fc.uniqueArray(fc.integer({ min: 0, max: 63 }), { minLength: 1, maxLength: 10 }),
    nodes: fc.array(nodeArb, { minLength: 10, maxLength: 10 }),
    header: fc.constantFrom("discovered", "zeros", "odd"),
    seed: fc.array(fc.integer({ min: 0, max: 99 }), { minLength: 64, maxLength: 64 }),
    reuseOdds: fc.constantFrom(0, 0, 5, 30),
    freeOdds: fc.constantFrom(30, 70, 100),
    requestExtra: fc.integer({ min: -3, max: 3 }),
    requestPart: fc.double({ min: 0, max: 1, noNaN: true }),
    alignBySocket: fc.boolean(),
  })
  .map((r) => {
    const cpus: CPUInfo[] = [];
    r.ids.forEach((numa, i) => {
      const node = r.nodes[i];
      for (let k = 0; k < node.cpus; k++) {
        const id = cpus.length;
        const socket = node.spansSockets && k % 2 === 1 ? node.socket + 1 : node.socket;
        cpus.push({ id, core: Math.floor(id / 2), socket, numa, uncore: socket });
      }
    });
    const discovered = CPUTopology.fromCPUs(cpus);
    const header =
      r.header === "discovered"
        ? discovered
        : r.header === "zeros"
          ? { numCPUs: cpus.length, numCores: 0, numSockets: 0, numNUMANodes: 0, numUncoreCaches: 0 }
          : { ...discovered, numNUMANodes: r.ids.length + 1, numSockets: 1 };
    const topology = new CPUTopology(header, cpus);
    const pick = (odds: number, salt: number) =>
      CPUSet.fromIds(cpus.map((c) => c.id).filter((id) => r.seed[(id * 7 + salt) % 64] < odds));
    const request = Math.max(0, Math.round(r.requestPart * cpus.length) + r.requestExtra);
    return {
      topology,
      available: pick(r.freeOdds, 3),
      reusable: pick(r.reuseOdds, 11),
      request,
      alignBySocket: r.alignBySocket,
    };
  });
