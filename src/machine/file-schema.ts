import { z } from "zod";
import { fieldProblems } from "./file-issues.js";
import { resourcesSection } from "./file-resources.js";
import { byteSize, cpuIdInt, numaIdInt, positiveInt, smallInt, uint64 } from "./file-scalars.js";

/**
 * Schemas of the two machine file shapes (docs/machine-format.md). Files are parsed with every
 * integer as a bigint (sizes are unsigned 64-bit), so the scalar schemas (`file-scalars.ts`) accept
 * bigints and say in words what they expected. Objects are strict: an unknown field is an error.
 * Device-plugin resources (`resources`) are the same section in both shapes (`file-resources.ts`).
 */

const anything = z.unknown().optional();
const listOf = <T extends z.ZodType>(item: T) =>
  z
    .array(item)
    .nullable()
    .optional()
    .transform((v) => v ?? []);

// ---- cadvisor MachineInfo (info/v1), every field a capture may hold ----

const cadvisorCache = z.strictObject({
  id: smallInt.optional(),
  size: uint64.optional(),
  type: z.string().optional(),
  level: smallInt,
});

const cadvisorCore = z.strictObject({
  core_id: smallInt,
  thread_ids: z.array(cpuIdInt),
  // Captures older than cadvisor 0.43 have no socket_id; Go reads it as 0.
  socket_id: smallInt.optional(),
  book_id: z.string().optional(),
  drawer_id: z.string().optional(),
  caches: listOf(cadvisorCache),
  uncore_caches: listOf(cadvisorCache),
});

const cadvisorNode = z.strictObject({
  node_id: numaIdInt,
  memory: uint64,
  hugepages: listOf(z.strictObject({ page_size: positiveInt, num_pages: uint64 })),
  cores: listOf(cadvisorCore),
  caches: listOf(cadvisorCache),
  distances: listOf(smallInt),
});

export const cadvisorMachineSchema = z.strictObject({
  topology: z.array(cadvisorNode),
  num_cores: smallInt.optional(),
  num_sockets: smallInt.optional(),
  num_physical_cores: anything,
  timestamp: anything,
  vendor_id: anything,
  cpu_frequency_khz: anything,
  memory_capacity: anything,
  memory_dimm_count: anything,
  memory_by_type: anything,
  swap_capacity: anything,
  nvm: anything,
  hugepages: anything,
  machine_id: anything,
  system_uuid: anything,
  boot_id: anything,
  filesystems: anything,
  disk_map: anything,
  network_devices: anything,
  cloud_provider: anything,
  instance_type: anything,
  instance_id: anything,
  /** podpin's extension: cadvisor knows nothing of device plugins, the kubelet hears of them apart. */
  resources: resourcesSection.optional(),
});
export type CadvisorFile = z.output<typeof cadvisorMachineSchema>;

// ---- podpin's own shape ----

const cpuEntry = z.strictObject({
  id: cpuIdInt,
  core: smallInt,
  socket: smallInt,
  numa: numaIdInt,
  uncore: smallInt.optional(),
});

const layout = z.strictObject({
  sockets: smallInt,
  coresPerSocket: smallInt,
  threadsPerCore: smallInt,
  siblings: z.enum(["offset", "adjacent"]).optional(),
  socketNumbering: z.enum(["blocked", "interleaved"]).optional(),
  numaPerSocket: smallInt.optional(),
  coresPerL3: smallInt.optional(),
  cpuLessNodes: smallInt.optional(),
});

const header = z.strictObject({
  numCPUs: smallInt,
  numSockets: smallInt,
  numCores: smallInt,
  numNUMANodes: smallInt,
  numUncoreCaches: smallInt,
});

const nodeMemoryObject = z.strictObject({
  memory: byteSize,
  hugepages: z.record(z.string(), uint64).optional(),
});

/** A node's memory: `{memory, hugepages?}`, or just the byte size. */
const nodeMemory = z.unknown().transform((v, ctx): z.output<typeof nodeMemoryObject> => {
  if (v === null || typeof v !== "object" || Array.isArray(v)) {
    const r = byteSize.safeParse(v);
    if (r.success) return { memory: r.data };
    for (const issue of r.error.issues) ctx.addIssue({ code: "custom", message: issue.message });
    return z.NEVER;
  }
  const r = nodeMemoryObject.safeParse(v);
  if (r.success) return r.data;
  for (const p of fieldProblems(r.error.issues, v))
    ctx.addIssue({ code: "custom", message: p.message, path: p.path });
  return z.NEVER;
});

export const podpinMachineSchema = z.strictObject({
  name: z.string().optional(),
  description: z.string().optional(),
  notes: z.array(z.string()).optional(),
  cpus: z.array(cpuEntry).optional(),
  layout: layout.optional(),
  header: header.optional(),
  memory: z.record(z.string(), nodeMemory),
  distances: z.record(z.string(), z.array(smallInt)).optional(),
  resources: resourcesSection.optional(),
});
export type PodpinFile = z.output<typeof podpinMachineSchema>;
