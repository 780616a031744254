import { hugepageResourceName, machineNUMANodes } from "../../machine/index.js";
import { deviceInventory, deviceNUMANodes, isFree, type Node } from "../../node/index.js";
import type { NumaZone } from "./numa-zones.js";

/**
 * A second reading of what each NUMA zone has available, straight from the engine's state rather
 * than through the NodeResourceTopology object: the CPUs of the zone in the CPU Manager's default
 * set and not reserved (millicores), the Memory Manager's free memory and hugepages (the zone's
 * memory outside the hugepage pools when the Memory Manager is off: nothing is pinned), and the
 * healthy devices nobody holds, per device resource on every zone. The equality test holds the
 * fleet's reading of the published object to it.
 */
export function engineZones(node: Node): NumaZone[] {
  const machine = node.machine;
  const free = node.defaultCpuSet().difference(node.reservedCPUs());
  const memoryState = node.memoryPolicy?.state.machineState;
  const numaIds = machineNUMANodes(machine);
  const zones = numaIds.map((id): NumaZone => {
    const available = new Map<string, number>();
    available.set("cpu", free.intersect(machine.topology.cpusInNUMANode(id)).size * 1000);
    const tables = memoryState?.get(id)?.memoryMap;
    if (tables) {
      for (const [resource, table] of tables) available.set(resource, Number(table.free));
    } else {
      const mem = machine.memory.get(id);
      if (mem) {
        let hugepageBytes = 0n;
        for (const pool of mem.hugepages) {
          const bytes = pool.numPages * BigInt(pool.pageSizeKiB) * 1024n;
          hugepageBytes += bytes;
          available.set(hugepageResourceName(pool.pageSizeKiB), Number(bytes));
        }
        available.set("memory", Number(mem.memory - hugepageBytes));
      }
    }
    return { id, available };
  });
  const byId = new Map(zones.map((z) => [z.id, z]));
  const known = new Set(numaIds);
  for (const resource of deviceInventory(node)) {
    for (const zone of zones) if (!zone.available.has(resource.name)) zone.available.set(resource.name, 0);
    for (const device of resource.devices) {
      if (!isFree(device)) continue;
      for (const id of deviceNUMANodes(device, known)) {
        const zone = byId.get(id);
        if (zone) zone.available.set(resource.name, (zone.available.get(resource.name) ?? 0) + 1);
      }
    }
  }
  return zones;
}
