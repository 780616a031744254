import { type ChildProcess, spawn } from "node:child_process";
import { createWriteStream, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * `npm run soak -- --minutes N`: starts `podpin agent` on a temporary state directory and unix
 * socket, drives a steady admit/remove load at it from this process (a few closed-loop clients,
 * plus reads of /metrics and /v1/node), and reports requests per second, latency, errors and the
 * agent's resident memory after warm-up and at the end. Exits 1 when any request failed, when the
 * agent did not stop cleanly, or when its peak memory grew by more than 10% after warm-up.
 */

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");

const USAGE = `usage: npm run soak -- [--minutes N] [--clients N] [--rate N] [--json]
  --minutes N   how long to drive load, warm-up included (default 1; decimals allowed)
  --clients N   concurrent admit/remove clients (default 4)
  --rate N      admit and remove requests per second, all clients together (default 60)
  --json        print the report as JSON`;

interface SoakOptions {
  minutes: number;
  clients: number;
  /** Requests per second the clients aim at together: a steady load, the same on any machine. */
  rate: number;
  json: boolean;
}

function parseArgs(argv: readonly string[]): SoakOptions {
  const opts: SoakOptions = { minutes: 1, clients: 4, rate: 60, json: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      const v = Number(argv[++i]);
      if (!Number.isFinite(v) || v <= 0)
        throw new Error(`${arg}: expected a positive number, got ${argv[i]}`);
      return v;
    };
    if (arg === "--minutes") opts.minutes = value();
    else if (arg === "--clients") opts.clients = Math.floor(value());
    else if (arg === "--rate") opts.rate = value();
    else if (arg === "--json") opts.json = true;
    else throw new Error(`unknown argument ${arg}\n${USAGE}`);
  }
  return opts;
}

interface Answer {
  status: number;
  body: string;
}

function call(socketPath: string, method: string, path: string, body?: string): Promise<Answer> {
  return new Promise((resolveCall, reject) => {
    const headers: Record<string, string> = body === undefined ? {} : { "Content-Type": "application/yaml" };
    const req = request({ socketPath, method, path, headers }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (d: string) => (text += d));
      res.on("end", () => resolveCall({ status: res.statusCode ?? 0, body: text }));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end(body);
  });
}

