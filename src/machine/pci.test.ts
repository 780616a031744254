import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { MachineError } from "./errors.js";
import { type FakePciDevice, fakeGpu } from "./fake-sysfs.js";
import { GPU_VENDORS, SYSFS_PCI_DIR, readPciGpus } from "./pci.js";
import { presetMachine } from "./presets/index.js";
import { discoverFromSysfs, writeFakeSysfs } from "./sysfs.js";

const scratch = existsSync("/dev/shm") ? "/dev/shm" : tmpdir();
const dirs: string[] = [];
/** A fake tree of machine M (2 NUMA nodes) with `pci` functions. */
function tree(pci: readonly FakePciDevice[]): string {
  const dir = mkdtempSync(join(scratch, "podpin-pci-"));
  dirs.push(dir);
  writeFakeSysfs(presetMachine("worked-example")!, dir, { pciDevices: pci });
  return dir;
}
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** A DGX-like mix: GPUs on both nodes, a GPU without NUMA info, and functions that are not GPUs. */
const MIXED: FakePciDevice[] = [
  fakeGpu("0000:9d:00.0", 1),
  fakeGpu("0000:1b:00.0", 0),
  { address: "0000:1b:00.1", vendor: "0x10de", class: "0x040300", numaNode: "0" }, // HDMI audio
  { address: "0000:07:00.0", vendor: "0x10de", class: "0x068000", numaNode: "0" }, // NVSwitch
  { address: "0000:52:00.0", vendor: "0x10de", class: "0x030000", numaNode: "-1" }, // VGA, no NUMA info
  { address: "0000:18:00.0", vendor: "0x15b3", class: "0x020700", numaNode: "0" }, // ConnectX-7
  fakeGpu("0000:c1:00.0", 1, "amd"),
  { address: "0000:c2:00.0", vendor: "0x1002", class: "0x030000", numaNode: "1" }, // AMD VGA
  { address: "0000:c3:00.0", vendor: "0x1002", class: "0x040300", numaNode: "1" }, // AMD audio
];

