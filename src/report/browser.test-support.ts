/**
 * Driving Debian's Chromium through playwright-core for the picture tests: installing it when
 * missing, one browser for a whole test file, pages opened from files at a given width with
 * their console errors collected, and readers of what the page shows (computed paints, the
 * viewBox, layout overflow).
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { type BrowserContext, chromium, type Page } from "playwright-core";

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
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
export function ensureChromium(): string | null {
  if (existsSync(CHROMIUM)) return null;
  const r = spawnSync("bash", [join(ROOT, "scripts/ensure-chromium.sh")], {
    encoding: "utf8",
    timeout: 600_000,
  });
  if (r.status === 0 && existsSync(CHROMIUM)) return null;
  return (r.stderr || r.error?.message || `exit ${r.status}`).trim();
}

export interface Opened {
  page: Page;
  /** Console errors and warnings, page errors and failed requests. */
  errors: string[];
  /** Until the load event, in milliseconds. */
  loadMs: number;
  /** Size of the HTML file in bytes. */
  bytes: number;
}

/**
 * One Chromium for a test file, a scratch directory for its pages and screenshots (kept in
 * PODPIN_SCREENSHOT_DIR when that is set, else removed at the end).
 */
export class Browser {
  private context: BrowserContext | null = null;
  private profile = "";
  private scratch = "";
  private keep = false;
  dir = "";

  async start(): Promise<void> {
    this.profile = mkdtempSync(join(tmpdir(), "podpin-chromium-"));
    const wanted = process.env.PODPIN_SCREENSHOT_DIR;
    if (wanted) {
      mkdirSync(wanted, { recursive: true });
      this.dir = wanted;
      this.keep = true;
    } else {
      this.dir = this.scratch = mkdtempSync(join(tmpdir(), "podpin-pictures-"));
    }
    this.context = await chromium.launchPersistentContext(this.profile, {
      executablePath: CHROMIUM,
      args: CHROMIUM_ARGS,
      headless: true,
      viewport: { width: 1600, height: 1000 },
      deviceScaleFactor: 1,
    });
  }

  async stop(): Promise<void> {
    await this.context?.close();
    if (this.profile) rmSync(this.profile, { recursive: true, force: true });
    if (this.scratch && !this.keep) rmSync(this.scratch, { recursive: true, force: true });
  }

  /** Writes `html` as `<name>.html` and opens it in a window `width` pixels wide. */
  async open(name: string, html: string, width: number, height = 1000): Promise<Opened> {
    assert.ok(this.context, "the browser is not running");
    const file = join(this.dir, `${name}.html`);
    writeFileSync(file, html);
    const page = await this.context.newPage();
    await page.setViewportSize({ width, height });
    const errors: string[] = [];
    page.on("console", (msg) => {
      if (msg.type() === "error" || msg.type() === "warning") errors.push(`${msg.type()}: ${msg.text()}`);
    });
    page.on("pageerror", (e) => errors.push(`page error: ${e.message}`));
    page.on("requestfailed", (r) => errors.push(`request failed: ${r.url()}`));
    const t0 = performance.now();
    await page.goto(pathToFileURL(file).href, { waitUntil: "load" });
    const loadMs = performance.now() - t0;
    return { page, errors, loadMs, bytes: statSync(file).size };
  }

  /** A screenshot in the scratch directory; returns its path. */
  async screenshot(page: Page, name: string, fullPage = true): Promise<string> {
    const path = join(this.dir, `${name}.png`);
    await page.screenshot({ path, fullPage });
    return path;
  }
}

/** The few browser globals the page functions use (the project compiles without the DOM library). */
export interface PageGlobals {
  document: {
    documentElement: { scrollWidth: number };
    querySelector(
      selector: string,
    ): { getBoundingClientRect(): { left: number; right: number; width: number } } | null;
    getElementById(id: string): { getAttribute(name: string): string | null } | null;
  };
  innerWidth: number;
  getComputedStyle(el: unknown): { fill: string; stroke: string; opacity: string };
}

/** The page never scrolls sideways and the picture lies inside the window. */
export async function assertFitsWidth(page: Page, what: string): Promise<void> {
  const m = await page.evaluate(() => {
    const g = globalThis as unknown as PageGlobals;
    const svg = g.document.querySelector("svg.podpin-machine")!.getBoundingClientRect();
    return {
      scrollWidth: g.document.documentElement.scrollWidth,
      innerWidth: g.innerWidth,
      left: svg.left,
      right: svg.right,
      width: svg.width,
    };
  });
  assert.ok(
    m.scrollWidth <= m.innerWidth,
    `${what}: page is ${m.scrollWidth} px wide in a ${m.innerWidth} px window`,
  );
  assert.ok(
    m.left >= 0 && m.right <= m.innerWidth,
    `${what}: picture spans ${m.left}..${m.right} of ${m.innerWidth}`,
  );
  assert.ok(m.width > 300, `${what}: picture is laid out (${m.width} px)`);
}

export interface ViewBox {
  x: number;
  y: number;
  w: number;
  h: number;
}

export async function viewBox(page: Page): Promise<ViewBox> {
  const v = await page.getAttribute("svg.podpin-machine", "viewBox");
  const [x, y, w, h] = (v ?? "").split(/\s+/).map(Number);
  return { x, y, w, h };
}

/**
 * What a shape is painted with as the browser computes it: fill and stroke, and for a pattern
 * fill the pod look and ground colour the pattern declares.
 */
export interface ComputedPaint {
  fill: string;
  stroke: string;
  look: string | null;
  colour: string | null;
}

/** The computed paints of the shapes `selector` matches, in document order. */
export async function paints(page: Page, selector: string): Promise<ComputedPaint[]> {
  return page.$$eval(selector, (els) =>
    els.map((el) => {
      const g = globalThis as unknown as PageGlobals;
      const st = g.getComputedStyle(el);
      const m = /url\("?#([^")]+)"?\)/.exec(st.fill);
      const pattern = m ? g.document.getElementById(m[1]) : null;
      return {
        fill: st.fill,
        stroke: st.stroke,
        look: pattern?.getAttribute("data-look") ?? null,
        colour: pattern?.getAttribute("data-colour") ?? null,
      };
    }),
  );
}
