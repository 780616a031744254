import { MAX_CPU_ID } from "../core/index.js";

/**
 * The limits of a machine description (docs/machine-format.md "Limits"), the same for machine
 * files, layouts, presets, cadvisor captures and sysfs trees. Each is far above any real machine
 * and low enough that building the machine takes bounded time and memory.
 */
export { MAX_CPU_ID };

/** NUMA node ids 0-63: the Topology Manager's masks are 64 bits (`managers/topology/bitmask.ts`). */
export const MAX_NUMA_NODES = 64;
export const MAX_NUMA_ID = MAX_NUMA_NODES - 1;

/** Logical CPUs of one machine: ids 0 to MAX_CPU_ID. */
export const MAX_CPUS = MAX_CPU_ID + 1;

export const CPU_ID_EXPECTED = `a CPU id (an integer from 0 to ${MAX_CPU_ID})`;
export const NUMA_ID_EXPECTED = `a NUMA node id (an integer from 0 to ${MAX_NUMA_ID}: the Topology Manager's masks have ${MAX_NUMA_NODES} bits)`;

/** Why a discovered CPU or NUMA id is out of bounds, or null. */
export function idLimitProblem(kind: "CPU" | "NUMA node", id: number): string | null {
  const max = kind === "CPU" ? MAX_CPU_ID : MAX_NUMA_ID;
  if (Number.isSafeInteger(id) && id >= 0 && id <= max) return null;
  return `${kind} id ${id}: expected ${kind === "CPU" ? CPU_ID_EXPECTED : NUMA_ID_EXPECTED}`;
}

/**
 * Logical CPUs of one machine: Linux's largest `NR_CPUS` (x86-64 `CONFIG_MAXSMP`). Every core,
 * socket, NUMA node and uncore cache holds a bitset as long as the machine's largest id, so the
 * cost of a machine grows with CPUs × largest id; both are bounded.
 */
export const MAX_MACHINE_CPUS = 8192;

/** CPUs × 32-bit words of the largest id: 2^24 words (64 MiB) at most. */
export const MAX_MACHINE_CPU_SET_WORDS = 1 << 24;

/** Why a machine of `count` CPUs whose largest id is `maxId` is too large to hold, or null. */
export function machineSizeProblem(count: number, maxId: number): string | null {
  if (count > MAX_MACHINE_CPUS)
    return `${count} CPUs exceed the limit of ${MAX_MACHINE_CPUS} (Linux's largest NR_CPUS)`;
  const words = Math.floor(maxId / 32) + 1;
  if (count * words > MAX_MACHINE_CPU_SET_WORDS) {
    return `${count} CPUs with ids up to ${maxId} are too sparse to hold: CPUs × (largest id + 1) / 32 must stay within ${MAX_MACHINE_CPU_SET_WORDS} (number the CPUs densely, as Linux does)`;
  }
  return null;
}
