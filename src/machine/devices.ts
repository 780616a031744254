/**
 * Device-plugin resources of a machine (device-manager.md §1): what the plugins advertise through
 * `ListAndWatch` (device ids, their NUMA nodes, health) and podpin's model of each plugin's options
 * and `GetPreferredAllocation` answer.
 */

/** One device as a plugin reports it. */
export interface DeviceSpec {
  /** Opaque, unique within its resource; every lookup is by exact string. */
  id: string;
  /**
   * The plugin's `TopologyInfo`: null = none sent (Go nil), [] = sent with no node, else the NUMA
   * nodes the device is attached to. The two "no topology" forms differ in one kubelet check.
   */
  numaNodes: readonly number[] | null;
  healthy: boolean;
}

/** What the plugin's `GetPreferredAllocation` answers (podpin's model, not kubelet code). */
export type PreferredAllocationModel =
  | null
  | { readonly fixed: readonly string[] }
  | { readonly order: readonly string[] };

export interface DevicePluginModel {
  getPreferredAllocationAvailable: boolean;
  preStartRequired: boolean;
  preferred: PreferredAllocationModel;
}

export interface DeviceResource {
  /** The extended resource name, e.g. `nvidia.com/gpu`. */
  name: string;
  /** False when no plugin registered the name (known only from stored allocations). */
  registered: boolean;
  /** The plugin's last device list, in the order it was sent. */
  devices: readonly DeviceSpec[];
  plugin: DevicePluginModel;
}

/** Device resources by name, in ascending name order. */
export type DeviceResources = ReadonlyMap<string, DeviceResource>;

export const NO_PLUGIN_OPTIONS: Readonly<DevicePluginModel> = Object.freeze({
  getPreferredAllocationAvailable: false,
  preStartRequired: false,
  preferred: null,
});

export const NO_DEVICES: DeviceResources = new Map();

/** Byte-wise (UTF-16 code unit) string order, the order podpin uses for resource names and ids. */
export function compareBytewise(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** `resources` keyed and sorted by resource name, as every consumer expects. */
export function sortedDeviceResources(resources: Iterable<DeviceResource>): DeviceResources {
  return new Map([...resources].sort((a, b) => compareBytewise(a.name, b.name)).map((r) => [r.name, r]));
}

/**
 * Caveats about `resources` that are accepted but probably not meant (`where` names the source):
 * NUMA ids the machine does not have (they never match a mask, device-manager.md §1) and a
 * `preferred` answer the kubelet never asks for (the plugin does not offer GetPreferredAllocation).
 */
export function deviceResourceNotes(
  resources: DeviceResources,
  machineNodes: readonly number[],
  where: string,
): string[] {
  const known = new Set(machineNodes);
  const notes: string[] = [];
  for (const r of resources.values()) {
    const unknown = new Set<number>();
    let devices = 0;
    for (const d of r.devices) {
      const missing = (d.numaNodes ?? []).filter((n) => !known.has(n));
      for (const n of missing) unknown.add(n);
      if (missing.length > 0) devices++;
    }
    if (unknown.size > 0) {
      const ids = [...unknown].sort((a, b) => a - b).join(", ");
      notes.push(
        `${where}: ${r.name}: ${devices} device${devices === 1 ? "" : "s"} list${devices === 1 ? "s" : ""} NUMA node${unknown.size === 1 ? "" : "s"} ${ids}, which the machine does not have; such a node never matches a NUMA mask`,
      );
    }
    if (r.plugin.preferred !== null && !r.plugin.getPreferredAllocationAvailable) {
      notes.push(
        `${where}: ${r.name}: plugin.preferred is set but getPreferredAllocationAvailable is false, so the kubelet never asks for it`,
      );
    }
  }
  return notes;
}
