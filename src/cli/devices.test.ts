/**
 * Device-plugin devices through the CLI's functions on the nvidia-dgx-h100 preset (eight GPUs,
 * four per NUMA node): a GPU pod in container scope, classic pod scope and on the pod-level path
 * (devices chosen at container start), rejections under single-numa-node with the `why` that names
 * the cause, a plugin's `updateDevices` marking GPUs unhealthy and the kubelet's
 * `UnexpectedAdmissionError` that follows, warnings, the JSON fields and the HTML picture.
 */
import assert from "node:assert/strict";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type {
  AdmitStepDoc,
  ExplainDoc,
  RemoveStepDoc,
  SimulationDoc,
  UpdateDevicesStepDoc,
} from "../report/index.js";
import { CONTAINER_SCOPE_CONFIG, container, EXAMPLES, POD_SCOPE_CONFIG } from "./cli.test-support.js";
import { isInputError } from "./errors.js";
import { type ExplainOptions, explain } from "./explain.js";
import { type SimulateOptions, simulate } from "./simulate.js";

const DGX = "nvidia-dgx-h100";
const GPU = "nvidia.com/gpu";
const GPU_POD = join(EXAMPLES, "ml-workload-gpu.yaml");
const EIGHT_GPU_POD = join(EXAMPLES, "ml-training-8gpu.yaml");
/** The DGX's GPUs as its preset lists them: 0-3 on NUMA 0, 4-7 on NUMA 1. */
const GPUS_NUMA0 = [
  "GPU-f718e3fb-27ba-bb54-9369-72ce2007e30c",
  "GPU-2dfcb3ea-3703-4e37-8a5f-99d965ad8847",
  "GPU-db727f54-15ac-1f1d-3599-c08b14832b7d",
  "GPU-632fcc4e-3cd6-893e-2250-9a1ca4910544",
];
const GPUS_NUMA1 = [
  "GPU-0607ae8a-a99a-86cc-111a-23b953394b1f",
  "GPU-ed118392-059b-326b-7fb8-182823aa8680",
  "GPU-2e0809be-5128-cab0-af2a-5c11b72514a7",
  "GPU-2ec7e8b9-3f7d-1279-86fd-a96a958bda66",
];

function pod(name: string, cpus: number, gpus: number, extra = ""): string {
  const limits = gpus > 0 ? `, ${GPU}: "${gpus}"` : "";
  return `apiVersion: v1
kind: Pod
metadata: {name: ${name}, namespace: default, uid: uid-${name}}
spec:
  containers:
    - name: main
      image: busybox
      resources:
        requests: {cpu: "${cpus}", memory: 8Gi}
        limits: {cpu: "${cpus}", memory: 8Gi${limits}${extra}}
`;
}

async function run(pods: string[], opts: SimulateOptions): Promise<{ exitCode: number; doc: SimulationDoc }> {
  const r = await simulate(pods, { ...opts, output: "json" });
  return { exitCode: r.exitCode, doc: JSON.parse(r.stdout) as SimulationDoc };
}

function admits(doc: SimulationDoc): AdmitStepDoc[] {
  return doc.steps.filter((s): s is AdmitStepDoc => s.op === "admit");
}

function explainDoc(podFile: string, opts: ExplainOptions): { exitCode: number; doc: ExplainDoc } {
  const r = explain(podFile, { ...opts, output: "json" });
  return { exitCode: r.exitCode, doc: JSON.parse(r.stdout) as ExplainDoc };
}

/** Every GPU a container holds sits on the NUMA node the Topology Manager stored for it. */
function assertAligned(step: AdmitStepDoc, name: string, count: number): string[] {
  const c = container(step, name);
  assert.equal(c.devices.length, 1, `${name} holds one resource`);
  assert.equal(c.devices[0].resource, GPU);
  assert.equal(c.devices[0].devices.length, count);
  assert.ok(c.numaAffinity && c.numaAffinity.length === 1, `${name} has a single-node affinity`);
  for (const d of c.devices[0].devices)
    assert.deepEqual(d.numaNodes, c.numaAffinity, `${d.id} on the hint's node`);
  return c.devices[0].devices.map((d) => d.id);
}

