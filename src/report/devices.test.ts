/**
 * Devices in the reports: short ids, the compact table cell, the node view (which NUMA box each
 * device goes in and who holds it), the SVG boxes with their owners and health, the legend, and the
 * HTML tables. Machines: nvidia-dgx-h100 (GPUs and NICs on both NUMA nodes), nvidia-gb200-tray
 * (GPUs on CPU-less NUMA nodes), and a DGX variant whose NICs report no NUMA node.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { CPUSet } from "../core/index.js";
import { loadMachine, type Machine } from "../machine/index.js";
import { formatHeldDevices, shortDeviceIds } from "./device-text.js";
import type { DeviceState } from "./device-view.js";
import { renderHtmlReport } from "./html.js";
import { checkWellFormed } from "./markup.test-support.js";
import { buildNodeView, emptyNodeState, type NodeState } from "./ownership.js";
import { renderMachineSvg } from "./svg.js";

const GPU = "nvidia.com/gpu";
const NIC = "nvidia.com/hostdev";

function gpuIds(m: Machine): string[] {
  return m.devices.get(GPU)!.devices.map((d) => d.id);
}

/** Every device of `m` as the state lists it, with some held, one unhealthy and one left over. */
function dgxState(m: Machine): NodeState {
  const [g0, g1, g2, , g4] = gpuIds(m);
  const held: Record<string, { podUID: string; container: string }[]> = {
    [g0]: [{ podUID: "uid-train", container: "trainer" }],
    [g1]: [{ podUID: "uid-train", container: "trainer" }],
    [g4]: [{ podUID: "uid-infer", container: "server" }],
  };
  const devices: DeviceState[] = [...m.devices.values()].flatMap((r) =>
    r.devices.map((d) => ({
      resource: r.name,
      id: d.id,
      numaNodes: d.numaNodes,
      healthy: d.id !== g2 && d.id !== g4,
      inUse: held[d.id] !== undefined || d.id === gpuIds(m)[5],
      holders: held[d.id] ?? (d.id === gpuIds(m)[5] ? [{ podUID: "uid-gone", container: "c" }] : []),
    })),
  );
  const pod = (uid: string, name: string, container: string, cpus: string) => ({
    uid,
    name,
    namespace: "ml",
    bubble: null,
    podSharedPool: null,
    memory: null,
    containers: [
      {
        name: container,
        kind: "app" as const,
        assignmentType: "node_exclusive" as const,
        cpus: CPUSet.parse(cpus),
        memory: null,
      },
    ],
  });
  return {
    ...emptyNodeState(m),
    pods: [pod("uid-train", "train", "trainer", "2-5"), pod("uid-infer", "infer", "server", "60-61")],
    devices,
  };
}

describe("device ids for people", () => {
  it("keeps short ids whole and cuts long ones to a unique tail", () => {
    const m = loadMachine("nvidia-dgx-h100");
    const short = shortDeviceIds(gpuIds(m));
    assert.equal(short.get("GPU-f718e3fb-27ba-bb54-9369-72ce2007e30c"), "GPU-…e30c");
    assert.equal(new Set(short.values()).size, 8, "unique within the resource");
    assert.equal(shortDeviceIds(["0000:3b:02.0"]).get("0000:3b:02.0"), "0000:3b:02.0");
    // Two ids sharing their last four characters keep a longer tail.
    const twins = shortDeviceIds([
      "GPU-aaaaaaaa-0000-0000-0000-00000000beef",
      "GPU-bbbbbbbb-0000-0000-0000-00000001beef",
    ]);
    assert.deepEqual([...twins.values()], ["GPU-…0beef", "GPU-…1beef"]);
  });

  it("formats a container's devices compactly: ids by NUMA placement, counts beyond three", () => {
    assert.equal(formatHeldDevices([]), "-");
    assert.equal(
      formatHeldDevices([
        { resource: GPU, devices: [{ id: "a", numaNodes: [0] }] },
        { resource: NIC, devices: [{ id: "n", numaNodes: [-1] }] },
      ]),
      "nvidia.com/gpu a @0, nvidia.com/hostdev n @none",
    );
    const eight = ["a", "b", "c", "d", "e", "f", "g", "h"].map((id, i) => ({
      id,
      numaNodes: [i < 4 ? 0 : 1],
    }));
    assert.equal(
      formatHeldDevices([{ resource: GPU, devices: eight }]),
      "nvidia.com/gpu 4 devices @0 + 4 devices @1",
    );
  });
});

