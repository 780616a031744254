import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { machineM, workedExampleConfig } from "../../node/test-support.js";
import { startAgent } from "../agent.js";
import { call } from "./agent.test-support.js";
import { parseListenAddress } from "./listen-address.js";
import { memoryStateDir } from "./memory-state-dir.test-support.js";

test("a metrics listener serves metrics and probes without a token, and nothing else", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "podpin-metrics-listen-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const quiet = { info() {}, warn() {}, error() {} };
  const agent = await startAgent({
    state: memoryStateDir({ machine: machineM(), config: workedExampleConfig("container") }),
    listen: [parseListenAddress(`unix://${join(dir, "api.sock")}`)],
    metricsListen: [parseListenAddress("tcp://127.0.0.1:0")],
    log: quiet,
  });
  t.after(() => agent.close());
  const tcp = agent.urls.find((u) => u.startsWith("tcp://"));
  assert.ok(tcp, `${agent.urls}`);
  const target = { port: Number(tcp.split(":").at(-1)) };
  const metrics = await call(target, "GET", "/metrics");
  assert.equal(metrics.status, 200);
  assert.match(metrics.body, /kubelet_cpu_manager_shared_pool_size_millicores/);
  assert.equal((await call(target, "GET", "/healthz")).status, 200);
  assert.equal((await call(target, "GET", "/readyz")).status, 200);
  for (const [method, path] of [
    ["GET", "/v1/pods"],
    ["GET", "/v1/node"],
    ["POST", "/v1/pods"],
    ["GET", "/"],
  ]) {
    const answer = await call(target, method, path, { body: method === "POST" ? "{}" : undefined });
    assert.ok(answer.status === 404 || answer.status === 405, `${method} ${path}: ${answer.status}`);
  }
});
