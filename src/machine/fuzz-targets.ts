/**
 * Fuzz targets of the machine readers (issue 12): machine files (podpin's shape, layouts and
 * cadvisor captures, structured and byte-level) and sysfs trees with random file contents. Each
 * `run` must end in a machine or a `MachineError`, never another exception. `npm test` runs 1,000
 * inputs per target (`fuzz.test.ts`), `npm run fuzz` 100,000.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import fc from "fast-check";
import { stringify } from "yaml";
import { mutated, typedOnly } from "../core/fuzz-targets.js";
import { MachineError } from "./errors.js";
import { machineToDocument, parseMachineText } from "./file.js";
import { GiB, machineFromLayout } from "./presets/generate.js";
import { discoverFromSysfs, writeFakeSysfs } from "./sysfs.js";

export interface MachineFuzzTarget {
  name: string;
  /** Throws only on a bug (an exception other than `MachineError`). */
  run(input: string): void;
  arbitrary: fc.Arbitrary<string>;
}

/** Integers as text (so YAML and JSON read them exactly), around every limit. */
const hostileInt = fc
  .oneof(
    fc.integer({ min: 0, max: 8 }),
    fc.constantFrom(-1, 63, 64, 65, 4194303, 4194304, 4194305, 2 ** 31, 2 ** 32, 2 ** 53 + 1).map(String),
    fc.constantFrom("1e300", "-0", "0.5", '"3"', "null", "[]", "{}", "9".repeat(40)),
  )
  .map(String);
const smallInt = fc.integer({ min: 0, max: 6 }).map(String);
const intish = fc.oneof({ weight: 4, arbitrary: smallInt }, { weight: 1, arbitrary: hostileInt });
const size = fc.oneof(
  fc.constantFrom('"1Gi"', '"64Gi"', "1073741824", '"0"', '"1.5Gi"', '"100000e999"', '"-1Gi"', '"1e-1000"'),
  hostileInt,
);

const cpuEntry = fc
  .tuple(intish, intish, intish, intish, fc.option(intish))
  .map(
    ([id, core, socket, numa, uncore]) =>
      `{"id": ${id}, "core": ${core}, "socket": ${socket}, "numa": ${numa}${uncore === null ? "" : `, "uncore": ${uncore}`}}`,
  );
const memoryMap = fc
  .array(fc.tuple(fc.oneof(smallInt, fc.constantFrom("64", "x", "1e3", "99999999999999999999")), size), {
    maxLength: 3,
  })
  .map((es) => `{${es.map(([k, v]) => `"${k}": ${v}`).join(", ")}}`);
const header = fc
  .tuple(intish, intish, intish, intish, intish)
  .map(
    ([a, b, c, d, e]) =>
      `{"numCPUs": ${a}, "numSockets": ${b}, "numCores": ${c}, "numNUMANodes": ${d}, "numUncoreCaches": ${e}}`,
  );
const podpinCPUs = fc
  .tuple(fc.array(cpuEntry, { maxLength: 6 }), fc.option(header), memoryMap)
  .map(
    ([cpus, h, mem]) =>
      `{"cpus": [${cpus.join(", ")}]${h === null ? "" : `, "header": ${h}`}, "memory": ${mem}}`,
  );
const layout = fc
  .tuple(intish, intish, intish, fc.option(intish), fc.option(intish), fc.option(intish), memoryMap)
  .map(
    ([s, c, t, numa, l3, less, mem]) =>
      `{"layout": {"sockets": ${s}, "coresPerSocket": ${c}, "threadsPerCore": ${t}${
        numa === null ? "" : `, "numaPerSocket": ${numa}`
      }${l3 === null ? "" : `, "coresPerL3": ${l3}`}${less === null ? "" : `, "cpuLessNodes": ${less}`}}, "memory": ${mem}}`,
  );
const cadvisorCore = fc
  .tuple(intish, fc.array(intish, { maxLength: 3 }), fc.option(intish))
  .map(
    ([id, threads, socket]) =>
      `{"core_id": ${id}, "thread_ids": [${threads.join(", ")}]${socket === null ? "" : `, "socket_id": ${socket}`}}`,
  );
const cadvisorNode = fc
  .tuple(intish, size, fc.array(cadvisorCore, { maxLength: 3 }), fc.option(fc.tuple(intish, intish)))
  .map(
    ([id, mem, cores, hp]) =>
      `{"node_id": ${id}, "memory": ${mem}, "cores": [${cores.join(", ")}]${
        hp === null ? "" : `, "hugepages": [{"page_size": ${hp[0]}, "num_pages": ${hp[1]}}]`
      }}`,
  );
const cadvisorFile = fc
  .tuple(fc.array(cadvisorNode, { maxLength: 3 }), fc.option(intish), fc.option(intish))
  .map(
    ([nodes, cores, sockets]) =>
      `{${cores === null ? "" : `"num_cores": ${cores}, `}${sockets === null ? "" : `"num_sockets": ${sockets}, `}"topology": [${nodes.join(", ")}]}`,
  );

/** Structured machine files, half of them re-spelt as YAML. */
export const machineFileText: fc.Arbitrary<string> = fc
  .tuple(fc.oneof(podpinCPUs, layout, cadvisorFile), fc.boolean())
  .map(([json, asYaml]) => {
    if (!asYaml) return json;
    try {
      return stringify(JSON.parse(json));
    } catch {
      return json;
    }
  });

const validMachine = machineFromLayout("fuzz", {
  sockets: 2,
  coresPerSocket: 2,
  threadsPerCore: 2,
  memory: 4n * GiB,
  hugepages: [{ pageSizeKiB: 2048, numPages: 4n }],
});
const validTexts = [
  JSON.stringify(machineToDocument(validMachine)),
  stringify(machineToDocument(validMachine)),
];

