import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { DATABASE_POD, EXAMPLES } from "../../cli/cli.test-support.js";
import { workedExampleConfig } from "../../node/test-support.js";
import { call, guaranteedPod, startTestAgent, TEST_TOKEN } from "./agent.test-support.js";
import { ensurePrometheus, eventually, PROMTOOL, startPrometheus } from "./prometheus.test-support.js";

const PODS = [
  readFileSync(DATABASE_POD, "utf8"),
  readFileSync(join(EXAMPLES, "too-big-database.yaml"), "utf8"),
  guaranteedPod("classic", "2", "2Gi"),
];

/** promtool's verdict on a metrics text: exit code and its findings, one per line. */
function promtool(text: string): { code: number | null; findings: string[] } {
  const r = spawnSync(PROMTOOL, ["check", "metrics"], { input: text, encoding: "utf8" });
  if (r.error) throw r.error;
  return { code: r.status, findings: `${r.stdout}${r.stderr}`.split("\n").filter((l) => l.trim() !== "") };
}

/**
 * The kubelet's own names break three of promtool's naming conventions (counters without
 * `_total`, `_count` on plain metrics, a `_ms` unit); dashboards depend on these names, so the
 * agent keeps them. Anything else promtool reports is a real problem.
 */
const KUBELET_NAMING_LINTS =
  /^\S+ (counter metrics should have "_total" suffix|non-histogram and non-summary metrics should not have "_count" suffix|metric names should not contain abbreviated units)$/;

for (const version of ["1.36", "1.37"] as const) {
  test(`promtool check metrics accepts /metrics with the kubelet's ${version} names`, async (t) => {
    const missing = ensurePrometheus();
    assert.equal(missing, null, missing ?? "");
    const { unix } = await startTestAgent(t, {
      config: workedExampleConfig("pod", { kubernetesVersion: version }),
    });
    for (const body of PODS) assert.equal((await call(unix, "POST", "/v1/pods", { body })).status, 200);
    const text = (await call(unix, "GET", "/metrics")).body;

    const { code, findings } = promtool(text);
    assert.ok(code === 0 || code === 3, `promtool exit ${code}: ${findings.join("; ")}`);
    for (const f of findings) assert.match(f, KUBELET_NAMING_LINTS);

    const podLevel = version === "1.36" ? "resource_manager_" : "kubelet_resource_manager_";
    for (const name of [
      "kubelet_topology_manager_admission_requests_total",
      "kubelet_topology_manager_admission_errors_total",
      "kubelet_topology_manager_admission_duration_ms_bucket",
      "kubelet_cpu_manager_pinning_requests_total",
      "kubelet_memory_manager_pinning_requests_total",
      "kubelet_container_aligned_compute_resources_count",
      `${podLevel}allocations_total`,
      `${podLevel}container_assignments`,
    ])
      assert.match(text, new RegExp(`^${name}[{ ]`, "m"), `${name} in ${version}`);
    assert.match(
      text,
      new RegExp(`^# HELP ${podLevel}allocations_total \\[${version === "1.36" ? "ALPHA" : "BETA"}\\] `, "m"),
    );
    if (version === "1.36") assert.doesNotMatch(text, /^kubelet_resource_manager_/m);
  });
}

test("promtool refuses a broken exposition (the check above can fail)", () => {
  const missing = ensurePrometheus();
  assert.equal(missing, null, missing ?? "");
  const { code } = promtool('kubelet_cpu_manager_pinning_requests_total{a="1" 1\n');
  assert.equal(code, 1);
});

test("a real Prometheus scrapes the TCP listener with the bearer token and serves the kubelet-named series", async (t) => {
  const missing = ensurePrometheus();
  assert.equal(missing, null, missing ?? "");
  const { tcp } = await startTestAgent(t, { tcp: true });
  assert.ok(tcp);
  for (const body of PODS) await call(tcp, "POST", "/v1/pods", { body, token: TEST_TOKEN });

  const dir = mkdtempSync(join(tmpdir(), "podpin-prometheus-token-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const tokenFile = join(dir, "token");
  writeFileSync(tokenFile, `${TEST_TOKEN}\n`, { mode: 0o600 });
  const prometheus = await startPrometheus([
    { name: "podpin-agent", port: tcp.port, tokenFile },
    { name: "no-token", port: tcp.port },
  ]);
  t.after(() => prometheus.stop());

  const requests = await eventually("kubelet_topology_manager_admission_requests_total", 45_000, async () => {
    const r = await prometheus.query('kubelet_topology_manager_admission_requests_total{job="podpin-agent"}');
    return r.length > 0 ? r : undefined;
  });
  assert.equal(requests[0].value[1], "3");
  const allocations = await prometheus.query(
    'kubelet_resource_manager_allocations_total{job="podpin-agent"}',
  );
  assert.deepEqual(allocations.map((s) => [s.metric.resource_name, s.metric.source, s.value[1]]).sort(), [
    ["cpu", "node", "1"],
    ["cpu", "pod", "3"],
    ["memory", "node", "1"],
    ["memory", "pod", "3"],
  ]);

  const targets = await eventually("both targets scraped", 15_000, async () => {
    const ts = await prometheus.targets();
    return ts.every((x) => x.health !== "unknown") && ts.length === 2 ? ts : undefined;
  });
  const noToken = targets.find((x) => x.labels.job === "no-token");
  assert.equal(noToken?.health, "down", "the agent refused the scrape without a token");
  assert.match(noToken?.lastError ?? "", /401/);
  assert.equal(targets.find((x) => x.labels.job === "podpin-agent")?.health, "up");
});
