/**
 * The HTML report in a real browser (Debian's Chromium through playwright-core), at the window
 * widths people use: 2 NUMA nodes with the blog's pods, 8 NUMA nodes / 512 CPUs with 22 pods, the
 * 4,096-CPU s8c4k, GPUs, and the topology and checkpoint pages. Checks that the picture fits the
 * window and zooms, that pods are told apart and the key paints what the cells paint, that hover,
 * tooltips and search work, and regenerates the README's picture from the README's own command
 * (PODPIN_UPDATE_DOCS=1). Screenshots go to PODPIN_SCREENSHOT_DIR when set.
 */
import assert from "node:assert/strict";
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { Page } from "playwright-core";
import { checkpoint } from "../cli/checkpoint.js";
import { podpin } from "../cli/cli.process.test-support.js";
import { loadNodeInputs, loadPods } from "../cli/inputs.js";
import { simulate } from "../cli/simulate.js";
import { writeSimulatedState } from "../cli/simulated-state.test-support.js";
import { loadMachine, type Machine } from "../machine/index.js";
import { Node, runSimulation } from "../node/index.js";
import {
  assertFitsWidth,
  Browser,
  ensureChromium,
  type Opened,
  type PageGlobals,
  paints,
  ROOT,
  viewBox,
} from "./browser.test-support.js";
import { renderHtmlReport } from "./html.js";
import { nodeStateOf } from "./node-state.js";
import { ROWS_SHOWN } from "./html-pods.js";
import { buildNodeView, type NodeView, podDisplayName } from "./ownership.js";
import { POD_COLOURS } from "./palette.js";
import { readmePicture, writeMixedPods } from "./picture.test-support.js";
import { busyState } from "./samples.js";

const POD_SCOPE = join(ROOT, "examples/kubelet-pod-scope.yaml");
const BLOG_PODS = ["tightly-coupled-database.yaml", "ml-workload.yaml"].map((f) => join(ROOT, "examples", f));

interface Scenario {
  name: string;
  machine: Machine;
  view: NodeView;
  html: string;
}

/** What `podpin simulate --html` writes for `pods`, and the node view of the same engine run. */
async function simulated(
  name: string,
  pods: string[],
  machineName: string,
  config: string,
): Promise<Scenario> {
  const opts = { config, machine: machineName, output: "table" as const };
  const run = await simulate(pods, { ...opts, html: "page.html" });
  assert.ok(run.html, run.stdout);
  const { machine, config: kubelet } = loadNodeInputs(opts);
  const node = new Node({ machine, config: kubelet });
  runSimulation(
    node,
    loadPods(pods).map((pod) => ({ op: "admit", pod })),
  );
  return { name, machine, view: buildNodeView(machine, nodeStateOf(node)), html: run.html };
}

/** One element per CPU with the owner class the node view gives it, each with its hover text. */
async function assertCells(page: Page, s: Scenario): Promise<void> {
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
    assert.ok(hasTitle, `CPU ${id} has hover text`);
  }
}

/**
 * Every swatch of the pods table paints exactly what the cells it stands for paint: a container's
 * row its CPUs (its own, or the pod shared pool it runs in), a pod's row its memory segments and
 * devices. Compared in the page, on computed styles; returns the number of container rows compared.
 */
