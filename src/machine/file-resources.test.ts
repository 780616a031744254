import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { stringify } from "yaml";
import { MachineError } from "./errors.js";
import { machineFacts } from "./facts.js";
import { machineToDocument, parseMachineText } from "./file.js";
import { presetMachine } from "./presets/index.js";

/** Two NUMA nodes; every form of `numaNodes`, an unhealthy device, an unregistered resource, a plugin model. */
const MACHINE_YAML = `layout: {sockets: 2, coresPerSocket: 2, threadsPerCore: 1}
memory: {"0": 1Gi, "1": 1Gi}
resources:
  nvidia.com/gpu:
    devices:
      - {id: GPU-a, numaNodes: [0]}
      - {id: GPU-b, numaNodes: [1]}
      - {id: GPU-c, numaNodes: null}
      - {id: GPU-d, numaNodes: []}
      - {id: GPU-e, numaNodes: [0, 1], healthy: false}
  example.com/fpga:
    registered: false
    devices: []
    plugin: {getPreferredAllocationAvailable: true, preStartRequired: true, preferred: {order: [y, x]}}
  intel.com/qat:
    devices: [{id: "0000:3d:01.0", numaNodes: [0]}]
    plugin: {preferred: {fixed: ["0000:3d:01.0"]}}
`;

const CADVISOR_JSON = JSON.stringify({
  num_cores: 2,
  num_sockets: 1,
  topology: [
    { node_id: 0, memory: 1073741824, cores: [{ core_id: 0, thread_ids: [0, 1], socket_id: 0 }] },
    { node_id: 1, memory: 1073741824, cores: [] },
  ],
  resources: { "amd.com/gpu": { devices: [{ id: "0000:c1:00.0", numaNodes: [1] }] } },
});

function expectError(text: string, expected: string): void {
  assert.throws(
    () => parseMachineText(text, "machine.yaml"),
    (err: unknown) => {
      assert.ok(err instanceof MachineError, String(err));
      assert.equal(err.message, expected);
      return true;
    },
  );
}

describe("machine files: device-plugin resources", () => {
  test("every field, with podpin's defaults filled in, in ascending resource order", () => {
    const m = parseMachineText(MACHINE_YAML, "machine.yaml");
    assert.deepEqual([...m.devices.keys()], ["example.com/fpga", "intel.com/qat", "nvidia.com/gpu"]);
    const gpu = m.devices.get("nvidia.com/gpu")!;
    assert.equal(gpu.registered, true);
    assert.deepEqual(gpu.plugin, {
      getPreferredAllocationAvailable: false,
      preStartRequired: false,
      preferred: null,
    });
    assert.deepEqual(gpu.devices, [
      { id: "GPU-a", numaNodes: [0], healthy: true },
      { id: "GPU-b", numaNodes: [1], healthy: true },
      { id: "GPU-c", numaNodes: null, healthy: true },
      { id: "GPU-d", numaNodes: [], healthy: true },
      { id: "GPU-e", numaNodes: [0, 1], healthy: false },
    ]);
    assert.deepEqual(m.devices.get("example.com/fpga"), {
      name: "example.com/fpga",
      registered: false,
      devices: [],
      plugin: {
        getPreferredAllocationAvailable: true,
        preStartRequired: true,
        preferred: { order: ["y", "x"] },
      },
    });
    assert.deepEqual(m.devices.get("intel.com/qat")?.plugin.preferred, { fixed: ["0000:3d:01.0"] });
    // preferred without getPreferredAllocationAvailable is kept, with a note that it is never asked.
    assert.ok(
      m.notes.some((n) =>
        /intel\.com\/qat: plugin\.preferred is set but getPreferredAllocationAvailable is false/.test(n),
      ),
    );
  });

  test("without resources, a machine has none", () => {
    const m = parseMachineText(MACHINE_YAML.slice(0, MACHINE_YAML.indexOf("resources:")), "m.yaml");
    assert.equal(m.devices.size, 0);
    assert.equal(
      parseMachineText(
        'cpus: [{id: 0, core: 0, socket: 0, numa: 0}]\nmemory: {"0": 1Gi}\nresources: {}\n',
        "m.yaml",
      ).devices.size,
      0,
    );
  });

  test("a NUMA node the machine does not have is accepted, with a note", () => {
    const m = parseMachineText(
      MACHINE_YAML.replace("id: GPU-b, numaNodes: [1]", "id: GPU-b, numaNodes: [1, 7]"),
      "m.yaml",
    );
    assert.deepEqual(m.devices.get("nvidia.com/gpu")?.devices[1].numaNodes, [1, 7]);
    assert.ok(
      m.notes.includes(
        "resources: nvidia.com/gpu: 1 device lists NUMA node 7, which the machine does not have; such a node never matches a NUMA mask",
      ),
      m.notes.join("\n"),
    );
  });

  test("cadvisor machine info carries resources as podpin's extension", () => {
    const m = parseMachineText(CADVISOR_JSON, "capture.json");
    assert.deepEqual(m.devices.get("amd.com/gpu")?.devices, [
      { id: "0000:c1:00.0", numaNodes: [1], healthy: true },
    ]);
    expectError(
      CADVISOR_JSON.replace('"amd.com/gpu"', '"gpu"'),
      'machine.yaml:1:194: resources.gpu: expected an extended resource name such as "nvidia.com/gpu" (the kubelet registers no other device plugin resource): a name without a domain prefix is a native resource',
    );
  });

  test("machineToDocument writes resources that load back, null and [] kept apart", () => {
    const m = parseMachineText(MACHINE_YAML, "machine.yaml");
    const doc = machineToDocument(m);
    const gpu = (doc.resources as Record<string, { devices: { numaNodes: unknown }[] }>)["nvidia.com/gpu"];
    assert.deepEqual(
      gpu.devices.map((d) => d.numaNodes),
      [[0], [1], null, [], [0, 1]],
    );
    for (const text of [JSON.stringify(doc), stringify(doc)]) {
      const back = parseMachineText(text, "back.yaml");
      assert.deepEqual(machineFacts(back), machineFacts(m));
      assert.deepEqual([...back.devices.values()], [...m.devices.values()]);
    }
    // Defaults are left out of the document: registered, healthy and plugin only where they differ.
    assert.deepEqual((doc.resources as Record<string, unknown>)["intel.com/qat"], {
      devices: [{ id: "0000:3d:01.0", numaNodes: [0] }],
      plugin: { preferred: { fixed: ["0000:3d:01.0"] } },
    });
    assert.equal(machineToDocument(presetMachine("worked-example")!).resources, undefined);
  });
});

