/**
 * `explain()` as a function: admitted and rejected pods in the three output forms, node state
 * from a `simulate` output (JSON or YAML) or a kubelet state directory, the behaviour notes and the
 * "what would fit" section.
 */
import assert from "node:assert/strict";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { parse as parseYAML } from "yaml";
import { CPU_CHECKPOINT_FILE, MEMORY_CHECKPOINT_FILE } from "../checkpoint/index.js";
import type { ExplainDoc, SimulationDoc } from "../report/index.js";
import {
  assertCPUs,
  assertDatabaseDecision,
  assertMLDecision,
  CONTAINER_SCOPE_CONFIG,
  DATABASE_POD,
  type Fixtures,
  GI,
  ML_1_36_MESSAGE,
  ML_POD,
  POD_SCOPE_CONFIG,
  writeFixtures,
} from "./cli.test-support.js";
import { isInputError } from "./errors.js";
import { type ExplainOptions, explain } from "./explain.js";
import { simulate } from "./simulate.js";

const podScope: ExplainOptions = { config: POD_SCOPE_CONFIG, machine: "worked-example", output: "json" };
const containerScope: ExplainOptions = { ...podScope, config: CONTAINER_SCOPE_CONFIG };

function explainDoc(pod: string, opts: ExplainOptions): { exitCode: number; doc: ExplainDoc } {
  const run = explain(pod, { ...opts, output: "json" });
  return { exitCode: run.exitCode, doc: JSON.parse(run.stdout) as ExplainDoc };
}

