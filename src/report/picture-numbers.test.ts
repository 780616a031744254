/**
 * The numbers agree: for one simulated state, `podpin simulate`'s table, the picture (each NUMA
 * node's summary and memory bars) and the HTML page's free table state the same free CPUs and the
 * same free memory of allocatable, in the same units and rounding. And `podpin topology`'s table
 * and picture agree on each node's memory and hugepages.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { simulate } from "../cli/simulate.js";
import { CPUSet } from "../core/index.js";
import type { Machine } from "../machine/index.js";
import { renderMachineTable } from "./machine-table.js";
import { buildNodeView, emptyNodeState } from "./ownership.js";
import { writeMixedPods } from "./picture.test-support.js";
import { machineM } from "./samples.js";
import { renderMachineSvg } from "./svg.js";

const EX = join(import.meta.dirname, "../../examples");
const POD_SCOPE = join(EX, "kubelet-pod-scope.yaml");

/** Per NUMA node: free CPUs, and per resource `free of allocatable` as two formatted sizes. */
interface Numbers {
  freeCpus: Map<number, number>;
  memory: Map<string, [string, string]>;
}

function emptyNumbers(): Numbers {
  return { freeCpus: new Map(), memory: new Map() };
}

/** The NODE section of `podpin simulate -o table`. */
function fromCliTable(stdout: string): Numbers {
  const lines = stdout.split("\n");
  const head = lines.findIndex(
    (l, i) => /^ {2}NUMA {2,}CPUS {2,}FREE CPUS/.test(l) && lines[i - 1]?.startsWith("NODE"),
  );
  assert.ok(head > 0, "the table has a NODE section");
  const columns = lines[head].trim().split(/\s{2,}/);
  const out = emptyNumbers();
  for (const line of lines.slice(head + 1)) {
    if (!/^ {2}\d/.test(line)) break;
    const cells = line.trim().split(/\s{2,}/);
    const numa = Number(cells[0]);
    out.freeCpus.set(numa, cells[2] === "-" ? 0 : CPUSet.parse(cells[2]).size);
    columns.forEach((c, i) => {
      const m = /^FREE\/ALLOCATABLE (.+)$/.exec(c);
      if (!m) return;
      const [free, allocatable] = cells[i].split(" / ");
      out.memory.set(`${numa} ${m[1].toLowerCase()}`, [free, allocatable]);
    });
  }
  return out;
}

/** Each NUMA node's summary line and memory bar labels in the picture. */
function fromPicture(svg: string): Numbers {
  const out = emptyNumbers();
  for (const m of svg.matchAll(
    /<g class="numa" data-numa="(\d+)">\n<rect[^>]*\/>\n<text class="lbl"[^>]*>NUMA \d+<\/text>\n<text class="sub"[^>]*>\d+ CPUs? · (\d+) free/g,
  ))
    out.freeCpus.set(Number(m[1]), Number(m[2]));
  for (const m of svg.matchAll(
    /<g class="mem-bar" data-numa="(\d+)" data-resource="([^"]+)">\n<text class="sub"[^>]*>([^<]*)<\/text>/g,
  )) {
    const label = /^(\S+) · (\S+) free of (\S+) allocatable$/.exec(m[3]);
    assert.ok(label, `memory bar label: ${m[3]}`);
    assert.equal(label[1], m[2]);
    out.memory.set(`${m[1]} ${m[2]}`, [label[2], label[3]]);
  }
  return out;
}

const text = (html: string): string => html.replace(/<[^>]+>/g, "").trim();

