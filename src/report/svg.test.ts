import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { kubeletFixtureMachine } from "../machine/index.js";
import { checkWellFormed } from "./markup.test-support.js";
import { buildNodeView, emptyNodeState, type NodeView } from "./ownership.js";
import { busyState, machineM, syntheticMachine, workedExampleState } from "./samples.js";
import { LEGEND_MAX_PODS } from "./svg-legend.js";
import { renderMachineSvg } from "./svg.js";

const GI = 1n << 30n;

/** data-cpu -> owner class of every CPU element. */
function cpuClasses(svg: string): Map<number, string> {
  const out = new Map<number, string>();
  for (const m of svg.matchAll(/<g class="cpu (owner-[a-z-]+)" id="[^"]*" data-cpu="(\d+)"/g)) {
    const id = Number(m[2]);
    assert.ok(!out.has(id), `CPU ${id} drawn twice`);
    out.set(id, m[1]);
  }
  return out;
}

function assertOneElementPerCPU(svg: string, view: NodeView): void {
  const classes = cpuClasses(svg);
  assert.equal(classes.size, view.cpus.length);
  assert.equal((svg.match(/<g class="cpu /g) ?? []).length, view.cpus.length);
  for (const c of view.cpus) assert.equal(classes.get(c.id), `owner-${c.owner.kind}`, `CPU ${c.id}`);
}

describe("renderMachineSvg", () => {
  const m = machineM();
  const { state } = workedExampleState(m);
  const view = buildNodeView(m, state);
  const svg = renderMachineSvg(view);

  it("draws one element per CPU with its owner class", () => {
    assertOneElementPerCPU(svg, view);
    assert.match(
      svg,
      /<g class="cpu owner-pod-exclusive" id="cpu-17" data-cpu="17" data-owner="pod-exclusive" data-pod="8a1f-db" data-container="database">/,
    );
    assert.match(
      svg,
      /<g class="cpu owner-pod-shared" id="cpu-4" data-cpu="4"[^>]*data-containers="metrics-exporter,backup-agent"/,
    );
    assert.match(svg, /<g class="cpu owner-bubble-unused" id="cpu-25"/);
    assert.match(svg, /<g class="cpu owner-reserved" id="cpu-0"/);
  });

  it("is well-formed and deterministic", () => {
    assert.deepEqual(checkWellFormed(svg), []);
    assert.equal(renderMachineSvg(buildNodeView(m, workedExampleState(m).state)), svg);
  });

  it("nests sockets, NUMA nodes and cores, and draws memory bars per NUMA node", () => {
    assert.equal((svg.match(/<g class="socket" data-socket="\d+">/g) ?? []).length, 2);
    assert.equal((svg.match(/<g class="numa" data-numa="\d+">/g) ?? []).length, 2);
    assert.equal((svg.match(/<g class="core" data-core="\d+">/g) ?? []).length, 16);
    assert.equal((svg.match(/<g class="mem-bar" data-numa="\d+" data-resource="memory">/g) ?? []).length, 2);
    assert.match(svg, /class="mem-seg mem-pod" data-pod="8a1f-db"/);
    assert.match(svg, /class="mem-seg mem-system"/);
    // NUMA 0 sits inside socket 0, before socket 1 opens.
    const s0 = svg.indexOf('data-socket="0"');
    const n0 = svg.indexOf('<g class="numa" data-numa="0"');
    const s1 = svg.indexOf('data-socket="1"');
    assert.ok(s0 < n0 && n0 < s1);
  });

  it("shows hover text with pod, container and assignment type", () => {
    assert.match(
      svg,
      /<title>CPU 17 · core 1 · socket 0 · NUMA 0 · L3 0\nPod default\/tightly-coupled-database · bubble 1-4,17-20\nContainer database \(app\) · pod_exclusive<\/title>/,
    );
    assert.match(svg, /Pod shared pool · pod_shared · containers metrics-exporter, backup-agent/);
    assert.match(svg, /Container ml-training \(app\) · node_exclusive/);
    assert.match(svg, /wasted remainder/);
  });

  it("has a legend naming every pod that holds CPUs or memory", () => {
    for (const name of ["default/tightly-coupled-database", "default/ml-workload", "batch/etl-pipeline"])
      assert.ok(svg.includes(name), name);
    assert.match(svg, /1 pod runs in the node shared pool only/);
    assert.match(svg, /class="legend-item legend-pod-shared"/);
  });

  it("paints each legend swatch as the cells it names", () => {
    const cellPaint = (pod: string, container: string): Set<string> => {
      const out = new Set<string>();
      for (const m of svg.matchAll(
        /<g class="cpu [^"]*"[^>]*data-pod="([^"]*)"(?: data-container="([^"]*)")?(?: data-containers="([^"]*)")?>\n<title>[^<]*<\/title>\n<rect [^>]*fill="([^"]+)" stroke="([^"]+)"/g,
      ))
        if (m[1] === pod && (m[2] === container || (m[3] ?? "").split(",").includes(container)))
          out.add(`${m[4]} ${m[5]}`);
      return out;
    };
    const items = [
      ...svg.matchAll(
        /<g class="legend-item legend-container" data-pod="([^"]+)" data-container="([^"]+)"><rect [^>]*fill="([^"]+)" stroke="([^"]+)"/g,
      ),
    ];
    assert.equal(items.length, 4, "database, ml-training, transform, load");
    for (const [, pod, container, fill, stroke] of items)
      assert.deepEqual([...cellPaint(pod, container)], [`${fill} ${stroke}`], `${pod}/${container}`);
    // Beyond six pods each pod gets one line, its swatch the paint of its memory.
    const big = syntheticMachine({
      name: "big",
      sockets: 2,
      numaPerSocket: 2,
      coresPerNuma: 16,
      threadsPerCore: 2,
      memoryPerNode: 64n * GI,
    });
    const bigSvg = renderMachineSvg(buildNodeView(big, busyState(big)));
    const lines = [
      ...bigSvg.matchAll(
        /<g class="legend-pod" data-pod="([^"]+)"><title>[^<]*<\/title><rect [^>]*fill="([^"]+)"/g,
      ),
    ];
    assert.ok(lines.length > 6);
    for (const [, pod, fill] of lines) {
      const mem = new RegExp(`class="mem-seg mem-pod" data-pod="${pod}"[^>]*fill="([^"]+)"`).exec(bigSvg);
      if (mem) assert.equal(fill, mem[1], pod);
    }
  });

  it("escapes names taken from pods", () => {
    const evil = workedExampleState(m).state;
    const pods = evil.pods.map((p, i) =>
      i === 0 ? { ...p, name: `<script>alert("x")</script>&`, uid: `u"<>` } : p,
    );
    const out = renderMachineSvg(buildNodeView(m, { ...evil, pods }));
    assert.ok(!out.includes("<script>"));
    assert.ok(out.includes("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;"));
    assert.deepEqual(checkWellFormed(out), []);
  });

  it("prefixes ids so that two pictures can share a page", () => {
    const out = renderMachineSvg(view, { idPrefix: "a-" });
    assert.match(out, /id="a-cpu-17"/);
    assert.match(out, /fill="url\(#a-paint-c0-solid-hatch\)"/);
    assert.match(out, /<pattern id="a-paint-c0-solid-hatch"/);
    assert.ok(!/ id="cpu-/.test(out));
  });
});

function svgRoot(svg: string): string {
  return svg.slice(0, svg.indexOf(">") + 1);
}

describe("renderMachineSvg at scale", () => {
  it("puts NUMA nodes outside sockets when a NUMA node spans packages", () => {
    const m = kubeletFixtureMachine("fakeTopoMultiSocketDualSocketPerNumaHT");
    assert.ok(m);
    const view = buildNodeView(m, emptyNodeState(m));
    const svg = renderMachineSvg(view);
    assertOneElementPerCPU(svg, view);
    const n0 = svg.indexOf('<g class="numa" data-numa="0"');
    const s0 = svg.indexOf('<g class="socket" data-socket="0"');
    const n1 = svg.indexOf('<g class="numa" data-numa="1"');
    assert.ok(n0 < s0 && s0 < n1);
  });

  it("splits a NUMA node into its L3 caches when it has several", () => {
    const m = syntheticMachine({
      name: "ccd",
      sockets: 1,
      numaPerSocket: 1,
      coresPerNuma: 32,
      threadsPerCore: 1,
      uncorePerNuma: 4,
      memoryPerNode: 64n * GI,
    });
    const svg = renderMachineSvg(buildNodeView(m, emptyNodeState(m)));
    assert.equal((svg.match(/<g class="uncore" data-uncore="\d+">/g) ?? []).length, 4);
  });

  it("draws 8 NUMA nodes / 512 CPUs with ids, and 34 NUMA nodes with CPU-less memory nodes", () => {
    const big = syntheticMachine({
      name: "big",
      sockets: 2,
      numaPerSocket: 4,
      coresPerNuma: 32,
      threadsPerCore: 2,
      memoryPerNode: 128n * GI,
    });
    const bigView = buildNodeView(big, busyState(big));
    const bigSvg = renderMachineSvg(bigView);
    assertOneElementPerCPU(bigSvg, bigView);
    assert.match(bigSvg, /class="cid"[^>]*>511</);
    assert.deepEqual(checkWellFormed(bigSvg), []);

    const gb = syntheticMachine({
      name: "gb",
      sockets: 2,
      numaPerSocket: 1,
      coresPerNuma: 72,
      threadsPerCore: 1,
      memoryOnlyNodes: 32,
      memoryPerNode: 480n * GI,
      memoryOnlyNodeMemory: 96n * GI,
    });
    const gbView = buildNodeView(gb, busyState(gb));
    const gbSvg = renderMachineSvg(gbView);
    assertOneElementPerCPU(gbSvg, gbView);
    assert.equal((gbSvg.match(/<g class="numa memory-only" data-numa="\d+">/g) ?? []).length, 32);
    assert.match(gbSvg, /Memory-only NUMA nodes/);
  });

  it("draws 4096 CPUs quickly, ids hidden until zoomed, and summarises a long pod list", () => {
    const m = syntheticMachine({
      name: "s8c4k",
      sockets: 8,
      numaPerSocket: 1,
      coresPerNuma: 512,
      threadsPerCore: 1,
      memoryPerNode: 256n * GI,
    });
    const view = buildNodeView(m, busyState(m, 0.5));
    const t0 = performance.now();
    const svg = renderMachineSvg(view);
    const ms = performance.now() - t0;
    assert.ok(ms < 3000, `took ${ms.toFixed(0)} ms`);
    assertOneElementPerCPU(svg, view);
    // The ids are there for the page's zoom, hidden at the picture's own size.
    assert.match(svg, /^<svg [^>]*class="podpin-machine ids-off"/);
    assert.match(svg, /<text class="cid"[^>]*>4095<\/text>/);
    assert.match(
      svgRoot(renderMachineSvg(buildNodeView(machineM(), emptyNodeState(machineM())))),
      /class="podpin-machine"/,
    );
    assert.ok(view.pods.length > LEGEND_MAX_PODS);
    assert.match(svg, /\d+ more pods hold CPUs or memory \(see the table\)/);
  });
});