/** Byte-level mutations of a valid machine file (JSON and YAML), and random text. */
export const machineFileBytes: fc.Arbitrary<string> = fc.oneof(
  mutated(fc.constantFrom(...validTexts)),
  mutated(machineFileText),
  fc.string({ maxLength: 200 }),
);

export function runMachineFile(input: string): void {
  typedOnly(() => {
    parseMachineText(input, "fuzz.yaml");
  }, MachineError);
}

// ---- sysfs trees ----

const SMALL = machineFromLayout("fuzz-sysfs", {
  sockets: 1,
  coresPerSocket: 2,
  threadsPerCore: 2,
  memory: GiB,
});
const CPU = "sys/devices/system/cpu";
const NODE = "sys/devices/system/node";
/** Every file discovery reads in the small tree, and a few it might. */
const SYSFS_FILES = [
  `${CPU}/online`,
  `${CPU}/cpu0/topology/core_id`,
  `${CPU}/cpu1/topology/physical_package_id`,
  `${CPU}/cpu2/topology/thread_siblings_list`,
  `${CPU}/cpu1/online`,
  `${CPU}/cpu0/cache/index1/level`,
  `${CPU}/cpu0/cache/index1/shared_cpu_list`,
  `${CPU}/cpu0/cache/index1/id`,
  `${CPU}/cpu0/cache/index1/size`,
  `${NODE}/node0/cpulist`,
  `${NODE}/node0/meminfo`,
  `${NODE}/node0/distance`,
  `${NODE}/node0/hugepages/hugepages-2048kB/nr_hugepages`,
  `${NODE}/node1/cpulist`,
  `${NODE}/node4294967296/cpulist`,
  `${CPU}/cpu4194305/topology/core_id`,
  `${NODE}/node0/hugepages/hugepages-0kB/nr_hugepages`,
  "sys/bus/pci/devices/0000:01:00.0/numa_node",
  "sys/bus/pci/devices/0000:01:00.0/vendor",
];

const fileContent = fc.oneof(
  fc.constantFrom(
    "0",
    "1",
    "0-3",
    "0-4194303",
    "0-4194305",
    "4294967296",
    "",
    "\n",
    "-1",
    "99999999999999999999",
  ),
  fc.constantFrom(
    "Node 0 MemTotal: 1048576 kB",
    "Node 0 MemTotal: 99999999999999999999999 kB",
    "10 20",
    "32768K",
  ),
  cpuListTextLike(),
  fc.string({ maxLength: 30 }),
);

function cpuListTextLike(): fc.Arbitrary<string> {
  return fc
    .array(fc.oneof(fc.nat(8).map(String), fc.constantFrom("0-3", "2-1", "4194304")), { maxLength: 4 })
    .map((p) => p.join(","));
}

/** Edits as JSON text (`[[fileIndex, content | null], …]`), so the fuzz script can store and replay them. */
export const sysfsEdits: fc.Arbitrary<string> = fc
  .array(fc.tuple(fc.nat(SYSFS_FILES.length - 1), fc.option(fileContent, { freq: 6 })), {
    minLength: 1,
    maxLength: 3,
  })
  .map((edits) => JSON.stringify(edits));

let tree: string | null = null;
/** The small tree, written once per process; each run puts back what it changed. */
function baseTree(): string {
  if (tree !== null) return tree;
  const scratch = existsSync("/dev/shm") ? "/dev/shm" : tmpdir();
  tree = mkdtempSync(join(scratch, "podpin-fuzz-sysfs-"));
  writeFakeSysfs(SMALL, tree);
  const made = tree;
  process.once("exit", () => rmSync(made, { recursive: true, force: true }));
  return tree;
}

/** The first missing directory on the way to `full` (to remove afterwards), or null. */
function firstMissingDir(root: string, full: string): string | null {
  let missing: string | null = null;
  for (let d = dirname(full); d.length > root.length; d = dirname(d)) if (!existsSync(d)) missing = d;
  return missing;
}

export function runSysfs(input: string): void {
  let edits: unknown;
  try {
    edits = JSON.parse(input);
  } catch {
    return;
  }
  if (!Array.isArray(edits)) return;
  const root = baseTree();
  const restore: (() => void)[] = [];
  try {
    for (const edit of edits) {
      if (!Array.isArray(edit)) continue;
      const path = SYSFS_FILES[Math.abs(Math.trunc(Number(edit[0]) || 0)) % SYSFS_FILES.length];
      const content = edit[1] === null ? null : String(edit[1]);
      const full = join(root, path);
      const newDir = firstMissingDir(root, full);
      if (newDir !== null) restore.push(() => rmSync(newDir, { recursive: true, force: true }));
      else if (existsSync(full)) {
        const before = readFileSync(full);
        restore.push(() => writeFileSync(full, before));
      } else restore.push(() => rmSync(full, { force: true }));
      if (content === null) {
        if (existsSync(full)) unlinkSync(full);
        continue;
      }
      mkdirSync(dirname(full), { recursive: true });
      writeFileSync(full, content);
    }
    typedOnly(() => {
      discoverFromSysfs(root);
    }, MachineError);
  } finally {
    for (const undo of restore.reverse()) undo();
  }
}

export const machineFuzzTargets: MachineFuzzTarget[] = [
  {
    name: "machine: machine file (structured, JSON and YAML)",
    run: runMachineFile,
    arbitrary: machineFileText,
  },
  { name: "machine: machine file (byte-level)", run: runMachineFile, arbitrary: machineFileBytes },
  { name: "machine: sysfs tree (random file contents)", run: runSysfs, arbitrary: sysfsEdits },
];
