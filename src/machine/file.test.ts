import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import { stringify } from "yaml";
import { MachineError } from "./errors.js";
import { machineFacts } from "./facts.js";
import { loadMachineFile, machineToDocument, parseMachineText } from "./file.js";
import { PRESETS, presetMachine } from "./presets/index.js";

const HINT =
  "to capture a real node's machine file, run on the node: podpin topology -m this -o yaml > node.yaml";

const PODPIN_YAML = `name: lab-box
description: two-socket lab server
notes: ["L3 layout taken from the vendor sheet"]
cpus:
  - {id: 0, core: 0, socket: 0, numa: 0, uncore: 0}
  - {id: 1, core: 1, socket: 0, numa: 0}
  - {id: 2, core: 0, socket: 0, numa: 0}
  - {id: 3, core: 1, socket: 0, numa: 0}
header:
  numCPUs: 4
  numSockets: 1
  numCores: 2
  numNUMANodes: 1
  numUncoreCaches: 1
memory:
  "0":
    memory: 64Gi
    hugepages: {2Mi: 512, 1Gi: 4}
  "1": 16Gi
distances:
  "0": [10, 13]
  "1": [13, 10]
`;

/** A cadvisor capture in the shape of cadvisor 0.49 (fields the managers ignore included). */
const CADVISOR_JSON = JSON.stringify({
  timestamp: "2024-07-18T13:47:42Z",
  vendor_id: "GenuineIntel",
  num_cores: 4,
  num_physical_cores: 2,
  num_sockets: 2,
  cpu_frequency_khz: 2100000,
  memory_capacity: 99876032512,
  swap_capacity: 0,
  memory_by_type: { "Unbuffered-DDR4": { capacity: 103079215104, dimm_count: 12 } },
  nvm: { memory_mode_capacity: 0, "app direct_mode_capacity": 0, avg_power_budget: 0 },
  hugepages: [{ page_size: 2048, num_pages: 0 }],
  machine_id: "",
  system_uuid: "",
  boot_id: "",
  filesystems: null,
  disk_map: {},
  network_devices: [],
  topology: [0, 1].map((n) => ({
    node_id: n,
    memory: 49156640768 + n,
    hugepages: [
      { page_size: 1048576, num_pages: 0 },
      { page_size: 2048, num_pages: 8 },
    ],
    cores: [
      {
        core_id: 5,
        thread_ids: [n + 2, n],
        caches: [{ id: n, size: 32768, type: "Data", level: 1 }],
        uncore_caches: null,
        socket_id: n,
      },
    ],
    caches: [{ id: n, size: 37486592, type: "Unified", level: 3 }],
    distances: n === 0 ? [10, 21] : [21, 10],
  })),
  cloud_provider: "Unknown",
  instance_type: "Unknown",
  instance_id: "None",
});

describe("podpin machine files", () => {
  test("the documented YAML example", () => {
    const m = parseMachineText(PODPIN_YAML, "lab.yaml");
    assert.equal(m.name, "lab-box");
    assert.equal(m.topology.cpusInCore(1).toString(), "1,3");
    assert.equal(m.topology.cpu(3).uncore, 0);
    assert.deepEqual([...m.memory.keys()], [0, 1]);
    assert.equal(m.memory.get(0)?.memory, 64n << 30n);
    assert.deepEqual(m.memory.get(0)?.hugepages, [
      { pageSizeKiB: 2048, numPages: 512n },
      { pageSizeKiB: 1048576, numPages: 4n },
    ]);
    assert.deepEqual(m.memory.get(1), { memory: 16n << 30n, hugepages: [] });
    assert.deepEqual(m.distances?.get(1), [13, 10]);
    assert.deepEqual(m.notes.slice(0, 2), ["two-socket lab server", "L3 layout taken from the vendor sheet"]);
  });

  test("without a header, the header is what discovery counts", () => {
    const m = parseMachineText(PODPIN_YAML.replace(/header:\n( {2}.*\n)+/, ""), "lab.yaml");
    assert.deepEqual(machineFacts(m).header, {
      numCPUs: 4,
      numSockets: 1,
      numCores: 2,
      numNUMANodes: 1,
      numUncoreCaches: 1,
    });
  });

  test("a layout machine equals the preset built from the same layout", () => {
    const yaml = `name: m
layout: {sockets: 2, coresPerSocket: 8, threadsPerCore: 2}
memory: {"0": 64Gi, "1": 68719476736}
distances: {"0": [10, 21], "1": [21, 10]}
`;
    const m = parseMachineText(yaml, "m.yaml");
    assert.deepEqual(machineFacts(m), machineFacts(presetMachine("worked-example")!));
  });

  test("machineToDocument round-trips every preset through JSON and YAML", () => {
    for (const p of PRESETS) {
      const m = p.build();
      const doc = machineToDocument(m);
      const json = JSON.stringify(doc);
      assert.deepEqual(machineFacts(parseMachineText(json, "x.json")), machineFacts(m), `${p.name} (JSON)`);
      const yaml = stringify(doc);
      assert.deepEqual(machineFacts(parseMachineText(yaml, "x.yaml")), machineFacts(m), `${p.name} (YAML)`);
    }
  });
});