async function assertSwatchesMatchCells(page: Page): Promise<number> {
  const r = await page.evaluate(() => {
    const g = globalThis as unknown as PageGlobals & {
      document: { querySelectorAll(s: string): ArrayLike<PageElement> };
    };
    interface PageElement {
      getAttribute(name: string): string | null;
      querySelector(s: string): PageElement | null;
      querySelectorAll(s: string): ArrayLike<PageElement>;
    }
    // No helper functions in here: the test runner's transpiler would wrap them in a helper the page lacks.
    const problems: string[] = [];
    let compared = 0;
    for (const tr of Array.from(g.document.querySelectorAll("#pods-table tr.container"))) {
      const pod = tr.getAttribute("data-pod")!;
      const name = tr.getAttribute("data-container")!;
      const cells = Array.from(
        g.document.querySelectorAll(`svg.podpin-machine .cpu[data-pod="${pod}"]`),
      ).filter(
        (c) =>
          c.getAttribute("data-container") === name ||
          (c.getAttribute("data-containers") ?? "").split(",").includes(name),
      );
      if (cells.length === 0) continue;
      const swStyle = g.getComputedStyle(tr.querySelector("svg.sw rect")!);
      const sw = `${swStyle.fill} / ${swStyle.stroke}`;
      for (const c of cells) {
        const cStyle = g.getComputedStyle(c.querySelector("rect")!);
        const p = `${cStyle.fill} / ${cStyle.stroke}`;
        if (p !== sw) problems.push(`${pod}/${name}: swatch ${sw}, CPU ${c.getAttribute("data-cpu")} ${p}`);
      }
      compared++;
    }
    for (const tr of Array.from(g.document.querySelectorAll("#pods-table tr.pod"))) {
      const pod = tr.getAttribute("data-pod")!;
      const sw = g.getComputedStyle(tr.querySelector("svg.sw rect")!).fill;
      const others = g.document.querySelectorAll(
        `svg.podpin-machine .mem-seg[data-pod="${pod}"], svg.podpin-machine .device[data-pod="${pod}"] rect`,
      );
      for (const el of Array.from(others)) {
        const f = g.getComputedStyle(el).fill;
        if (f !== sw) problems.push(`${pod}: swatch ${sw}, memory or device ${f}`);
      }
    }
    return { problems, compared };
  });
  assert.deepEqual(r.problems, []);
  return r.compared;
}

/** The tooltip a CPU shows on hover. */
async function tooltipOf(page: Page, cpu: number): Promise<string> {
  await page.hover(`svg.podpin-machine .cpu[data-cpu="${cpu}"] rect`, { force: true });
  const tip = page.locator("#tip");
  assert.ok(await tip.isVisible(), `CPU ${cpu}: the tooltip shows`);
  return (await tip.textContent()) ?? "";
}

