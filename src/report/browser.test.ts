/**
 * The HTML report in a real browser: Debian's Chromium driven through playwright-core. Checks that
 * each page loads without console errors, that the picture has one element per CPU with the
 * owner class the node view gives it, and that the hover helper works; writes screenshots to
 * out/. The page `podpin simulate --html` writes for the two blog pods on the worked-example
 * machine (real engine decisions) is the picture of docs/picture.png (PODPIN_UPDATE_DOCS=1).
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath, pathToFileURL } from "node:url";
import { type BrowserContext, chromium, type Page } from "playwright-core";
import { loadNodeInputs, loadPods } from "../cli/inputs.js";
import { simulate } from "../cli/simulate.js";
import { loadMachine, type Machine } from "../machine/index.js";
import { Node, runSimulation } from "../node/index.js";
import { nodeStateOf } from "./node-state.js";
import { renderHtmlReport } from "./html.js";
import { buildNodeView, type NodeView } from "./ownership.js";
import { busyState, workedExampleState } from "./samples.js";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const OUT = join(ROOT, "out");
const CHROMIUM = "/usr/bin/chromium";
// The network is closed: without these Chromium waits on background services.
const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** Installs Chromium when it is missing; returns why it cannot be used, or null. */
function ensureChromium(): string | null {
  if (existsSync(CHROMIUM)) return null;
  const r = spawnSync("bash", [join(ROOT, "scripts/ensure-chromium.sh")], {
    encoding: "utf8",
    timeout: 600_000,
  });
  if (r.status === 0 && existsSync(CHROMIUM)) return null;
  return (r.stderr || r.error?.message || `exit ${r.status}`).trim();
}

interface Scenario {
  name: string;
  machine: Machine;
  view: NodeView;
  html: string;
  fullPage: boolean;
}

function scenario(name: string, machine: Machine, view: NodeView, html: string, fullPage = true): Scenario {
  return { name, machine, view, html, fullPage };
}

/**
 * What `podpin simulate --config examples/kubelet-pod-scope.yaml <both blog pods> --html` writes,
 * with the node view the same engine run gives (for the expected owner of every CPU).
 */
async function simulatedBlogPods(): Promise<Scenario> {
  const pods = ["tightly-coupled-database.yaml", "ml-workload.yaml"].map((f) => join(ROOT, "examples", f));
  const opts = {
    config: join(ROOT, "examples/kubelet-pod-scope.yaml"),
    machine: "worked-example",
    output: "table" as const,
  };
  const run = await simulate(pods, { ...opts, html: "picture.html" });
  assert.equal(run.exitCode, 0, run.stdout);
  assert.ok(run.html);
  const { machine, config } = loadNodeInputs(opts);
  const node = new Node({ machine, config });
  runSimulation(
    node,
    loadPods(pods).map((pod) => ({ op: "admit", pod })),
  );
  return scenario("simulate-blog-pods", machine, buildNodeView(machine, nodeStateOf(node)), run.html);
}

function scenarios(): Scenario[] {
  const m = loadMachine("worked-example");
  const worked = workedExampleState(m);
  const workedView = buildNodeView(m, worked.state);
  const list = [
    scenario(
      "worked-example",
      m,
      workedView,
      renderHtmlReport({
        view: workedView,
        decisions: worked.decisions,
        summary: [
          "cpuManagerPolicy static · memoryManagerPolicy Static · topologyManagerPolicy single-numa-node · reserved CPUs 0,16",
        ],
      }),
    ),
  ];
  for (const [preset, fullPage] of [
    ["synthetic-8n-512c", true],
    ["nvidia-gb200-tray", true],
    ["s8c4k", false],
  ] as const) {
    const machine = loadMachine(preset);
    const view = buildNodeView(machine, busyState(machine, preset === "s8c4k" ? 0.5 : 0.7));
    list.push(
      scenario(
        preset,
        machine,
        view,
        renderHtmlReport({ view, decisions: [], notes: machine.notes }),
        fullPage,
      ),
    );
  }
  return list;
}

