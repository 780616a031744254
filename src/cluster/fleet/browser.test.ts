/**
 * `podpin fleet -o html` in a real browser (Debian's Chromium through playwright-core, as the
 * simulate report's picture tests drive it): every chart draws one bar per group and scenario,
 * sized by its value, in the legend's colours; group names, values and titles are on the page;
 * nothing scrolls sideways at 1024 px (nor on a phone); no console error.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { Page } from "playwright-core";
import { Browser, ensureChromium } from "../../report/browser.test-support.js";
import { fleetDir, handFleet } from "./fleet.test-support.js";
import { type FleetReport, renderFleetHtml, runFleet } from "./index.js";

interface PageDom {
  document: {
    documentElement: { scrollWidth: number };
    querySelectorAll(selector: string): ArrayLike<DomElement>;
  };
  innerWidth: number;
  getComputedStyle(el: DomElement): { fill: string; backgroundColor: string };
}
interface DomElement {
  textContent: string | null;
  getAttribute(name: string): string | null;
  getBoundingClientRect(): { left: number; right: number; width: number; height: number };
  querySelectorAll(selector: string): ArrayLike<DomElement>;
}

interface ChartSeen {
  title: string;
  width: number;
  right: number;
  bars: { width: number; fill: string; tip: string }[];
  texts: string[];
}

async function charts(page: Page): Promise<ChartSeen[]> {
  return page.evaluate(() => {
    const g = globalThis as unknown as PageDom;
    return Array.from(g.document.querySelectorAll("figure.panel")).map((fig) => {
      const svg = fig.querySelectorAll("svg")[0];
      const box = svg.getBoundingClientRect();
      return {
        title: fig.querySelectorAll("h2")[0]?.textContent ?? "",
        width: box.width,
        right: box.right,
        bars: Array.from(svg.querySelectorAll("rect")).map((r) => ({
          width: r.getBoundingClientRect().width,
          fill: g.getComputedStyle(r).fill,
          tip: r.querySelectorAll("title")[0]?.textContent ?? "",
        })),
        texts: Array.from(svg.querySelectorAll("text")).map((t) => t.textContent ?? ""),
      };
    });
  });
}

describe("the fleet report in Chromium", { timeout: 120_000 }, () => {
  const browser = new Browser();
  let report: FleetReport;
  let html = "";

  const cleanups: (() => void)[] = [];
  before(async () => {
    const problem = ensureChromium();
    if (problem) assert.fail(`cannot run: Chromium is missing and could not be installed: ${problem}`);
    const dir = fleetDir({ after: (fn) => cleanups.push(fn) }, { "fleet.yaml": handFleet(4) });
    report = await runFleet(join(dir, "fleet.yaml"), { workers: 1 });
    html = renderFleetHtml(report);
    await browser.start();
  });
  after(async () => {
    for (const fn of cleanups) fn();
    await browser.stop();
  });

  it("draws every chart at 1024 px: a bar per group and scenario, sized by value, no sideways scroll", async () => {
    const { page, errors } = await browser.open("fleet-1024", html, 1024);
    try {
      assert.deepEqual(errors, []);
      const seen = await charts(page);
      assert.deepEqual(
        seen.map((c) => c.title),
        ["Pods rejected by the kubelet", "Guaranteed pods on one NUMA node", "Stranded CPUs", "Free CPUs"],
      );
      const groups = [...report.scenarios[0].groups.map((g) => g.name), "total"];
      for (const c of seen) {
        assert.equal(c.bars.length, groups.length * report.scenarios.length, c.title);
        assert.ok(c.width > 300 && c.right <= 1024, `${c.title}: ${c.width} px wide, right edge ${c.right}`);
        for (const name of groups) assert.ok(c.texts.includes(name), `${c.title}: label ${name}`);
        for (const bar of c.bars) assert.match(bar.tip, /^(small|total), (allocatable-only|NUMA-aware): /);
      }
      // Rejections: 2 in the allocatable-only run, none NUMA-aware: a bar with a width, and none.
      const rejected = seen[0];
      const [plainSmall, awareSmall] = rejected.bars;
      assert.equal(plainSmall.tip, "small, allocatable-only: 2");
      assert.ok(plainSmall.width > 100, `${plainSmall.width} px`);
      assert.equal(awareSmall.tip, "small, NUMA-aware: 0");
      assert.equal(awareSmall.width, 0);
      assert.ok(rejected.texts.includes("2") && rejected.texts.includes("0"));
      // The rate chart labels shares.
      assert.ok(seen[1].texts.includes("100.0%"), seen[1].texts.join(" "));
      const scroll = await page.evaluate(() => {
        const g = globalThis as unknown as PageDom;
        return { width: g.document.documentElement.scrollWidth, window: g.innerWidth };
      });
      assert.ok(scroll.width <= scroll.window, `page ${scroll.width} px wide in ${scroll.window}`);
    } finally {
      await page.close();
    }
  });

  it("the legend names both scenarios in the colours their bars are painted", async () => {
    const { page } = await browser.open("fleet-legend", html, 1024);
    try {
      const legend = await page.evaluate(() => {
        const g = globalThis as unknown as PageDom;
        return Array.from(g.document.querySelectorAll(".legend li")).map((li) => ({
          name: li.textContent ?? "",
          colour: g.getComputedStyle(li.querySelectorAll("i")[0]).backgroundColor,
        }));
      });
      assert.deepEqual(
        legend.map((l) => l.name),
        ["allocatable-only", "NUMA-aware"],
      );
      const [first] = await charts(page);
      assert.equal(first.bars[0].fill, legend[0].colour);
      assert.equal(first.bars[1].fill, legend[1].colour);
      assert.notEqual(legend[0].colour, legend[1].colour);
      // The text report below the charts is on the page too.
      assert.match((await page.textContent("pre")) ?? "", /ALLOCATABLE-ONLY\s+NUMA-AWARE/);
    } finally {
      await page.close();
    }
  });

  it("a phone-sized window: the charts shrink to fit, nothing scrolls sideways", async () => {
    const { page } = await browser.open("fleet-390", html, 390, 800);
    try {
      const m = await page.evaluate(() => {
        const g = globalThis as unknown as PageDom;
        const svgs = Array.from(g.document.querySelectorAll("svg")).map((s) => s.getBoundingClientRect());
        return {
          scroll: g.document.documentElement.scrollWidth,
          window: g.innerWidth,
          widest: Math.max(...svgs.map((b) => b.right)),
          narrowest: Math.min(...svgs.map((b) => b.width)),
        };
      });
      assert.ok(m.scroll <= m.window, `page ${m.scroll} px wide in ${m.window}`);
      assert.ok(m.widest <= m.window && m.narrowest > 200, JSON.stringify(m));
    } finally {
      await page.close();
    }
  });
});
