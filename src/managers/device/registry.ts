import {
  compareBytewise,
  type DevicePluginModel,
  type DeviceResources,
  type DeviceSpec,
  NO_PLUGIN_OPTIONS,
} from "../../machine/index.js";

/** What the kubelet keeps per registered resource: the plugin's last list, split by health. */
interface RegisteredResource {
  plugin: DevicePluginModel;
  /** `allDevices[resource]`: every device of the last list, any health, by id. */
  all: Map<string, DeviceSpec>;
  healthy: Set<string>;
  unhealthy: Set<string>;
}

/** Node status for one resource (`GetCapacity`). */
export interface DeviceCapacity {
  /** Healthy + unhealthy devices. */
  capacity: number;
  /** Healthy devices. */
  allocatable: number;
}

const EMPTY_DEVICES: ReadonlyMap<string, DeviceSpec> = new Map();

/**
 * The Device Manager's view of the plugins (device-manager.md §1): which resources are registered,
 * their devices with topology and health, and each plugin's options. A registered resource always
 * has a plugin endpoint here (podpin has no plugin transport), so "registered" and "has an
 * endpoint" are the same question.
 */
export class DeviceRegistry {
  private readonly resources = new Map<string, RegisteredResource>();

  /**
   * Registered resources of the machine description. An unregistered resource is known only from
   * stored allocations: the kubelet has received no device list for it, so its `devices` are
   * ignored.
   */
  constructor(machine: DeviceResources) {
    for (const r of machine.values()) {
      if (!r.registered) continue;
      this.register(r.name, r.plugin);
      this.updateDevices(r.name, r.devices);
    }
  }

  /** A registration with no device yet (a resource restored from a checkpoint keeps this until its plugin reports). */
  register(resource: string, plugin: DevicePluginModel = NO_PLUGIN_OPTIONS): void {
    if (this.resources.has(resource)) return;
    this.resources.set(resource, { plugin, all: new Map(), healthy: new Set(), unhealthy: new Set() });
  }

  /**
   * `genericDeviceUpdateCallback`: the new list replaces the old one entirely. An id listed twice
   * keeps the last spec but lands in the health set of each listing, as in the kubelet.
   */
  updateDevices(resource: string, devices: readonly DeviceSpec[]): void {
    this.register(resource);
    const r = this.resources.get(resource)!;
    r.all = new Map();
    r.healthy = new Set();
    r.unhealthy = new Set();
    for (const d of devices) {
      r.all.set(d.id, d);
      (d.healthy ? r.healthy : r.unhealthy).add(d.id);
    }
  }

  isRegistered(resource: string): boolean {
    return this.resources.has(resource);
  }

  /** Registered resource names, ascending byte-wise. */
  names(): string[] {
    return [...this.resources.keys()].sort(compareBytewise);
  }

  /** The plugin behind a registered resource; null when there is no endpoint. */
  plugin(resource: string): DevicePluginModel | null {
    return this.resources.get(resource)?.plugin ?? null;
  }

  allDevices(resource: string): ReadonlyMap<string, DeviceSpec> {
    return this.resources.get(resource)?.all ?? EMPTY_DEVICES;
  }

  /** The healthy ids; null when the resource is not registered (`healthyDevices` has no key). */
  healthy(resource: string): ReadonlySet<string> | null {
    return this.resources.get(resource)?.healthy ?? null;
  }

  unhealthy(resource: string): ReadonlySet<string> {
    return this.resources.get(resource)?.unhealthy ?? new Set();
  }

  /**
   * The device's NUMA nodes as the plugin reported them (null: no `TopologyInfo`, or a device the
   * current list does not have, which reads as Go's zero-value device).
   */
  numaNodesOf(resource: string, id: string): readonly number[] | null {
    return this.allDevices(resource).get(id)?.numaNodes ?? null;
  }

  /**
   * `deviceHasTopologyAlignment`: some device of any health lists a NUMA node. Newest kubelet rule:
   * an empty `TopologyInfo` counts as none (device-manager.md §1).
   */
  hasTopologyAlignment(resource: string): boolean {
    for (const d of this.allDevices(resource).values()) {
      if (d.numaNodes !== null && d.numaNodes.length > 0) return true;
    }
    return false;
  }

  /** `GetCapacity` per registered resource, names ascending. */
  capacity(): Map<string, DeviceCapacity> {
    const out = new Map<string, DeviceCapacity>();
    for (const name of this.names()) {
      const r = this.resources.get(name)!;
      out.set(name, { capacity: r.healthy.size + r.unhealthy.size, allocatable: r.healthy.size });
    }
    return out;
  }
}
