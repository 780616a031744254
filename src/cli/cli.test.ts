/**
 * The podpin command as a user runs it: real child processes, their stdout, stderr and exit code
 * (0 every pod admitted, 1 any rejected, 2 bad input). Each process costs about a second, so the
 * finer points of each output form are tested through the exported functions in simulate.test.ts
 * and explain.test.ts; this file covers what only a process shows.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { parse as parseYAML } from "yaml";
import { loadMachine } from "../machine/index.js";
import type { AdmitStepDoc, ExplainDoc, RemoveStepDoc, SimulationDoc } from "../report/index.js";
import {
  assertCPUs,
  assertDatabaseDecision,
  assertMLDecision,
  CONTAINER_SCOPE_CONFIG,
  DATABASE_POD,
  EMPTY_SHARED_POOL_MESSAGE,
  type Fixtures,
  ML_POD,
  POD_SCOPE_CONFIG,
  ROOT,
  writeFixtures,
} from "./cli.test-support.js";
import { simulate } from "./simulate.js";
import { TSX_LOADER } from "./cli.process.test-support.js";
import { topologyOutput } from "./topology.js";

const MAIN = join(ROOT, "src/cli/main.ts");
const TIMEOUT_MS = 60_000;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `podpin <args>` as a child process (through tsx, as `npx tsx src/cli/main.ts` does). */
function podpin(args: string[], opts: { stdin?: string; cwd?: string } = {}): Promise<Run> {
  const entry = ["--import", TSX_LOADER, MAIN];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...entry, ...args], {
      cwd: opts.cwd ?? ROOT,
      timeout: TIMEOUT_MS,
      env: { ...process.env, NO_COLOR: "1" },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(opts.stdin ?? "");
  });
}

/** A bad-input failure: exit code 2 and exactly one `podpin: ...` line, no stack trace. */
function assertUsageError(r: Run, ...fragments: string[]): void {
  assert.equal(r.code, 2, `exit code 2, got ${r.code}; stderr: ${r.stderr}`);
  assert.equal(r.stdout, "");
  const lines = r.stderr.split("\n").filter((l) => l !== "");
  assert.equal(lines.length, 1, `one line on stderr, got:\n${r.stderr}`);
  assert.match(lines[0], /^podpin: /);
  assert.doesNotMatch(r.stderr, /\n\s+at |internal error/);
  for (const f of fragments) assert.ok(lines[0].includes(f), `"${f}" in: ${lines[0]}`);
}

function admitSteps(doc: SimulationDoc): AdmitStepDoc[] {
  return doc.steps.filter((s): s is AdmitStepDoc => s.op === "admit");
}

const SYSFS_CPUS = "/sys/devices/system/cpu";