describe("HTML report in Chromium", { timeout: 300_000 }, () => {
  const browser = new Browser();
  let cannotRun: string | null = null;
  let podsDir = "";
  const pending = new Map<string, Promise<{ code: number | null; stdout: string; stderr: string }>>();
  let readme = "";

  before(async () => {
    cannotRun = ensureChromium();
    if (cannotRun) {
      console.error(
        `\n*** browser tests cannot run: /usr/bin/chromium is missing and could not be installed: ${cannotRun} ***\n`,
      );
      return;
    }
    await browser.start();
    podsDir = mkdtempSync(join(tmpdir(), "podpin-picture-pods-"));
    // The real command lines, as child processes, while the other pages are checked.
    readme = readFileSync(join(ROOT, "README.md"), "utf8");
    const pic = readmePicture(readme);
    pending.set("readme", podpin([...pic.args, "--html", join(podsDir, pic.htmlFile)]));
    pending.set(
      "topology",
      podpin(["topology", "-m", "worked-example", "--html", join(podsDir, "topology.html")]),
    );
  });

  after(async () => {
    await Promise.allSettled(pending.values());
    await browser.stop();
    if (podsDir) rmSync(podsDir, { recursive: true, force: true });
  });

  function ready(): void {
    if (cannotRun) assert.fail(`cannot run: ${cannotRun}`);
  }

  async function close(o: Opened): Promise<void> {
    await o.page.close();
    assert.deepEqual(o.errors, []);
  }

  it("2 NUMA nodes (the blog pods on worked-example) at 1600 and 1024 px: fits, cells, hover, tooltip, key", async (t) => {
    ready();
    const s = await simulated("blog-pods", BLOG_PODS, "worked-example", POD_SCOPE);
    const owners = new Map(s.view.cpus.map((c) => [c.id, c.owner.kind]));
    // pod-level.md §7.1: the database's 6 CPUs and the sidecars' pod shared pool inside the bubble.
    for (const id of [1, 2, 3, 17, 18, 19]) assert.equal(owners.get(id), "pod-exclusive", `CPU ${id}`);
    for (const id of [4, 20]) assert.equal(owners.get(id), "pod-shared", `CPU ${id}`);
    for (const width of [1600, 1024]) {
      const o = await browser.open(`${s.name}-${width}`, s.html, width);
      await assertCells(o.page, s);
      await assertFitsWidth(o.page, `${s.name} at ${width} px`);
      const compared = await assertSwatchesMatchCells(o.page);
      assert.ok(compared >= 4, `${compared} container swatches compared`);
      await o.page.hover('tr.container[data-pod="uid-db"][data-container="database"]');
      const lit = await o.page.$$eval("svg .cpu.hl", (els) =>
        els.map((e) => Number(e.getAttribute("data-cpu"))),
      );
      assert.deepEqual(
        lit.sort((a, b) => a - b),
        [1, 2, 3, 4, 17, 18, 19, 20],
      );
      await o.page.hover("h1");
      assert.equal(await o.page.locator("svg .cpu.hl").count(), 0);
      const tip = await tooltipOf(o.page, 17);
      for (const part of [
        "CPU 17",
        "core 1",
        "NUMA 0",
        "default/tightly-coupled-database",
        "Container database",
      ])
        assert.ok(tip.includes(part), `tooltip has ${part}: ${tip}`);
      // The ids are readable at this size.
      assert.equal(await o.page.locator("svg.podpin-machine.ids-off").count(), 0);
      t.diagnostic(`${width} px: ${await browser.screenshot(o.page, `${s.name}-${width}`)}`);
      await close(o);
    }
  });

  it("zoom and pan: buttons, keys on the focused picture, Ctrl+wheel about the pointer, drag", async () => {
    ready();
    const s = await simulated("zoom", BLOG_PODS, "worked-example", POD_SCOPE);
    const o = await browser.open("zoom", s.html, 1024);
    const { page } = o;
    const fit = await viewBox(page);
    await page.click('[data-zoom="in"]');
    const zoomed = await viewBox(page);
    assert.ok(Math.abs(zoomed.w - fit.w / 1.5) < 0.01, `+ zooms by 1.5: ${zoomed.w} of ${fit.w}`);
    assert.ok(Math.abs(zoomed.w / zoomed.h - fit.w / fit.h) < 1e-6, "the aspect ratio is kept");
    await page.click('[data-zoom="out"]');
    assert.deepEqual(await viewBox(page), fit);
    await page.click('[data-zoom="out"]');
    assert.deepEqual(await viewBox(page), fit, "no zooming out past the fit");

    await page.focus("#viewport");
    await page.keyboard.press("+");
    await page.keyboard.press("+");
    const keyed = await viewBox(page);
    assert.ok(keyed.w < fit.w / 2, "+ on the focused picture zooms");
    await page.keyboard.press("ArrowRight");
    assert.ok((await viewBox(page)).x > keyed.x, "arrow keys pan");
    await page.keyboard.press("0");
    assert.deepEqual(await viewBox(page), fit, "0 fits again");

    // Ctrl+wheel zooms about the pointer: the point under it stays put.
    const cell = (await page.locator('svg .cpu[data-cpu="9"] rect').boundingBox())!;
    const at = { x: cell.x + cell.width / 2, y: cell.y + cell.height / 2 };
    await page.mouse.move(at.x, at.y);
    await page.keyboard.down("Control");
    await page.mouse.wheel(0, -240);
    await page.keyboard.up("Control");
    const wheeled = await viewBox(page);
    assert.ok(wheeled.w < fit.w * 0.7, `Ctrl+wheel zooms in: ${wheeled.w}`);
    const after = (await page.locator('svg .cpu[data-cpu="9"] rect').boundingBox())!;
    assert.ok(
      Math.abs(after.x + after.width / 2 - at.x) < 2 && Math.abs(after.y + after.height / 2 - at.y) < 2,
    );

    // Drag pans the other way round.
    await page.mouse.move(at.x, at.y);
    await page.mouse.down();
    await page.mouse.move(at.x + 120, at.y + 40, { steps: 5 });
    await page.mouse.up();
    const dragged = await viewBox(page);
    assert.ok(
      dragged.x < wheeled.x && dragged.y < wheeled.y,
      "dragging right and down shows what is left and above",
    );
    // After a drag the tooltips come back.
    assert.match(await tooltipOf(page, 9), /^CPU 9 /);

    // Without focus or Ctrl the wheel scrolls the page, and a hint says how to zoom.
    await page.click('[data-zoom="fit"]');
    await page.focus("#find");
    await page.mouse.move(at.x, at.y);
    await page.mouse.wheel(0, -240);
    assert.deepEqual(await viewBox(page), fit);
    assert.equal(await page.locator("#wheel-hint.on").count(), 1);

    // Zoom and search survive a reload (the agent's live page reloads itself).
    await page.click('[data-zoom="in"]');
    await page.keyboard.press("ArrowDown");
    await page.fill("#find", "database");
    const before = await viewBox(page);
    await page.reload({ waitUntil: "load" });
    assert.deepEqual(await viewBox(page), before);
    assert.equal(await page.inputValue("#find"), "database");
    assert.equal(await page.textContent("#found"), "1 of 2 pods");
    await close(o);
  });

  it("8 NUMA nodes, 512 CPUs, 22 pods: 22 distinct looks, the key paints what the cells paint, search", async (t) => {
    ready();
    const pods = writeMixedPods(join(podsDir, "mixed"), 22);
    const s = await simulated("512-cpus-22-pods", pods, "synthetic-8n-512c", POD_SCOPE);
    assert.equal(s.view.pods.length, 22, "all 22 admitted");
    for (const width of [1600, 1024]) {
      const o = await browser.open(`${s.name}-${width}`, s.html, width);
      const { page } = o;
      await assertCells(page, s);
      await assertFitsWidth(page, `${s.name} at ${width} px`);
      if (width === 1600) {
        // Each pod's look (colour, mark) as its swatch shows it; 22 pods, 22 different looks.
        const rows = await page.$$eval("#pods-table tr.pod", (trs) =>
          trs.map((tr) => [tr.getAttribute("data-pod")!, tr.getAttribute("data-look")!]),
        );
        const swatches = await paints(page, "#pods-table tr.pod svg.sw rect");
        const looks = new Map<string, string>();
        rows.forEach(([uid, look], i) => {
          const [, colour, mark] = /^c(\d+)-(\w+)$/.exec(look)!;
          const expected = POD_COLOURS[Number(colour)];
          const sw = swatches[i];
          if (mark === "solid") assert.equal(sw.fill, rgb(expected), `${uid}: plain ${expected}`);
          else assert.deepEqual([sw.look, sw.colour], [look, expected], `${uid}: ${look}`);
          looks.set(uid, look);
        });
        assert.equal(looks.size, 22);
        assert.equal(new Set(looks.values()).size, 22, `looks: ${[...looks.values()].join(" ")}`);
        // Every cell of a marked pod carries the pod's mark.
        const owners = await page.$$eval("svg.podpin-machine .cpu[data-pod]", (els) =>
          els.map((e) => e.getAttribute("data-pod")!),
        );
        const cells = await paints(page, "svg.podpin-machine .cpu[data-pod] rect");
        owners.forEach((uid, i) => {
          const look = looks.get(uid)!;
          if (!look.endsWith("-solid"))
            assert.equal(cells[i].look, look, `${uid}: cell paint ${cells[i].fill}`);
        });
        assert.ok(owners.length > 100);
        assert.ok((await assertSwatchesMatchCells(page)) >= 30);

        // Search: a pod's name filters the tables to it and dims every other cell.
        await page.fill("#find", "pod-13");
        assert.equal(await page.textContent("#found"), "1 of 22 pods");
        assert.equal(await page.locator("#pods-table tr.pod:not(.hidden)").count(), 1);
        assert.equal(await page.locator("table.decisions tr.pod:not(.hidden)").count(), 1);
        const found = await page.$$eval("svg .cpu.found", (els) =>
          els.map((e) => e.getAttribute("data-pod")),
        );
        assert.ok(found.length > 0 && found.every((p) => p === "uid-mixed-13"));
        const dim = await page.$eval(
          'svg .cpu[data-owner="node-shared"]',
          (e) => (globalThis as unknown as PageGlobals).getComputedStyle(e).opacity,
        );
        assert.equal(dim, "0.18");
        t.diagnostic(`search: ${await browser.screenshot(page, `${s.name}-search`, false)}`);
        // A container name finds that container's cells only.
        await page.fill("#find", "stage-2");
        const stage2 = await page.$$eval("svg .cpu.found", (els) =>
          els.map((e) => e.getAttribute("data-container")),
        );
        assert.ok(stage2.length > 0 && stage2.every((c) => c === "stage-2"));
        // A CPU id finds the pod holding it.
        const holder = s.view.cpus.find((c) => c.owner.kind === "node-exclusive")!;
        await page.fill("#find", String(holder.id));
        assert.equal(
          await page
            .locator(
              `#pods-table tr.pod[data-pod="${"pod" in holder.owner ? holder.owner.pod : ""}"]:not(.hidden)`,
            )
            .count(),
          1,
        );
        await page.fill("#find", "");
        assert.equal(await page.locator("#pods-table tr.hidden").count(), 0);
        assert.equal(await page.locator("svg.finding").count(), 0);
        // Clicking a pod's cell searches for the pod.
        await page.click(`svg .cpu[data-cpu="${holder.id}"] rect`, { force: true });
        assert.match((await page.inputValue("#find")) ?? "", /^[a-z]+\/pod-\d\d$/);
        assert.equal(await page.textContent("#found"), "1 of 22 pods");
        await page.fill("#find", "");
      }
      t.diagnostic(`${width} px: ${await browser.screenshot(page, `${s.name}-${width}`)}`);
      await close(o);
    }
  });

  it("s8c4k (4,096 CPUs) at 1024 and 1600 px: fits, ids only when zoomed in, tooltip, search, size and load time", async (t) => {
    ready();
    const machine = loadMachine("s8c4k");
    const view = buildNodeView(machine, busyState(machine, 0.5));
    const t0 = performance.now();
    const html = renderHtmlReport({ view, decisions: [], notes: machine.notes });
    const renderMs = performance.now() - t0;
    const bytes = Buffer.byteLength(html);
    assert.ok(bytes < 5_000_000, `${bytes} bytes`);
    t.diagnostic(
      `s8c4k page: ${(bytes / 1e6).toFixed(2)} MB for ${view.pods.length} pods, rendered in ${renderMs.toFixed(0)} ms`,
    );
    for (const width of [1024, 1600]) {
      const o = await browser.open(`s8c4k-${width}`, html, width);
      const { page } = o;
      t.diagnostic(`s8c4k at ${width} px: loaded in ${o.loadMs.toFixed(0)} ms`);
      assert.ok(o.loadMs < 20_000, `loaded in ${o.loadMs.toFixed(0)} ms`);
      assert.equal(await page.locator("svg.podpin-machine .cpu").count(), 4096);
      await assertFitsWidth(page, `s8c4k at ${width} px`);
      assert.equal(await page.locator("svg.podpin-machine.ids-off").count(), 1, "no ids on tiny cells");
      t.diagnostic(`fit: ${await browser.screenshot(page, `s8c4k-${width}`, false)}`);
      const cpu = view.cpus.find((c) => c.owner.kind === "pod-exclusive")!;
      const tip = await tooltipOf(page, cpu.id);
      const pod = view.pods.find((p) => "pod" in cpu.owner && p.uid === cpu.owner.pod)!;
      for (const part of [
        `CPU ${cpu.id}`,
        `core ${cpu.core}`,
        `NUMA ${cpu.numa}`,
        `${pod.namespace}/${pod.name}`,
        "Container ",
      ])
        assert.ok(tip.includes(part), `tooltip has ${part}: ${tip}`);
      if (width === 1600) {
        // Zoomed in, the ids appear, big enough to read.
        const cell = (await page.locator(`svg .cpu[data-cpu="${cpu.id}"] rect`).boundingBox())!;
        await page.mouse.move(cell.x + cell.width / 2, cell.y + cell.height / 2);
        await page.keyboard.down("Control");
        for (let i = 0; i < 4; i++) await page.mouse.wheel(0, -300);
        await page.keyboard.up("Control");
        assert.equal(await page.locator("svg.podpin-machine.ids-off").count(), 0, "ids shown when zoomed in");
        const px = await page.$eval(
          `svg .cpu[data-cpu="${cpu.id}"] text`,
          (e) => e.getBoundingClientRect().height,
        );
        assert.ok(px >= 6.5, `id text ${px} px high`);
        t.diagnostic(`zoomed: ${await browser.screenshot(page, "s8c4k-zoomed", false)}`);
        await page.click('[data-zoom="fit"]');
        // The table lists the first pods; the search finds any of them, the last one too.
        assert.equal(await page.locator("#pods-table tr.pod:not(.hidden)").count(), ROWS_SHOWN);
        assert.ok(await page.locator("#pods-more").isVisible());
        const last = view.pods[view.pods.length - 1];
        await page.fill("#find", podDisplayName(last));
        assert.equal(await page.textContent("#found"), `1 of ${view.pods.length} pods`);
        assert.deepEqual(
          await page.$$eval("#pods-table tr.pod:not(.hidden)", (trs) =>
            trs.map((tr) => tr.getAttribute("data-pod")),
          ),
          [last.uid],
        );
        assert.ok(!(await page.locator("#pods-more").isVisible()));
        const found = await page.$$eval("svg .cpu.found", (els) =>
          els.map((e) => e.getAttribute("data-pod")),
        );
        assert.ok(found.length > 0 && found.every((p) => p === last.uid));
        t.diagnostic(`search: ${await browser.screenshot(page, "s8c4k-search", false)}`);
      }
      await close(o);
    }
  });

  it("topology and checkpoint pages show no empty decisions panel", async (t) => {
    ready();
    const topo = await pending.get("topology")!;
    assert.equal(topo.code, 0, topo.stderr);
    const stateDir = mkdtempSync(join(podsDir, "state-"));
    await writeSimulatedState(stateDir, [BLOG_PODS[0]], POD_SCOPE);
    const cp = checkpoint(stateDir, {
      config: POD_SCOPE,
      machine: "worked-example",
      output: "table",
      html: "x.html",
    });
    assert.ok(cp.html);
    const pages = [
      ["topology", readFileSync(join(podsDir, "topology.html"), "utf8"), 0],
      ["checkpoint", cp.html, 1],
    ] as const;
    for (const [name, html, podCount] of pages) {
      const o = await browser.open(name, html, 1024);
      const headings = await o.page.$$eval("h2", (hs) => hs.map((h) => h.textContent));
      assert.ok(!headings.includes("Decisions"), `${name}: ${headings.join(", ")}`);
      assert.equal(await o.page.locator("text=No admission decisions").count(), 0);
      assert.equal(await o.page.locator("#pods-table tr.pod").count(), podCount);
      assert.ok(headings.includes("Free per NUMA node"));
      await assertFitsWidth(o.page, name);
      t.diagnostic(`${name}: ${await browser.screenshot(o.page, name)}`);
      await close(o);
    }
  });

  it("the README's picture is the README's command, and its caption says so", async (t) => {
    ready();
    const pic = readmePicture(readme);
    const shown = `podpin ${pic.args.join(" ")} --html ${pic.htmlFile}`;
    assert.ok(pic.caption.includes(`\`${shown}\``), `caption: ${pic.caption}`);
    // The pods the caption and alt text name are the command's, no others.
    const inCommand = pic.args.filter((a) => a.endsWith(".yaml") && !a.includes("kubelet"));
    const names = (f: string): string => /name: (\S+)/.exec(readFileSync(join(ROOT, f), "utf8"))![1];
    for (const f of inCommand) assert.ok(pic.alt.includes(names(f)), `alt names ${names(f)}`);
    for (const other of ["ml-workload", "both"]) assert.ok(!pic.alt.includes(other), `alt mentions ${other}`);
    const run = await pending.get("readme")!;
    assert.equal(run.code, 0, run.stderr);
    const html = readFileSync(join(podsDir, pic.htmlFile), "utf8");
    const o = await browser.open("readme-picture", html, 1280, 800);
    await assertFitsWidth(o.page, "README picture");
    const shot = await browser.screenshot(o.page, "readme-picture");
    t.diagnostic(`README picture: ${shot}`);
    await close(o);
    if (process.env.PODPIN_UPDATE_DOCS === "1") copyFileSync(shot, join(ROOT, "docs/picture.png"));
  });

  it("nvidia-dgx-h100 with a GPU pod: one box per device, outlined with the pod's CPUs", async (t) => {
    ready();
    const s = await simulated(
      "dgx-gpu-pod",
      [join(ROOT, "examples", "ml-workload-gpu.yaml")],
      "nvidia-dgx-h100",
      join(ROOT, "examples/kubelet-container-scope.yaml"),
    );
    const o = await browser.open(s.name, s.html, 1600);
    const { page } = o;
    await assertCells(page, s);
    const devices = await page.$$eval("svg.podpin-machine .device", (els) =>
      els.map((e) => [
        e.getAttribute("data-owner"),
        e.getAttribute("data-pod"),
        e.querySelector("title") !== null,
      ]),
    );
    assert.equal(devices.length, 16, "8 GPUs and 8 NICs");
    assert.ok(devices.every(([, , title]) => title));
    assert.deepEqual(
      devices.filter(([owner]) => owner === "held").map(([, pod]) => pod),
      ["uid-ml-gpu"],
    );
    await page.hover('tr.container[data-pod="uid-ml-gpu"][data-container="ml-training"]');
    assert.equal(await page.locator("svg .device.hl").count(), 1);
    assert.equal(await page.locator("svg .cpu.hl").count(), 3);
    const [held] = await paints(page, 'svg .device[data-owner="held"] rect');
    const [sw] = await paints(page, '#pods-table tr.pod[data-pod="uid-ml-gpu"] svg.sw rect');
    assert.equal(held.fill, sw.fill, "the device takes the pod's paint");
    t.diagnostic(await browser.screenshot(page, s.name));
    await close(o);
  });

  it("nvidia-gb200-tray: CPU-less NUMA nodes with their GPUs fit the window", async (t) => {
    ready();
    const machine = loadMachine("nvidia-gb200-tray");
    const view = buildNodeView(machine, busyState(machine, 0.7));
    const s = {
      name: "gb200",
      machine,
      view,
      html: renderHtmlReport({ view, decisions: [], notes: machine.notes }),
    };
    const o = await browser.open(s.name, s.html, 1024);
    await assertCells(o.page, s);
    await assertFitsWidth(o.page, s.name);
    assert.equal(await o.page.locator("svg .numa.memory-only").count(), 32);
    t.diagnostic(await browser.screenshot(o.page, s.name));
    await close(o);
  });
});

function rgb(hex: string): string {
  const [r, g, b] = [1, 3, 5].map((i) => Number.parseInt(hex.slice(i, i + 2), 16));
  return `rgb(${r}, ${g}, ${b})`;
}