describe("devices through simulate and explain (nvidia-dgx-h100)", () => {
  let dir = "";
  let bestEffort = "";
  const file = (name: string, text: string): string => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };

  before(() => {
    dir = mkdtempSync(join(tmpdir(), "podpin-devices-"));
    bestEffort = file(
      "best-effort.yaml",
      readFileSync(CONTAINER_SCOPE_CONFIG, "utf8").replace(
        "topologyManagerPolicy: single-numa-node",
        "topologyManagerPolicy: best-effort",
      ),
    );
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const containerScope = (): SimulateOptions => ({
    config: CONTAINER_SCOPE_CONFIG,
    machine: DGX,
    output: "json",
  });
  const podScope = (): SimulateOptions => ({ config: POD_SCOPE_CONFIG, machine: DGX, output: "json" });

  describe("admitted GPU pods", () => {
    it("container scope: the GPU on the NUMA node of the container's CPUs and memory, chosen at admission", async () => {
      const { exitCode, doc } = await run([GPU_POD], containerScope());
      assert.equal(exitCode, 0);
      const [step] = admits(doc);
      assert.equal(step.path, "container");
      const [id] = assertAligned(step, "ml-training", 1);
      assert.ok(GPUS_NUMA0.includes(id));
      assert.deepEqual(container(step, "service-mesh-sidecar").devices, []);
      assert.equal(container(step, "ml-training").deviceError, null);
      assert.equal(step.deferredDevices, null);
      assert.deepEqual(step.warnings, []);
      assert.deepEqual(
        step.deviceAllocations.map((a) => [a.container, a.resource, a.required, a.error, a.devices]),
        [["ml-training", GPU, 1, null, [id]]],
      );
      // The node: GPUs per NUMA node with their holder, and the in-use set.
      const pool = doc.node.numaNodes[0].devices[GPU];
      assert.equal(pool.devices.length, 4);
      assert.equal(pool.free.length, 3);
      assert.deepEqual(pool.held, [
        {
          id,
          holders: [
            {
              pod: { namespace: "default", name: "ml-workload-gpu", uid: "uid-ml-gpu" },
              container: "ml-training",
              admitted: true,
            },
          ],
        },
      ]);
      assert.equal(doc.node.numaNodes[1].devices[GPU].free.length, 4);
      assert.deepEqual(doc.node.devicesInUse[GPU], [id]);
      assert.deepEqual(doc.node.devicesWithoutNUMA, {});
      assert.deepEqual(
        doc.node.deviceResources.map((r) => [r.resource, r.capacity, r.allocatable]),
        [
          [GPU, 8, 8],
          ["nvidia.com/hostdev", 8, 8],
        ],
      );
      const table = (await simulate([GPU_POD], { ...containerScope(), output: "table" })).stdout;
      assert.match(table, /CFS QUOTA\n/);
      assert.match(table, / DEVICES /);
      assert.match(table, /ml-training .* nvidia\.com\/gpu GPU-…8847 @0 /);
      assert.match(table, /FREE\/TOTAL NVIDIA\.COM\/GPU/);
      assert.match(table, /\n {2}0 .* 3 \/ 4 +4 \/ 4\n/);
    });

    it("classic pod scope: one pod hint, devices chosen at admission on it", async () => {
      const { doc } = await run([GPU_POD], {
        ...podScope(),
        featureGates: "PodLevelResourceManagers=false",
      });
      const [step] = admits(doc);
      assert.equal(step.path, "pod");
      assert.equal(step.admitted, true);
      const [id] = assertAligned(step, "ml-training", 1);
      assert.equal(step.deviceAllocations.length, 1);
      assert.equal(step.deferredDevices, null);
      assert.ok(GPUS_NUMA0.includes(id));
    });

    it("pod-level path: nothing reserved at admission, the GPU chosen at container start on the pod hint's node", async () => {
      const { exitCode, doc } = await run([GPU_POD], podScope());
      assert.equal(exitCode, 0);
      const [step] = admits(doc);
      assert.equal(step.path, "pod-level");
      assert.deepEqual(step.deviceAllocations, [], "no device is chosen at admission");
      assert.deepEqual(
        step.deferredDevices?.map((d) => [d.container, d.error, d.devicesToAllocate.map((c) => c.required)]),
        [
          ["service-mesh-sidecar", null, []],
          ["ml-training", null, [1]],
        ],
      );
      const [id] = assertAligned(step, "ml-training", 1);
      assert.deepEqual(step.deferredDevices?.[1].devicesToAllocate[0].devices, [id]);
      assert.deepEqual(doc.node.devicesInUse[GPU], [id]);
      const table = (await simulate([GPU_POD], { ...podScope(), output: "table" })).stdout;
      assert.match(table, /devices: chosen at container start, not reserved at admission/);

      const e = explain(GPU_POD, { config: POD_SCOPE_CONFIG, machine: DGX, output: "table" });
      assert.equal(e.exitCode, 0);
      assert.match(
        e.stdout,
        /DEVICES AT CONTAINER START {2}\(pod-level path: nothing was reserved at admission\)/,
      );
      assert.match(e.stdout, /ml-training +nvidia\.com\/gpu +1 +GPU-…8847 +a kubelet may take any 1 of/);
      assert.match(
        e.stdout,
        /no device is reserved at admission; each container gets its devices when it is created/,
      );
      assert.match(e.stdout, /device +nvidia\.com\/gpu +\{0\} preferred +\{1\} preferred +\{0,1\}\n/);
    });

    it("container scope explain: a container without device limits gets the answer 'no device requests'", () => {
      const e = explain(GPU_POD, { config: CONTAINER_SCOPE_CONFIG, machine: DGX, output: "table" });
      assert.match(
        e.stdout,
        /HINTS {2}for container service-mesh-sidecar\n.*\n {2}device +- +no device requests\n/,
      );
      const { doc } = explainDoc(GPU_POD, { config: CONTAINER_SCOPE_CONFIG, machine: DGX, output: "json" });
      assert.deepEqual(doc.merges[0].providers[0], { provider: "device", hints: {} });
      assert.equal(doc.node?.deviceResources.length, 2);
    });
  });

  describe("rejections under single-numa-node", () => {
    it("8 GPUs, 4 per NUMA node: the device hint sinks the merge, and the probe keeps the GPUs", () => {
      const { exitCode, doc } = explainDoc(EIGHT_GPU_POD, {
        config: CONTAINER_SCOPE_CONFIG,
        machine: DGX,
        output: "json",
      });
      assert.equal(exitCode, 1);
      assert.equal(doc.decision.reason, "TopologyAffinityError");
      assert.deepEqual(doc.merges[0].causes, [
        {
          provider: "device",
          resource: GPU,
          text: "nvidia.com/gpu: 8 devices requested, 4 per NUMA node: no single NUMA node can hold the request under single-numa-node",
        },
      ]);
      assert.match(doc.merges[0].why, /^nvidia\.com\/gpu: 8 devices requested, 4 per NUMA node/);
      assert.ok(doc.fit);
      assert.deepEqual(doc.fit.numaNodes[0].devices[GPU], { total: 4, free: 4, unhealthy: 0, holders: [] });
      assert.deepEqual(
        doc.fit.requests.map((r) => [r.resource, r.target, r.requested, r.below, r.above]),
        [[GPU, "container", 8, 4, null]],
        "the GPU count decides: 4 fit on one NUMA node, and the CPU and memory requests are not searched",
      );
      assert.equal(doc.rejection?.rule, "topology-manager-policy");
      assert.equal(doc.rejection?.name, "single-numa-node");
      assert.deepEqual(doc.rejection?.resources, [GPU]);
      const text = explain(EIGHT_GPU_POD, {
        config: CONTAINER_SCOPE_CONFIG,
        machine: DGX,
        output: "table",
      }).stdout;
      assert.match(text, /FREE\/ALL NVIDIA\.COM\/GPU/);
      assert.match(text, /\n {2}fix: {5}nvidia\.com\/gpu \(container trainer\) 4 would be admitted now/);
    });

    it("2 GPUs with 113 CPUs: the CPUs fit on no NUMA node, and the why names the CPU Manager, not the GPUs", () => {
      const big = file("gpu-big-cpu.yaml", pod("big-cpu", 113, 2));
      const { exitCode, doc } = explainDoc(big, {
        config: CONTAINER_SCOPE_CONFIG,
        machine: DGX,
        output: "json",
      });
      assert.equal(exitCode, 1);
      assert.equal(doc.decision.reason, "TopologyAffinityError");
      assert.deepEqual(
        doc.merges[0].causes.map((c) => [c.provider, c.resource]),
        [["cpu", "cpu"]],
      );
      assert.match(
        doc.merges[0].why,
        /^cpu: no single NUMA node can hold the request \(the CPU Manager's preferred hints: \{0,1\}\)/,
      );
      assert.doesNotMatch(doc.merges[0].why, /nvidia\.com\/gpu/);
    });

    it("GPUs free only on one node, CPUs only on the other: rejected (the explanation is in the node tests)", async () => {
      // 3 GPUs go to NUMA 0, then 108 CPUs take NUMA 1: 2 GPUs fit only on 1, 8 CPUs only on 0.
      const steps = file(
        "conflict.yaml",
        `steps:\n  - admit: ${file("three-gpus.yaml", pod("three-gpus", 4, 3))}\n  - admit: ${file("cpus.yaml", pod("cpus", 108, 0))}\n  - admit: ${file("two-gpus.yaml", pod("two-gpus", 8, 2))}\n`,
      );
      const { exitCode, doc } = await run([], { ...containerScope(), steps });
      assert.equal(exitCode, 1);
      const [a, b, c] = admits(doc);
      assert.deepEqual([a.admitted, b.admitted, c.admitted], [true, true, false]);
      assertAligned(a, "main", 3);
      assert.deepEqual(container(b, "main").numaAffinity, [1]);
      assert.equal(c.reason, "TopologyAffinityError");

      // The same node through the simulation document (its device checkpoint included): explain says why.
      const before = file(
        "conflict-before.yaml",
        `steps:\n  - admit: ${join(dir, "three-gpus.yaml")}\n  - admit: ${join(dir, "cpus.yaml")}\n`,
      );
      const state = file(
        "conflict-state.json",
        (await simulate([], { ...containerScope(), steps: before })).stdout,
      );
      const e = explainDoc(join(dir, "two-gpus.yaml"), { ...containerScope(), state });
      assert.equal(e.exitCode, 1);
      assert.deepEqual(
        e.doc.merges[0].causes.map((x) => x.text),
        ["the preferred hints have no NUMA node in common (nvidia.com/gpu {1}, cpu {0}, memory {0} {1})"],
      );
      assert.deepEqual(e.doc.fit?.numaNodes[0].devices[GPU], {
        total: 4,
        free: 1,
        unhealthy: 0,
        holders: ["default/three-gpus"],
      });
    });
  });

  describe("updateDevices steps", () => {
    /** The DGX's GPUs with all but two of NUMA 1 unhealthy. */
    function unhealthyUpdate(): string {
      const devices = [
        ...GPUS_NUMA0.map((id) => `        - {id: ${id}, numaNodes: [0], healthy: false}`),
        ...GPUS_NUMA1.map(
          (id, i) => `        - {id: ${id}, numaNodes: [1]${i < 2 ? ", healthy: false" : ""}}`,
        ),
      ];
      return `  - updateDevices:\n      resource: ${GPU}\n      devices:\n${devices.join("\n")}\n`;
    }

    it("GPUs turn unhealthy while held, the holder is removed, and a 3-GPU pod gets the kubelet's UnexpectedAdmissionError", async () => {
      const steps = file(
        "unhealthy.yaml",
        `steps:\n  - admit: ${file("gpu2.yaml", pod("gpu2", 4, 2))}\n${unhealthyUpdate()}  - remove: gpu2\n  - admit: ${file("gpu3.yaml", pod("gpu3", 4, 3))}\n`,
      );
      const { exitCode, doc } = await run([], { config: bestEffort, machine: DGX, output: "json", steps });
      assert.equal(exitCode, 1);
      const [first, update, removal, last] = doc.steps as [
        AdmitStepDoc,
        UpdateDevicesStepDoc,
        RemoveStepDoc,
        AdmitStepDoc,
      ];
      const held = assertAligned(first, "main", 2);
      assert.equal(update.op, "updateDevices");
      assert.equal(update.resource, GPU);
      assert.equal(update.devices.length, 8);
      assert.deepEqual([update.capacity, update.allocatable], [8, 2]);
      assert.deepEqual(update.allocatedDevices, held, "the kubelet takes no device back");
      assert.deepEqual(
        update.unhealthyHeld.map((u) => [u.id, u.holders.map((h) => [h.pod.name, h.container, h.admitted])]),
        held.map((id) => [id, [["gpu2", "main", true]]]),
      );
      assert.equal(removal.removed, true);
      assert.deepEqual(removal.devicesPendingRelease, { [GPU]: held });
      assert.equal(last.admitted, false);
      assert.equal(last.reason, "UnexpectedAdmissionError");
      assert.equal(
        last.message,
        "Allocate failed due to requested number of devices unavailable for nvidia.com/gpu. Requested: 3, Available: 2, which is unexpected",
      );
      assert.deepEqual(
        last.deviceAllocations.map((a) => [a.resource, a.required, a.error]),
        [[GPU, 3, "requested number of devices unavailable for nvidia.com/gpu. Requested: 3, Available: 2"]],
      );
      // The last admission's hint request purged the removed pod: nothing is in use any more.
      assert.deepEqual(doc.node.devicesInUse[GPU], []);
      assert.deepEqual(doc.node.numaNodes[0].devices[GPU].unhealthy, [...GPUS_NUMA0].sort());
      assert.equal(doc.node.numaNodes[1].devices[GPU].free.length, 2);

      const table = (await simulate([], { config: bestEffort, machine: DGX, output: "table", steps })).stdout;
      assert.match(
        table,
        /DEVICES {3}nvidia\.com\/gpu: the plugin now lists 8 devices, 2 healthy, unhealthy: /,
      );
      assert.match(
        table,
        /GPU-…8847 is unhealthy and still held by default\/gpu2 \(main\): the kubelet takes no device back/,
      );
      assert.match(table, /its devices stay in use until the Device Manager's next purge/);
      assert.match(table, /REJECTED {2}default\/gpu3 {2}reason=UnexpectedAdmissionError/);
      assert.match(table, /\n {2}0 .* 0 \/ 4 \(4 unhealthy\)/);
    });

    it("a device list is checked as a machine file's: one-line errors naming the steps file and the field", async () => {
      const cases: [string, string][] = [
        [
          `{resource: ${GPU}, devices: [{id: a, numaNodes: [0]}, {id: a, numaNodes: [1]}]}`,
          'steps[0].updateDevices.devices[1].id: device "a" is listed twice',
        ],
        [
          `{resource: ${GPU}, devices: [{id: a, numaNodes: zero}]}`,
          "steps[0].updateDevices.devices[0].numaNodes: expected a list of NUMA node ids, [] or null",
        ],
        [
          `{resource: ${GPU}, devices: [{id: a}]}`,
          "steps[0].updateDevices.devices[0].numaNodes: missing field",
        ],
        [
          `{resource: ${GPU}, devices: [{id: a, numaNodes: [0], healthy: maybe}]}`,
          "steps[0].updateDevices.devices[0].healthy:",
        ],
        [
          `{resource: gpu, devices: []}`,
          'steps[0].updateDevices.resource: expected an extended resource name such as "nvidia.com/gpu"',
        ],
        [`{resource: ${GPU}, devices: [], plugin: {}}`, "steps[0].updateDevices.plugin: unknown field"],
        [`{devices: []}`, "steps[0].updateDevices.resource: missing field"],
      ];
      for (const [i, [value, fragment]] of cases.entries()) {
        const steps = file(`bad-${i}.yaml`, `steps:\n  - updateDevices: ${value}\n`);
        await assert.rejects(simulate([], { ...containerScope(), steps }), (err: unknown) => {
          assert.ok(isInputError(err), `an input error for ${value}`);
          assert.doesNotMatch(err.message, /\n/);
          assert.ok(err.message.startsWith(`${steps}: `), err.message);
          assert.ok(err.message.includes(fragment), `"${fragment}" in: ${err.message}`);
          return true;
        });
      }
    });
  });

  it("an extended resource no plugin serves: admitted with a warning, in the table too", async () => {
    const f = file(
      "unserved.yaml",
      pod("unserved", 2, 0, ', example.com/fpga: "1"').replace(
        "requests: {",
        'requests: {example.com/fpga: "1", ',
      ),
    );
    const { doc } = await run([f], containerScope());
    const [step] = admits(doc);
    assert.equal(step.admitted, true);
    assert.equal(step.warnings.length, 1);
    assert.match(step.warnings[0], /^example\.com\/fpga: no device plugin on this node advertises it/);
    const table = (await simulate([f], { ...containerScope(), output: "table" })).stdout;
    assert.match(table, /\n {2}warning: example\.com\/fpga: no device plugin/);
  });

  it("a machine without devices keeps the table it had: no DEVICES column, no device columns in the node table", async () => {
    const r = await simulate([join(EXAMPLES, "ml-workload.yaml")], {
      config: CONTAINER_SCOPE_CONFIG,
      machine: "worked-example",
      output: "table",
    });
    assert.doesNotMatch(r.stdout, /DEVICES|FREE\/TOTAL/);
    const { doc } = await run([join(EXAMPLES, "ml-workload.yaml")], {
      config: CONTAINER_SCOPE_CONFIG,
      machine: "worked-example",
      output: "json",
    });
    assert.deepEqual(
      doc.node.numaNodes.map((n) => n.devices),
      [{}, {}],
    );
    assert.deepEqual([doc.node.devicesInUse, doc.node.deviceResources], [{}, []]);
    assert.deepEqual(container(admits(doc)[0], "ml-training").devices, []);
  });

  it("--html draws each GPU in its NUMA node, in the colour of the pod holding it", async () => {
    const r = await simulate([GPU_POD], { ...containerScope(), output: "table", html: join(dir, "r.html") });
    assert.ok(r.html);
    const devices = r.html.match(/<g class="device [^"]*"[^>]*>/g) ?? [];
    assert.equal(devices.length, 16, "8 GPUs and 8 NICs");
    const held = devices.filter((g) => g.includes('data-owner="held"'));
    assert.equal(held.length, 1);
    assert.match(
      held[0],
      /data-resource="nvidia\.com\/gpu" data-device="GPU-2dfcb3ea-3703-4e37-8a5f-99d965ad8847"/,
    );
    assert.match(held[0], /data-numa="0" data-pod="uid-ml-gpu" data-containers="ml-training"/);
    assert.match(r.html, /<th>Devices<\/th>/);
    assert.match(r.html, /nvidia\.com\/gpu free \/ all/);
  });
});
