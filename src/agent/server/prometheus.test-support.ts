import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
export const PROMETHEUS = "/usr/bin/prometheus";
export const PROMTOOL = "/usr/bin/promtool";

/** Installs Debian's prometheus when missing; returns why it cannot be used, or null. */
export function ensurePrometheus(): string | null {
  if (existsSync(PROMETHEUS) && existsSync(PROMTOOL)) return null;
  const r = spawnSync("bash", [join(ROOT, "scripts/ensure-prometheus.sh")], {
    encoding: "utf8",
    timeout: 600_000,
  });
  if (r.status === 0 && existsSync(PROMETHEUS) && existsSync(PROMTOOL)) return null;
  return `prometheus is not installed and scripts/ensure-prometheus.sh failed: ${(r.stderr || r.error?.message || `exit ${r.status}`).trim()}`;
}

/** A loopback port nothing listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolvePort(port));
    });
  });
}

export interface ScrapeJob {
  name: string;
  port: number;
  /** A file holding the bearer token to send; none: scrape without one. */
  tokenFile?: string;
}

export interface PrometheusServer {
  url: string;
  /** An instant query through the HTTP API: the result vector (empty when nothing matches yet). */
  query(expr: string): Promise<{ metric: Record<string, string>; value: [number, string] }[]>;
  /** The scrape targets with their health and last error. */
  targets(): Promise<{ labels: Record<string, string>; health: string; lastError: string }[]>;
  stop(): Promise<void>;
}

/**
 * A Prometheus server of its own: a temp config and storage dir, a free loopback port, a 1 s scrape
 * interval. Stopped (SIGTERM, then SIGKILL) and removed by `stop`.
 */
export async function startPrometheus(jobs: readonly ScrapeJob[]): Promise<PrometheusServer> {
  const dir = mkdtempSync(join(tmpdir(), "podpin-prometheus-"));
  const config = join(dir, "prometheus.yml");
  const scrape = jobs.map((j) =>
    [
      `  - job_name: ${j.name}`,
      "    scrape_interval: 1s",
      "    scrape_timeout: 1s",
      ...(j.tokenFile
        ? ["    authorization:", "      type: Bearer", `      credentials_file: ${j.tokenFile}`]
        : []),
      `    static_configs: [{targets: ["127.0.0.1:${j.port}"]}]`,
    ].join("\n"),
  );
  writeFileSync(
    config,
    `global: {scrape_interval: 1s, evaluation_interval: 1s}\nscrape_configs:\n${scrape.join("\n")}\n`,
  );
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  let output = "";
  const child: ChildProcess = spawn(
    PROMETHEUS,
    [
      `--config.file=${config}`,
      `--storage.tsdb.path=${join(dir, "data")}`,
      `--web.listen-address=127.0.0.1:${port}`,
      "--log.level=warn",
    ],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  child.stdout?.on("data", (d: Buffer) => (output += d.toString()));
  child.stderr?.on("data", (d: Buffer) => (output += d.toString()));
  const exited = new Promise<void>((done) => child.once("exit", () => done()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(dir, { recursive: true, force: true });
  };
  const api = async <T>(path: string): Promise<T> => {
    const res = await fetch(`${url}${path}`);
    const body = (await res.json()) as { status: string; data: T; error?: string };
    if (body.status !== "success") throw new Error(`prometheus ${path}: ${body.error}`);
    return body.data;
  };
  try {
    const deadline = Date.now() + 60_000;
    for (;;) {
      if (child.exitCode !== null)
        throw new Error(`prometheus exited with ${child.exitCode}: ${output.trim()}`);
      const ready = await fetch(`${url}/-/ready`).then(
        (r) => r.ok,
        () => false,
      );
      if (ready) break;
      if (Date.now() > deadline) throw new Error(`prometheus did not become ready in 60 s: ${output.trim()}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    url,
    query: async (expr) =>
      (
        await api<{ result: { metric: Record<string, string>; value: [number, string] }[] }>(
          `/api/v1/query?query=${encodeURIComponent(expr)}`,
        )
      ).result,
    targets: async () =>
      (
        await api<{ activeTargets: { labels: Record<string, string>; health: string; lastError: string }[] }>(
          "/api/v1/targets",
        )
      ).activeTargets,
    stop,
  };
}

/** Polls `probe` every 250 ms until it returns a value (not undefined), for at most `ms`. */
export async function eventually<T>(
  what: string,
  ms: number,
  probe: () => Promise<T | undefined>,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`${what}: not seen within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 250));
  }
}
