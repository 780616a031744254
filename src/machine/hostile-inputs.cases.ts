/**
 * Machine descriptions that once crashed, hung or were wrongly accepted (issue 12), each with what
 * must happen now. Replayed by `hostile-inputs.test.ts`; add every new finding here.
 */
export interface MachineFileCase {
  name: string;
  /** The machine file's text (YAML or JSON). */
  text: string;
  /** null: loads; otherwise a fragment of the one-line `MachineError`. */
  error: string | null;
  maxMs: number;
}

const MEM1 = 'memory: {"0": 1Gi}\n';
const cpu = (id: string | number, numa: string | number = 0) =>
  `cpus:\n  - {id: ${id}, core: 0, socket: 0, numa: ${numa}}\n`;
const node = (nodeId: number | string, threads: string, extra = "") =>
  `{"node_id": ${nodeId}, "memory": 1073741824, "cores": [{"core_id": 0, "thread_ids": [${threads}], "socket_id": 0}]${extra}}`;
const cadvisor = (nodes: string, counts = "") => `{${counts}"topology": [${nodes}]}`;

export const MACHINE_FILE_CASES: MachineFileCase[] = [
  {
    name: "100,000 opening brackets (was: V8 abort, out of memory compiling a regular expression)",
    text: "[".repeat(100000),
    error: "m.yaml:1: invalid JSON/YAML: nesting deeper than 100 levels",
    maxMs: 200,
  },
  {
    name: "3,000 nested block mappings",
    text: Array.from({ length: 3000 }, (_, i) => `${" ".repeat(i)}a:`).join("\n"),
    error: "m.yaml:101: invalid JSON/YAML: nesting deeper than 100 levels",
    maxMs: 500,
  },
  {
    name: "3,000 nested sequence indicators on one line",
    text: `${"- ".repeat(3000)}x`,
    error: "m.yaml:1: invalid JSON/YAML: nesting deeper than 100 levels",
    maxMs: 200,
  },
  {
    name: "a complex key (found by the fuzz suite: stringified with a warning)",
    text: `? ${"[a, ".repeat(50)}${"]".repeat(50)}\n: 1\n`,
    error: "m.yaml:1:3: invalid JSON/YAML: mapping keys must be scalars",
    maxMs: 200,
  },
  {
    name: "an unresolved alias (found by the fuzz suite: a ReferenceError escaped)",
    text: "*!",
    error: "m.yaml: invalid JSON/YAML: Unresolved alias",
    maxMs: 200,
  },
  {
    name: "an alias bomb",
    text: `a: &a [x, x, x, x, x, x, x, x, x]\n${Array.from(
      { length: 8 },
      (_, i) =>
        `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(9)
          .fill(`*${String.fromCharCode(97 + i)}`)
          .join(", ")}]`,
    ).join("\n")}\n`,
    error: "m.yaml: invalid JSON/YAML: Excessive alias count",
    maxMs: 500,
  },
  {
    name: "layout 2 × 4,194,304 × 4,194,304 (was: heap abort)",
    text: `layout: {sockets: 2, coresPerSocket: 4194304, threadsPerCore: 4194304}\n${MEM1}`,
    error:
      "m.yaml:1:9: layout: sockets × coresPerSocket × threadsPerCore: 2 × 4194304 × 4194304 CPUs exceed the limit of 8192",
    maxMs: 200,
  },
  {
    name: "layout with 1e15 CPU-less nodes",
    text: `layout: {sockets: 1, coresPerSocket: 2, threadsPerCore: 1, cpuLessNodes: 1000000000000000}\n${MEM1}`,
    error: "NUMA nodes exceed the limit of 64",
    maxMs: 200,
  },
  {
    name: "layout with 65 NUMA nodes",
    text: `layout: {sockets: 1, coresPerSocket: 65, threadsPerCore: 1, numaPerSocket: 65}\n${MEM1}`,
    error: "65 NUMA nodes exceed the limit of 64",
    maxMs: 200,
  },
  {
    name: "CPU id 2^31 (was: 6-24 GB)",
    text: cpu(2 ** 31) + MEM1,
    error: "m.yaml:2:10: cpus[0].id: expected a CPU id (an integer from 0 to 4194304), got 2147483648",
    maxMs: 200,
  },
  {
    name: "CPU id 2^32 (was: aliased onto CPU 0)",
    text: cpu(2 ** 32) + MEM1,
    error: "cpus[0].id: expected a CPU id (an integer from 0 to 4194304), got 4294967296",
    maxMs: 200,
  },
  {
    name: "CPU id 4,194,305 (was: accepted, beyond the CPU-list and checkpoint readers' cap)",
    text: cpu(4194305) + MEM1,
    error: "cpus[0].id: expected a CPU id (an integer from 0 to 4194304), got 4194305",
    maxMs: 200,
  },
  { name: "CPU id 4,194,304, the largest, loads", text: cpu(4194304) + MEM1, error: null, maxMs: 500 },
  {
    name: "a layout of 4,194,305 CPUs (each core's set as long as the largest id: hours and gigabytes)",
    text: `layout: {sockets: 1, coresPerSocket: 4194305, threadsPerCore: 1}\n${MEM1}`,
    error: "layout: sockets × coresPerSocket × threadsPerCore: 1 × 4194305 × 1 CPUs exceed the limit of 8192",
    maxMs: 200,
  },
  {
    name: "200 CPUs numbered up to 4,194,304 (sparse: 200 sets of 131,073 words)",
    text: `cpus:\n${Array.from({ length: 200 }, (_, i) => `  - {id: ${4194304 - i}, core: ${i}, socket: 0, numa: 0}`).join("\n")}\n${MEM1}`,
    error: "cpus: 200 CPUs with ids up to 4194304 are too sparse to hold",
    maxMs: 3000,
  },
  {
    name: "cadvisor: 8,193 CPUs",
    text: cadvisor(node(0, Array.from({ length: 8193 }, (_, i) => i).join(", "))),
    error: "8193 CPUs exceed the limit of 8192",
    maxMs: 3000,
  },
  {
    name: "a 300-digit CPU id: the message stays short",
    text: cpu("9".repeat(300)) + MEM1,
    error: "got 99999999999999999999… (300 digits)",
    maxMs: 200,
  },
  {
    name: "NUMA node 64 (the masks have 64 bits)",
    text: `${cpu(0, 64)}memory: {"64": 1Gi}\n`,
    error: "cpus[0].numa: expected a NUMA node id (an integer from 0 to 63",
    maxMs: 200,
  },
  {
    name: "a memory entry for NUMA node 1e30",
    text: `${cpu(0)}memory: {"0": 1Gi, "1000000000000000000000000000000": 1Gi}\n`,
    error: "memory.1000000000000000000000000000000: expected a NUMA node id (an integer from 0 to 63",
    maxMs: 200,
  },
  { name: "zero CPUs", text: `cpus: []\n${MEM1}`, error: "cpus: expected at least one CPU", maxMs: 200 },
  {
    name: "header numCPUs contradicting the CPUs",
    text: `${cpu(0)}header: {numCPUs: 8, numSockets: 1, numCores: 1, numNUMANodes: 1, numUncoreCaches: 1}\n${MEM1}`,
    error: 'header.numCPUs: expected 1 (the CPUs listed in "cpus"), got 8',
    maxMs: 200,
  },
  {
    name: "header numSockets contradicting the CPUs",
    text: `${cpu(0)}header: {numCPUs: 1, numSockets: 2, numCores: 1, numNUMANodes: 1, numUncoreCaches: 1}\n${MEM1}`,
    error: 'header.numSockets: expected 1 (the distinct sockets in "cpus"), got 2',
    maxMs: 200,
  },
  {
    name: "cadvisor: thread id 2^32",
    text: cadvisor(node(0, "4294967296")),
    error:
      "topology[0].cores[0].thread_ids[0]: expected a CPU id (an integer from 0 to 4194304), got 4294967296",
    maxMs: 200,
  },
  {
    name: "cadvisor: node id 64",
    text: cadvisor(node(64, "0")),
    error: "topology[0].node_id: expected a NUMA node id (an integer from 0 to 63",
    maxMs: 200,
  },
  {
    name: "cadvisor: page_size 0",
    text: cadvisor(node(0, "0", ', "hugepages": [{"page_size": 0, "num_pages": 1}]')),
    error: "topology[0].hugepages[0].page_size: expected a positive integer, got 0",
    maxMs: 200,
  },
  {
    name: "cadvisor: zero CPUs",
    text: cadvisor('{"node_id": 0, "memory": 1073741824, "cores": []}'),
    error: "could not detect number of cpus",
    maxMs: 200,
  },
  {
    name: "cadvisor: num_cores contradicting the threads",
    text: cadvisor(node(0, "0, 1"), '"num_cores": 64, '),
    error: 'num_cores: expected 2 (the thread_ids of "topology"), got 64',
    maxMs: 200,
  },
  {
    name: "cadvisor: num_sockets contradicting the cores",
    text: cadvisor(node(0, "0, 1"), '"num_sockets": 4, '),
    error: 'num_sockets: expected 1 (the distinct socket_id of "topology"), got 4',
    maxMs: 200,
  },
];

