import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { type DeviceResource, type DeviceSpec, NO_PLUGIN_OPTIONS, compareBytewise } from "./devices.js";
import { MachineError } from "./errors.js";

/**
 * GPUs from `sys/bus/pci/devices/<address>/{vendor,class,numa_node}`, as a device plugin would
 * advertise them: one resource per vendor, every GPU healthy, its NUMA node from `numa_node`
 * (`-1`, or no file on kernels without NUMA, means the plugin sends no TopologyInfo: `null`).
 * Devices are listed in ascending PCI address order, the order of the directory.
 *
 * Ids are PCI addresses. The NVIDIA plugin names GPUs by NVML UUID (`GPU-…`), which sysfs does not
 * hold; the address identifies the same board and keeps the NUMA placement, which is what the
 * resource managers decide on.
 *
 * A PCI entry whose vendor or class cannot be read is skipped with a note: nothing says it is a
 * GPU, and an unrelated device must not stop discovery. A GPU whose `numa_node` holds garbage
 * stops discovery with a `MachineError` naming the file: the device is known but cannot be placed,
 * and a decision on it would be wrong.
 */
export const SYSFS_PCI_DIR = "sys/bus/pci/devices";

interface GpuVendor {
  vendor: number;
  resource: string;
  /** PCI base class and subclass (`class >> 8`) of the vendor's GPUs. */
  classes: readonly number[];
}

/** 0x0300 VGA-compatible, 0x0302 3D controller (NVIDIA data-center GPUs), 0x0380 display controller (AMD Instinct). */
export const GPU_VENDORS: readonly GpuVendor[] = [
  { vendor: 0x10de, resource: "nvidia.com/gpu", classes: [0x0300, 0x0302] },
  { vendor: 0x1002, resource: "amd.com/gpu", classes: [0x0300, 0x0380] },
];

const PCI_ADDRESS = /^[0-9a-f]{4,8}:[0-9a-f]{2}:[0-9a-f]{2}\.[0-7]$/;

export interface PciDiscovery {
  /** One resource per vendor with GPUs, ascending by resource name. */
  devices: DeviceResource[];
  notes: string[];
}

/** The trimmed text of `path`, or null when it does not exist or cannot be read. */
function readOptional(path: string): string | null {
  try {
    return readFileSync(path, "utf8").trim();
  } catch {
    return null;
  }
}

function hexId(text: string | null, digits: number): number | null {
  if (text === null) return null;
  const m = new RegExp(`^0x([0-9a-fA-F]{${digits}})$`).exec(text);
  return m ? Number.parseInt(m[1], 16) : null;
}

/** The `numa_node` file as the plugin's TopologyInfo: null for -1 or no file, else the node. */
function numaNodesOf(path: string, notes: string[], address: string): number[] | null {
  const text = readOptional(path);
  if (text === null) {
    notes.push(`${address}: no numa_node file (a kernel without NUMA): reported without TopologyInfo`);
    return null;
  }
  if (text === "-1") return null;
  if (!/^\d+$/.test(text)) {
    throw new MachineError(
      path,
      `expected the device's NUMA node (a non-negative integer or -1), got ${JSON.stringify(text)}`,
    );
  }
  return [Number(text)];
}

/** The GPUs under `root` (the directory holding `sys/`). */
export function readPciGpus(root: string): PciDiscovery {
  const dir = join(root, SYSFS_PCI_DIR);
  const notes: string[] = [];
  if (!existsSync(dir)) return { devices: [], notes: [`${dir} does not exist: no PCI devices discovered`] };
  const found = new Map<string, DeviceSpec[]>();
  for (const address of readdirSync(dir).sort()) {
    if (!PCI_ADDRESS.test(address)) {
      notes.push(`${join(dir, address)}: skipped, not a PCI address`);
      continue;
    }
    const base = join(dir, address);
    const vendorText = readOptional(join(base, "vendor"));
    const vendorId = hexId(vendorText, 4);
    if (vendorId === null) {
      notes.push(
        `${join(base, "vendor")}: skipped the device, ${vendorText === null ? "no readable file" : `expected a vendor id such as 0x10de, got ${JSON.stringify(vendorText)}`}`,
      );
      continue;
    }
    const vendor = GPU_VENDORS.find((v) => v.vendor === vendorId);
    if (!vendor) continue;
    const classText = readOptional(join(base, "class"));
    const classId = hexId(classText, 6);
    if (classId === null) {
      notes.push(
        `${join(base, "class")}: skipped the device, ${classText === null ? "no readable file" : `expected a class code such as 0x030200, got ${JSON.stringify(classText)}`}`,
      );
      continue;
    }
    // Same vendor, other functions: HDMI audio (0x0403), NVSwitch bridges (0x0680), ...
    if (!vendor.classes.includes(classId >> 8)) continue;
    const numaNodes = numaNodesOf(join(base, "numa_node"), notes, address);
    found.set(vendor.resource, [
      ...(found.get(vendor.resource) ?? []),
      { id: address, numaNodes, healthy: true },
    ]);
  }
  const devices = [...found]
    .sort(([a], [b]) => compareBytewise(a, b))
    .map(
      ([name, list]): DeviceResource => ({
        name,
        registered: true,
        devices: list,
        plugin: { ...NO_PLUGIN_OPTIONS },
      }),
    );
  if (found.has("nvidia.com/gpu")) {
    notes.push(
      "nvidia.com/gpu: devices are named by PCI address; the NVIDIA device plugin names them by GPU UUID, which sysfs does not hold",
    );
  }
  return { devices, notes };
}
