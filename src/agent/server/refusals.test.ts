import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createServer, request, type Server } from "node:http";
import { connect, createServer as createNetServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { DATABASE_POD } from "../../cli/cli.test-support.js";
import { machineM, workedExampleConfig } from "../../node/test-support.js";
import { startAgent } from "../agent.js";
import { AgentSetupError } from "../errors.js";
import { memoryStateDir } from "./memory-state-dir.test-support.js";
import { call, json, startTestAgent, TEST_TOKEN } from "./agent.test-support.js";
import { listen } from "./listeners.js";

const DATABASE = readFileSync(DATABASE_POD, "utf8");

function scratchDir(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), "podpin-refusals-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test("the TCP listener refuses requests without the right bearer token (401), the unix socket needs none", async (t) => {
  const { tcp, unix, state } = await startTestAgent(t, { tcp: true });
  assert.ok(tcp);
  const attempts: [string, Record<string, string>][] = [
    ["no header", {}],
    ["wrong token", { Authorization: "Bearer wrong-token-0123456789abcdef0123456789" }],
    ["token with a suffix", { Authorization: `Bearer ${TEST_TOKEN}x` }],
    ["token prefix", { Authorization: `Bearer ${TEST_TOKEN.slice(0, -1)}` }],
    ["other scheme", { Authorization: `Basic ${Buffer.from(`x:${TEST_TOKEN}`).toString("base64")}` }],
    ["empty bearer", { Authorization: "Bearer " }],
  ];
  for (const [what, headers] of attempts) {
    for (const [method, path] of [
      ["GET", "/healthz"],
      ["GET", "/metrics"],
      ["POST", "/v1/pods"],
    ]) {
      const r = await call(tcp, method, path, { headers, body: method === "POST" ? DATABASE : undefined });
      assert.equal(r.status, 401, `${what}: ${method} ${path}`);
      assert.equal(r.headers["www-authenticate"], 'Bearer realm="podpin-agent"');
      assert.match(json<{ error: string }>(r).error, /bearer token/);
    }
  }
  assert.equal(state.ops.length, 0, "no refused request reached the engine");
  assert.equal((await call(tcp, "GET", "/healthz", { token: TEST_TOKEN })).status, 200);
  assert.equal(
    (await call(tcp, "GET", "/healthz", { headers: { Authorization: `bearer   ${TEST_TOKEN}` } })).status,
    200,
    "the scheme is case-insensitive",
  );
  assert.equal((await call(unix, "GET", "/healthz")).status, 200);
});

test("a TCP listener without a token is refused at start", async () => {
  const state = memoryStateDir({ machine: machineM(), config: workedExampleConfig("pod") });
  await assert.rejects(
    startAgent({ state, listen: [{ kind: "tcp", host: "127.0.0.1", port: 0 }] }),
    (err: Error) => err instanceof AgentSetupError && /needs --token-file/.test(err.message),
  );
  assert.equal(
    state.closed,
    true,
    "the agent owns the state directory it was given, even when it cannot start",
  );
});

test("the unix socket is created 0600, its missing directory 0700", async (t) => {
  const dir = scratchDir(t);
  const path = join(dir, "run", "podpin", "agent.sock");
  const server = createServer();
  const listener = await listen(server, { kind: "unix", path });
  t.after(() => listener.close());
  assert.equal(statSync(path).mode & 0o777, 0o600);
  assert.equal(statSync(join(dir, "run", "podpin")).mode & 0o777, 0o700);
  await listener.close();
  assert.throws(() => statSync(path), /ENOENT/, "the socket file is removed on close");
});

/** A unix socket file left behind by a process killed with SIGKILL. */
async function staleSocket(path: string): Promise<void> {
  const child = spawn(process.execPath, [
    "-e",
    `require("node:net").createServer().listen(${JSON.stringify(path)}, () => process.kill(process.pid, "SIGKILL"))`,
  ]);
  await new Promise((resolve) => child.on("exit", resolve));
  assert.ok(statSync(path).isSocket(), "the killed process left its socket");
}