describe("cadvisor machine info files", () => {
  test("a capture loads unchanged and goes through the kubelet's discovery", () => {
    const m = parseMachineText(CADVISOR_JSON, "/captures/box.json");
    assert.equal(m.name, "box");
    assert.deepEqual(m.topology.cpu(3), { id: 3, core: 1, socket: 1, numa: 1, uncore: 1 });
    assert.equal(m.topology.numCores, 2);
    assert.equal(m.memory.get(1)?.memory, 49156640769n);
    assert.deepEqual(m.memory.get(0)?.hugepages, [
      { pageSizeKiB: 2048, numPages: 8n },
      { pageSizeKiB: 1048576, numPages: 0n },
    ]);
    assert.deepEqual(m.distances?.get(0), [10, 21]);
  });

  test("sizes beyond 2^53 stay exact", () => {
    const text = CADVISOR_JSON.replace('"memory":49156640768,', '"memory":18446744072635809792,');
    assert.equal(parseMachineText(text, "big.json").memory.get(0)?.memory, 18446744072635809792n);
  });

  test("missing counts default to the topology's", () => {
    const text = JSON.stringify({
      topology: [{ node_id: 0, memory: 1024, cores: [{ core_id: 0, thread_ids: [0, 1], socket_id: 0 }] }],
    });
    const t = parseMachineText(text, "min.json").topology;
    assert.deepEqual([t.numCPUs, t.numSockets, t.numCores], [2, 1, 1]);
  });
});

