import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { podpin } from "../../cli/cli.process.test-support.js";
import { DATABASE_POD, EXAMPLES, POD_SCOPE_CONFIG } from "../../cli/cli.test-support.js";
import { snapshotNode } from "../../node/test-support.js";
import { call, guaranteedPod, json, startTestAgent, TEST_TOKEN } from "./agent.test-support.js";

const DATABASE = readFileSync(DATABASE_POD, "utf8");
const TOO_BIG = readFileSync(join(EXAMPLES, "too-big-database.yaml"), "utf8");
const BAD_QUANTITY = `apiVersion: v1
kind: Pod
metadata: {name: bad, namespace: default}
spec:
  containers:
    - name: main
      resources: {limits: {cpu: 2x}}
`;

/** The database pod on the worked example, pod scope: what the agent's answers are compared with. */
const SIMULATE_DATABASE = [
  "simulate",
  "-c",
  POD_SCOPE_CONFIG,
  "-m",
  "worked-example",
  DATABASE_POD,
  "-o",
  "json",
];

/** What `podpin <args>` prints as JSON (the CLI as a user runs it). */
async function cliJSON(args: string[]): Promise<Record<string, unknown>> {
  const run = await podpin(args);
  assert.ok(run.code === 0 || run.code === 1, `podpin ${args.join(" ")}: exit ${run.code}: ${run.stderr}`);
  return JSON.parse(run.stdout) as Record<string, unknown>;
}

test("POST /v1/pods answers exactly the admit step of `simulate -o json`, and GET shows the pod", async (t) => {
  const { unix, state } = await startTestAgent(t);
  const answer = await call(unix, "POST", "/v1/pods", { body: DATABASE });
  assert.equal(answer.status, 200, answer.body);
  assert.match(String(answer.headers["content-type"]), /^application\/json/);
  const decision = json(answer);
  const simulated = await cliJSON(SIMULATE_DATABASE);
  assert.deepEqual(decision, (simulated.steps as unknown[])[0]);
  assert.equal(decision.admitted, true);
  assert.deepEqual(
    state.ops.map((o) => o.kind),
    ["admit"],
    "the admission was committed before the answer",
  );

  const list = json<{ kind: string; items: { pod: { uid: string }; containers: unknown }[] }>(
    await call(unix, "GET", "/v1/pods"),
  );
  assert.equal(list.kind, "PodList");
  assert.deepEqual(
    list.items.map((p) => p.pod.uid),
    ["uid-db"],
  );
  const one = json<{ object: { metadata: { name: string } }; containers: unknown; bubble: string }>(
    await call(unix, "GET", "/v1/pods/uid-db"),
  );
  assert.equal(one.object.metadata.name, "tightly-coupled-database", "the object as sent");
  assert.deepEqual(one.containers, decision.containers, "the live decisions equal the admission's answer");
  assert.equal(one.bubble, decision.bubble);
});

test("a pod sent as JSON is read like the same pod in YAML", async (t) => {
  const { unix } = await startTestAgent(t);
  const pod = {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: "web", namespace: "default", uid: "uid-web" },
    spec: { containers: [{ name: "main", resources: { limits: { cpu: "2", memory: "1Gi" } } }] },
  };
  const answer = await call(unix, "POST", "/v1/pods", {
    body: JSON.stringify(pod),
    contentType: "application/json; charset=utf-8",
  });
  assert.equal(answer.status, 200, answer.body);
  const doc = json<{ admitted: boolean; containers: { cpus: string; nodeSharedPool: boolean }[] }>(answer);
  assert.equal(doc.admitted, true);
  assert.equal(
    doc.containers[0].nodeSharedPool,
    false,
    "a Guaranteed integer-CPU container gets its own CPUs",
  );
});