describe("explain()", () => {
  let fx: Fixtures;
  /** `podpin simulate -o json|yaml` after the database pod, and the same state as a kubelet directory. */
  let afterDatabase: { json: string; yaml: string; dir: string };

  before(async () => {
    fx = writeFixtures();
    const json = join(fx.dir, "after-database.json");
    const yaml = join(fx.dir, "after-database.yaml");
    const run = await simulate([DATABASE_POD], { ...podScope, output: "json" });
    writeFileSync(json, run.stdout);
    writeFileSync(yaml, (await simulate([DATABASE_POD], { ...podScope, output: "yaml" })).stdout);
    const { state } = JSON.parse(run.stdout) as SimulationDoc;
    const dir = join(fx.dir, "kubelet-state");
    mkdirSync(dir);
    writeFileSync(join(dir, CPU_CHECKPOINT_FILE), state.cpuManagerCheckpoint ?? "");
    writeFileSync(join(dir, MEMORY_CHECKPOINT_FILE), state.memoryManagerCheckpoint ?? "");
    afterDatabase = { json, yaml, dir };
  });
  after(() => rmSync(fx.dir, { recursive: true, force: true }));

  describe("an admitted pod", () => {
    it("json and yaml carry the same document, whose decision is simulate's", async () => {
      const json = explain(ML_POD, containerScope);
      const yaml = explain(ML_POD, { ...containerScope, output: "yaml" });
      assert.deepEqual([json.exitCode, yaml.exitCode], [0, 0]);
      const doc = JSON.parse(json.stdout) as ExplainDoc;
      assert.deepEqual(parseYAML(yaml.stdout), doc);
      assert.equal(doc.kind, "Explanation");
      assert.equal(doc.apiVersion, "podpin/v1");
      assert.deepEqual(
        [doc.policy, doc.scope, doc.kubernetesVersion],
        ["single-numa-node", "container", "1.37"],
      );
      assertMLDecision(doc.decision);
      const sim = JSON.parse(
        (await simulate([ML_POD], { ...containerScope, output: "json" })).stdout,
      ) as SimulationDoc;
      assert.deepEqual(doc.decision, sim.steps[0]);
      assert.equal(doc.fit, null, "nothing to fit for an admitted pod");
    });

    it("container scope: one merge per container, {0} wins for ml-training", () => {
      const { doc } = explainDoc(ML_POD, containerScope);
      assert.deepEqual(
        doc.merges.map((m) => m.container),
        ["service-mesh-sidecar", "ml-training"],
      );
      const train = doc.merges[1];
      assert.deepEqual(
        train.providers.map((p) => p.provider),
        ["device", "cpu", "memory"],
      );
      assert.equal(train.admitted, true);
      const winner = train.candidates.filter((c) => c.winner);
      assert.deepEqual(
        winner.map((c) => [c.numaNodes, c.preferred]),
        [[[0], true]],
      );
      assert.match(train.why, /lowest-numbered mask wins/);
      assert.deepEqual(doc.notes, [], "the documented-quota note holds for most pods: -v only");
      assert.equal(doc.decision.podCgroup?.documentedCpuQuotaUs, 400000, "the data keeps it");
      const verbose = explainDoc(ML_POD, { ...containerScope, verbose: true }).doc;
      assert.deepEqual(verbose.notes.length, 1);
      assert.match(
        verbose.notes[0],
        /^pod CPU quota: the kubelet sets -1 .* 400000 per 100000 us \(https:\/\/kubernetes\.io\/docs\/[^)]+\)$/,
      );
    });

    it("pod scope: one merge for the whole pod, then the §7.1 decision", () => {
      const { exitCode, doc } = explainDoc(DATABASE_POD, podScope);
      assert.equal(exitCode, 0);
      assert.equal(doc.merges.length, 1);
      assert.equal(doc.merges[0].container, null);
      assert.deepEqual(doc.merges[0].result, { numaNodes: [0], preferred: true });
      // §7.1 step 2: both providers prefer each single node and not both.
      const [device, ...others] = doc.merges[0].providers;
      assert.deepEqual(device, { provider: "device", hints: {} }, "no device requests: an empty answer");
      for (const p of others)
        assert.deepEqual(p.hints?.[p.provider], [
          { numaNodes: [0], preferred: true },
          { numaNodes: [1], preferred: true },
          { numaNodes: [0, 1], preferred: false },
        ]);
      assertDatabaseDecision(doc.decision);
    });

    it("table: hints, candidates, the decision and the notes", () => {
      const { exitCode, stdout } = explain(ML_POD, { ...containerScope, output: "table" });
      assert.equal(exitCode, 0);
      assert.match(
        stdout,
        /^ADMITTED {2}default\/ml-workload {2}\(topologyManagerPolicy single-numa-node, scope container, path container, kubelet 1\.37\)\n/,
      );
      assert.match(stdout, /\nHINTS {2}for container service-mesh-sidecar\n/);
      assert.match(stdout, /\n {2}memory +memory +\{0\} preferred {2}\{1\} preferred {2}\{0,1\}\n/);
      assert.match(stdout, /\n {2}candidates: \*\{0\} preferred {2}\{1\} preferred\n/);
      assert.match(stdout, /\nDECISION\n/);
      assert.doesNotMatch(stdout, /\nNOTES\n/, "an ordinary pod gets no notes");
      assert.doesNotMatch(stdout, /documentation describes/);
      const verbose = explain(ML_POD, { ...containerScope, output: "table", verbose: true }).stdout;
      assert.match(verbose, /\nNOTES\n {2}- pod CPU quota: /);
      assert.match(
        verbose,
        /pod cpu quota: +max \(-1\) {2}\(the documentation describes 400000 per 100000 us/,
      );
      assert.doesNotMatch(stdout, /WHAT WOULD FIT NOW/);
    });
  });

  describe("a rejected pod", () => {
    it("1.36 and the blog's second pod: the rejection and the note that explains it", () => {
      const opts = { ...containerScope, kubernetesVersion: "1.36" };
      const { exitCode, doc } = explainDoc(ML_POD, opts);
      assert.equal(exitCode, 1);
      assert.equal(doc.kubernetesVersion, "1.36");
      assert.equal(doc.decision.reason, "UnexpectedAdmissionError");
      assert.equal(doc.decision.message, ML_1_36_MESSAGE);
      assert.ok(
        doc.notes.some(
          (n) =>
            n.startsWith("kubelet 1.36 sends containers without exclusive memory") &&
            n.includes("https://github.com/kubernetes/kubernetes/issues/138770"),
        ),
        doc.notes.join("\n"),
      );
      assert.ok(
        doc.allocations.some((a) => JSON.stringify(a).includes("failed to get the default NUMA affinity")),
        "the failed memory allocation is listed",
      );
      const table = explain(ML_POD, { ...opts, output: "table" }).stdout;
      assert.match(
        table,
        /^REJECTED {2}default\/ml-workload .*kubelet 1\.36\)\n {2}reason: {2}UnexpectedAdmissionError\n/,
      );
      assert.match(table, /\nALLOCATION FAILED {2}memory allocate for service-mesh-sidecar: /);
      assert.match(table, /\nNOTES\n {2}- kubelet 1\.36 sends containers without exclusive memory/);
      // 1.37 has no such note.
      assert.ok(!explainDoc(ML_POD, containerScope).doc.notes.some((n) => n.includes("1.36")));
    });

    it("too big for any NUMA node on an empty node: what would fit", () => {
      const { exitCode, doc } = explainDoc(fx.tooBig, podScope);
      assert.equal(exitCode, 1);
      assert.equal(doc.decision.reason, "TopologyAffinityError");
      assert.equal(doc.merges[0].admitted, false);
      assert.ok(doc.fit);
      assert.deepEqual(
        doc.fit.numaNodes.map((n) => [n.id, n.freeCpus, n.holders]),
        [
          [0, 14, []],
          [1, 16, []],
        ],
      );
      assert.deepEqual(
        doc.fit.requests.map((r) => [r.resource, r.target, r.requested, r.below, r.above]),
        [["cpu", "pod", 18000, 16000, null]],
        "the pod budget fits a whole NUMA node 1 at 16 CPUs, and nothing larger fits",
      );
      assert.equal(doc.fit.numaNodes[1].memory.memory.free, 64 * GI);
    });

    it("too big after the database pod (state from simulate -o json): holders and free CPUs", () => {
      const { exitCode, doc } = explainDoc(fx.tooBig, { ...podScope, state: afterDatabase.json });
      assert.equal(exitCode, 1);
      assert.ok(doc.fit);
      const [numa0, numa1] = doc.fit.numaNodes;
      assertCPUs(numa0.freeCpuList, "5-7,21-23", "NUMA 0 after the database bubble");
      assert.deepEqual(numa0.holders, ["default/tightly-coupled-database"]);
      assert.equal(numa0.memory.memory.free, 48 * GI - 1100 * 1024 ** 2);
      assertCPUs(numa1.freeCpuList, "8-15,24-31", "NUMA 1 untouched");
      assert.equal(doc.fit.requests[0].below, 16000);
      const table = explain(fx.tooBig, { ...podScope, state: afterDatabase.json, output: "table" }).stdout;
      assert.match(table, /\nWHAT WOULD FIT NOW\n/);
      assert.match(table, /\n {2}0 +6 +5-7,21-23 +46\.9Gi +default\/tightly-coupled-database\n/);
      assert.match(table, /\n {4}cpu \(pod budget\) +18 CPUs +16 CPUs +none\n/);
    });
  });

  describe("--state", () => {
    it("the state's machine and configuration apply without -m and -c; a document without them needs both", () => {
      const alone = explain(ML_POD, {
        machine: "worked-example",
        machineGiven: false,
        state: afterDatabase.json,
        output: "json",
      });
      assert.equal(alone.usedDefaults, false);
      const doc = JSON.parse(alone.stdout) as ExplainDoc;
      assert.deepEqual([doc.policy, doc.scope], ["single-numa-node", "pod"]);
      assertCPUs(doc.decision.bubble, "5-6,21-22", "the next whole cores of NUMA 0, as with -c");
      // A document written before it carried them: the command line's machine and configuration.
      const old = JSON.parse(readFileSync(afterDatabase.json, "utf8")) as SimulationDoc;
      const { definition: _definition, ...machine } = old.machine;
      const { nodeConfig: _nodeConfig, source: _source, ...kubelet } = old.kubelet;
      const oldFile = join(fx.dir, "old-state.json");
      writeFileSync(oldFile, JSON.stringify({ ...old, machine, kubelet }));
      const withFlags = explainDoc(ML_POD, { ...podScope, state: oldFile }).doc;
      assert.deepEqual(withFlags.decision, doc.decision);
      // Without -c it is read as the kubelet's defaults would read it: CPU Manager none refuses it.
      assert.throws(
        () =>
          explain(ML_POD, { machine: "worked-example", machineGiven: false, state: oldFile, output: "json" }),
        (err: Error) =>
          isInputError(err) &&
          /configured policy "none" differs from state checkpoint policy "static"/.test(err.message),
      );
    });

    it("a simulate output (json or yaml) and the kubelet state directory restore the same node", () => {
      const results = [afterDatabase.json, afterDatabase.yaml, afterDatabase.dir].map(
        (state) => explainDoc(ML_POD, { ...podScope, state }).doc.decision,
      );
      for (const d of results) {
        assert.equal(d.admitted, true);
        assertCPUs(d.bubble, "5-6,21-22", "the next whole cores of NUMA 0");
        assertCPUs(d.defaultCpuSet, "0,7-16,23-31", "both bubbles out of the default set");
      }
      assert.deepEqual(results[1], results[0]);
      assert.deepEqual(results[2], results[0]);
    });

    it("the restored pod keeps its CPUs: a copy of it goes to NUMA 1", () => {
      const { doc } = explainDoc(fx.database2, { ...podScope, state: afterDatabase.dir });
      assert.equal(doc.decision.admitted, true);
      // NUMA 0 has 6 CPUs left, so the 8-CPU bubble takes the first whole cores of NUMA 1.
      assertCPUs(doc.decision.bubble, "8-11,24-27", "database-2 bubble");
    });

    it("bad state: a missing path, a file that is not a simulation", async () => {
      const missing = join(fx.dir, "no-state");
      assert.throws(
        () => explain(ML_POD, { ...podScope, state: missing }),
        (err: Error) => isInputError(err) && err.message === `--state: cannot read ${missing}: no such file`,
      );
      assert.throws(
        () => explain(ML_POD, { ...podScope, state: ML_POD }),
        (err: Error) =>
          isInputError(err) && err.message.startsWith(`${ML_POD}: expected a kubelet state directory`),
      );
    });
  });

  it("a file with two pods is bad input", () => {
    const two = join(fx.dir, "two.yaml");
    writeFileSync(
      two,
      `${"apiVersion: v1\nkind: Pod\nmetadata: {name: a, uid: a}\nspec: {containers: [{name: c, image: x}]}\n"}---\n${"apiVersion: v1\nkind: Pod\nmetadata: {name: b, uid: b}\nspec: {containers: [{name: c, image: x}]}\n"}`,
    );
    assert.throws(
      () => explain(two, podScope),
      (err: Error) =>
        isInputError(err) && err.message === `${two}: expected exactly one pod to explain, found 2`,
    );
  });
});