/** The agent's resident set size and its high-water mark, in bytes, from /proc. */
function memoryOf(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kB = (field: string) => {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB$`, "m").exec(status);
    if (!m) throw new Error(`/proc/${pid}/status: no ${field} line`);
    return Number(m[1]) * 1024;
  };
  return { rss: kB("VmRSS"), peak: kB("VmHWM") };
}

/** A Guaranteed pod with two exclusive CPUs: the static CPU and Memory Managers both work for it. */
function pod(name: string): string {
  const resources = '{cpu: "2", memory: 1Gi}';
  return `apiVersion: v1
kind: Pod
metadata: {name: ${name}, namespace: soak, uid: soak-${name}}
spec:
  containers:
    - name: main
      resources: {requests: ${resources}, limits: ${resources}}
`;
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

interface Stats {
  latenciesMs: number[];
  errors: string[];
}

/**
 * One client: admit a pod, remove it, again, until `until`, one request every `intervalMs` (or as
 * fast as the answers come, when the agent is slower than that).
 */
async function client(
  id: number,
  socketPath: string,
  until: number,
  intervalMs: number,
  stats: Stats,
  record: () => boolean,
) {
  let next = Date.now() + Math.random() * intervalMs;
  const pace = async () => {
    next += intervalMs;
    const wait = next - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    else next = Date.now();
  };
  for (let n = 0; Date.now() < until; n++) {
    const name = `c${id}-${n}`;
    const timed = async (what: string, run: () => Promise<Answer>, ok: (a: Answer) => boolean) => {
      const started = performance.now();
      try {
        const a = await run();
        if (record()) stats.latenciesMs.push(performance.now() - started);
        if (!ok(a)) stats.errors.push(`${what}: ${a.status} ${a.body.slice(0, 200).trim()}`);
      } catch (err) {
        stats.errors.push(`${what}: ${(err as Error).message}`);
      }
    };
    await timed(
      `admit ${name}`,
      () => call(socketPath, "POST", "/v1/pods", pod(name)),
      (a) => a.status === 200 && (JSON.parse(a.body) as { admitted: boolean }).admitted,
    );
    await pace();
    await timed(
      `remove ${name}`,
      () => call(socketPath, "DELETE", `/v1/pods/soak-${name}`),
      (a) => a.status === 200,
    );
    await pace();
  }
}

/** Reads what a dashboard and an operator would, once a second. */
async function reader(socketPath: string, until: number, stats: Stats) {
  while (Date.now() < until) {
    for (const path of ["/metrics", "/v1/node", "/readyz"]) {
      try {
        const a = await call(socketPath, "GET", path);
        if (a.status !== 200) stats.errors.push(`GET ${path}: ${a.status}`);
      } catch (err) {
        stats.errors.push(`GET ${path}: ${(err as Error).message}`);
      }
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
}

function waitReady(child: ChildProcess, logFile: string, timeoutMs: number): Promise<void> {
  return new Promise((resolveReady, reject) => {
    let seen = "";
    const timer = setTimeout(
      () => reject(new Error(`the agent was not ready in ${timeoutMs} ms: ${seen}`)),
      timeoutMs,
    );
    child.stderr?.on("data", (d: Buffer) => {
      if (seen.includes("msg=ready")) return;
      seen += d.toString();
      if (seen.includes("msg=ready")) {
        clearTimeout(timer);
        resolveReady();
      }
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(
        new Error(`the agent exited with ${code} before it was ready: ${seen.trim()} (log: ${logFile})`),
      );
    });
  });
}

export interface SoakReport {
  minutes: number;
  clients: number;
  /** The request rate aimed at. */
  rate: number;
  /** How long the warm-up lasted (until the heap's first full collection, or half the run). */
  warmupSeconds: number;
  /** Requests after warm-up (the admit and remove calls measured). */
  requests: number;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
  firstErrors: string[];
  /** VmRSS when the warm-up ends. */
  rssAfterWarmupBytes: number;
  /** VmRSS at the end, under load. */
  rssEndBytes: number;
  /** VmHWM, the highest RSS the agent has had, when the warm-up ends. */
  peakRssAfterWarmupBytes: number;
  /** VmHWM at the end. */
  peakRssEndBytes: number;
  /** Growth of the peak RSS after warm-up: the verdict's figure (at most 10%). */
  rssGrowthPercent: number;
  /** The agent's RSS every second, warm-up included, in MiB. */
  rssSamplesMiB: number[];
  agentExit: number | null;
  ok: boolean;
}

async function soak(opts: SoakOptions): Promise<SoakReport> {
  const dir = mkdtempSync(join(tmpdir(), "podpin-soak-"));
  const socketPath = join(dir, "agent.sock");
  const logFile = join(dir, "agent.log");
  const log = createWriteStream(logFile);
  const child = spawn(
    process.execPath,
    [
      "--import",
      "tsx",
      join(ROOT, "src/cli/main.ts"),
      "agent",
      "-m",
      "worked-example",
      "-c",
      join(ROOT, "examples/kubelet-pod-scope.yaml"),
      "--state-dir",
      join(dir, "state"),
      "--listen",
      `unix://${socketPath}`,
    ],
    { cwd: ROOT, stdio: ["ignore", "ignore", "pipe"] },
  );
  // The agent logs a line per request: keep its stderr flowing to a file, never let the pipe fill.
  child.stderr?.pipe(log);
  const exited = new Promise<number | null>((done) => child.once("exit", (code) => done(code)));
  try {
    await waitReady(child, logFile, 60_000);
    const pid = child.pid as number;
    const total = opts.minutes * 60_000;
    const start = Date.now();
    const until = start + total;
    const stats: Stats = { latenciesMs: [], errors: [] };
    let measuring = false;
    let measureStart = start;
    // Memory is compared as the kernel's high-water mark of the agent's RSS (VmHWM), at the end of
    // the warm-up and at the end. The current RSS swings by more than 10% with the garbage
    // collector: old space grows until a full collection, then pages go back. A process that does
    // not leak stops setting new highs once its heap has been through that cycle; one that leaks
    // keeps setting them. So the warm-up lasts until the first such fall (RSS 5% under its peak,
    // after 10 s at least), or half the run, whichever comes first.
    const samples: number[] = [];
    const sampler = setInterval(() => samples.push(memoryOf(pid).rss), 1000);
    let warm = memoryOf(pid);
    let warmupMs = total / 2;
    const measure = new Promise<void>((done) => {
      const check = setInterval(() => {
        const now = memoryOf(pid);
        const elapsed = Date.now() - start;
        const fell = elapsed >= 10_000 && now.rss < 0.95 * now.peak;
        if (!fell && elapsed < total / 2) return;
        clearInterval(check);
        warm = now;
        warmupMs = elapsed;
        measuring = true;
        measureStart = Date.now();
        done();
      }, 250);
    });
    await Promise.all([
      ...Array.from({ length: opts.clients }, (_, i) =>
        client(i, socketPath, until, (opts.clients * 1000) / opts.rate, stats, () => measuring),
      ),
      reader(socketPath, until, stats),
      measure,
    ]);
    clearInterval(sampler);
    const end = memoryOf(pid);
    const seconds = (Date.now() - measureStart) / 1000;
    child.kill("SIGTERM");
    const agentExit = await exited;
    if (agentExit !== 0)
      stats.errors.push(`the agent exited with ${agentExit} after SIGTERM (log: ${logFile})`);
    const sorted = [...stats.latenciesMs].sort((a, b) => a - b);
    const growth = ((end.peak - warm.peak) / warm.peak) * 100;
    const report: SoakReport = {
      minutes: opts.minutes,
      clients: opts.clients,
      rate: opts.rate,
      warmupSeconds: Math.round(warmupMs / 100) / 10,
      requests: sorted.length,
      requestsPerSecond: Math.round((sorted.length / seconds) * 10) / 10,
      p50Ms: Math.round(percentile(sorted, 50) * 100) / 100,
      p99Ms: Math.round(percentile(sorted, 99) * 100) / 100,
      errors: stats.errors.length,
      firstErrors: stats.errors.slice(0, 5),
      rssAfterWarmupBytes: warm.rss,
      rssEndBytes: end.rss,
      peakRssAfterWarmupBytes: warm.peak,
      peakRssEndBytes: end.peak,
      rssGrowthPercent: Math.round(growth * 10) / 10,
      rssSamplesMiB: samples.map((b) => Math.round((b / 1024 / 1024) * 10) / 10),
      agentExit,
      ok: stats.errors.length === 0 && growth <= 10 && agentExit === 0,
    };
    return report;
  } finally {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGKILL");
      await exited;
    }
    log.end();
    rmSync(dir, { recursive: true, force: true });
  }
}

