import assert from "node:assert/strict";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { call, guaranteedPod, json, TEST_TOKEN } from "../agent/server/agent.test-support.js";
import { agentArgs, agentScratchDir, killAgentProcess, startAgentProcess } from "./agent.test-support.js";
import { podpin } from "./cli.process.test-support.js";
import { DATABASE_POD, POD_SCOPE_CONFIG } from "./cli.test-support.js";

const DATABASE = readFileSync(DATABASE_POD, "utf8");

test("podpin agent serves the API, stops on SIGTERM with exit 0, and restarts with its pods", async (t) => {
  const dir = agentScratchDir(t);
  writeFileSync(join(dir, "token"), `${TEST_TOKEN}\n`, { mode: 0o600 });
  const args = agentArgs(dir, ["--listen", "tcp://127.0.0.1:0", "--token-file", join(dir, "token")]);
  const first = await startAgentProcess(args);
  t.after(() => killAgentProcess(first));
  assert.equal(first.urls.length, 2, first.stderr());
  const unix = { socketPath: join(dir, "agent.sock") };
  const port = Number(first.urls[1].split(":").pop());

  assert.equal((await call(unix, "POST", "/v1/pods", { body: DATABASE })).status, 200);
  assert.equal((await call({ port }, "GET", "/v1/pods")).status, 401);
  assert.match((await call({ port }, "GET", "/v1/pods", { token: TEST_TOKEN })).body, /uid-db/);
  assert.ok(
    existsSync(join(dir, "state", "cpu_manager_state")),
    "kubelet checkpoints in the state directory",
  );

  first.child.kill("SIGTERM");
  const end = await first.exited;
  assert.deepEqual(end, { code: 0, signal: null }, first.stderr());
  assert.match(first.stderr(), /msg=stopping signal=SIGTERM/);
  assert.match(first.stderr(), /msg=stopped/);
  assert.match(
    first.stderr(),
    /msg=request .*method=POST path=\/v1\/pods status=200 .*op=admit .*uid=uid-db admitted=true/,
  );
  assert.equal(existsSync(unix.socketPath), false, "the socket is removed");

  const second = await startAgentProcess(agentArgs(dir));
  t.after(() => killAgentProcess(second));
  assert.equal(second.urls.length, 1, second.stderr());
  const pods = json<{ items: { pod: { uid: string }; bubble: string }[] }>(
    await call(unix, "GET", "/v1/pods"),
  );
  assert.deepEqual(
    pods.items.map((p) => [p.pod.uid, p.bubble]),
    [["uid-db", "1-4,17-20"]],
    "the pod and its CPUs survived the restart",
  );
  assert.equal((await call(unix, "POST", "/v1/pods", { body: DATABASE })).status, 409);
  second.child.kill("SIGINT");
  assert.deepEqual(await second.exited, { code: 0, signal: null }, second.stderr());
});

test("on SIGTERM every admission answered 200 is durable, and every one refused is not", async (t) => {
  const dir = agentScratchDir(t);
  const first = await startAgentProcess(agentArgs(dir));
  t.after(() => killAgentProcess(first));
  const unix = { socketPath: join(dir, "agent.sock") };
  const sent = Array.from({ length: 30 }, (_, i) => ({
    uid: `uid-p${i}`,
    body: guaranteedPod(`p${i}`, "1", "1Gi"),
  }));
  const answers = sent.map((p) =>
    call(unix, "POST", "/v1/pods", { body: p.body }).then(
      (a) => a.status,
      (err: Error) => `no answer: ${err.message}`,
    ),
  );
  await answers[0];
  first.child.kill("SIGTERM");
  const statuses = await Promise.all(answers);
  assert.deepEqual(await first.exited, { code: 0, signal: null }, first.stderr());
  for (const s of statuses) assert.ok(s === 200 || s === 503 || String(s).startsWith("no answer"), String(s));
  t.diagnostic(`answers: ${statuses.join(" ")}`);

  const second = await startAgentProcess(agentArgs(dir));
  t.after(() => killAgentProcess(second));
  const kept = new Set(
    json<{ items: { pod: { uid: string } }[] }>(await call(unix, "GET", "/v1/pods")).items.map(
      (p) => p.pod.uid,
    ),
  );
  sent.forEach((p, i) => {
    if (statuses[i] === 200) assert.ok(kept.has(p.uid), `${p.uid} was acknowledged, so it must survive`);
    else assert.ok(!kept.has(p.uid), `${p.uid} was refused (${statuses[i]}), so it must not be there`);
  });
  second.child.kill("SIGTERM");
  await second.exited;
});

test("bad agent options and a state directory the kubelet would refuse are one-line errors, exit 2", async (t) => {
  const dir = agentScratchDir(t);
  const cases: [string[], RegExp][] = [
    [
      agentArgs(dir, ["--listen", "tcp://127.0.0.1:0"]),
      /^podpin: --listen tcp:\/\/127\.0\.0\.1:0: a TCP listener needs --token-file/,
    ],
    [
      agentArgs(dir, ["--listen", "http://x"]),
      /^podpin: --listen http:\/\/x: unknown scheme; expected unix:/,
    ],
    [
      agentArgs(dir, ["--token-file", join(dir, "missing")]),
      /^podpin: --token-file .*missing: cannot read the file \(ENOENT\)/,
    ],
  ];
  writeFileSync(join(dir, "not-a-dir"), "x");
  cases.push([
    [
      "-m",
      "worked-example",
      "-c",
      POD_SCOPE_CONFIG,
      "--state-dir",
      join(dir, "not-a-dir"),
      "--listen",
      `unix://${join(dir, "a.sock")}`,
    ],
    /^podpin: .*not-a-dir/,
  ]);
  for (const [args, pattern] of cases) {
    const run = await podpin(["agent", ...args]);
    assert.equal(run.code, 2, `${args.join(" ")}: ${run.stderr}`);
    assert.equal(run.stdout, "");
    const lines = run.stderr
      .trim()
      .split("\n")
      .filter((l) => l.startsWith("podpin: "));
    assert.equal(lines.length, 1, run.stderr);
    assert.match(lines[0], pattern);
    assert.doesNotMatch(run.stderr, /\n\s+at /, "no stack trace");
  }
});

test("a truncated checkpoint stops the agent with the kubelet's message, exit 2", async (t) => {
  const dir = agentScratchDir(t);
  const first = await startAgentProcess(agentArgs(dir));
  t.after(() => killAgentProcess(first));
  await call({ socketPath: join(dir, "agent.sock") }, "POST", "/v1/pods", { body: DATABASE });
  first.child.kill("SIGTERM");
  await first.exited;
  const file = join(dir, "state", "cpu_manager_state");
  writeFileSync(file, readFileSync(file, "utf8").slice(0, 100), "utf8");
  const run = await podpin(["agent", ...agentArgs(dir)]);
  assert.equal(run.code, 2, run.stderr);
  assert.match(
    run.stderr,
    /^podpin: could not restore state from checkpoint: .*, please drain this node and delete the CPU manager checkpoint file ".*cpu_manager_state" before restarting Kubelet$/m,
  );
  assert.doesNotMatch(run.stderr, /\n\s+at /);
});
