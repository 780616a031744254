import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { CPUSet } from "../core/index.js";
import type { AdmissionResult } from "../node/index.js";
import { decisionRowFromAdmission, podStateFromAdmission } from "./from-node.js";
import { renderHtmlReport } from "./html.js";
import { checkWellFormed } from "./markup.test-support.js";
import { buildNodeView, emptyNodeState } from "./ownership.js";
import { machineM, workedExampleState } from "./samples.js";

const GI = 1n << 30n;

describe("renderHtmlReport", () => {
  const m = machineM();
  const { state, decisions } = workedExampleState(m);
  const html = renderHtmlReport({
    view: buildNodeView(m, state),
    decisions,
    summary: ["topologyManagerPolicy single-numa-node"],
    notes: ["distances <unverified> & filled in"],
  });

  it("is one self-contained, well-formed page", () => {
    assert.ok(html.startsWith("<!DOCTYPE html>"));
    assert.deepEqual(checkWellFormed(html), []);
    // No external resources: the only URL is the SVG namespace.
    const urls = html.match(/https?:\/\/[^\s"')]+/g) ?? [];
    assert.deepEqual([...new Set(urls)], ["http://www.w3.org/2000/svg"]);
    assert.ok(!/<link|<img|\ssrc=|@import|url\((?!#)/.test(html));
  });

  it("holds the picture, the decisions table and the free resources per NUMA node", () => {
    assert.equal((html.match(/<g class="cpu /g) ?? []).length, 32);
    assert.match(html, /<tr class="container" data-pod="8a1f-db" data-container="database">/);
    assert.match(html, /<span class="at pod_exclusive">pod_exclusive<\/span>/);
    assert.match(
      html,
      /bubble <code><span class="nw">1-4<\/span>,<wbr><span class="nw">17-20<\/span><\/code>/,
    );
    assert.match(
      html,
      /pod shared pool <code><span class="nw">4<\/span>,<wbr><span class="nw">20<\/span><\/code>/,
    );
    assert.match(
      html,
      /<span class="pool" title="node shared pool: 0,7,10-16,22-23,26-31">node shared pool<\/span>/,
    );
    assert.match(html, /<code>12Gi @0<\/code>/);
    assert.match(html, /<td class="num">max<\/td>/);
    assert.match(html, /<span class="badge bad">rejected<\/span> TopologyAffinityError/);
    assert.match(html, /Pod Scope pod with pod-level resources failed admission/);
    assert.match(
      html,
      /<tr data-numa="0"><td>0<\/td><td class="num">16<\/td><td class="num">3<\/td><td><code><span class="nw">7<\/span>,<wbr><span class="nw">22-23<\/span><\/code><\/td>/,
    );
    assert.match(html, /4 of 5 pods admitted/);
  });

  it("fits the picture to the window: no fixed size, natural width as the limit, zoom controls", () => {
    assert.match(html, /<section class="panel picture" style="--natural:\d+px"/);
    assert.match(html, /\.viewport svg\{display:block;width:100%;height:auto;max-width:var\(--natural\)\}/);
    assert.match(html, /<div class="viewport" id="viewport" tabindex="0"/);
    for (const z of ["fit", "out", "in"])
      assert.match(html, new RegExp(`<button type="button" data-zoom="${z}"`));
    // The picture's own legend gives way to the page's key (readable at any zoom) and pods table.
    assert.ok(!html.includes('class="legend-item'));
    assert.match(html, /<ul class="legend" aria-label="What the cells mean"><li class="legend-reserved">/);
  });

  it("lists every pod and container in a searchable table led by swatches painted as the cells", () => {
    assert.match(html, /<input type="search" id="find"/);
    assert.equal((html.match(/<tr class="pod" data-pod="[^"]+" data-look=/g) ?? []).length, 4);
    assert.match(
      html,
      /<tr class="container" data-pod="8a1f-db" data-container="database" data-find="database app pod_exclusive pod exclusive" data-cpus="1-3,17-19">/,
    );
    // The database's swatch has the fill and bubble frame of its cells.
    const cell =
      /<g class="cpu owner-pod-exclusive" id="cpu-17"[^>]*>\n<title>[^<]*<\/title>\n<rect [^>]*fill="([^"]+)" stroke="([^"]+)"/.exec(
        html,
      );
    assert.ok(cell);
    const row =
      /data-container="database" data-find[^>]*><td class="name"><svg class="sw"[^>]*><rect [^>]*fill="([^"]+)" stroke="([^"]+)"/.exec(
        html,
      );
    assert.ok(row);
    assert.deepEqual([row[1], row[2]], [cell[1], cell[2]]);
  });

  it("shows a decisions panel only when there are decisions", () => {
    assert.match(html, /<h2>Decisions<\/h2>/);
    const bare = renderHtmlReport({ view: buildNodeView(m, emptyNodeState(m)), decisions: [] });
    assert.doesNotMatch(bare, /Decisions|No admission decisions/);
    assert.doesNotMatch(bare, /id="pods-table"/, "no pods, no pods table");
    assert.match(bare, /<h2>Free per NUMA node<\/h2>/);
    assert.deepEqual(checkWellFormed(bare), []);
  });

  it("escapes every text it is given", () => {
    assert.match(html, /distances &lt;unverified&gt; &amp; filled in/);
    const evil = renderHtmlReport({
      title: "<b>x</b>",
      view: buildNodeView(m, state),
      decisions: [{ ...decisions[3], reason: "<img src=x>", message: "a & b <c>" }],
    });
    assert.ok(!evil.includes("<b>x</b>") && !evil.includes("<img"));
    assert.match(evil, /a &amp; b &lt;c&gt;/);
    assert.deepEqual(checkWellFormed(evil), []);
  });
});

describe("from an AdmissionResult", () => {
  const result: AdmissionResult = {
    pod: { uid: "u1", name: "db", namespace: "default" },
    admitted: true,
    reason: null,
    message: null,
    containers: [
      {
        name: "sidecar",
        kind: "sidecar",
        cpus: CPUSet.parse("4,20"),
        hasCPUAssignment: true,
        isolation: "pod",
        assignmentType: "pod_shared",
        memoryAssignmentType: "pod_shared",
        numaAffinity: [0],
        memory: [{ numaAffinity: [0], type: "memory", size: 4n * GI }],
        cpusetMems: [0],
        cfsQuotaUs: null,
        devices: [],
        deviceError: null,
      },
      {
        name: "web",
        kind: "app",
        cpus: CPUSet.parse("0,5-31"),
        hasCPUAssignment: false,
        isolation: "host",
        assignmentType: "node_shared",
        memoryAssignmentType: "node_shared",
        numaAffinity: null,
        memory: null,
        cpusetMems: null,
        cfsQuotaUs: 50000,
        devices: [],
        deviceError: null,
      },
    ],
    podDecision: {
      bubble: CPUSet.parse("1-4,17-20"),
      podSharedPool: CPUSet.parse("4,20"),
      memory: [{ numaAffinity: [0], type: "memory", size: 16n * GI }],
      cgroup: {
        cpuShares: 8192,
        cpuQuotaUs: 800000,
        cpuPeriodUs: 100000,
        memoryLimitBytes: 16n * GI,
        hugepageLimitsBytes: {},
        documentedCpuQuotaUs: null,
      },
    },
    defaultCpuSet: CPUSet.parse("0,5-31"),
    leftoverState: false,
    rejectedBy: null,
    predicate: null,
    preempted: [],
    deviceAllocations: [],
    deferredDevices: null,
    warnings: [],
    trace: {} as AdmissionResult["trace"],
  };

  it("maps to a pod state: own assignments kept, the node shared pool as null", () => {
    const pod = podStateFromAdmission(result);
    assert.ok(pod);
    assert.equal(pod.bubble?.toString(), "1-4,17-20");
    assert.equal(pod.containers[0].cpus?.toString(), "4,20");
    assert.equal(pod.containers[1].cpus, null);
    assert.equal(podStateFromAdmission({ ...result, admitted: false, containers: null }), null);
  });

  it("maps to a decisions row", () => {
    const row = decisionRowFromAdmission(result);
    assert.equal(row.podCpuQuotaUs, 800000);
    assert.equal(row.containers[1].hasCPUAssignment, false);
    assert.equal(row.containers[1].cfsQuotaUs, 50000);
    assert.equal(row.podMemory?.[0].size, 16n * GI);
    assert.equal(row.containers[0].memoryAssignmentType, "pod_shared");
  });

  it("shows the memory assignment type beside the CPU one when they differ", () => {
    const row = decisionRowFromAdmission(result);
    row.containers[0] = { ...row.containers[0], memoryAssignmentType: "pod_exclusive" };
    const m = machineM();
    const html = renderHtmlReport({ view: buildNodeView(m, workedExampleState(m).state), decisions: [row] });
    assert.match(
      html,
      /<span class="at pod_shared">pod_shared<\/span> <span class="at pod_exclusive" title="memory assignment type">mem pod_exclusive<\/span>/,
    );
    assert.equal((html.match(/title="memory assignment type"/g) ?? []).length, 1);
  });
});
