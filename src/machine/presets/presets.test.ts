import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { CPUSet } from "../../core/index.js";
import { machineFacts } from "../facts.js";
import { type Machine, machineNUMANodes } from "../machine.js";
import {
  DGX_H100_COMPUTE_FABRIC,
  INTEL_SRIOV_NETDEVICE,
  NVIDIA_GPU,
  NVIDIA_HOSTDEV,
  PRESETS,
  findPreset,
  pciAddress,
  placeholderGpuUuid,
  presetMachine,
} from "./index.js";

const CONFORMANCE_DIR =
  process.env.PODPIN_CONFORMANCE_DIR ??
  resolve(join(dirname(fileURLToPath(import.meta.url)), "../../../../shared/conformance"));

const threadsPerCore = (m: Machine): number => m.topology.cpusInCore(m.topology.cores()[0]).size;
const nodeCPUs = (m: Machine, n: number): string => m.topology.cpusInNUMANode(n).toString();
const cpuLess = (m: Machine): number[] =>
  machineNUMANodes(m).filter((n) => m.topology.cpusInNUMANode(n).isEmpty());
const memoryLess = (m: Machine): number[] =>
  machineNUMANodes(m).filter((n) => m.memory.get(n)?.memory === 0n);

describe("preset catalogue", () => {
  test("every preset builds, under its own name, with a consistent machine", () => {
    for (const p of PRESETS) {
      const m = p.build();
      assert.equal(m.name, p.name);
      assert.ok(p.description.length > 0 && !p.description.includes("\n"), p.name);
      for (const n of m.topology.numaNodes())
        assert.ok(m.memory.has(n), `${p.name}: node ${n} has CPUs but no memory entry`);
      if (m.distances) {
        const nodes = machineNUMANodes(m);
        assert.deepEqual([...m.distances.keys()], nodes, p.name);
        for (const [n, row] of m.distances) {
          assert.equal(row.length, nodes.length, p.name);
          assert.equal(row[nodes.indexOf(n)], 10, `${p.name}: local distance of node ${n}`);
        }
      }
    }
  });

  test("aliases resolve to the same preset", () => {
    assert.equal(findPreset("m"), findPreset("worked-example"));
    assert.equal(findPreset("machine-m"), findPreset("worked-example"));
    assert.equal(findPreset("dgx-h100"), findPreset("nvidia-dgx-h100"));
    assert.equal(findPreset("no-such-machine"), null);
  });

  test("real machines cite their source and flag unverified values (MX-1)", () => {
    const flagged = [
      "aws-c5n-18xlarge",
      "intel-spr-2s-snc4",
      "intel-xeon-max-2s-snc4-hbm-flat",
      "amd-epyc-7551-2s",
      "amd-tr-3960x-nps4",
      "amd-epyc-8434p-l3numa",
      "amd-epyc-9375f-2s-nps1-smtoff",
      "nvidia-gh200",
      "nvidia-gb200-tray",
      "nvidia-dgx-h100",
      "intel-xeon-6230r-2s-sriov",
      "worked-example",
    ];
    for (const p of PRESETS.filter((x) => /^(intel|aws|amd|nvidia)-/.test(x.name))) {
      assert.match(p.source ?? "", /^https:\/\//, p.name);
      assert.ok(p.build().notes.includes(`source: ${p.source}`), p.name);
    }
    for (const name of flagged) {
      assert.ok(
        presetMachine(name)!.notes.some((n) => n.startsWith("(unverified)")),
        name,
      );
    }
    assert.ok(!presetMachine("intel-xeon-6230r-2s")!.notes.some((n) => n.includes("(unverified)")));
  });
});

describe("real machines match machines.md §4", () => {
  const table: [name: string, sockets: number, cores: number, threads: number, cpus: number, numa: number][] =
    [
      ["intel-xeon-6230r-2s", 2, 52, 2, 104, 2],
      ["aws-c5n-18xlarge", 2, 36, 2, 72, 2],
      ["intel-spr-2s-snc4", 2, 112, 2, 224, 8],
      ["intel-xeon-max-2s-snc4-hbm-flat", 2, 96, 2, 192, 16],
      ["amd-epyc-7551-2s", 2, 64, 2, 128, 8],
      ["amd-tr-3960x-nps4", 1, 24, 2, 48, 4],
      ["amd-epyc-8434p-l3numa", 1, 48, 2, 96, 8],
      ["amd-epyc-9375f-2s-nps1-smtoff", 2, 64, 1, 64, 2],
      ["nvidia-gh200", 1, 72, 1, 72, 9],
      ["nvidia-gb200-tray", 2, 144, 1, 144, 34],
      ["nvidia-dgx-h100", 2, 112, 2, 224, 2],
      ["intel-xeon-6230r-2s-sriov", 2, 52, 2, 104, 2],
    ];
  for (const [name, sockets, cores, threads, cpus, numa] of table) {
    test(`${name}: ${sockets} sockets, ${cores} cores × ${threads} threads, ${numa} NUMA nodes`, () => {
      const m = presetMachine(name)!;
      const t = m.topology;
      assert.deepEqual(
        [t.numSockets, t.numCores, threadsPerCore(m), t.numCPUs, machineNUMANodes(m).length],
        [sockets, cores, threads, cpus, numa],
      );
      assert.ok(t.all.equals(CPUSet.range(0, cpus - 1)));
    });
  }

  test("CPU lists of the NUMA nodes", () => {
    const lists: [string, number, string][] = [
      ["intel-xeon-6230r-2s", 1, CPUSet.fromIds([...Array(52).keys()].map((i) => 2 * i + 1)).toString()],
      ["aws-c5n-18xlarge", 0, "0-17,36-53"],
      ["aws-c5n-18xlarge", 1, "18-35,54-71"],
      ["intel-spr-2s-snc4", 0, "0-13,112-125"],
      ["intel-spr-2s-snc4", 7, "98-111,210-223"],
      ["intel-xeon-max-2s-snc4-hbm-flat", 0, "0-11,96-107"],
      ["intel-xeon-max-2s-snc4-hbm-flat", 7, "84-95,180-191"],
      ["amd-epyc-7551-2s", 0, "0-7,64-71"],
      ["amd-epyc-7551-2s", 5, "40-47,104-111"],
      ["amd-tr-3960x-nps4", 0, "0-5,24-29"],
      ["amd-epyc-8434p-l3numa", 0, "0-5,48-53"],
      ["amd-epyc-9375f-2s-nps1-smtoff", 1, "32-63"],
      ["nvidia-gh200", 0, "0-71"],
      ["nvidia-gb200-tray", 1, "72-143"],
      ["nvidia-dgx-h100", 0, "0-55,112-167"],
      ["nvidia-dgx-h100", 1, "56-111,168-223"],
    ];
    for (const [name, node, cpus] of lists)
      assert.equal(nodeCPUs(presetMachine(name)!, node), cpus, `${name} node ${node}`);
  });

  test("Cascade Lake 6230R: interleaved sockets, siblings c / c+52", () => {
    const t = presetMachine("intel-xeon-6230r-2s")!.topology;
    assert.equal(t.cpusInCore(0).toString(), "0,52");
    assert.equal(t.cpu(1).socket, 1);
    assert.equal(t.cpu(53).core, 1);
  });

  test("memory-less and CPU-less nodes", () => {
    assert.deepEqual(memoryLess(presetMachine("amd-epyc-7551-2s")!), [0, 2, 3, 4, 6, 7]);
    assert.deepEqual(memoryLess(presetMachine("amd-tr-3960x-nps4")!), [0, 3]);
    assert.deepEqual(
      cpuLess(presetMachine("intel-xeon-max-2s-snc4-hbm-flat")!),
      [8, 9, 10, 11, 12, 13, 14, 15],
    );
    assert.equal(cpuLess(presetMachine("nvidia-gh200")!).length, 8);
    assert.equal(cpuLess(presetMachine("nvidia-gb200-tray")!).length, 32);
    assert.equal(presetMachine("intel-xeon-max-2s-snc4-hbm-flat")!.memory.get(9)?.memory, 16n << 30n);
  });

  test("captured distances", () => {
    assert.deepEqual(presetMachine("amd-epyc-7551-2s")!.distances?.get(1), [16, 10, 16, 16, 32, 32, 32, 32]);
    assert.deepEqual(presetMachine("amd-tr-3960x-nps4")!.distances?.get(2), [12, 12, 10, 12]);
    assert.deepEqual(presetMachine("amd-epyc-9375f-2s-nps1-smtoff")!.distances?.get(0), [10, 32]);
    assert.deepEqual(presetMachine("intel-xeon-6230r-2s")!.distances?.get(1), [21, 10]);
  });

  test("uncore layouts: SNC L3 over 4 nodes, many L3 per node (NPS1), SMT off", () => {
    const spr = presetMachine("intel-spr-2s-snc4")!.topology;
    assert.ok(spr.cpusInUncore(1).equals(spr.cpusInNUMANodes([4, 5, 6, 7])));
    const turin = presetMachine("amd-epyc-9375f-2s-nps1-smtoff")!.topology;
    assert.equal(turin.numUncoreCaches, 16);
    assert.equal(turin.cpusInUncore(0).toString(), "0-3");
    assert.equal(turin.cpusPerCore, 1);
    // The kubelet cannot see an L3 that is exactly a NUMA node: it uses the socket id instead.
    assert.deepEqual(presetMachine("amd-epyc-8434p-l3numa")!.topology.uncoreCaches(), [0]);
  });
});

describe("device-plugin resources of real machines", () => {
  /** Devices of `resource` per NUMA node, as `node:count` for every node that has any. */
  const perNode = (m: Machine, resource: string): Record<string, number> => {
    const out: Record<string, number> = {};
    for (const d of m.devices.get(resource)?.devices ?? [])
      for (const n of d.numaNodes ?? []) out[n] = (out[n] ?? 0) + 1;
    return out;
  };
  const GPU_UUID = /^GPU-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
  const PCI = /^[0-9a-f]{4}:[0-9a-f]{2}:[0-9a-f]{2}\.[0-7]$/;

  test("counts per NUMA node", () => {
    const table: [preset: string, resource: string, counts: Record<string, number>][] = [
      ["nvidia-dgx-h100", NVIDIA_GPU, { 0: 4, 1: 4 }],
      ["nvidia-dgx-h100", NVIDIA_HOSTDEV, { 0: 4, 1: 4 }],
      ["nvidia-gb200-tray", NVIDIA_GPU, { 2: 1, 10: 1, 18: 1, 26: 1 }],
      ["intel-xeon-6230r-2s-sriov", INTEL_SRIOV_NETDEVICE, { 0: 8, 1: 8 }],
    ];
    for (const [preset, resource, counts] of table)
      assert.deepEqual(perNode(presetMachine(preset)!, resource), counts, `${preset} ${resource}`);
    const withDevices = PRESETS.filter((p) => p.build().devices.size > 0).map((p) => p.name);
    assert.deepEqual(withDevices.sort(), [
      "intel-xeon-6230r-2s-sriov",
      "nvidia-dgx-h100",
      "nvidia-gb200-tray",
    ]);
  });

  test("ids are shaped as the plugins report them, unique, each device on one node, all healthy", () => {
    for (const name of ["nvidia-dgx-h100", "nvidia-gb200-tray", "intel-xeon-6230r-2s-sriov"]) {
      const m = presetMachine(name)!;
      for (const r of m.devices.values()) {
        assert.ok(r.registered, `${name} ${r.name}`);
        assert.equal(new Set(r.devices.map((d) => d.id)).size, r.devices.length, `${name} ${r.name}`);
        for (const d of r.devices) {
          assert.match(d.id, r.name === NVIDIA_GPU ? GPU_UUID : PCI, `${name} ${r.name}`);
          assert.equal(d.numaNodes?.length, 1, d.id);
          assert.ok(machineNUMANodes(m).includes(d.numaNodes![0]), d.id);
          assert.equal(d.healthy, true);
        }
      }
    }
    // Placeholder UUIDs are stable: the same preset builds the same ids.
    assert.deepEqual(
      presetMachine("nvidia-dgx-h100")!.devices.get(NVIDIA_GPU),
      presetMachine("nvidia-dgx-h100")!.devices.get(NVIDIA_GPU),
    );
  });

  test("DGX H100: each compute ConnectX-7 at the PCI bus of its interface name, on its GPU's node", () => {
    const m = presetMachine("dgx-h100")!;
    assert.equal(m.name, "nvidia-dgx-h100");
    const nics = m.devices.get(NVIDIA_HOSTDEV)!.devices;
    const gpus = m.devices.get(NVIDIA_GPU)!.devices;
    DGX_H100_COMPUTE_FABRIC.forEach((f, i) => {
      assert.equal(f.netdev, `ibp${f.bus}s0`);
      assert.equal(nics[i].id, pciAddress(0, f.bus, 0, 0));
      assert.deepEqual(nics[i].numaNodes, gpus[f.gpu].numaNodes);
      assert.deepEqual(nics[i].numaNodes, [f.cpu]);
    });
    assert.equal(nics[0].id, "0000:18:00.0");
    assert.equal(nics[7].id, "0000:dc:00.0");
    assert.equal(placeholderGpuUuid("x"), placeholderGpuUuid("x"));
  });

  test("GB200: each GPU sits on its own CPU-less node, the one with HBM", () => {
    const m = presetMachine("nvidia-gb200-tray")!;
    for (const d of m.devices.get(NVIDIA_GPU)!.devices) {
      const n = d.numaNodes![0];
      assert.ok(m.topology.cpusInNUMANode(n).isEmpty(), `node ${n}`);
      assert.equal(m.memory.get(n)?.memory, 186n << 30n);
    }
  });

  test("SR-IOV: VFs of the socket-0 NIC on NUMA 0 (even CPUs), of the socket-1 NIC on NUMA 1", () => {
    const m = presetMachine("intel-xeon-6230r-2s-sriov")!;
    const vfs = m.devices.get(INTEL_SRIOV_NETDEVICE)!.devices;
    assert.deepEqual(
      vfs.filter((d) => d.numaNodes![0] === 0).map((d) => d.id),
      Array.from({ length: 8 }, (_, f) => `0000:3b:02.${f}`),
    );
    assert.ok(vfs.filter((d) => d.numaNodes![0] === 1).every((d) => d.id.startsWith("0000:d8:02.")));
    // The CPU side is the 6230R capture itself.
    assert.deepEqual(
      { ...machineFacts(m), devices: [] },
      { ...machineFacts(presetMachine("intel-xeon-6230r-2s")!), devices: [] },
    );
  });
});

describe("machine M (worked examples)", () => {
  test("2 × 8 × 2 offset numbering, reserved-set CPUs 0 and 16 on one core", () => {
    const t = presetMachine("worked-example")!.topology;
    assert.equal(t.cpusInNUMANode(0).toString(), "0-7,16-23");
    assert.equal(t.cpusInNUMANode(1).toString(), "8-15,24-31");
    assert.equal(t.cpusInCore(0).toString(), "0,16");
    assert.deepEqual(t.uncoreCaches(), [0, 1]);
  });

  const admit = join(CONFORMANCE_DIR, "node/admit.json");
  test("equals the machine of the node admission cases spec7.*", () => {
    assert.ok(existsSync(admit), `cannot run: no conformance data at ${admit}`);
    const cases = JSON.parse(readFileSync(admit, "utf8")) as {
      name: string;
      machine: Record<string, unknown>;
    }[];
    const spec7 = cases.find((c) => c.name.startsWith("spec7.1"))!.machine as {
      cpus: { id: number; core: number; socket: number; numa: number; uncore: number }[];
      numCPUs: number;
      numSockets: number;
      numCores: number;
      numNUMANodes: number;
      numUncoreCaches: number;
      memory: Record<string, { memory: number }>;
      numaDistances: Record<string, number[]>;
    };
    const facts = machineFacts(presetMachine("worked-example")!);
    assert.deepEqual(facts.cpus, spec7.cpus);
    const { numCPUs, numSockets, numCores, numNUMANodes, numUncoreCaches } = spec7;
    assert.deepEqual(facts.header, { numCPUs, numSockets, numCores, numNUMANodes, numUncoreCaches });
    assert.deepEqual(
      facts.memory.map((m) => [String(m.node), m.memory, m.hugepages.length]),
      Object.entries(spec7.memory).map(([n, v]) => [n, String(v.memory), 0]),
    );
    assert.deepEqual(
      facts.distances?.map((d) => [String(d.node), d.row]),
      Object.entries(spec7.numaDistances),
    );
  });
});

describe("synthetic machines", () => {
  test("sizes", () => {
    const sizes: [string, number, number][] = [
      ["synthetic-8n-512c", 512, 8],
      ["synthetic-16n", 256, 16],
      ["synthetic-32n", 512, 32],
      ["s8c4k", 4096, 8],
    ];
    for (const [name, cpus, numa] of sizes) {
      const m = presetMachine(name)!;
      assert.deepEqual([m.topology.numCPUs, machineNUMANodes(m).length], [cpus, numa], name);
    }
  });
});
