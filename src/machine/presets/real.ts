import type { PresetDefinition } from "./definition.js";
import { assumed, unverified } from "./definition.js";
import { gb200TrayGpus } from "./device-layouts.js";
import {
  GiB,
  type MachineLayout,
  MiB,
  X86_EMPTY_HUGEPAGE_POOLS,
  machineFromLayout,
  socketDistances,
} from "./generate.js";

/**
 * Real machines of machines.md §4 and machine M of §1. Values read in the cited capture are used
 * as they are (`numactl -H` prints MiB as "MB"); everything else is flagged in `notes`.
 */

const mib = (...sizes: number[]): bigint[] => sizes.map((s) => BigInt(s) * MiB);
const repeat = <T>(n: number, v: T): T[] => Array.from({ length: n }, () => v);
export const noL3Note =
  "the kubelet sees this L3 as a node-level cache (it covers exactly the NUMA node's CPUs), so its uncore ids fall back to the socket id";

export const XEON_6230R_SOURCE =
  "https://github.com/ffromani/cpumgrx/blob/main/examples/machineinfo-v49-dualxeongold6230r.json";

/** The dual Xeon Gold 6230R capture: the CPU side of `intel-xeon-6230r-2s` and of its SR-IOV variant. */
export const XEON_6230R_LAYOUT: MachineLayout = {
  sockets: 2,
  coresPerSocket: 26,
  threadsPerCore: 2,
  socketNumbering: "interleaved",
  coresPerL3: 26,
  l3Bytes: 37486592n,
  memory: [49156640768n, 50719391744n],
  hugepages: X86_EMPTY_HUGEPAGE_POOLS,
  distances: socketDistances(1, 10, 21),
};
export const XEON_6230R_NOTES: readonly string[] = [
  "memory, distances and caches as in the cadvisor capture",
  noL3Note,
];

/**
 * Two 56-core Sapphire Rapids packages (Xeon Platinum 8480C and its siblings), SMT on, one 105 MB
 * L3 per package: the CPU side of `intel-spr-2s-snc4` and `nvidia-dgx-h100`, which add their NUMA
 * split, memory and distances.
 */
export const SPR_56C_2S_PACKAGES: Omit<MachineLayout, "memory"> = {
  sockets: 2,
  coresPerSocket: 56,
  threadsPerCore: 2,
  coresPerL3: 56,
  l3Bytes: 105n * 1000n * 1000n,
  hugepages: X86_EMPTY_HUGEPAGE_POOLS,
};

export const WORKED_EXAMPLE: PresetDefinition = {
  name: "worked-example",
  aliases: ["m", "machine-m"],
  description:
    "Machine M of the worked examples: 2 sockets × 8 cores × 2 threads, one NUMA node per socket, 64Gi each",
  build: () =>
    machineFromLayout(
      "worked-example",
      {
        sockets: 2,
        coresPerSocket: 8,
        threadsPerCore: 2,
        memory: 64n * GiB,
        distances: socketDistances(1, 10, 21),
      },
      [
        "machine M of the Kubernetes v1.36 pod-level resource managers blog examples; no uncore data, so each socket is one uncore group",
        unverified("distances 10/21: the examples do not depend on them"),
      ],
    ),
};