/** The page's "Free per NUMA node" table. */
function fromHtmlTable(html: string): Numbers {
  const table = /<table class="free">([\s\S]*?)<\/table>/.exec(html)?.[1];
  assert.ok(table, "the page has the free table");
  const headers = [...table.matchAll(/<th>(.*?)<\/th>/g)].map((m) => text(m[1]));
  const out = emptyNumbers();
  for (const row of table.matchAll(/<tr data-numa="(\d+)">([\s\S]*?)<\/tr>/g)) {
    const cells = [...row[2].matchAll(/<td[^>]*>([\s\S]*?)<\/td>/g)].map((m) => text(m[1]));
    const numa = Number(row[1]);
    out.freeCpus.set(numa, Number(cells[headers.indexOf("Free CPUs")]));
    headers.forEach((h, i) => {
      const m = /^(.+) free of allocatable$/.exec(h);
      if (!m) return;
      const [free, allocatable] = cells[i].split(" of ");
      out.memory.set(`${numa} ${m[1]}`, [free, allocatable]);
    });
  }
  return out;
}

/** Resources the picture and the page leave out are those nobody has any of (`0 / 0`). */
function assertAgree(table: Numbers, other: Numbers, what: string): void {
  assert.deepEqual(other.freeCpus, table.freeCpus, `${what}: free CPUs per NUMA node`);
  for (const [key, value] of table.memory) {
    const shown = other.memory.get(key);
    if (shown === undefined) assert.deepEqual(value, ["0", "0"], `${what}: ${key} left out`);
    else assert.deepEqual(shown, value, `${what}: ${key} free of allocatable`);
  }
  for (const key of other.memory.keys())
    assert.ok(table.memory.has(key), `${what}: ${key} only in the picture`);
}

describe("table and picture agree on the numbers", () => {
  const scratch = mkdtempSync(join(tmpdir(), "podpin-numbers-"));
  after(() => rmSync(scratch, { recursive: true, force: true }));

  const cases: [string, () => string[], string][] = [
    [
      "the README's pod on worked-example",
      () => [join(EX, "tightly-coupled-database.yaml")],
      "worked-example",
    ],
    [
      "both blog pods on worked-example",
      () => ["tightly-coupled-database.yaml", "ml-workload.yaml"].map((f) => join(EX, f)),
      "worked-example",
    ],
    [
      "22 pods on synthetic-8n-512c (Mi and Gi sizes)",
      () => writeMixedPods(join(scratch, "mixed"), 22),
      "synthetic-8n-512c",
    ],
  ];
  for (const [name, pods, machine] of cases) {
    it(name, async () => {
      const opts = { config: POD_SCOPE, machine, output: "table" as const };
      const run = await simulate(pods(), { ...opts, html: "x.html" });
      assert.equal(run.exitCode, 0, run.stdout);
      const html = run.html ?? "";
      const table = fromCliTable(run.stdout);
      assert.ok(table.freeCpus.size >= 2 && table.memory.size >= 2);
      assertAgree(table, fromPicture(html), "picture");
      assertAgree(table, fromHtmlTable(html), "HTML table");
    });
  }

  it("podpin topology: the table's memory and hugepages are the picture's bars", () => {
    const GI = 1n << 30n;
    const base = machineM();
    const machine: Machine = {
      ...base,
      memory: new Map([
        [0, { memory: 64n * GI, hugepages: [{ pageSizeKiB: 2048, numPages: 1024n }] }],
        [1, { memory: 64n * GI, hugepages: [{ pageSizeKiB: 1048576, numPages: 4n }] }],
      ]),
    };
    const table = renderMachineTable(machine);
    const svg = renderMachineSvg(buildNodeView(machine, emptyNodeState(machine)));
    const bars = fromPicture(svg).memory;
    assert.deepEqual(bars.get("0 hugepages-2Mi"), ["2Gi", "2Gi"]);
    assert.deepEqual(bars.get("1 hugepages-1Gi"), ["4Gi", "4Gi"]);
    assert.deepEqual(bars.get("0 memory"), ["62Gi", "62Gi"]);
    // The table counts hugepage pools inside the node's memory, as cadvisor does; so do the bars.
    assert.match(table, /^0 .* 64Gi +hugepages-2Mi×1024 \(2Gi\)$/m);
    assert.match(table, /^1 .* 64Gi +hugepages-1Gi×4 \(4Gi\)$/m);
  });
});