describe("machine file errors: one line, file:line:column, field path, what was expected", () => {
  const expectError = (text: string, file: string, expected: string | RegExp) => {
    assert.throws(
      () => parseMachineText(text, file),
      (err: unknown) => {
        assert.ok(err instanceof MachineError, String(err));
        assert.equal(err.message.split("\n").length, 1, err.message);
        if (typeof expected === "string") assert.equal(err.message, expected);
        else assert.match(err.message, expected);
        return true;
      },
    );
  };

  test("an unknown field is named with its path and position", () => {
    expectError(
      PODPIN_YAML.replace(
        "    hugepages: {2Mi: 512, 1Gi: 4}",
        "    hugepages: {2Mi: 512, 1Gi: 4}\n    hugepagez: 1",
      ),
      "lab.yaml",
      "lab.yaml:19:5: memory.0.hugepagez: unknown field",
    );
    expectError(
      CADVISOR_JSON.replace('"thread_ids"', '"thred_ids":[],"thread_ids"'),
      "capture.json",
      /^capture\.json:1:\d+: topology\[0\]\.cores\[0\]\.thred_ids: unknown field$/,
    );
  });

  test("wrong types and values say what was expected", () => {
    expectError(
      PODPIN_YAML.replace("id: 2,", "id: two,"),
      "lab.yaml",
      'lab.yaml:7:10: cpus[2].id: expected a CPU id (an integer from 0 to 4194304), got "two"',
    );
    expectError(
      PODPIN_YAML.replace("memory: 64Gi", "memory: 64GB"),
      "lab.yaml",
      /^lab\.yaml:17:13: memory\.0\.memory: expected a byte size/,
    );
    expectError(
      PODPIN_YAML.replace('"1": 16Gi', '"1": 100m'),
      "lab.yaml",
      /^lab\.yaml:19:8: memory\.1: expected a whole, non-negative number of bytes/,
    );
    expectError(
      PODPIN_YAML.replace("2Mi: 512", "2Mb: 512"),
      "lab.yaml",
      /^lab\.yaml:18:17: memory\.0\.hugepages\.2Mb: expected a page size that is a whole number of KiB/,
    );
    expectError(
      'layout: {sockets: 1, coresPerSocket: 2, threadsPerCore: 1, siblings: sideways}\nmemory: {"0": 1Gi}\n',
      "l.yaml",
      'l.yaml:1:70: layout.siblings: expected one of "offset", "adjacent", got "sideways"',
    );
    expectError("cpus: {}\nmemory: {}\n", "c.yaml", "c.yaml:1:7: cpus: expected a list, got a mapping");
    expectError(
      "cpus:\n  - {id: 0, core: 0, socket: 0}\nmemory: {}\n",
      "c.yaml",
      /^c\.yaml:2:5: cpus\[0\]\.numa: missing field/,
    );
  });

  test("consistency errors point at the offending entry", () => {
    expectError(
      PODPIN_YAML.replace("id: 3,", "id: 2,"),
      "lab.yaml",
      "lab.yaml:8:10: cpus[3].id: CPU 2 is listed twice",
    );
    expectError(
      PODPIN_YAML.replace("numa: 0}\n  - {id: 3", "numa: 2}\n  - {id: 3").replace(
        "numNUMANodes: 1",
        "numNUMANodes: 2",
      ),
      "lab.yaml",
      `lab.yaml:16:3: memory: expected an entry for NUMA node 2 (it has CPUs); ${HINT}`,
    );
    expectError(
      PODPIN_YAML.replace('"1": [13, 10]', '"1": [13, 10, 12]'),
      "lab.yaml",
      /^lab\.yaml:22:8: distances\.1: expected 2 distances/,
    );
    expectError(
      'layout: {sockets: 1, coresPerSocket: 4, threadsPerCore: 1, numaPerSocket: 3}\nmemory: {"0": 1Gi}\n',
      "l.yaml",
      /^l\.yaml:1:9: layout: numaPerSocket: 3 does not divide 4$/,
    );
    expectError(
      'layout: {sockets: 1, coresPerSocket: 4, threadsPerCore: 1, cpuLessNodes: 1}\nmemory: {"0": 1Gi}\n',
      "l.yaml",
      /memory: expected an entry for NUMA node 1 \(the layout has 2 nodes\)/,
    );
  });

  test("a machine without memory, or a NUMA node without it, says how to capture a real node", () => {
    const cpus = "cpus:\n  - {id: 0, core: 0, socket: 0, numa: 0}\n";
    expectError(
      cpus,
      "m.yaml",
      `m.yaml:1:1: memory: missing field: expected every NUMA node's memory, such as {"0": 64Gi}; ${HINT}`,
    );
    expectError(
      `${cpus}memory:\n`,
      "m.yaml",
      `m.yaml:3:8: memory: expected every NUMA node's memory, such as {"0": 64Gi}, got null; ${HINT}`,
    );
    expectError(
      `${cpus}memory:\n  "0": {hugepages: {2Mi: 1}}\n`,
      "m.yaml",
      `m.yaml:4:8: memory.0.memory: missing field: expected a byte size (an integer or a quantity such as "64Gi"); ${HINT}`,
    );
    expectError(
      "layout: {sockets: 1, coresPerSocket: 2, threadsPerCore: 1}\n",
      "l.yaml",
      `l.yaml:1:1: memory: missing field: expected every NUMA node's memory, such as {"0": 64Gi}; ${HINT}`,
    );
    expectError(
      '{"topology": [{"node_id": 0, "cores": [{"core_id": 0, "thread_ids": [0]}]}]}',
      "capture.json",
      `capture.json:1:15: topology[0].memory: missing field: expected a non-negative integer below 2^64 (the node's memory in bytes); ${HINT}`,
    );
    // Other memory problems are not about a missing capture.
    expectError(
      `${cpus}memory: {"0": lots}\n`,
      "m.yaml",
      /^m\.yaml:\d+:\d+: memory\.0: expected a byte size[^;]*$/,
    );
  });

  test("shape and syntax errors", () => {
    expectError("[1, 2]\n", "a.yaml", /^a\.yaml:1:1: \(top level\): expected a mapping/);
    expectError(
      "name: x\n",
      "a.yaml",
      /expected either cadvisor machine info \(a "topology" list\) or a podpin machine/,
    );
    expectError("cpus: [\nmemory: 1\n", "a.yaml", /^a\.yaml:2:\d+: invalid JSON\/YAML: /);
    expectError('{"topology": [}', "a.json", /^a\.json:1:\d+: invalid JSON\/YAML: /);
    expectError(
      "cpus: []\nlayout: {sockets: 1, coresPerSocket: 1, threadsPerCore: 1}\nmemory: {}\n",
      "a.yaml",
      /layout: expected either "cpus" or "layout", not both/,
    );
  });

  test("a missing file", () => {
    const dir = mkdtempSync(join(tmpdir(), "podpin-file-"));
    try {
      assert.throws(
        () => loadMachineFile(join(dir, "nope.yaml")),
        /nope\.yaml: cannot read the machine file \(ENOENT\)/,
      );
      writeFileSync(join(dir, "ok.yaml"), PODPIN_YAML);
      assert.equal(loadMachineFile(join(dir, "ok.yaml")).name, "lab-box");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
