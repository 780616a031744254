import { MAX_MACHINE_CPUS } from "../machine/index.js";
/**
 * podpin's bounds on checkpoint input (docs/limits.md, "Checkpoint files"). No kubelet writes a
 * file near them: they exist so that a damaged or hostile file costs bounded time and memory. A
 * file beyond one is refused with a typed `CheckpointError` naming the file and the limit; it is
 * podpin's refusal, not the kubelet's, and says so.
 */

/** Bytes in one checkpoint file (a 256-pod node writes well under 1 MiB). */
export const MAX_CHECKPOINT_BYTES = 8 * 1024 * 1024;
/** Pod UIDs, container names, resource names and device IDs (object keys and identifiers). */
export const MAX_ID_LENGTH = 1024;
/** Pods in one file's entries, pod entries or device records, and containers per pod. */
export const MAX_PODS = 20_000;
export const MAX_CONTAINERS_PER_POD = 1_000;
/** Device records in the device checkpoint. */
export const MAX_DEVICE_ENTRIES = 100_000;
/** NUMA nodes in a memory machine state (machines have at most 64; the kubelet refuses more at validation). */
export const MAX_NUMA_NODES = 1024;
/**
 * CPU ids over the CPU sets of one file. Pod bubbles (the sets a legacy checksum's dump walks id
 * by id) hold at most `MAX_BUBBLE_CPU_IDS` together: bubbles of different pods are disjoint in
 * any file a kubelet writes, so no real file comes near the largest machine the kubelet's CPU
 * lists describe. All sets together hold at most `MAX_CPU_IDS_PER_FILE` ids and span at most
 * `MAX_CPU_SPAN_PER_FILE` (each set's highest id + 1: what its bitset holds).
 */
export const MAX_BUBBLE_CPU_IDS = MAX_MACHINE_CPUS;
export const MAX_CPU_IDS_PER_FILE = 1 << 20;
export const MAX_CPU_SPAN_PER_FILE = 1 << 26;

/** Thrown by the readers' bound checks; each reader turns it into a `CheckpointError`. */
export class CheckpointLimitError extends Error {
  override name = "CheckpointLimitError";
}

/** The CPU-id budget of the file being read (reading is synchronous: one file at a time). */
let budget: { ids: number; span: number; bubble: number } | null = null;

/** Runs `fn` with a fresh CPU-id budget (one decode or restore pass over a file). */
export function withCPUBudget<T>(fn: () => T): T {
  const outer = budget;
  budget = { ids: 0, span: 0, bubble: 0 };
  try {
    return fn();
  } finally {
    budget = outer;
  }
}

/** Charges a parsed CPU set of `size` ids whose highest id is `max` (`bubble`: a pod entry's). */
export function chargeCPUSet(size: number, max: number, bubble = false): void {
  if (budget === null) return;
  // Every set of a kubelet's file is a subset of its machine, so none holds more CPUs than a
  // machine can have; refusing before the checksum spares hashing millions of ids.
  if (size > MAX_MACHINE_CPUS)
    throw new CheckpointLimitError(
      `a CPU set of this file holds ${size} CPUs, more than any machine has (${MAX_MACHINE_CPUS}, Linux's largest NR_CPUS)`,
    );
  budget.ids += size;
  budget.span += max + 1;
  if (bubble) budget.bubble += size;
  if (budget.bubble > MAX_BUBBLE_CPU_IDS)
    throw new CheckpointLimitError(
      `the pod entries of this file hold more than ${MAX_BUBBLE_CPU_IDS} CPU ids together (pod bubbles are disjoint, and no machine has more CPUs)`,
    );
  if (budget.ids > MAX_CPU_IDS_PER_FILE)
    throw new CheckpointLimitError(
      `the CPU sets of this file hold more than ${MAX_CPU_IDS_PER_FILE} CPU ids together (128 times the largest machine)`,
    );
  if (budget.span > MAX_CPU_SPAN_PER_FILE)
    throw new CheckpointLimitError(
      `the CPU sets of this file reach more than ${MAX_CPU_SPAN_PER_FILE} CPU ids together (sum of each set's highest id + 1)`,
    );
}

/** The file's size. */
export function checkSize(bytes: number): void {
  if (bytes > MAX_CHECKPOINT_BYTES)
    throw new CheckpointLimitError(
      `the file is ${bytes} bytes, more than the ${MAX_CHECKPOINT_BYTES} podpin reads (no kubelet writes a checkpoint this large)`,
    );
}

export function checkId(what: string, id: string): void {
  if (id.length > MAX_ID_LENGTH)
    throw new CheckpointLimitError(
      `${what} ${JSON.stringify(id.slice(0, 40))}… is ${id.length} characters long, more than the ${MAX_ID_LENGTH} podpin reads`,
    );
}

export function checkCount(what: string, n: number, max: number): void {
  if (n > max) throw new CheckpointLimitError(`${n} ${what}, more than the ${max} podpin reads`);
}
