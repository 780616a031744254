import { createHash } from "node:crypto";
import { type DeviceResource, NO_PLUGIN_OPTIONS } from "../devices.js";

/**
 * Helpers for the device-plugin resources of presets: ids shaped as the real plugins report them
 * (PCI addresses, NVML GPU UUIDs) and the resource record of a plugin podpin models with defaults.
 */

const hex = (n: number, width: number): string => n.toString(16).padStart(width, "0");

/** A PCI address as sysfs and the SR-IOV plugin write it: `dddd:bb:dd.f`, lowercase hex. */
export function pciAddress(domain: number, bus: number, device: number, fn: number): string {
  return `${hex(domain, 4)}:${hex(bus, 2)}:${hex(device, 2)}.${fn}`;
}

/**
 * A `GPU-<uuid>` id as the NVIDIA device plugin reports it. Real UUIDs belong to one physical
 * board and are not published, so presets use this stand-in: derived from `seed`, hence the same
 * on every run, and as unordered relative to the GPU index as real UUIDs are (the kubelet's
 * tie-break compares ids, not indexes).
 */
export function placeholderGpuUuid(seed: string): string {
  const h = createHash("sha256").update(`podpin preset GPU ${seed}`).digest("hex");
  return `GPU-${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

/** One device of a preset: its id and the NUMA node the plugin reports (every preset device is healthy). */
export interface PresetDevice {
  id: string;
  numaNode: number;
}

/**
 * A registered resource with podpin's default plugin model (no GetPreferredAllocation, no
 * PreStartContainer): presets describe the hardware, not a particular plugin's allocation policy.
 */
export function pluginResource(name: string, devices: readonly PresetDevice[]): DeviceResource {
  return {
    name,
    registered: true,
    devices: devices.map((d) => ({ id: d.id, numaNodes: [d.numaNode], healthy: true })),
    plugin: { ...NO_PLUGIN_OPTIONS },
  };
}