describe("machine file errors in resources: file:line:column, field path, what was expected", () => {
  const replace = (from: string, to: string): string => {
    assert.ok(MACHINE_YAML.includes(from), from);
    return MACHINE_YAML.replace(from, to);
  };
  const nameError = (line: string, name: string, why: string): string =>
    `machine.yaml:${line}: resources.${name}: expected an extended resource name such as "nvidia.com/gpu" (the kubelet registers no other device plugin resource): ${why}`;

  test("resource names must be extended resource names", () => {
    expectError(
      replace("example.com/fpga:", "fpga:"),
      nameError("11:3", "fpga", "a name without a domain prefix is a native resource"),
    );
    expectError(
      replace("example.com/fpga:", "cpu:"),
      nameError("11:3", "cpu", "a name without a domain prefix is a native resource"),
    );
    expectError(
      replace("example.com/fpga:", "hugepages-2Mi:"),
      nameError("11:3", "hugepages-2Mi", "a name without a domain prefix is a native resource"),
    );
    expectError(
      replace("example.com/fpga:", "kubernetes.io/fpga:"),
      nameError(
        "11:3",
        '"kubernetes.io/fpga"',
        "the kubernetes.io/ namespace is reserved for native resources",
      ),
    );
    expectError(
      replace("example.com/fpga:", "requests.example.com/fpga:"),
      nameError("11:3", '"requests.example.com/fpga"', 'the "requests." prefix is reserved for quota'),
    );
    expectError(
      replace("example.com/fpga:", "example.com/fpga/x:"),
      nameError(
        "11:3",
        '"example.com/fpga/x"',
        "a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')",
      ),
    );
  });

  test("device ids: non-empty strings, unique within their resource", () => {
    expectError(
      replace("{id: GPU-c,", "{id: GPU-a,"),
      'machine.yaml:8:14: resources."nvidia.com/gpu".devices[2].id: device "GPU-a" is listed twice',
    );
    expectError(
      replace("{id: GPU-a,", "{id: 7,"),
      'machine.yaml:6:14: resources."nvidia.com/gpu".devices[0].id: expected a non-empty string (the plugin\'s device id), got 7',
    );
    expectError(
      replace("{id: GPU-a,", '{id: "",'),
      'machine.yaml:6:14: resources."nvidia.com/gpu".devices[0].id: expected a non-empty string (the plugin\'s device id), got ""',
    );
    // The same id under two resources is fine (device-manager.md §1).
    assert.ok(parseMachineText(replace('{id: "0000:3d:01.0"', "{id: GPU-a"), "m.yaml"));
  });

  test("numaNodes: required, a list of distinct non-negative ids, [] or null", () => {
    expectError(
      replace("{id: GPU-b, numaNodes: [1]}", "{id: GPU-b}"),
      'machine.yaml:7:9: resources."nvidia.com/gpu".devices[1].numaNodes: missing field: expected a list of NUMA node ids, [] or null (no TopologyInfo)',
    );
    expectError(
      replace("numaNodes: [1]}", 'numaNodes: "1"}'),
      'machine.yaml:7:32: resources."nvidia.com/gpu".devices[1].numaNodes: expected a list of NUMA node ids, [] or null (no TopologyInfo), got "1"',
    );
    expectError(
      replace("numaNodes: [1]}", "numaNodes: [0, -1]}"),
      'machine.yaml:7:36: resources."nvidia.com/gpu".devices[1].numaNodes[1]: expected a NUMA node id (a non-negative integer), got -1',
    );
    expectError(
      replace("numaNodes: [1]}", "numaNodes: [1, 1]}"),
      'machine.yaml:7:36: resources."nvidia.com/gpu".devices[1].numaNodes[1]: NUMA node 1 is listed twice',
    );
  });

  test("healthy, registered and plugin fields", () => {
    expectError(
      replace("healthy: false}", "healthy: no}"),
      'machine.yaml:10:49: resources."nvidia.com/gpu".devices[4].healthy: expected true or false, got "no"',
    );
    expectError(
      replace("registered: false", "registered: 0"),
      'machine.yaml:12:17: resources."example.com/fpga".registered: expected true or false, got 0',
    );
    expectError(
      replace("registered: false", "registred: false"),
      'machine.yaml:12:5: resources."example.com/fpga".registred: unknown field',
    );
    expectError(
      replace("    registered: false\n    devices: []\n", "    registered: false\n"),
      'machine.yaml:12:5: resources."example.com/fpga".devices: missing field: expected a list',
    );
    expectError(
      replace("preStartRequired: true,", "preStart: true,"),
      'machine.yaml:14:53: resources."example.com/fpga".plugin.preStart: unknown field',
    );
    expectError(
      replace("preferred: {order: [y, x]}", "preferred: {fixed: [x], order: [y]}"),
      'machine.yaml:14:88: resources."example.com/fpga".plugin.preferred: expected null, {fixed: [ids]} or {order: [ids]}, got keys ["fixed","order"]',
    );
    expectError(
      replace("preferred: {order: [y, x]}", "preferred: [y, x]"),
      'machine.yaml:14:88: resources."example.com/fpga".plugin.preferred: expected null, {fixed: [ids]} or {order: [ids]}, got a list',
    );
    expectError(
      replace("preferred: {order: [y, x]}", "preferred: {order: y}"),
      'machine.yaml:14:96: resources."example.com/fpga".plugin.preferred.order: expected a list of device ids, got "y"',
    );
    expectError(
      replace("preferred: {order: [y, x]}", "preferred: {order: [y, 3]}"),
      'machine.yaml:14:100: resources."example.com/fpga".plugin.preferred.order[1]: expected a non-empty string (the plugin\'s device id), got 3',
    );
    assert.equal(
      parseMachineText(replace("preferred: {order: [y, x]}", "preferred: null"), "m.yaml").devices.get(
        "example.com/fpga",
      )?.plugin.preferred,
      null,
    );
  });

  test("a resource that is not a mapping, devices that are not a list", () => {
    expectError(
      replace("  intel.com/qat:\n    devices: [", "  intel.com/qat: 3\n  x.com/y:\n    devices: ["),
      'machine.yaml:15:18: resources."intel.com/qat": expected a mapping, got 3',
    );
    expectError(
      replace('devices: [{id: "0000:3d:01.0", numaNodes: [0]}]', "devices: {}"),
      'machine.yaml:16:14: resources."intel.com/qat".devices: expected a list, got a mapping',
    );
  });
});