function mib(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

function render(r: SoakReport): string {
  return [
    `soak: ${r.minutes} min, ${r.clients} admit/remove clients at ${r.rate} requests/s together against podpin agent (unix socket, durable state directory)`,
    `requests after a ${r.warmupSeconds} s warm-up: ${r.requests} (${r.requestsPerSecond}/s), latency p50 ${r.p50Ms} ms, p99 ${r.p99Ms} ms`,
    `errors: ${r.errors}${r.firstErrors.map((e) => `\n  ${e}`).join("")}`,
    `agent RSS: ${mib(r.rssAfterWarmupBytes)} after warm-up, ${mib(r.rssEndBytes)} at the end; peak ${mib(r.peakRssAfterWarmupBytes)} after warm-up, ${mib(r.peakRssEndBytes)} at the end (${r.rssGrowthPercent >= 0 ? "+" : ""}${r.rssGrowthPercent}%, at most +10%)`,
    `agent exit after SIGTERM: ${r.agentExit}`,
    r.ok ? "soak: ok" : "soak: FAILED",
  ].join("\n");
}

let opts: SoakOptions;
try {
  opts = parseArgs(process.argv.slice(2));
} catch (err) {
  process.stderr.write(`soak: ${(err as Error).message}\n`);
  process.exit(2);
}
const report = await soak(opts);
process.stdout.write(opts.json ? `${JSON.stringify(report, null, 2)}\n` : `${render(report)}\n`);
process.exitCode = report.ok ? 0 : 1;