export const REAL_MACHINES: readonly PresetDefinition[] = [
  {
    name: "intel-xeon-6230r-2s",
    description:
      "2 × Xeon Gold 6230R (Cascade Lake), 2 × 26 × 2 = 104 CPUs, NUMA = socket, CPUs interleaved across sockets",
    source: XEON_6230R_SOURCE,
    build() {
      return machineFromLayout(this.name, XEON_6230R_LAYOUT, [`source: ${this.source}`, ...XEON_6230R_NOTES]);
    },
  },
  {
    name: "aws-c5n-18xlarge",
    description: "AWS c5n.18xlarge (Skylake-SP), 2 × 18 × 2 = 72 CPUs, 2 NUMA nodes, offset siblings",
    source: "https://github.com/awslabs/aws-c-s3/pull/403",
    build() {
      return machineFromLayout(
        this.name,
        {
          sockets: 2,
          coresPerSocket: 18,
          threadsPerCore: 2,
          coresPerL3: 18,
          memory: mib(94590, 94710),
          hugepages: X86_EMPTY_HUGEPAGE_POOLS,
          distances: socketDistances(1, 10, 21),
        },
        [
          `source: ${this.source}`,
          "CPU lists, node sizes and distances from the captured numactl -H",
          unverified("one L3 per socket; hugepage pools 2Mi/1Gi with no pages"),
          noL3Note,
        ],
      );
    },
  },
  {
    name: "intel-spr-2s-snc4",
    description:
      "2 × Sapphire Rapids 56-core in SNC4, 224 CPUs, 8 NUMA nodes of 14 cores, one L3 per package over 4 nodes",
    source: "https://github.com/gramineproject/gramine/pull/530",
    build() {
      return machineFromLayout(
        this.name,
        {
          ...SPR_56C_2S_PACKAGES,
          numaPerSocket: 4,
          memory: 128n * GiB,
          distances: socketDistances(4, 12, 21),
        },
        [
          `source: ${this.source}`,
          "CPU numbering (siblings P#0/P#112) and the L3 spanning 4 NUMA nodes from the capture",
          unverified("distances 10/12 within a socket, 21 across"),
          unverified("128Gi of memory per NUMA node"),
        ],
      );
    },
  },
  {
    name: "intel-xeon-max-2s-snc4-hbm-flat",
    description:
      "2 × Xeon Max 48-core, SNC4, HBM in flat mode: 192 CPUs, 8 CPU nodes + 8 CPU-less 16Gi HBM nodes",
    source: "https://github.com/oneapi-src/unified-memory-framework/issues/1289",
    build() {
      return machineFromLayout(
        this.name,
        {
          sockets: 2,
          coresPerSocket: 48,
          threadsPerCore: 2,
          numaPerSocket: 4,
          coresPerL3: 48,
          cpuLessNodes: 8,
          memory: [...mib(64132, 64505, 64505, 64505, 64505, 64459, 64505, 64456), ...repeat(8, 16n * GiB)],
          hugepages: X86_EMPTY_HUGEPAGE_POOLS,
          distances: xeonMaxDistance,
        },
        [
          `source: ${this.source}`,
          "CPU lists and node sizes (DDR nodes 0-7, HBM nodes 8-15) from the captured numactl -H",
          unverified("2 sockets, inferred from 8 CPU nodes under SNC4; one L3 per package"),
          unverified(
            "distances: the capture has none; 12 within a socket, 13 to the quadrant's own HBM, 14 to other HBM of the socket, 21/23 across",
          ),
        ],
      );
    },
  },
  {
    name: "amd-epyc-7551-2s",
    description: "2 × EPYC 7551 (Naples), 128 CPUs, 8 NUMA nodes (4 dies per socket), 6 of them memory-less",
    source: "https://github.com/WyvernTKC/cpuminer-gr-avx2/issues/22",
    build() {
      return machineFromLayout(
        this.name,
        {
          sockets: 2,
          coresPerSocket: 32,
          threadsPerCore: 2,
          numaPerSocket: 4,
          coresPerL3: 4,
          l3Bytes: 8n * MiB,
          memory: mib(0, 15960, 0, 0, 0, 16060, 0, 0),
          hugepages: X86_EMPTY_HUGEPAGE_POOLS,
          distances: socketDistances(4, 16, 32),
        },
        [
          `source: ${this.source}`,
          "CPU lists, node sizes (memory on nodes 1 and 5 only) and distances from the captured numactl -H",
          unverified("L3: 2 CCX of 4 cores per die, 16 uncore groups (Zen 1 specification)"),
        ],
      );
    },
  },
  {
    name: "amd-tr-3960x-nps4",
    description: "Threadripper 3960X in NPS4, 1 × 24 × 2 = 48 CPUs, 4 NUMA nodes, nodes 0 and 3 memory-less",
    source: "https://github.com/numactl/numactl/issues/165",
    build() {
      return machineFromLayout(
        this.name,
        {
          sockets: 1,
          coresPerSocket: 24,
          threadsPerCore: 2,
          numaPerSocket: 4,
          coresPerL3: 3,
          l3Bytes: 16n * MiB,
          memory: mib(0, 64307, 64472, 0),
          hugepages: X86_EMPTY_HUGEPAGE_POOLS,
          distances: socketDistances(4, 12, 12),
        },
        [
          `source: ${this.source}`,
          "CPU lists, node sizes and distances from the captured numactl -H",
          unverified("L3: 8 CCX of 3 cores (Zen 2 specification)"),
        ],
      );
    },
  },
  {
    name: "amd-epyc-8434p-l3numa",
    description: "EPYC 8434P (Siena), 1 × 48 × 2 = 96 CPUs, L3-as-NUMA: 8 NUMA nodes of 6 cores, one per CCD",
    source: "https://github.com/sustainable-computing-io/kepler/pull/1288",
    build() {
      return machineFromLayout(
        this.name,
        {
          sockets: 1,
          coresPerSocket: 48,
          threadsPerCore: 2,
          numaPerSocket: 8,
          coresPerL3: 6,
          l3Bytes: 16n * MiB,
          memory: 32n * GiB,
          hugepages: X86_EMPTY_HUGEPAGE_POOLS,
          distances: socketDistances(8, 11, 11),
        },
        [
          `source: ${this.source}`,
          "CPU lists from the capture; each L3 (16 MiB) is exactly one NUMA node",
          noL3Note,
          unverified("distances 10/11"),
          unverified("32Gi of memory per NUMA node"),
        ],
      );
    },
  },
  {
    name: "amd-epyc-9375f-2s-nps1-smtoff",
    description: "2 × EPYC 9375F (Turin), SMT off, 64 CPUs, NPS1: 2 NUMA nodes with 8 L3 groups each",
    source: "https://github.com/egandro/proxmox-cpu-affinity/issues/58",
    build() {
      return machineFromLayout(
        this.name,
        {
          sockets: 2,
          coresPerSocket: 32,
          threadsPerCore: 1,
          coresPerL3: 4,
          l3Bytes: 32n * MiB,
          memory: mib(773271, 774028),
          hugepages: X86_EMPTY_HUGEPAGE_POOLS,
          distances: socketDistances(1, 10, 32),
        },
        [
          `source: ${this.source}`,
          "CPU lists, node sizes and distances from the captured numactl -H",
          unverified("L3: 8 CCDs of 4 cores per socket (specification)"),
        ],
      );
    },
  },
  {
    name: "nvidia-gh200",
    description:
      "NVIDIA GH200 (one Grace, 72 cores, no SMT): 9 NUMA nodes, node 0 has every CPU, 8 CPU-less GPU-memory nodes",
    source: "https://github.com/bytedance/xpu-perf/issues/129",
    build() {
      return machineFromLayout(
        this.name,
        {
          sockets: 1,
          coresPerSocket: 72,
          threadsPerCore: 1,
          coresPerL3: 72,
          l3Bytes: 114n * MiB,
          cpuLessNodes: 8,
          memory: [480n * GiB, 96n * GiB, ...repeat(7, 0n)],
          distances: (a, b) => (a === b ? 10 : 80),
        },
        [
          `source: ${this.source}`,
          "CPU lists (node 0 = 0-71, nodes 1-8 CPU-less) from the captured lscpu",
          unverified("memory: 480Gi LPDDR5X on node 0, 96Gi HBM on node 1, nodes 2-8 empty"),
          unverified("distances 10 on the diagonal, 80 elsewhere"),
          "no hugepage pools listed (Grace kernels often use 64K base pages, whose hugepage sizes differ)",
          noL3Note,
        ],
      );
    },
  },
  {
    name: "nvidia-gb200-tray",
    description:
      "NVIDIA GB200 compute tray: 2 Grace × 72 cores = 144 CPUs, 34 NUMA nodes, 32 of them CPU-less; 4 GPUs (nvidia.com/gpu) on their own NUMA nodes",
    source:
      "https://github.com/kubernetes/kubernetes/issues/135541 https://github.com/ishandhanani/srt-slurm/pull/164 https://github.com/sgl-project/sglang/issues/11208",
    build() {
      return machineFromLayout(
        this.name,
        {
          sockets: 2,
          coresPerSocket: 72,
          threadsPerCore: 1,
          coresPerL3: 72,
          l3Bytes: 114n * MiB,
          cpuLessNodes: 32,
          memory: [
            480n * GiB,
            480n * GiB,
            ...Array.from({ length: 32 }, (_, i) => (i % 8 === 0 ? 186n * GiB : 0n)),
          ],
          distances: gb200Distance,
        },
        [
          `source: ${this.source}`,
          "CPU lists (node 0 = 0-71, node 1 = 72-143) and the 34 NUMA nodes from the sources; GPUs 0-1 on Grace 0, GPUs 2-3 on Grace 1",
          unverified(
            "memory: 480Gi per Grace; per GPU 8 CPU-less nodes, the first with 186Gi HBM, the others empty",
          ),
          unverified("distances: 40 between the Graces, 80 to a GPU of the same Grace, 120 otherwise"),
          "no hugepage pools listed (Grace kernels often use 64K base pages, whose hugepage sizes differ)",
          noL3Note,
          'nvidia.com/gpu: GPUs 0-3 on NUMA nodes 2, 10, 18 and 26, the "GPU NUMA ID" of nvidia-smi topo -m (sglang#11208 shows 2, 10, 18; 26 follows the stride of 8 nodes per GPU)',
          assumed(
            "the plugin reports each GPU's own memory node as its TopologyInfo (C2C-coherent memory mode, GPU memory as a NUMA node); a plugin reading the PCI function's numa_node would report the Grace node (0 for GPUs 0-1, 1 for GPUs 2-3) instead",
          ),
          assumed("GPU UUIDs are placeholders shaped like NVML's (real ones belong to one board)"),
        ],
        gb200TrayGpus(this.name),
      );
    },
  },
];

/** Xeon Max SNC4 flat mode: DDR nodes 0-7 (4 per socket), HBM nodes 8-15 (node 8+q beside quadrant q). */
function xeonMaxDistance(a: number, b: number): number {
  if (a === b) return 10;
  const qa = a >= 8 ? a - 8 : a;
  const qb = b >= 8 ? b - 8 : b;
  const sameSocket = Math.floor(qa / 4) === Math.floor(qb / 4);
  if (a >= 8 !== b >= 8) {
    if (qa === qb) return 13;
    return sameSocket ? 14 : 23;
  }
  if (sameSocket) return 12;
  return a < 8 ? 21 : 23;
}

/** GB200: Grace nodes 0-1; GPU g (0-3) owns nodes 2+8g .. 9+8g and hangs off Grace ⌊g/2⌋. */
function gb200Distance(a: number, b: number): number {
  if (a === b) return 10;
  const grace = (n: number): number => (n < 2 ? n : Math.floor((n - 2) / 8 / 2));
  if (a < 2 && b < 2) return 40;
  return grace(a) === grace(b) ? 80 : 120;
}