/** A fake sysfs tree (of a 1-socket, 2-core, 1-NUMA-node machine) with files replaced. */
export interface SysfsCase {
  name: string;
  /** Path under the tree's root → new content; null deletes the file. */
  files: Record<string, string | null>;
  /** Directories to add. */
  dirs?: string[];
  error: string | null;
  maxMs: number;
}

const CPU = "sys/devices/system/cpu";
const NODE = "sys/devices/system/node";

export const SYSFS_CASES: SysfsCase[] = [
  {
    name: "node cpulist 0-4194303 (was: every id pushed into an array)",
    files: { [`${NODE}/node0/cpulist`]: "0-4194303\n" },
    error: null,
    maxMs: 1000,
  },
  {
    name: "node cpulist beyond the cap",
    files: { [`${NODE}/node0/cpulist`]: "0-4194305\n" },
    error: "(CPU ids are at most 4194304)",
    maxMs: 500,
  },
  {
    name: "online CPUs 0-4194304 with two CPU directories (only the nodes' CPUs are read)",
    files: { [`${CPU}/online`]: "0-4194304\n" },
    error: null,
    maxMs: 1000,
  },
  {
    name: "a CPU directory named cpu4294967296 (no global online list)",
    files: { [`${CPU}/online`]: null },
    dirs: [`${CPU}/cpu4294967296`],
    error: "expected cpu<N> with N at most 4194304",
    maxMs: 500,
  },
  {
    name: "a NUMA directory node64",
    files: {},
    dirs: [`${NODE}/node64`],
    error: "expected node<N> with N at most 63",
    maxMs: 500,
  },
  {
    name: "a 30-digit core_id",
    files: { [`${CPU}/cpu0/topology/core_id`]: `${"9".repeat(30)}\n` },
    error: "expected the core id (a non-negative integer)",
    maxMs: 500,
  },
  {
    name: "a hugepages-0kB pool",
    files: { [`${NODE}/node0/hugepages/hugepages-0kB/nr_hugepages`]: "0\n" },
    error: "expected only directories named hugepages-<size>kB",
    maxMs: 500,
  },
];