describe("HTML report in Chromium", { timeout: 600_000 }, () => {
  let context: BrowserContext | null = null;
  let profile = "";
  let skipReason: string | null = null;
  const pagesDir = join(OUT, "report");

  before(async () => {
    skipReason = ensureChromium();
    if (skipReason) {
      console.error(
        `\n*** browser tests cannot run: ${CHROMIUM} is missing and could not be installed: ${skipReason} ***\n`,
      );
      return;
    }
    mkdirSync(pagesDir, { recursive: true });
    profile = mkdtempSync(join(tmpdir(), "podpin-chromium-"));
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      args: CHROMIUM_ARGS,
      headless: true,
      viewport: { width: 1600, height: 1000 },
      deviceScaleFactor: 1,
    });
  });

  after(async () => {
    await context?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
  });

  async function open(s: Scenario): Promise<{ page: Page; errors: string[] }> {
    assert.ok(context);
    const file = join(pagesDir, `${s.name}.html`);
    writeFileSync(file, s.html);
    const page = await context.newPage();
    const errors: string[] = [];
    page.on("console", (msg) => {
      if (msg.type() === "error" || msg.type() === "warning") errors.push(`${msg.type()}: ${msg.text()}`);
    });
    page.on("pageerror", (e) => errors.push(`page error: ${e.message}`));
    page.on("requestfailed", (r) => errors.push(`request failed: ${r.url()}`));
    await page.goto(pathToFileURL(file).href, { waitUntil: "load" });
    return { page, errors };
  }

  /** Loads cleanly, one element per CPU with its owner class; returns the screenshot's path. */
  async function checkPicture(s: Scenario, extra?: (page: Page) => Promise<void>): Promise<string> {
    const { page, errors } = await open(s);
    try {
      const drawn = await page.$$eval("svg.podpin-machine .cpu", (els) =>
        els.map((e) => [
          Number(e.getAttribute("data-cpu")),
          e.getAttribute("class"),
          e.querySelector("title") !== null,
        ]),
      );
      assert.equal(drawn.length, s.machine.topology.all.size);
      const expected = new Map(s.view.cpus.map((c) => [c.id, `cpu owner-${c.owner.kind}`]));
      for (const [id, cls, hasTitle] of drawn) {
        assert.equal(cls, expected.get(id as number), `CPU ${id}`);
        assert.ok(hasTitle, `CPU ${id} has a tooltip`);
      }
      const box = await page.locator("svg.podpin-machine").boundingBox();
      assert.ok(box && box.width > 300 && box.height > 200, "the picture is laid out");
      const shot = join(OUT, `report-${s.name}.png`);
      await page.screenshot({ path: shot, fullPage: s.fullPage });
      await extra?.(page);
      assert.deepEqual(errors, []);
      return shot;
    } finally {
      await page.close();
    }
  }

  for (const s of scenarios()) {
    it(`${s.name}: loads cleanly, one element per CPU with its owner class`, async (_t) => {
      if (skipReason) assert.fail(`cannot run: ${skipReason}`);
      await checkPicture(s);
    });
  }

  it("simulate --html of the blog pods: the engine's bubble drawn as pod exclusive and pod shared", async (_t) => {
    if (skipReason) assert.fail(`cannot run: ${skipReason}`);
    const s = await simulatedBlogPods();
    const owners = new Map(s.view.cpus.map((c) => [c.id, c.owner.kind]));
    // pod-level.md §7.1: the database's 6 CPUs and the sidecars' pod shared pool inside the bubble.
    for (const id of [1, 2, 3, 17, 18, 19]) assert.equal(owners.get(id), "pod-exclusive", `CPU ${id}`);
    for (const id of [4, 20]) assert.equal(owners.get(id), "pod-shared", `CPU ${id}`);
    for (const id of [0, 16]) assert.equal(owners.get(id), "reserved", `CPU ${id}`);
    const shot = await checkPicture(s, async (page) => {
      const classOf = (id: number) =>
        page.locator(`svg.podpin-machine .cpu[data-cpu="${id}"]`).getAttribute("class");
      for (const id of [1, 2, 3, 17, 18, 19])
        assert.equal(await classOf(id), "cpu owner-pod-exclusive", `CPU ${id}`);
      for (const id of [4, 20]) assert.equal(await classOf(id), "cpu owner-pod-shared", `CPU ${id}`);
      await page.hover('tr.container[data-pod="uid-db"][data-container="database"]');
      const lit = await page.$$eval("svg .cpu.hl", (els) =>
        els.map((e) => Number(e.getAttribute("data-cpu"))),
      );
      assert.deepEqual(
        lit.sort((a, b) => a - b),
        [1, 2, 3, 4, 17, 18, 19, 20],
      );
    });
    if (process.env.PODPIN_UPDATE_DOCS === "1") {
      mkdirSync(join(ROOT, "docs"), { recursive: true });
      copyFileSync(shot, join(ROOT, "docs/picture.png"));
    }
  });

  it("simulate --html on nvidia-dgx-h100: one box per device with its owner, highlighted with the pod's CPUs", async (_t) => {
    if (skipReason) assert.fail(`cannot run: ${skipReason}`);
    const pods = [join(ROOT, "examples", "ml-workload-gpu.yaml")];
    const opts = {
      config: join(ROOT, "examples/kubelet-container-scope.yaml"),
      machine: "nvidia-dgx-h100",
      output: "table" as const,
    };
    const run = await simulate(pods, { ...opts, html: "gpu.html" });
    assert.equal(run.exitCode, 0, run.stdout);
    assert.ok(run.html);
    const { machine, config } = loadNodeInputs(opts);
    const node = new Node({ machine, config });
    runSimulation(
      node,
      loadPods(pods).map((pod) => ({ op: "admit", pod })),
    );
    const s = scenario("simulate-dgx-gpu-pod", machine, buildNodeView(machine, nodeStateOf(node)), run.html);
    await checkPicture(s, async (page) => {
      const devices = await page.$$eval("svg.podpin-machine .device", (els) =>
        els.map((e) => [
          e.getAttribute("data-owner"),
          e.getAttribute("data-pod"),
          e.querySelector("title") !== null,
        ]),
      );
      assert.equal(devices.length, 16, "8 GPUs and 8 NICs");
      assert.ok(
        devices.every(([, , title]) => title),
        "every device has a tooltip",
      );
      assert.deepEqual(
        devices.filter(([owner]) => owner === "held").map(([, pod]) => pod),
        ["uid-ml-gpu"],
      );
      const box = await page.locator('svg .device[data-owner="held"]').boundingBox();
      assert.ok(box && box.width >= 20 && box.height >= 10, "the device box is drawn");
      await page.hover('tr.container[data-pod="uid-ml-gpu"][data-container="ml-training"]');
      assert.equal(await page.locator("svg .device.hl").count(), 1);
      assert.equal(await page.locator("svg .cpu.hl").count(), 3);
    });
  });

  it("worked-example: hovering a pod's rows highlights exactly its CPUs", async (_t) => {
    if (skipReason) assert.fail(`cannot run: ${skipReason}`);
    const s = scenarios()[0];
    const { page, errors } = await open(s);
    try {
      await page.hover('tr.container[data-pod="8a1f-db"][data-container="database"]');
      const lit = await page.$$eval("svg .cpu.hl", (els) =>
        els.map((e) => Number(e.getAttribute("data-cpu"))),
      );
      assert.deepEqual(
        lit.sort((a, b) => a - b),
        [1, 2, 3, 4, 17, 18, 19, 20],
      );
      await page.hover("h1");
      assert.equal(await page.locator("svg .cpu.hl").count(), 0);
      assert.deepEqual(errors, []);
    } finally {
      await page.close();
    }
  });
});