describe("the node view of devices", () => {
  it("puts each device in its NUMA node with its owner: a pod of the view, free, or in use by no pod here", () => {
    const m = loadMachine("nvidia-dgx-h100");
    const ids = gpuIds(m);
    const view = buildNodeView(m, dgxState(m));
    const node0 = view.numaNodes[0].devices.filter((d) => d.resource === GPU);
    const node1 = view.numaNodes[1].devices.filter((d) => d.resource === GPU);
    assert.equal(node0.length, 4);
    assert.equal(node1.length, 4);
    const byId = new Map([...node0, ...node1].map((d) => [d.id, d]));
    assert.deepEqual(byId.get(ids[0])?.owner, { kind: "held", pod: "uid-train", containers: ["trainer"] });
    assert.deepEqual(byId.get(ids[2])?.owner, { kind: "free" });
    assert.equal(byId.get(ids[2])?.healthy, false);
    assert.deepEqual(byId.get(ids[4])?.owner, { kind: "held", pod: "uid-infer", containers: ["server"] });
    assert.deepEqual(byId.get(ids[5])?.owner, { kind: "in-use" }, "its pod is not in the view");
    assert.equal(byId.get(ids[0])?.label, "…e30c", "the shared GPU- prefix is left out");
    assert.equal(view.numaNodes[0].devices.find((d) => d.resource === NIC)?.label, "18:00.0");
    assert.deepEqual(view.devicesWithoutNUMA, []);
  });

  it("without device data in the state, shows the machine's devices, all free", () => {
    const m = loadMachine("nvidia-gb200-tray");
    const view = buildNodeView(m, emptyNodeState(m));
    const withDevices = view.numaNodes.filter((n) => n.devices.length > 0).map((n) => n.id);
    assert.deepEqual(withDevices, [2, 10, 18, 26]);
    assert.ok(view.numaNodes.flatMap((n) => n.devices).every((d) => d.owner.kind === "free" && d.healthy));
  });
});