test("invalid pods get the CLI's one-line error with 400 and change nothing", async (t) => {
  const { unix, state } = await startTestAgent(t);
  assert.equal((await call(unix, "POST", "/v1/pods", { body: DATABASE })).status, 200);
  const before = {
    node: snapshotNode(state.node),
    metrics: state.node.metrics.snapshot(),
    ops: state.ops.length,
  };

  const dir = mkdtempSync(join(tmpdir(), "podpin-agent-bad-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, "bad.yaml");
  writeFileSync(file, BAD_QUANTITY);
  const cli = await podpin(["simulate", "-c", POD_SCOPE_CONFIG, file]);
  assert.equal(cli.code, 2);
  const cliMessage = cli.stderr
    .trim()
    .split("\n")
    .find((l) => l.includes("2x"));
  assert.ok(cliMessage, cli.stderr);

  const answer = await call(unix, "POST", "/v1/pods", { body: BAD_QUANTITY });
  assert.equal(answer.status, 400);
  const { error } = json<{ error: string }>(answer);
  assert.equal(`podpin: ${error.replace("<request body>", file)}`, cliMessage);

  for (const [body, pattern] of [
    ["", /expected exactly one Pod, found no pod/],
    ["kind: Pod\nmetadata: {name: [1,\n", /invalid YAML|<request body>:/],
    [`${DATABASE}\n---\n${guaranteedPod("other", "1", "1Gi")}`, /expected exactly one Pod, found 2 pods/],
    [readFileSync(join(EXAMPLES, "ml-workload.yaml"), "utf8"), /<request body>/],
    [
      "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec: {selector: {matchLabels: {a: b}}, template: {metadata: {labels: {a: b}}, spec: {containers: [{name: c}]}}}\n",
      /not workloads/,
    ],
  ] as const) {
    const r = await call(unix, "POST", "/v1/pods", { body });
    if (body.includes("ml-workload")) {
      // The blog's ML pod is valid: it is admitted or rejected, never a 400.
      assert.equal(r.status, 200, r.body);
      continue;
    }
    assert.equal(r.status, 400, `${body.slice(0, 40)}: ${r.body}`);
    assert.match(json<{ error: string }>(r).error, pattern);
    assert.doesNotMatch(r.body, /\n./, "one line");
  }
  // The ML pod was a real admission; compare everything else against the state before it.
  assert.equal(state.ops.length, before.ops + 1);
  const dup = await call(unix, "POST", "/v1/pods", { body: DATABASE });
  assert.equal(dup.status, 409, "the same uid again");
  assert.match(json<{ error: string }>(dup).error, /already admitted/);
  assert.equal(state.ops.length, before.ops + 1, "the duplicate committed nothing");
});

test("an invalid pod leaves state, metrics and the commit log exactly as they were", async (t) => {
  const { unix, state } = await startTestAgent(t);
  await call(unix, "POST", "/v1/pods", { body: DATABASE });
  const before = {
    node: snapshotNode(state.node),
    metrics: state.node.metrics.snapshot(),
    ops: state.ops.length,
  };
  for (const body of [
    BAD_QUANTITY,
    "spec: {}\n",
    DATABASE.replace("name: tightly-coupled-database", "name: UPPER"),
  ]) {
    const r = await call(unix, "POST", "/v1/pods", { body });
    assert.equal(r.status, 400, r.body);
  }
  assert.equal((await call(unix, "POST", "/v1/pods", { body: DATABASE })).status, 409);
  assert.deepEqual(snapshotNode(state.node), before.node);
  assert.deepEqual(state.node.metrics.snapshot(), before.metrics);
  assert.equal(state.ops.length, before.ops);
});

test("a rejection is answered 200 with admitted: false and committed", async (t) => {
  const { unix, state } = await startTestAgent(t);
  const answer = await call(unix, "POST", "/v1/pods", { body: TOO_BIG });
  assert.equal(answer.status, 200);
  const doc = json<{ admitted: boolean; reason: string; status: string }>(answer);
  assert.equal(doc.admitted, false);
  assert.equal(doc.reason, "TopologyAffinityError");
  assert.match(doc.status, /^Pod was rejected: /);
  const last = state.ops.at(-1);
  assert.ok(last?.kind === "admit", "the rejection was committed (it can leave state behind)");
  assert.equal(last.admitted, false);
  assert.equal((last.pod as { metadata: { name: string } }).metadata.name, "big-db", "the object as sent");
  assert.equal((await call(unix, "GET", "/v1/pods")).body.includes("big-db"), false, "not admitted");
});

test("DELETE removes pods and containers; unknown ones are 404 and change nothing", async (t) => {
  const { unix, state } = await startTestAgent(t);
  await call(unix, "POST", "/v1/pods", { body: DATABASE });
  const freeBefore = json<{ node: { defaultCpuSet: string } }>(await call(unix, "GET", "/v1/node")).node
    .defaultCpuSet;

  const c = await call(unix, "DELETE", "/v1/pods/uid-db/containers/nope");
  assert.equal(c.status, 404);
  assert.match(json<{ error: string }>(c).error, /no container named "nope"/);
  const opsBefore = state.ops.length;
  const rc = await call(unix, "DELETE", "/v1/pods/uid-db/containers/database");
  assert.equal(rc.status, 200, rc.body);
  assert.deepEqual(
    { ...json<Record<string, unknown>>(rc), defaultCpuSet: undefined },
    {
      op: "removeContainer",
      pod: { namespace: "default", name: "tightly-coupled-database", uid: "uid-db" },
      container: "database",
      defaultCpuSet: undefined,
    },
  );
  assert.deepEqual(state.ops.at(-1), { kind: "removeContainer", podUID: "uid-db", container: "database" });
  assert.equal(state.ops.length, opsBefore + 1);

  const r = await call(unix, "DELETE", "/v1/pods/uid-db");
  assert.equal(r.status, 200, r.body);
  const removed = json<{ op: string; removed: boolean; defaultCpuSet: string }>(r);
  assert.equal(removed.op, "remove");
  assert.equal(removed.removed, true);
  assert.notEqual(removed.defaultCpuSet, freeBefore, "the CPUs went back to the shared pool");
  assert.deepEqual(state.ops.at(-1), { kind: "remove", podUID: "uid-db" });

  const ops = state.ops.length;
  assert.equal((await call(unix, "DELETE", "/v1/pods/uid-db")).status, 404);
  assert.equal((await call(unix, "GET", "/v1/pods/uid-db")).status, 404);
  assert.equal((await call(unix, "DELETE", "/v1/pods/a%2Fb")).status, 404);
  assert.equal((await call(unix, "DELETE", "/v1/pods/%E0%A4%A")).status, 400, "bad percent-encoding");
  assert.equal(state.ops.length, ops);
});

test("GET /v1/node shows the node section of simulate -o json", async (t) => {
  const { unix } = await startTestAgent(t);
  await call(unix, "POST", "/v1/pods", { body: DATABASE });
  const doc = json<{ kind: string; kubernetesVersion: string; node: unknown; machine: { name: string } }>(
    await call(unix, "GET", "/v1/node"),
  );
  const simulated = await cliJSON(SIMULATE_DATABASE);
  assert.equal(doc.kind, "Node");
  assert.equal(doc.kubernetesVersion, "1.37");
  assert.equal(doc.machine.name, (simulated.machine as { name: string }).name);
  assert.deepEqual(doc.node, simulated.node);
});

test("POST /v1/explain answers as `podpin explain -o json` and changes neither state nor metrics", async (t) => {
  const { unix, state } = await startTestAgent(t);
  const before = { node: snapshotNode(state.node), metrics: state.node.metrics.snapshot() };
  const answer = await call(unix, "POST", "/v1/explain", { body: TOO_BIG });
  assert.equal(answer.status, 200, answer.body);
  const doc = json<{ kind: string; decision: { admitted: boolean }; fit: unknown }>(answer);
  const cli = await cliJSON([
    "explain",
    "-c",
    POD_SCOPE_CONFIG,
    "-m",
    "worked-example",
    join(EXAMPLES, "too-big-database.yaml"),
    "-o",
    "json",
  ]);
  assert.deepEqual(doc, cli);
  assert.equal(doc.decision.admitted, false);
  assert.ok(doc.fit, "a rejection says what would fit");
  assert.deepEqual(snapshotNode(state.node), before.node);
  assert.deepEqual(state.node.metrics.snapshot(), before.metrics);
  assert.equal(state.ops.length, 0, "nothing committed");
  assert.equal((await call(unix, "GET", "/v1/pods")).body.includes("big-db"), false);

  // Explaining an admitted pod again is the duplicate admission it would be.
  await call(unix, "POST", "/v1/pods", { body: DATABASE });
  assert.equal((await call(unix, "POST", "/v1/explain", { body: DATABASE })).status, 409);
});

test("metrics, health, readiness and the live picture", async (t) => {
  const { unix } = await startTestAgent(t);
  await call(unix, "POST", "/v1/pods", { body: DATABASE });
  const metrics = await call(unix, "GET", "/metrics");
  assert.equal(metrics.status, 200);
  assert.equal(metrics.headers["content-type"], "text/plain; version=0.0.4; charset=utf-8");
  assert.match(metrics.body, /^kubelet_topology_manager_admission_requests_total 1$/m);
  assert.match(
    metrics.body,
    /^kubelet_resource_manager_allocations_total\{resource_name="cpu",source="pod"\} 3$/m,
  );
  assert.match(
    metrics.body,
    /^kubelet_topology_manager_admission_duration_ms_count 1$/m,
    "every admission is timed",
  );

  assert.deepEqual(
    [(await call(unix, "GET", "/healthz")).status, (await call(unix, "GET", "/readyz")).status],
    [200, 200],
  );
  const page = await call(unix, "GET", "/");
  assert.equal(page.status, 200);
  assert.match(String(page.headers["content-type"]), /^text\/html/);
  assert.match(page.body, /<meta http-equiv="refresh" content="5">/);
  assert.match(page.body, /tightly-coupled-database/);
  assert.match(String(page.headers["content-security-policy"]), /default-src 'none'/);
});

test("unknown routes are 404, wrong methods 405 with Allow, other media types 415", async (t) => {
  const { unix, state } = await startTestAgent(t);
  const notFound = await call(unix, "GET", "/v2/pods");
  assert.equal(notFound.status, 404);
  assert.match(json<{ error: string }>(notFound).error, /no such endpoint/);
  const wrong = await call(unix, "PUT", "/v1/pods");
  assert.equal(wrong.status, 405);
  assert.equal(wrong.headers.allow, "GET, POST");
  assert.equal((await call(unix, "POST", "/metrics")).headers.allow, "GET");
  assert.equal((await call(unix, "GET", "/v1/pods/x/containers/y")).headers.allow, "DELETE");
  const media = await call(unix, "POST", "/v1/pods", {
    body: DATABASE,
    contentType: "application/x-www-form-urlencoded",
  });
  assert.equal(media.status, 415);
  assert.match(json<{ error: string }>(media).error, /application\/json or application\/yaml/);
  assert.equal(state.ops.length, 0);
});

test("the TCP listener serves the same API with the bearer token; one log line per request", async (t) => {
  const { tcp, log } = await startTestAgent(t, { tcp: true });
  assert.ok(tcp);
  const answer = await call(tcp, "POST", "/v1/pods", { body: DATABASE, token: TEST_TOKEN });
  assert.equal(answer.status, 200, answer.body);
  const list = await call(tcp, "GET", "/v1/pods", { token: TEST_TOKEN });
  assert.match(list.body, /uid-db/);
  const lines = log.lines.filter((l) => l.includes("msg=request") && l.includes("listener=tcp://"));
  assert.equal(lines.length, 2);
  assert.match(
    lines[0],
    /method=POST path=\/v1\/pods status=200 .*op=admit pod=default\/tightly-coupled-database uid=uid-db admitted=true/,
  );
  assert.ok(log.lines.every((l) => !l.includes("\n")));
});
