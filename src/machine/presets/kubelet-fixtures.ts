import { type CPUInfo, CPUTopology } from "../topology.js";

/**
 * The CPU topologies of the kubelet's own unit tests (cpumanager policy and hint tests), built in so
 * that every conformance case naming one is runnable on its own. Header counts are kept exactly
 * as the tests declare them: 0 means the test left the field unset, and the algorithms read the
 * header, not counts derived from the CPU list (cpu-manager.md §2).
 *
 * Each CPU table is written as four parallel lists indexed by CPU id: core, socket, NUMA node,
 * uncore cache.
 */
interface FixtureSpec {
  header: [
    numCPUs: number,
    numSockets: number,
    numCores: number,
    numNUMANodes: number,
    numUncoreCaches: number,
  ];
  core: string;
  socket: string;
  numa: string;
  uncore: string;
  note?: string;
}

/** Run-length text: `0x4,1x4` = four 0s then four 1s; a bare number is one value. */
function expand(text: string): number[] {
  const out: number[] = [];
  for (const part of text.split(",")) {
    const [v, n] = part.split("x");
    for (let i = 0; i < (n === undefined ? 1 : Number(n)); i++) out.push(Number(v));
  }
  return out;
}

const FIXTURES: Record<string, FixtureSpec> = {
  topoSingleSocketHT: {
    header: [8, 1, 4, 0, 0],
    core: "0,1,2,3,0,1,2,3",
    socket: "0x8",
    numa: "0x8",
    uncore: "0x8",
  },
  topoDualSocketHT: {
    header: [12, 2, 6, 0, 1],
    core: "0,1,2,3,4,5,0,1,2,3,4,5",
    socket: "0,1,0,1,0,1,0,1,0,1,0,1",
    numa: "0,1,0,1,0,1,0,1,0,1,0,1",
    uncore: "0x12",
  },
  topoDualSocketNoHT: {
    header: [8, 2, 8, 0, 0],
    core: "0,1,2,3,4,5,6,7",
    socket: "0x4,1x4",
    numa: "0x4,1x4",
    uncore: "0x8",
  },
  topoTripleSocketHT: {
    header: [18, 3, 9, 0, 0],
    core: "0x2,1x2,2x2,3x2,4x2,5x2,6x2,7x2,8x2",
    socket: "1x6,0x6,2x6",
    numa: "1x6,0x6,2x6",
    uncore: "0x18",
  },
  topoQuadSocketFourWayHT: {
    header: [288, 4, 72, 0, 0],
    core: "0,64,65,66,67,68,69,70,71,72,73,74,75,64,65,66,67,68,69,70,71,72,73,74,75,64,65,66,67,68,69,70,71,72,73,74,75,63,64,65,66,67,68,69,70,71,72,73,74,75,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,18,19,20,21,22,23,24,25,26,27,28,29,30,31,32,33,34,35,36,37,38,39,40,41,42,43,44,45,46,47,48,49,50,51,52,53,54,55,56,57,60,61,62,63,0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,18,19,20,21,22,23,24,25,26,27,28,29,30,31,32,33,34,35,36,37,38,39,40,41,42,43,44,45,46,47,48,49,50,51,52,53,54,55,56,57,60,61,62,63,0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,18,19,20,21,22,23,24,25,26,27,28,29,30,31,32,33,34,35,36,37,38,39,40,41,42,43,44,45,46,47,48,49,50,51,52,53,54,55,56,57,60,61,62,63,0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,18,19,20,21,22,23,24,25,26,27,28,29,30,31,32,33,34,35,36,37,38,39,40,41,42,43,44,45,46,47,48,49,50,51,52,53,54,55,56,57,60,61,62",
    socket:
      "0x3,1x2,2x2,3x2,0x2,1x2,0x2,1x2,2x2,3x2,0x2,1x2,0x2,1x2,2x2,3x2,0x2,1x2,3,0x2,1x2,2x2,3x2,0x2,1x2,0,1x2,2x2,3x2,0x2,1x2,2x2,3x2,1x2,2x2,3x2,0x2,1x2,2x2,3x2,0x2,1x2,2x2,3x2,0x2,1x2,2x2,3x2,0x2,1x2,2x2,3x2,0x2,2x2,3x2,0x2,1x2,2x2,3x2,0x2,1x2,2x2,3x2,1x2,2x2,3x2,0x2,1x2,2x2,3x2,0x2,1x2,2x2,3x2,0x2,1x2,2x2,3x2,0x2,1x2,2x2,3x2,0x2,2x2,3x2,0x2,1x2,2x2,3x2,0x2,1x2,2x2,3x2,1x2,2x2,3x2,0x2,1x2,2x2,3x2,0x2,1x2,2x2,3x2,0x2,1x2,2x2,3x2,0x2,1x2,2x2,3x2,0x2,2x2,3x2,0x2,1x2,2x2,3x2,0x2,1x2,2x2,3x2,1x2,2x2,3x2,0x2,1x2,2x2,3x2,0x2,1x2,2x2,3x2,0x2,1x2,2x2,3x2,0x2,1x2,2x2,3x2,0x2,2x2,3",
    numa: "0x3,1x2,2x2,3x2,0x2,1x2,0x2,1x2,2x2,3x2,0x2,1x2,0x2,1x2,2x2,3x2,0x2,1x2,3,0x2,1x2,2x2,3x2,0x2,1x2,0,1x2,2x2,3x2,0x2,1x2,2x2,3x2,1x2,2x2,3x2,0x2,1x2,2x2,3x2,0x2,1x2,2x2,3x2,0x2,1x2,2x2,3x2,0x2,1x2,2x2,3x2,0x2,2x2,3x2,0x2,1x2,2x2,3x2,0x2,1x2,2x2,3x2,1x2,2x2,3x2,0x2,1x2,2x2,3x2,0x2,1x2,2x2,3x2,0x2,1x2,2x2,3x2,0x2,1x2,2x2,3x2,0x2,2x2,3x2,0x2,1x2,2x2,3x2,0x2,1x2,2x2,3x2,1x2,2x2,3x2,0x2,1x2,2x2,3x2,0x2,1x2,2x2,3x2,0x2,1x2,2x2,3x2,0x2,1x2,2x2,3x2,0x2,2x2,3x2,0x2,1x2,2x2,3x2,0x2,1x2,2x2,3x2,1x2,2x2,3x2,0x2,1x2,2x2,3x2,0x2,1x2,2x2,3x2,0x2,1x2,2x2,3x2,0x2,1x2,2x2,3x2,0x2,2x2,3",
    uncore: "0x288",
  },
  topoDualSocketMultiNumaPerSocketHT: {
    header: [80, 2, 40, 4, 0],
    core: "0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31,32,33,34,35,36,37,38,39,0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31,32,33,34,35,36,37,38,39",
    socket: "0x20,1x20,0x20,1x20",
    numa: "0x10,1x10,2x10,3x10,0x10,1x10,2x10,3x10",
    uncore: "0x80",
  },
  fakeTopoMultiSocketDualSocketPerNumaHT: {
    header: [80, 4, 40, 2, 0],
    core: "0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31,32,33,34,35,36,37,38,39,0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31,32,33,34,35,36,37,38,39",
    socket: "0x10,1x10,2x10,3x10,0x10,1x10,2x10,3x10",
    numa: "0x20,1x20,0x20,1x20",
    uncore: "0x80",
  },
  topoUncoreDualSocketNoSMT: {
    header: [16, 2, 16, 0, 4],
    core: "0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15",
    socket: "0x8,1x8",
    numa: "0x16",
    uncore: "0x4,1x4,2x4,3x4",
  },
  topoUncoreSingleSocketMultiNuma: {
    header: [16, 1, 16, 0, 4],
    core: "0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15",
    socket: "0x16",
    numa: "0x8,1x8",
    uncore: "0x4,1x4,2x4,3x4",
  },
  topoUncoreSingleSocketSMT: {
    header: [16, 1, 8, 0, 2],
    core: "0,1,2,3,4,5,6,7,0,1,2,3,4,5,6,7",
    socket: "0x16",
    numa: "0x16",
    uncore: "0x4,1x4,0x4,1x4",
  },
  topoUncoreSingleSocketNoSMT: {
    header: [16, 1, 16, 0, 4],
    core: "0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15",
    socket: "0x16",
    numa: "0x16",
    uncore: "0x4,1x4,2x4,3x4",
  },
  machineInfoHints12: {
    header: [12, 2, 6, 2, 2],
    core: "0,1,2,3,4,5,0,1,2,3,4,5",
    socket: "0x3,1x3,0x3,1x3",
    numa: "0x3,1x3,0x3,1x3",
    uncore: "0x3,1x3,0x3,1x3",
  },
};

export const KUBELET_FIXTURE_NAMES: readonly string[] = Object.keys(FIXTURES);

/** The kubelet test topology `name`, or null when there is no such fixture. */
export function kubeletFixture(name: string): CPUTopology | null {
  const spec = FIXTURES[name];
  if (!spec) return null;
  const [numCPUs, numSockets, numCores, numNUMANodes, numUncoreCaches] = spec.header;
  const core = expand(spec.core);
  const socket = expand(spec.socket);
  const numa = expand(spec.numa);
  const uncore = expand(spec.uncore);
  const cpus: CPUInfo[] = core.map((c, id) => ({
    id,
    core: c,
    socket: socket[id],
    numa: numa[id],
    uncore: uncore[id],
  }));
  return new CPUTopology({ numCPUs, numSockets, numCores, numNUMANodes, numUncoreCaches }, cpus);
}