describe("podpin (child processes)", { timeout: 300_000 }, () => {
  let fx: Fixtures;
  before(() => {
    fx = writeFixtures();
  });
  after(() => rmSync(fx.dir, { recursive: true, force: true }));

  describe("simulate", { concurrency: 4 }, () => {
    it("-o table (default): the §7.1 decisions, exit 0", async () => {
      const r = await podpin(["simulate", "--config", POD_SCOPE_CONFIG, DATABASE_POD]);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stderr, "");
      assert.match(
        r.stdout,
        /^ADMITTED {2}default\/tightly-coupled-database {2}\(pod scope, pod-level resources\)/,
      );
      assert.match(r.stdout, /database +app +pod exclusive +1-3,17-19 +0 +0 +12Gi @0 +max \(-1\)/);
      assert.match(r.stdout, /metrics-exporter +sidecar +pod shared +4,20 +0 +0 +4Gi @0/);
      assert.match(r.stdout, /backup-agent +sidecar +pod shared +4,20 /);
      assert.match(r.stdout, /pod bubble: +1-4,17-20\n/);
      assert.match(r.stdout, /pod shared pool: +4,20\n/);
      assert.match(r.stdout, /pod cpu quota: +800000 per 100000 us/);
      assert.match(r.stdout, /default CPU set 0,5-16,21-31, reserved 0,16/);
    });

    it("-o json: a Simulation document with the decisions and the checkpoint files", async () => {
      const r = await podpin(["simulate", "-c", POD_SCOPE_CONFIG, DATABASE_POD, "-o", "json"]);
      assert.equal(r.code, 0, r.stderr);
      const doc = JSON.parse(r.stdout) as SimulationDoc;
      assert.equal(doc.kind, "Simulation");
      assert.equal(doc.apiVersion, "podpin/v1");
      assert.equal(doc.kubernetesVersion, "1.37");
      assert.equal(doc.machine.name, "worked-example");
      assertDatabaseDecision(admitSteps(doc)[0]);
      assertCPUs(doc.node.defaultCpuSet, "0,5-16,21-31", "default CPU set");
      const cpu = JSON.parse(doc.state.cpuManagerCheckpoint ?? "null");
      assertCPUs(cpu.defaultCpuSet, "0,5-16,21-31", "checkpoint defaultCpuSet");
      assert.deepEqual(cpu.entries, {
        "uid-db": { "backup-agent": "4,20", database: "1-3,17-19", "metrics-exporter": "4,20" },
      });
      assert.deepEqual(cpu.podEntries, { "uid-db": { cpuSet: "1-4,17-20" } });
      assert.ok(doc.state.memoryManagerCheckpoint?.includes('"policyName":"Static"'));
    });

    it("-o yaml: the §7.2 decisions of the container-scope pod", async () => {
      const r = await podpin(["simulate", "-c", CONTAINER_SCOPE_CONFIG, ML_POD, "-o", "yaml"]);
      assert.equal(r.code, 0, r.stderr);
      const doc = parseYAML(r.stdout) as SimulationDoc;
      assert.equal(doc.kind, "Simulation");
      assertMLDecision(admitSteps(doc)[0]);
    });

    it("--metrics: Prometheus text with the 1.37 kubelet_resource_manager_* names", async () => {
      const r = await podpin(["simulate", "-c", POD_SCOPE_CONFIG, DATABASE_POD, "--metrics"]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /^ADMITTED/, "the table comes first");
      const m = r.stdout;
      assert.match(m, /^# TYPE kubelet_resource_manager_allocations_total counter$/m);
      assert.match(m, /^# HELP kubelet_resource_manager_allocations_total \[BETA\] /m);
      assert.match(m, /^kubelet_resource_manager_allocations_total\{resource_name="cpu",source="pod"\} 3$/m);
      assert.match(
        m,
        /^kubelet_resource_manager_allocations_total\{resource_name="memory",source="pod"\} 3$/m,
      );
      assert.match(
        m,
        /^kubelet_resource_manager_container_assignments\{resource_name="cpu",assignment_type="pod_exclusive"\} 1$/m,
      );
      assert.match(
        m,
        /^kubelet_resource_manager_container_assignments\{resource_name="cpu",assignment_type="pod_shared"\} 2$/m,
      );
      assert.match(m, /^kubelet_cpu_manager_exclusive_cpu_allocation_count 8$/m);
      assert.match(m, /^kubelet_cpu_manager_shared_pool_size_millicores 22000$/m);
      assert.match(m, /^kubelet_memory_manager_pinning_requests_total 4$/m);
      assert.match(m, /^kubelet_topology_manager_admission_requests_total 1$/m);
      assert.match(
        m,
        /^kubelet_container_aligned_compute_resources_count\{scope="pod",boundary="numa_node"\} 1$/m,
      );
      assert.doesNotMatch(m, /^resource_manager_/m);
    });

    it("--metrics --kubernetes-version 1.36: the unprefixed ALPHA resource_manager_* names", async () => {
      const r = await podpin([
        "simulate",
        "-c",
        POD_SCOPE_CONFIG,
        DATABASE_POD,
        "--metrics",
        "--kubernetes-version",
        "1.36",
      ]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /^# HELP resource_manager_allocations_total \[ALPHA\] /m);
      assert.match(r.stdout, /^resource_manager_allocations_total\{resource_name="cpu",source="pod"\} 3$/m);
      assert.match(
        r.stdout,
        /^resource_manager_container_assignments\{resource_name="memory",assignment_type="pod_shared"\} 2$/m,
      );
      assert.doesNotMatch(r.stdout, /kubelet_resource_manager_/);
      // The older metrics keep their kubelet_ prefix in both versions.
      assert.match(r.stdout, /^kubelet_cpu_manager_pinning_requests_total 1$/m);
    });

    it("--html: writes a self-contained report and names it on stderr", async () => {
      const file = join(fx.dir, "report.html");
      const r = await podpin(["simulate", "-c", POD_SCOPE_CONFIG, DATABASE_POD, ML_POD, "--html", file]);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stderr, `podpin: wrote ${file}\n`);
      const html = readFileSync(file, "utf8");
      assert.match(html, /^<!DOCTYPE html>/i);
      assert.match(html, /<svg[^>]*class="[^"]*podpin-machine/);
      assert.equal(html.match(/data-cpu="/g)?.length, 32, "one element per CPU");
      assert.ok(html.includes("tightly-coupled-database") && html.includes("ml-workload"));
      // Self-contained: nothing fetched, every url() a fragment of the page itself.
      assert.doesNotMatch(html, /\s(src|href)="(?!#)/);
      assert.doesNotMatch(html, /@import|url\((?!#)/);
    });

    it("--steps: admit, remove, admit again gets the same CPUs back", async () => {
      const r = await podpin(["simulate", "-c", POD_SCOPE_CONFIG, "--steps", fx.steps, "-o", "json"]);
      assert.equal(r.code, 0, r.stderr);
      const doc = JSON.parse(r.stdout) as SimulationDoc;
      assert.deepEqual(
        doc.steps.map((s) => `${s.op} ${"pod" in s ? s.pod.name : s.resource}`),
        ["admit tightly-coupled-database", "remove tightly-coupled-database", "admit database-2"],
      );
      const [first, removal, again] = doc.steps as [AdmitStepDoc, RemoveStepDoc, AdmitStepDoc];
      assertDatabaseDecision(first);
      assert.equal(removal.removed, true);
      assertCPUs(removal.defaultCpuSet, "0-31", "default set after the removal");
      assertDatabaseDecision(again);
    });

    it("a directory: its pod files in name order, other files ignored", async () => {
      const r = await podpin(["simulate", "-c", POD_SCOPE_CONFIG, fx.blogDir, "-o", "json"]);
      assert.equal(r.code, 0, r.stderr);
      const steps = admitSteps(JSON.parse(r.stdout) as SimulationDoc);
      assert.deepEqual(
        steps.map((s) => s.pod.name),
        ["tightly-coupled-database", "ml-workload"],
      );
      assertDatabaseDecision(steps[0]);
      assert.equal(steps[1].admitted, true);
    });

    it("- reads the pods from standard input", async () => {
      const r = await podpin(["simulate", "-c", CONTAINER_SCOPE_CONFIG, "-", "-o", "json"], {
        stdin: readFileSync(ML_POD, "utf8"),
      });
      assert.equal(r.code, 0, r.stderr);
      assertMLDecision(admitSteps(JSON.parse(r.stdout) as SimulationDoc)[0]);
    });

    it("--feature-gates overrides the config: gates off -> admitted, nothing pinned", async () => {
      const r = await podpin([
        "simulate",
        "-c",
        POD_SCOPE_CONFIG,
        "--feature-gates",
        "PodLevelResourceManagers=false",
        DATABASE_POD,
        "-o",
        "json",
      ]);
      assert.equal(r.code, 0, r.stderr);
      const doc = JSON.parse(r.stdout) as SimulationDoc;
      assert.equal(doc.kubelet.featureGates.PodLevelResourceManagers, false);
      assert.equal(doc.kubelet.featureGates.PodLevelResources, true);
      const step = admitSteps(doc)[0];
      assert.equal(step.admitted, true);
      assert.equal(step.bubble, null);
      for (const c of step.containers ?? []) {
        assert.equal(c.nodeSharedPool, true, c.name);
        assert.equal(c.memory, null, c.name);
      }
      assertCPUs(doc.node.defaultCpuSet, "0-31", "nothing taken from the default set");
    });

    it("--machine this: the machine podpin runs on", async (t) => {
      if (!existsSync(SYSFS_CPUS)) return t.skip(`${SYSFS_CPUS} is not available here`);
      // The kubelet's defaults (every manager off) leave only node allocatable to decide: the pod
      // fits a large machine, and a small one refuses it in the predicate handler.
      const r = await podpin(["simulate", "--machine", "this", ML_POD, "-o", "json"]);
      assert.ok(r.code === 0 || r.code === 1, r.stderr);
      const doc = JSON.parse(r.stdout) as SimulationDoc;
      assert.ok(doc.machine.cpus >= 1);
      const step = admitSteps(doc)[0];
      assert.equal(step.admitted, r.code === 0);
      if (!step.admitted) {
        assert.equal(step.rejectedBy, "predicate");
        assert.match(step.reason ?? "", /^OutOf/);
      }
    });

    it("--machine <file>: a machine file gives the same decisions as the preset", async () => {
      const file = join(fx.dir, "machine-m.yaml");
      writeFileSync(file, topologyOutput(loadMachine("worked-example"), "yaml"));
      const r = await podpin([
        "simulate",
        "-c",
        POD_SCOPE_CONFIG,
        "--machine",
        file,
        DATABASE_POD,
        "-o",
        "json",
      ]);
      assert.equal(r.code, 0, r.stderr);
      assertDatabaseDecision(admitSteps(JSON.parse(r.stdout) as SimulationDoc)[0]);
    });

    it("a rejected pod: exit 1, the reason and the kubelet's message (§7.3 empty-shared-pool)", async () => {
      const r = await podpin(["simulate", "-c", POD_SCOPE_CONFIG, fx.emptySharedPool]);
      assert.equal(r.code, 1, r.stderr);
      assert.equal(r.stderr, "");
      assert.match(r.stdout, /^REJECTED {2}default\/empty-shared-pool {2}reason=TopologyAffinityError\n/);
      assert.ok(r.stdout.includes(`\n  Pod was rejected: ${EMPTY_SHARED_POOL_MESSAGE}\n`));
    });
  });

  describe("bad input: exit 2, one line naming the file and field", { concurrency: 4 }, () => {
    it("invalid YAML", async () => {
      assertUsageError(await podpin(["simulate", fx.badYaml]), `${fx.badYaml}:`, "invalid YAML");
    });

    it("an unknown field, with a suggestion", async () => {
      assertUsageError(
        await podpin(["simulate", fx.unknownField]),
        `${fx.unknownField}:8: spec.containers[0].resourcez: unknown field "resourcez"`,
        'did you mean "resources"?',
      );
    });

    it("a missing pod file", async () => {
      const missing = join(fx.dir, "missing.yaml");
      assertUsageError(await podpin(["simulate", missing]), `cannot read ${missing}: no such file`);
    });

    it("an unknown machine preset", async () => {
      assertUsageError(
        await podpin(["simulate", "--machine", "no-such-machine", ML_POD]),
        "no-such-machine: unknown machine",
      );
    });

    it("an unsupported --kubernetes-version", async () => {
      assertUsageError(
        await podpin(["explain", "--kubernetes-version", "1.35", ML_POD]),
        "--kubernetes-version: ",
        "1.35",
        "1.36, 1.37",
      );
    });

    it("an unknown command", async () => {
      assertUsageError(await podpin(["simulat"]), "unknown command 'simulat'", "Did you mean simulate?");
    });
  });

  describe("explain", { concurrency: 4 }, () => {
    /** `podpin simulate -o json` after the database pod (the simulate tests above run it as a process). */
    let afterDatabase: string;
    before(async () => {
      afterDatabase = join(fx.dir, "after-database.json");
      const run = await simulate([DATABASE_POD], {
        config: POD_SCOPE_CONFIG,
        machine: "worked-example",
        output: "json",
      });
      writeFileSync(afterDatabase, run.stdout);
    });

    it("an admitted pod as a table: hints per container, the merge, the decision; exit 0", async () => {
      const r = await podpin(["explain", "-c", CONTAINER_SCOPE_CONFIG, ML_POD]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(
        r.stdout,
        /^ADMITTED {2}default\/ml-workload {2}\(topologyManagerPolicy single-numa-node, scope container/,
      );
      assert.match(r.stdout, /HINTS {2}for container ml-training\n/);
      assert.match(r.stdout, /cpu +cpu +\{0\} preferred {2}\{1\} preferred {2}\{0,1\}\n/);
      assert.match(r.stdout, /merged: \{0\} preferred -> admit/);
      assert.match(r.stdout, /ml-training +app +node exclusive +1-2,17 /);
      assert.doesNotMatch(r.stdout, /WHAT WOULD FIT/);
    });

    it("a rejected pod on the state of a simulate -o json output: exit 1 and what would fit", async () => {
      const r = await podpin([
        "explain",
        "-c",
        POD_SCOPE_CONFIG,
        "--state",
        afterDatabase,
        fx.tooBig,
        "-o",
        "json",
      ]);
      assert.equal(r.code, 1, r.stderr);
      const doc = JSON.parse(r.stdout) as ExplainDoc;
      assert.equal(doc.kind, "Explanation");
      assert.equal(doc.decision.admitted, false);
      assert.equal(doc.decision.reason, "TopologyAffinityError");
      assert.ok(doc.fit, "a rejection explains what would fit");
      const [numa0, numa1] = doc.fit.numaNodes;
      assertCPUs(numa0.freeCpuList, "5-7,21-23", "NUMA 0 free after the database");
      assert.deepEqual(numa0.holders, ["default/tightly-coupled-database"]);
      assert.equal(numa1.freeCpus, 16);
      assert.equal(doc.fit.requests.find((r) => r.resource === "cpu")?.below, 16000);
    });

    it("--state <kubelet state dir> -o yaml: the new pod's bubble avoids the restored one", async () => {
      const { state } = JSON.parse(readFileSync(afterDatabase, "utf8")) as SimulationDoc;
      const dir = join(fx.dir, "var-lib-kubelet");
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, "cpu_manager_state"), state.cpuManagerCheckpoint ?? "");
      writeFileSync(join(dir, "memory_manager_state"), state.memoryManagerCheckpoint ?? "");
      const r = await podpin(["explain", "-c", POD_SCOPE_CONFIG, "--state", dir, ML_POD, "-o", "yaml"]);
      assert.equal(r.code, 0, r.stderr);
      const doc = parseYAML(r.stdout) as ExplainDoc;
      assert.equal(doc.decision.admitted, true);
      assertCPUs(doc.decision.bubble, "5-6,21-22", "ml-workload bubble next to the database");
      assertCPUs(doc.decision.defaultCpuSet, "0,7-16,23-31", "default set without both bubbles");
    });
  });

  describe("topology, presets, demo, help", { concurrency: 4 }, () => {
    it("topology -o json: a machine file of the preset", async () => {
      const r = await podpin(["topology", "--machine", "worked-example", "-o", "json"]);
      assert.equal(r.code, 0, r.stderr);
      const doc = JSON.parse(r.stdout) as { name: string; cpus: unknown[] };
      assert.equal(doc.name, "worked-example");
      assert.equal(doc.cpus.length, 32);
    });

    it("presets -o yaml: every preset with its aliases", async () => {
      const r = await podpin(["presets", "-o", "yaml"]);
      assert.equal(r.code, 0, r.stderr);
      const list = parseYAML(r.stdout) as { name: string; aliases: string[] }[];
      const m = list.find((p) => p.name === "worked-example");
      assert.ok(m);
      assert.ok(m.aliases.includes("machine-m"));
    });

    it("demo (npm start): the §7.1 and §7.2 decisions and the HTML files it wrote", async () => {
      const out = join(fx.dir, "demo-out");
      const r = await podpin(["demo", "--out", out], { cwd: fx.dir });
      assert.equal(r.code, 0, r.stderr);
      const s = r.stdout;
      assert.match(s, /ADMITTED {2}default\/tightly-coupled-database {2}\(pod scope, pod-level resources\)/);
      assert.match(s, /database +app +pod exclusive +1-3,17-19 /);
      assert.match(s, /metrics-exporter +sidecar +pod shared +4,20 /);
      assert.match(s, /pod bubble: +1-4,17-20\n/);
      assert.match(s, /ADMITTED {2}default\/ml-workload {2}\(container scope\)/);
      assert.match(s, /ml-training +app +node exclusive +1-2,17 /);
      assert.match(s, /service-mesh-sidecar +sidecar +node shared +0,3-16,18-31 \(node shared pool\)/);
      assert.match(s, /REJECTED {2}default\/ml-workload {2}reason=UnexpectedAdmissionError/);
      for (const name of ["example-pod-scope.html", "example-container-scope.html"]) {
        assert.match(s, new RegExp(`^HTML report: demo-out/${name.replace(".", "\\.")}$`, "m"));
        assert.ok(existsSync(join(out, name)), `${name} written`);
      }
    });

    it("--help: exit 0 and the list of commands", async () => {
      const r = await podpin(["--help"]);
      assert.equal(r.code, 0, r.stderr);
      for (const cmd of ["simulate", "explain", "topology", "presets", "conformance", "demo"])
        assert.match(r.stdout, new RegExp(`^ {2}${cmd} `, "m"));
    });

    it("simulate --help: exit 0, the defaults and the exit codes", async () => {
      const r = await podpin(["simulate", "--help"]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /default: "worked-example"/);
      assert.match(r.stdout, /default: "table"/);
      assert.match(
        r.stdout,
        /Exit status: 0 when every pod was admitted, 1 when any was rejected, 2 on bad input/,
      );
    });
  });
});