describe("PCI GPU discovery from sysfs", () => {
  test("NVIDIA and AMD GPUs as their plugins would list them, other functions left out", () => {
    const m = discoverFromSysfs(tree(MIXED));
    assert.deepEqual([...m.devices.keys()], ["amd.com/gpu", "nvidia.com/gpu"]);
    assert.deepEqual(m.devices.get("nvidia.com/gpu"), {
      name: "nvidia.com/gpu",
      registered: true,
      devices: [
        { id: "0000:1b:00.0", numaNodes: [0], healthy: true },
        { id: "0000:52:00.0", numaNodes: null, healthy: true },
        { id: "0000:9d:00.0", numaNodes: [1], healthy: true },
      ],
      plugin: { getPreferredAllocationAvailable: false, preStartRequired: false, preferred: null },
    });
    assert.deepEqual(
      m.devices.get("amd.com/gpu")?.devices.map((d) => [d.id, d.numaNodes]),
      [
        ["0000:c1:00.0", [1]],
        ["0000:c2:00.0", [1]],
      ],
    );
    assert.ok(
      m.notes.some((n) => /named by PCI address; the NVIDIA device plugin names them by GPU UUID/.test(n)),
    );
    // The CPU side is untouched by the PCI tree.
    assert.equal(m.topology.cpusInNUMANode(1).toString(), "8-15,24-31");
  });

  test("a tree without GPUs, and a tree without the PCI directory", () => {
    assert.equal(discoverFromSysfs(tree([])).devices.size, 0);
    const dir = tree([]);
    rmSync(join(dir, SYSFS_PCI_DIR), { recursive: true });
    const r = readPciGpus(dir);
    assert.deepEqual(r.devices, []);
    assert.deepEqual(r.notes, [`${join(dir, SYSFS_PCI_DIR)} does not exist: no PCI devices discovered`]);
    assert.equal(discoverFromSysfs(dir).devices.size, 0);
  });

  test("missing and garbage vendor or class files skip the device with a note", () => {
    const dir = tree([
      { address: "0000:01:00.0", vendor: null, class: "0x030200", numaNode: "0" },
      { address: "0000:02:00.0", vendor: "nvidia", class: "0x030200", numaNode: "0" },
      { address: "0000:03:00.0", vendor: "0x10de", class: null, numaNode: "0" },
      { address: "0000:04:00.0", vendor: "0x10de", class: "3D controller", numaNode: "0" },
      fakeGpu("0000:05:00.0", 1),
    ]);
    mkdirSync(join(dir, SYSFS_PCI_DIR, "not-an-address"));
    const r = readPciGpus(dir);
    assert.deepEqual(
      r.devices.flatMap((x) => x.devices.map((d) => d.id)),
      ["0000:05:00.0"],
    );
    const base = join(dir, SYSFS_PCI_DIR);
    assert.deepEqual(r.notes.slice(0, 5), [
      `${base}/0000:01:00.0/vendor: skipped the device, no readable file`,
      `${base}/0000:02:00.0/vendor: skipped the device, expected a vendor id such as 0x10de, got "nvidia"`,
      `${base}/0000:03:00.0/class: skipped the device, no readable file`,
      `${base}/0000:04:00.0/class: skipped the device, expected a class code such as 0x030200, got "3D controller"`,
      `${base}/not-an-address: skipped, not a PCI address`,
    ]);
  });

  test("numa_node: -1 and no file mean no TopologyInfo; garbage is an error naming the file", () => {
    const noFile = readPciGpus(tree([{ ...fakeGpu("0000:1b:00.0", 0), numaNode: null }]));
    assert.deepEqual(noFile.devices[0].devices[0].numaNodes, null);
    assert.match(noFile.notes[0], /^0000:1b:00\.0: no numa_node file .*reported without TopologyInfo$/);
    assert.deepEqual(
      readPciGpus(tree([{ ...fakeGpu("0000:1b:00.0", 0), numaNode: "-1" }])).devices[0].devices[0].numaNodes,
      null,
    );
    for (const garbage of ["zero", "-2", "1.5", ""]) {
      const dir = tree([{ ...fakeGpu("0000:1b:00.0", 0), numaNode: garbage }]);
      const file = join(dir, SYSFS_PCI_DIR, "0000:1b:00.0/numa_node");
      assert.throws(
        () => discoverFromSysfs(dir),
        (err: unknown) => {
          assert.ok(err instanceof MachineError, String(err));
          assert.equal(err.path, file);
          assert.equal(
            err.message,
            `${file}: expected the device's NUMA node (a non-negative integer or -1), got ${JSON.stringify(garbage)}`,
          );
          return true;
        },
        garbage,
      );
    }
  });

  test("a NUMA node the machine does not have is kept, with a note", () => {
    const dir = tree([fakeGpu("0000:1b:00.0", 5)]);
    const m = discoverFromSysfs(dir);
    assert.deepEqual(m.devices.get("nvidia.com/gpu")?.devices[0].numaNodes, [5]);
    assert.ok(
      m.notes.includes(
        `${join(dir, SYSFS_PCI_DIR)}: nvidia.com/gpu: 1 device lists NUMA node 5, which the machine does not have; such a node never matches a NUMA mask`,
      ),
      m.notes.join("\n"),
    );
  });

  test("the numa_node of a device that is not a GPU is never read", () => {
    const dir = tree([{ address: "0000:18:00.0", vendor: "0x15b3", class: "0x020700", numaNode: null }]);
    writeFileSync(join(dir, SYSFS_PCI_DIR, "0000:18:00.0/numa_node"), "garbage\n");
    assert.deepEqual(readPciGpus(dir), { devices: [], notes: [] });
  });
});

describe("the machine the tests run on", () => {
  test("discovery of / lists only GPU resources, each device with at most one NUMA node", () => {
    assert.ok(existsSync("/sys/devices/system/cpu"), "cannot run: /sys/devices/system/cpu is missing");
    const m = discoverFromSysfs("/");
    for (const r of m.devices.values()) {
      assert.ok(
        GPU_VENDORS.some((v) => v.resource === r.name),
        r.name,
      );
      for (const d of r.devices) assert.ok(d.numaNodes === null || d.numaNodes.length === 1, d.id);
    }
  });
});
