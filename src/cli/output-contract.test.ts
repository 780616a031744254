/**
 * The output contract: every `-o json` document of a representative set of runs (every example
 * pod under each example configuration, GPU machines, steps, metrics, rejections under every
 * policy, `--state`, topology, presets, checkpoint, a small fleet) validates against
 * docs/output-format.schema.json, the schema catches a renamed field, and no output people or
 * programs read cites an internal specification section id.
 */
import assert from "node:assert/strict";
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import Ajv2020 from "ajv/dist/2020.js";
import { ROOT } from "./cli.test-support.js";
import { type DocumentKind, type OutputRun, outputRuns } from "./output-runs.test-support.js";

const SCHEMA_FILE = join(ROOT, "docs", "output-format.schema.json");

/**
 * Section marks, the specification's open-question and decision ids (`PL-1`, `TM-2`, ...), its
 * markers and its file names: none may reach a user. KEP numbers and kubernetes/kubernetes issue
 * numbers are what users can open, and are allowed.
 */
const SPEC_ID =
  /§|\b(?:CK|CPU|DM|MET|MM|MX|NA|PL|PR|TM)-\d+\b|\bOPEN\b|\bINFERRED\b|\b(?:cpu-manager|topology-manager|memory-manager|device-manager|pod-level|node-admission|checkpoints|machines|metrics|podresources-api)\.md\b/;

type Validator = ((data: unknown) => boolean) & { errors?: unknown };

describe("output contract", () => {
  let dir = "";
  let runs: OutputRun[] = [];
  const validators = new Map<DocumentKind, Validator>();

  before(async () => {
    ({ dir, runs } = await outputRuns());
    const Ajv = Ajv2020 as unknown as new (
      opts: object,
    ) => {
      addSchema(schema: object, key: string): void;
      getSchema(ref: string): Validator | undefined;
    };
    const ajv = new Ajv({ allErrors: true, strict: true });
    ajv.addSchema(JSON.parse(readFileSync(SCHEMA_FILE, "utf8")), "output");
    for (const kind of [
      "Simulation",
      "Explanation",
      "machine",
      "PresetList",
      "CheckpointReport",
      "CheckpointVerification",
      "FleetReport",
    ] as const) {
      const v = ajv.getSchema(`output#/$defs/${kind}`);
      assert.ok(v, `the schema defines ${kind}`);
      validators.set(kind, v);
    }
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const check = (kind: DocumentKind, doc: unknown): string | null => {
    const v = validators.get(kind);
    assert.ok(v);
    return v(doc) ? null : JSON.stringify(v.errors, null, 1).slice(0, 2000);
  };

  it("covers every document kind, in many runs", () => {
    const kinds = new Set(runs.map((r) => r.kind));
    assert.deepEqual([...kinds].sort(), [
      "CheckpointReport",
      "CheckpointVerification",
      "Explanation",
      "FleetReport",
      "PresetList",
      "Simulation",
      "machine",
    ]);
    assert.ok(runs.length >= 50, `${runs.length} runs`);
  });

  it("every -o json output validates against docs/output-format.schema.json", () => {
    const failures = runs
      .map((r) => ({ r, problem: check(r.kind, JSON.parse(r.json)) }))
      .filter((x) => x.problem !== null)
      .map((x) => `${x.r.command}: ${x.problem}`);
    assert.deepEqual(failures, []);
  });

  it("the schema is strict: a renamed, missing or extra field fails", () => {
    const sim = JSON.parse(runs.find((r) => r.kind === "Simulation")?.json ?? "{}") as Record<
      string,
      unknown
    >;
    const renamed: Record<string, unknown> = { ...sim, kubeletVersion: sim.kubernetesVersion };
    delete renamed.kubernetesVersion;
    assert.notEqual(check("Simulation", renamed), null, "kubernetesVersion renamed");
    const step = (sim.steps as Record<string, unknown>[])[0];
    const { bubble, ...withoutBubble } = step;
    assert.notEqual(check("Simulation", { ...sim, steps: [{ ...withoutBubble, podBubble: bubble }] }), null);
    const explanation = JSON.parse(
      runs.find((r) => r.kind === "Explanation" && r.json.includes('"rejection": {'))?.json ?? "{}",
    ) as { rejection: Record<string, unknown>; fit: { requests: Record<string, unknown>[] } };
    assert.notEqual(
      check("Explanation", { ...explanation, rejection: { ...explanation.rejection, extra: 1 } }),
      null,
    );
    const [request] = explanation.fit.requests;
    const { below, ...withoutBelow } = request;
    assert.notEqual(
      check("Explanation", {
        ...explanation,
        fit: { ...explanation.fit, requests: [{ ...withoutBelow, largest: below }] },
      }),
      null,
    );
    assert.notEqual(
      check("machine", { ...JSON.parse(runs.find((r) => r.kind === "machine")?.json ?? "{}"), cores: [] }),
      null,
    );
    const fleet = JSON.parse(runs.find((r) => r.kind === "FleetReport")?.json ?? "{}") as {
      scenarios: Record<string, unknown>[];
    };
    const [plain, aware] = fleet.scenarios;
    const { total, ...withoutTotal } = plain;
    assert.equal(check("FleetReport", fleet), null);
    // The run exercises the example lists: kubelet rejections and pending pods.
    const lists = plain as { rejections: { examples: unknown[] }; unschedulable: { examples: unknown[] } };
    assert.ok(lists.rejections.examples.length > 0 && lists.unschedulable.examples.length > 0);
    assert.notEqual(
      check("FleetReport", { ...fleet, scenarios: [{ ...withoutTotal, fleet: total }, aware] }),
      null,
    );
  });

  it("no output cites an internal specification id", () => {
    const found: string[] = [];
    for (const r of runs)
      for (const [form, text] of [
        ["json", r.json],
        ["table", r.table ?? ""],
      ] as const) {
        const m = SPEC_ID.exec(text);
        if (m) {
          const at = text.slice(Math.max(0, m.index - 60), m.index + 60).replace(/\n/g, " ");
          found.push(`${r.command} (${form}): ${JSON.stringify(m[0])} in ...${at}...`);
        }
      }
    assert.deepEqual(found, []);
  });

  it("the scan catches what it is for", () => {
    for (const text of ["see pod-level.md §4.3", "(OPEN PL-1)", "TM-2 applies", "cpu-manager.md"])
      assert.match(text, SPEC_ID);
    for (const text of ["KEP-5526", "kubernetes/kubernetes#138770", "GPU-0607ae8a", "SMT Alignment Error"])
      assert.doesNotMatch(text, SPEC_ID);
  });
});