describe("devices in the picture", () => {
  const m = loadMachine("nvidia-dgx-h100");
  const ids = gpuIds(m);
  const view = buildNodeView(m, dgxState(m));
  const svg = renderMachineSvg(view);

  it("draws one box per device in its NUMA node, coloured by owner, hatched when unhealthy", () => {
    assert.deepEqual(checkWellFormed(svg), []);
    const boxes = [
      ...svg.matchAll(
        /<g class="device ([^"]+)" data-resource="([^"]+)" data-device="([^"]+)"[^>]*data-numa="([^"]+)"/g,
      ),
    ];
    assert.equal(boxes.length, 16);
    const gpu = new Map(boxes.filter((b) => b[2] === GPU).map((b) => [b[3], { cls: b[1], numa: b[4] }]));
    assert.deepEqual(gpu.get(ids[0]), { cls: "owner-held", numa: "0" });
    assert.deepEqual(gpu.get(ids[2]), { cls: "owner-free unhealthy", numa: "0" });
    assert.deepEqual(gpu.get(ids[4]), { cls: "owner-held unhealthy", numa: "1" });
    assert.deepEqual(gpu.get(ids[5]), { cls: "owner-in-use", numa: "1" });
    assert.match(
      svg,
      new RegExp(
        `data-device="${ids[0]}" data-owner="held" data-health="healthy" data-numa="0" data-pod="uid-train" data-containers="trainer">`,
      ),
    );
    assert.match(
      svg,
      new RegExp(
        `<title>nvidia.com/gpu ${ids[0]}\nNUMA 0 · healthy\nPod ml/train · container trainer</title>`,
      ),
    );
    assert.match(svg, /fill="url\(#hatch-unhealthy\)"/);
    assert.match(svg, /<pattern id="hatch-unhealthy"/);
    assert.match(svg, /nvidia\.com\/gpu · 1 free of 4 · 1 unhealthy/);
    assert.match(svg, /aria-label="CPU, memory and device ownership of nvidia-dgx-h100"/);
  });

  it("says in the legend what the boxes are, and what each pod holds", () => {
    assert.match(svg, /class="legend-item legend-device-free"/);
    assert.match(svg, /device \(small box, short id\), free/);
    assert.match(svg, /class="legend-item legend-device-unhealthy"/);
    assert.match(svg, /class="legend-item legend-device-in-use"/);
    assert.match(
      svg,
      /<g class="legend-item legend-devices" data-pod="uid-train">.*devices: nvidia\.com\/gpu 2</,
    );
  });

  it("keeps a machine without devices free of device markup", () => {
    const plain = loadMachine("worked-example");
    const out = renderMachineSvg(buildNodeView(plain, emptyNodeState(plain)));
    assert.doesNotMatch(out, /class="device|legend-device|No NUMA affinity/);
  });

  it("draws devices on CPU-less NUMA nodes (GB200 GPUs) and devices without NUMA information in their own strip", () => {
    const gb = loadMachine("nvidia-gb200-tray");
    const gbSvg = renderMachineSvg(buildNodeView(gb, emptyNodeState(gb)));
    assert.match(gbSvg, /NUMA nodes without CPUs/);
    for (const n of [2, 10, 18, 26])
      assert.match(
        gbSvg,
        new RegExp(
          `<g class="device owner-free" data-resource="nvidia.com/gpu" data-device="[^"]+" data-owner="free" data-health="healthy" data-numa="${n}"`,
        ),
      );

    const devices = new Map(m.devices);
    const nics = devices.get(NIC)!;
    devices.set(NIC, { ...nics, devices: nics.devices.map((d) => ({ ...d, numaNodes: null })) });
    const noNUMA = { ...m, devices };
    const out = renderMachineSvg(buildNodeView(noNUMA, emptyNodeState(noNUMA)));
    assert.match(out, /<g class="devices-no-numa">/);
    assert.equal(
      (
        out.match(
          /data-resource="nvidia\.com\/hostdev" data-device="[^"]+" data-owner="free" data-health="healthy" data-numa="none"/g,
        ) ?? []
      ).length,
      8,
    );
    assert.deepEqual(checkWellFormed(out), []);
  });
});

describe("devices in the HTML report", () => {
  it("lists each container's devices and free/all devices per NUMA node; hovering covers devices", () => {
    const m = loadMachine("nvidia-dgx-h100");
    const ids = gpuIds(m);
    const view = buildNodeView(m, dgxState(m));
    const html = renderHtmlReport({
      view,
      decisions: [
        {
          pod: { uid: "uid-train", name: "train", namespace: "ml" },
          admitted: true,
          reason: null,
          message: null,
          bubble: null,
          podSharedPool: null,
          podMemory: null,
          podCpuQuotaUs: null,
          devicesDeferred: true,
          warnings: ["example.com/fpga: no device plugin on this node advertises it"],
          containers: [
            {
              name: "trainer",
              kind: "app",
              assignmentType: "node_exclusive",
              cpus: CPUSet.parse("2-5"),
              hasCPUAssignment: true,
              numaAffinity: [0],
              cpusetMems: [0],
              memory: null,
              cfsQuotaUs: -1,
              devices: [{ resource: GPU, devices: ids.slice(0, 2).map((id) => ({ id, numaNodes: [0] })) }],
              deviceError: null,
            },
          ],
        },
      ],
    });
    assert.deepEqual(checkWellFormed(html), []);
    assert.match(html, /<th>Devices<\/th>/);
    assert.match(html, /<code>nvidia\.com\/gpu …e30c …8847 @0<\/code>/);
    assert.match(html, /devices chosen at container start, not reserved at admission/);
    assert.match(html, /<div class="warn">warning: example\.com\/fpga/);
    assert.match(html, /<th>nvidia\.com\/gpu free \/ all<\/th>/);
    assert.match(html, /<td class="num">1 \/ 4 \(1 unhealthy\)<\/td>/);
    assert.match(html, /svg \.cpu\.hl rect,svg \.device\.hl rect/);
  });
});
