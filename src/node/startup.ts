import { CPUSet, CPUSetParseError } from "../core/index.js";
import { reservedMemoryMismatch } from "../k8s/index.js";
import type { Machine } from "../machine/index.js";
import type { NodeConfig } from "./types.js";

/**
 * Start-up refusals of the kubelet that depend on the machine or on the whole configuration, in
 * the order the kubelet meets them. Each returns the kubelet's words, or null when it would start.
 */

/**
 * `NewManager` of the static CPU policy: the Node Allocatable reservation holds no cpu when
 * neither kubeReserved.cpu nor systemReserved.cpu reserves any and reservedSystemCPUs is empty
 * (zero sums are dropped from it), and the policy cannot start without one.
 */
export function cpuReservationRefusal(
  cfg: Pick<NodeConfig, "cpuManagerPolicy" | "numReservedCPUs">,
): string | null {
  if (cfg.cpuManagerPolicy !== "static" || cfg.numReservedCPUs > 0) return null;
  return "[cpumanager] unable to determine reserved CPU resources for static policy";
}

/** `getReservedCPUs` (kubelet `run`, before the container manager): the set must be online CPUs. */
export function reservedCPUsRefusal(
  machine: Machine,
  reservedSystemCPUs: string | CPUSet | null,
): string | null {
  if (reservedSystemCPUs === null || reservedSystemCPUs === "") return null;
  let set: CPUSet;
  try {
    set = typeof reservedSystemCPUs === "string" ? CPUSet.parse(reservedSystemCPUs) : reservedSystemCPUs;
  } catch (err) {
    if (!(err instanceof CPUSetParseError)) throw err;
    return `unable to parse reserved-cpus list: ${err.message}`;
  }
  const online = machine.topology.all;
  if (set.isSubsetOf(online)) return null;
  return `reserved-cpus: ${set.toString()} is not a subset of online-cpus: ${online.toString()}`;
}

/**
 * The Memory Manager's `validateReservedMemory` at start-up (Static policy): every NUMA node named
 * in reservedMemory must exist, and the totals must match Node Allocatable, now with the machine's
 * memory capacity for a percentage `memory.available` threshold.
 */
export function reservedMemoryRefusal(machine: Machine, cfg: NodeConfig): string | null {
  if (cfg.memoryManagerPolicy !== "Static") return null;
  for (const node of [...cfg.reservedMemory.keys()].sort((a, b) => a - b)) {
    if (!machine.memory.has(node))
      return `the reserved memory configuration references a NUMA node ${node} that does not exist on this machine`;
  }
  let capacity = 0n;
  for (const numa of machine.memory.values()) capacity += numa.memory;
  return reservedMemoryMismatch(cfg, capacity);
}

/**
 * The checks a KubeletConfiguration read by podpin must pass beyond what the Node itself refuses
 * (test configurations built by hand do not carry consistent reservations, so these stay out of
 * the engine): the reserved CPUs must be online, and the Memory Manager's reservation must match
 * Node Allocatable on this machine. Returns the first refusal, or null.
 */
export function kubeletStartRefusal(machine: Machine, cfg: NodeConfig): string | null {
  const cpus = reservedCPUsRefusal(machine, cfg.reservedSystemCPUs);
  if (cpus) return cpus;
  const memory = reservedMemoryRefusal(machine, cfg);
  return memory ? `memory manager: ${memory}` : null;
}
