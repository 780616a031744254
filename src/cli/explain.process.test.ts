/**
 * `podpin explain` end to end, as child processes: the cause named after the engine's result and
 * what would fit found by the engine (full-pcpus-only, the empty pod shared pool under every
 * policy), a `--state` file that brings its machine and configuration (and refuses others), notes
 * that hold for most pods only with -v, and -o json that validates against the output schema.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import Ajv2020 from "ajv/dist/2020.js";
import { EMPTY_SHARED_POOL_YAML, guaranteedPodYaml } from "../node/test-support.js";
import type { ExplainDoc } from "../report/index.js";
import { podpin, type Run } from "./cli.process.test-support.js";
import { CONTAINER_SCOPE_CONFIG, EXAMPLES, ML_POD, POD_SCOPE_CONFIG, ROOT } from "./cli.test-support.js";

/** Runs the commands with at most `width` child processes at a time (the machine's cores are shared). */
async function runAll(commands: Record<string, string[]>, width = 3): Promise<Record<string, Run>> {
  const names = Object.keys(commands);
  const out: Record<string, Run> = {};
  let next = 0;
  const worker = async () => {
    while (next < names.length) {
      const name = names[next++];
      out[name] = await podpin(commands[name]);
    }
  };
  await Promise.all(Array.from({ length: width }, worker));
  return out;
}

