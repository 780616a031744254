import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { loadMachine, parseMachineText } from "../machine/index.js";
import { renderMachineTable } from "./machine-table.js";
import { renderKeyValues, renderTable } from "./table.js";
import { formatBytes } from "./units.js";

describe("renderTable", () => {
  it("aligns columns under upper-case headers without trailing blanks", () => {
    const text = renderTable(
      ["Name", { header: "CPUs", align: "right" }, "Note"],
      [
        ["a", "4", ""],
        ["longer-name", "128", "x"],
      ],
    );
    assert.equal(
      text,
      ["NAME          CPUS   NOTE", "a                4", "longer-name    128   x"].join("\n"),
    );
  });

  it("keeps every row on one line, whatever the cells hold", () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(fc.string(), { minLength: 2, maxLength: 2 }), { maxLength: 8 }),
        (rows) => {
          const lines = renderTable(["A", "B"], rows).split("\n");
          assert.equal(lines.length, rows.length + 1);
          for (const l of lines) assert.equal(l, l.trimEnd());
        },
      ),
    );
  });

  it("renders key-value lines aligned", () => {
    assert.equal(
      renderKeyValues([
        ["Machine", "m"],
        ["CPUs", "32"],
      ]),
      "Machine:  m\nCPUs:     32",
    );
  });
});

describe("formatBytes", () => {
  it("uses the largest exact binary unit, one decimal otherwise", () => {
    assert.equal(formatBytes(64n << 30n), "64Gi");
    assert.equal(formatBytes(1100n << 20n), "1100Mi");
    assert.equal(formatBytes((64n << 30n) - (1100n << 20n)), "62.9Gi");
    assert.equal(formatBytes(512n), "512");
    assert.equal(formatBytes(0n), "0");
  });
});

describe("renderMachineTable", () => {
  it("describes machine M: summary, NUMA nodes, distances, notes", () => {
    const text = renderMachineTable(loadMachine("worked-example"));
    assert.match(text, /^Machine: +worked-example$/m);
    assert.match(text, /^CPUs: +32 \(16 cores, 2 threads per core\)$/m);
    assert.match(text, /^0 +0 +16 +0-7,16-23 +8 +2 +0 +64Gi +-$/m);
    assert.match(text, /^1 +1 +16 +8-15,24-31 +8 +2 +1 +64Gi +-$/m);
    assert.match(text, /^0 +10 +21$/m);
    assert.match(text, /^Notes:$/m);
  });

  it("shows header counts as stored and CPU-less nodes", () => {
    const fixture = renderMachineTable(loadMachine("topoDualSocketHT"));
    assert.match(fixture, /numNUMANodes=0 numUncoreCaches=1/);
    const gb = renderMachineTable(loadMachine("nvidia-gb200-tray"));
    assert.match(gb, /^NUMA nodes: +34 \(32 without CPUs/m);
    assert.match(gb, /^33 +- +0 +- +0 +- +- /m);
  });

  it("lists device-plugin resources in the summary and per NUMA node, only on machines that have them", () => {
    const dgx = renderMachineTable(loadMachine("nvidia-dgx-h100"));
    assert.match(dgx, /^Devices: +nvidia\.com\/gpu 8, nvidia\.com\/hostdev 8$/m);
    assert.match(dgx, /^NUMA .* HUGEPAGES +DEVICES$/m);
    assert.match(dgx, /^1 +1 +112 +56-111,168-223 .* nvidia\.com\/gpu×4, nvidia\.com\/hostdev×4$/m);
    const gb = renderMachineTable(loadMachine("nvidia-gb200-tray"));
    assert.match(gb, /^0 +0 +72 +0-71 .* -$/m);
    assert.match(gb, /^18 +- +0 .* nvidia\.com\/gpu×1$/m);
    const text = renderMachineTable(
      parseMachineText(
        `cpus: [{id: 0, core: 0, socket: 0, numa: 0}]
memory: {"0": 1Gi}
resources:
  example.com/fpga:
    registered: false
    devices: [{id: a, numaNodes: null}, {id: b, numaNodes: [], healthy: false}, {id: c, numaNodes: [0]}]
`,
        "m.yaml",
      ),
    );
    assert.match(
      text,
      /^Devices: +example\.com\/fpga 3 \(not registered, 1 unhealthy, 2 without NUMA node\)$/m,
    );
    assert.match(text, /^0 +0 +1 +0 .* example\.com\/fpga×1$/m);
    assert.doesNotMatch(renderMachineTable(loadMachine("worked-example")), /DEVICES|Devices:/);
  });
});