test("a stale socket is replaced; a live socket or a file that is not a socket is refused and left alone", async (t) => {
  const dir = scratchDir(t);
  const stale = join(dir, "stale.sock");
  await staleSocket(stale);
  const a = await listen(createServer(), { kind: "unix", path: stale });
  assert.equal(statSync(stale).mode & 0o777, 0o600);

  const other: Server = createServer();
  await assert.rejects(listen(other, { kind: "unix", path: stale }), /another process is listening/);
  await a.close();

  const live = join(dir, "live.sock");
  const foreign = createNetServer().listen(live);
  await new Promise((resolve) => foreign.once("listening", resolve));
  t.after(() => foreign.close());
  await assert.rejects(listen(createServer(), { kind: "unix", path: live }), /another process is listening/);
  assert.ok(statSync(live).isSocket(), "the live socket is untouched");

  const file = join(dir, "file.sock");
  writeFileSync(file, "keep me");
  await assert.rejects(listen(createServer(), { kind: "unix", path: file }), /is not a socket; refusing/);
  assert.equal(readFileSync(file, "utf8"), "keep me");
});

test("bodies over the size limit are refused with 413, declared or streamed, and change nothing", async (t) => {
  const { unix, state } = await startTestAgent(t);
  const big = `${DATABASE}\n# ${"x".repeat(1024 * 1024)}\n`;
  const declared = await call(unix, "POST", "/v1/pods", { body: big });
  assert.equal(declared.status, 413);
  assert.match(
    json<{ error: string }>(declared).error,
    /request body too large: Content-Length \d+ \(at most 1048576 bytes\)/,
  );

  // Chunked: no Content-Length, the limit is found while reading.
  const streamed = await new Promise<number>((resolve, reject) => {
    const req = request(
      {
        socketPath: unix.socketPath,
        method: "POST",
        path: "/v1/pods",
        headers: { "Content-Type": "application/yaml" },
      },
      (res) => {
        res.resume();
        res.on("end", () => resolve(res.statusCode ?? 0));
      },
    );
    req.on("error", reject);
    for (let i = 0; i < 20; i++) req.write("#".repeat(128 * 1024));
    req.end();
  });
  assert.equal(streamed, 413);
  assert.equal(state.ops.length, 0);
  assert.equal((await call(unix, "POST", "/v1/pods", { body: DATABASE })).status, 200, "still serving");
});

/** Connects, writes `text`, and resolves with what the server sent before closing (and how long it took). */
function slowClient(socketPath: string, text: string): Promise<{ reply: string; ms: number }> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const socket = connect(socketPath);
    let reply = "";
    socket.setEncoding("utf8");
    socket.on("data", (d: string) => (reply += d));
    socket.on("error", reject);
    socket.on("close", () => resolve({ reply, ms: Date.now() - started }));
    socket.write(text);
    // Never finishes the request; a safety net if the server never closes.
    setTimeout(() => socket.destroy(), 15_000).unref();
  });
}

test("slow clients are cut off: headers and bodies have time limits (408)", async (t) => {
  const { unix } = await startTestAgent(t, { limits: { headersTimeoutMs: 400, requestTimeoutMs: 800 } });
  const [headers, body, served] = await Promise.all([
    slowClient(unix.socketPath, "GET /v1/pods HTTP/1.1\r\nHost: agent\r\nX-Slow: "),
    slowClient(
      unix.socketPath,
      "POST /v1/pods HTTP/1.1\r\nHost: agent\r\nContent-Type: application/yaml\r\nContent-Length: 1000\r\n\r\nkind: Pod\n",
    ),
    // Meanwhile everyone else is served.
    call(unix, "GET", "/healthz"),
  ]);
  assert.equal(served.status, 200);
  assert.match(headers.reply, /^HTTP\/1\.1 408 /);
  assert.ok(headers.ms < 5000, `headers timeout took ${headers.ms} ms`);
  assert.match(body.reply, /^HTTP\/1\.1 408 /);
  assert.ok(body.ms >= 700 && body.ms < 5000, `request timeout took ${body.ms} ms`);
});