describe("podpin explain (child processes)", () => {
  let dir = "";
  let runs: Record<string, Run> = {};
  const file = (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "podpin-explain-"));
    const base = readFileSync(POD_SCOPE_CONFIG, "utf8");
    const fullCores = file(
      "full-pcpus-only.yaml",
      base
        .replace(
          "cpuManagerPolicy: static",
          'cpuManagerPolicy: static\ncpuManagerPolicyOptions:\n  full-pcpus-only: "true"',
        )
        .replace("topologyManagerScope: pod", "topologyManagerScope: container"),
    );
    const three = file("three.yaml", guaranteedPodYaml("three", 3));
    const esp = file("esp.yaml", EMPTY_SHARED_POOL_YAML);
    const policies = Object.fromEntries(
      ["single-numa-node", "restricted", "best-effort", "none"].map((p) => [
        p,
        file(
          `${p}.yaml`,
          base.replace("topologyManagerPolicy: single-numa-node", `topologyManagerPolicy: ${p}`),
        ),
      ]),
    );
    const state = join(dir, "dgx-state.json");
    const made = await podpin([
      "simulate",
      "-m",
      "nvidia-dgx-h100",
      "-c",
      CONTAINER_SCOPE_CONFIG,
      join(EXAMPLES, "ml-workload-gpu.yaml"),
      "-o",
      "json",
    ]);
    assert.equal(made.code, 0, made.stderr);
    writeFileSync(state, made.stdout);
    const eightGpus = join(EXAMPLES, "ml-training-8gpu.yaml");
    runs = await runAll({
      smtTable: ["explain", "-c", fullCores, three],
      smtJson: ["explain", "-c", fullCores, three, "-o", "json"],
      smtCheck: [
        "simulate",
        "-c",
        fullCores,
        file("two.yaml", guaranteedPodYaml("two", 2)),
        file("four.yaml", guaranteedPodYaml("four", 4)),
      ],
      ...Object.fromEntries(
        Object.entries(policies).map(([p, config]) => [`esp-${p}`, ["explain", "-c", config, esp]]),
      ),
      stateAlone: ["explain", "--state", state, eightGpus, "-o", "json"],
      stateSame: [
        "explain",
        "--state",
        state,
        "-m",
        "nvidia-dgx-h100",
        "-c",
        CONTAINER_SCOPE_CONFIG,
        eightGpus,
      ],
      stateOtherMachine: ["explain", "--state", state, "-m", "worked-example", eightGpus],
      stateOtherConfig: ["explain", "--state", state, "-c", POD_SCOPE_CONFIG, eightGpus],
      quiet: ["explain", "-c", CONTAINER_SCOPE_CONFIG, ML_POD],
      verbose: ["explain", "-c", CONTAINER_SCOPE_CONFIG, ML_POD, "-v"],
    });
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("full-pcpus-only and 3 CPUs: the option is named, and the fix is the CPU counts the node admits", () => {
    const t = runs.smtTable;
    assert.equal(t.code, 1, t.stderr);
    assert.match(t.stdout, /\n {2}reason: {2}SMTAlignmentError\n/);
    assert.match(
      t.stdout,
      /\n {2}cause: {3}full-pcpus-only \(a CPU Manager static policy option\) allocates whole physical cores only: 3 CPUs is not a multiple of the 2 CPUs of a core\n/,
    );
    assert.match(
      t.stdout,
      /\n {2}fix: {5}cpu \(container app\) 2 or 4 CPUs \(whole cores\) would be admitted now, the other requests as asked\n/,
    );
    assert.match(
      t.stdout,
      /\n {2}see: {5}https:\/\/kubernetes\.io\/docs\/tasks\/administer-cluster\/cpu-management-policies\/#static-policy-options\n/,
    );
    assert.match(t.stdout, /\n {4}cpu \(container app\) +3 CPUs +2 CPUs +4 CPUs\n/);
    assert.doesNotMatch(t.stdout, /: none\n/, "no 'largest ... now: none' while 2 and 4 CPUs are admitted");
    const doc = JSON.parse(runs.smtJson.stdout) as ExplainDoc;
    assert.deepEqual([doc.rejection?.rule, doc.rejection?.name], ["cpu-manager-option", "full-pcpus-only"]);
    assert.deepEqual(
      doc.fit?.requests.map((r) => [r.resource, r.target, r.container, r.requested, r.below, r.above]),
      [["cpu", "container", "app", 3000, 2000, 4000]],
    );
    assert.equal(runs.smtCheck.code, 0, "simulate admits the 2- and 4-CPU pods on that node");
  });

  for (const policy of ["single-numa-node", "restricted", "best-effort"])
    it(`the empty pod shared pool under ${policy}: the pod-level rule and the budget to ask for`, () => {
      const r = runs[`esp-${policy}`];
      assert.equal(r.code, 1, r.stderr);
      assert.match(
        r.stdout,
        new RegExp(
          `\\n {2}reason: {2}${policy === "best-effort" ? "EmptyPodSharedPoolError" : "TopologyAffinityError"}\\n`,
        ),
      );
      assert.match(
        r.stdout,
        /\n {2}cause: {3}pod-level resources in pod scope: the exclusive containers take the whole pod budget \(cpu 4 CPUs of 4 CPUs \(metrics-sidecar 1 CPU, main-app 3 CPUs\); memory 4Gi of 4Gi \(metrics-sidecar 1Gi, main-app 3Gi\)\), leaving an empty pod shared pool for logging-sidecar; /,
      );
      assert.match(
        r.stdout,
        /\n {2}fix: {5}raise `spec\.resources\.requests\.cpu` to at least 5 and `spec\.resources\.requests\.memory` above 4Gi \(the limits with them\), or lower the exclusive containers' requests; with cpu 5 and memory 4097Mi the node admits the pod now\n/,
      );
      assert.match(r.stdout, /\n {4}cpu \(pod budget\), with memory 4097Mi +4 CPUs +none +5 CPUs\n/);
    });

  it("the empty pod shared pool under none: admitted, and a note says the other policies reject it", () => {
    const r = runs["esp-none"];
    assert.equal(r.code, 0, r.stderr);
    assert.match(
      r.stdout,
      /\n {2}- under best-effort, restricted or single-numa-node in pod scope the kubelet would reject this pod: /,
    );
  });

  it("--state brings the machine and the configuration it was made with; others are refused on one line", () => {
    const alone = runs.stateAlone;
    assert.equal(alone.code, 1, alone.stderr);
    assert.equal(alone.stderr, "", "no 'no --config' warning: the state carries the configuration");
    const doc = JSON.parse(alone.stdout) as ExplainDoc;
    assert.deepEqual([doc.scope, doc.policy], ["container", "single-numa-node"]);
    assert.equal(doc.node?.numaNodes.length, 2);
    assert.ok(
      doc.node?.deviceResources.some((d) => d.resource === "nvidia.com/gpu"),
      "the DGX's GPUs",
    );
    assert.equal(runs.stateSame.code, 1, runs.stateSame.stderr);
    for (const [name, message] of [
      [
        "stateOtherMachine",
        /^podpin: --state \S+: the state was made on machine "nvidia-dgx-h100" \(224 CPUs, 2 NUMA nodes\), not on -m worked-example \(32 CPUs, 2 NUMA nodes\); drop -m to use the state's machine\n$/,
      ],
      [
        "stateOtherConfig",
        /^podpin: --state \S+: the state was made with the kubelet configuration \S+kubelet-container-scope\.yaml, and the configuration given differs in topologyManagerScope \("container" in the state, "pod" given\); drop -c and the kubelet options to use the state's\n$/,
      ],
    ] as const) {
      const r = runs[name];
      assert.equal(r.code, 2, `${name}: ${r.stderr}`);
      assert.equal(r.stdout, "");
      assert.match(r.stderr, message);
    }
  });

  it("notes that hold for most pods appear only with -v, and cite pages users can open", () => {
    assert.equal(runs.quiet.code, 0, runs.quiet.stderr);
    assert.doesNotMatch(runs.quiet.stdout, /\nNOTES\n/);
    assert.doesNotMatch(runs.quiet.stdout, /documentation describes/);
    const v = runs.verbose;
    assert.equal(v.code, 0, v.stderr);
    assert.match(
      v.stdout,
      /\nNOTES\n {2}- pod CPU quota: the kubelet sets -1 .*; the documentation describes 400000 per 100000 us \(https:\/\/kubernetes\.io\/docs\/concepts\/resource-management\/pod-level-resource-managers\/\)\n/,
    );
  });

  it("-o json of the runs validates against docs/output-format.schema.json", () => {
    const Ajv = Ajv2020 as unknown as new (
      opts: object,
    ) => {
      addSchema(schema: object, key: string): void;
      getSchema(ref: string): (((d: unknown) => boolean) & { errors?: unknown }) | undefined;
    };
    const ajv = new Ajv({ allErrors: true, strict: true });
    ajv.addSchema(
      JSON.parse(readFileSync(join(ROOT, "docs", "output-format.schema.json"), "utf8")),
      "output",
    );
    const validate = ajv.getSchema("output#/$defs/Explanation");
    assert.ok(validate);
    for (const name of ["smtJson", "stateAlone"]) {
      const ok = validate(JSON.parse(runs[name].stdout));
      assert.ok(ok, `${name}: ${JSON.stringify(validate.errors)}`);
    }
  });
});
