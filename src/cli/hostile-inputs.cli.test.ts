import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { DATABASE_POD, POD_SCOPE_CONFIG, ROOT } from "./cli.test-support.js";
import { isInputError } from "./errors.js";
import { loadPods, loadSteps } from "./inputs.js";
import { nodeWithState } from "./state.js";
import { loadNodeInputs } from "./inputs.js";

/** The CLI's file readers given hostile input (issue 12): one typed line, never a crash. */

const POD =
  "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n  - name: c\n    image: x\n";

function thrown(f: () => unknown): Error {
  try {
    f();
  } catch (err) {
    assert.ok(isInputError(err), `not an input error: ${(err as Error).stack}`);
    assert.ok(!(err as Error).message.includes("\n"), "a one-line message");
    return err as Error;
  }
  assert.fail("expected an input error");
}

function podpin(args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ["--import", "tsx", join(ROOT, "src/cli/main.ts"), ...args], {
    cwd: ROOT,
    encoding: "utf8",
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("hostile inputs to the CLI's readers", () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), "podpin-hostile-"));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("a directory named sub.yaml inside a pod directory is not read as a file", () => {
    const pods = join(dir, "pods");
    mkdirSync(join(pods, "sub.yaml"), { recursive: true });
    writeFileSync(join(pods, "a.yaml"), POD);
    writeFileSync(join(pods, "sub.yaml", "b.yaml"), POD.replace("name: p", "name: q"));
    assert.deepEqual(
      loadPods([pods]).map((p) => p.name),
      ["p"],
    );
  });

  it("a pod path through a regular file: one line naming the path", () => {
    // Permissions do not stop root, so the unreadable path is one whose parent is a file.
    const parent = join(dir, "plain-file");
    writeFileSync(parent, POD);
    const file = join(parent, "a.yaml");
    assert.equal(
      thrown(() => loadPods([file])).message,
      `cannot read ${file}: a path component is not a directory`,
    );
  });

  it("an entry of a pod directory that cannot be examined (a dangling link): cannot read <path>: <reason>", () => {
    const pods = join(dir, "dangling");
    mkdirSync(pods);
    writeFileSync(join(pods, "a.yaml"), POD);
    symlinkSync(join(dir, "nowhere.yaml"), join(pods, "b.yaml"));
    assert.equal(thrown(() => loadPods([pods])).message, `cannot read ${join(pods, "b.yaml")}: no such file`);
  });

  it("a pod file over 16 MiB is refused before it is read", () => {
    const file = join(dir, "huge.yaml");
    writeFileSync(file, "");
    truncateSync(file, 16 * 1024 * 1024 + 1);
    assert.equal(
      thrown(() => loadPods([file])).message,
      `cannot read ${file}: pod file too large (16777217 bytes; at most 16777216, 16 MiB)`,
    );
  });

  it("a missing pod source is refused", () => {
    assert.match(thrown(() => loadPods([join(dir, "missing.yaml")])).message, /missing\.yaml: no such file/);
  });

  it("a steps file with an unresolved alias, a merge onto a scalar, an alias bomb", () => {
    const cases: [string, RegExp][] = [
      ["steps:\n- admit: *x\n", /steps\.yaml:2: invalid YAML: unresolved alias \*x/],
      // Steps files are YAML 1.2, where `<<` is an ordinary key.
      ["steps:\n- <<: x\n", /steps\.yaml: steps\[0\]: unknown step "<<"/],
      [
        "a: &a [1,1,1,1,1,1,1,1,1,1]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]\n",
        /steps\.yaml:1: invalid YAML: aliases expand to too much data/,
      ],
      ["steps: []\n---\nsteps: []\n", /steps\.yaml:2: expected one YAML document, found several/],
    ];
    for (const [text, expected] of cases) {
      const file = join(dir, "steps.yaml");
      writeFileSync(file, text);
      assert.match(thrown(() => loadSteps(file)).message, expected);
    }
  });

  it("a state file with an unresolved alias", () => {
    const file = join(dir, "state.yaml");
    writeFileSync(file, "kind: Simulation\nstate: *x\n");
    const { machine, config } = loadNodeInputs({ machine: "worked-example", config: POD_SCOPE_CONFIG });
    assert.match(
      thrown(() => nodeWithState(machine, config, file)).message,
      /state\.yaml:2: invalid YAML: unresolved alias \*x/,
    );
  });

  it("explain --state with a pod whose uid is already in the state: exit 2, one typed line", () => {
    const sim = podpin(["simulate", DATABASE_POD, "--config", POD_SCOPE_CONFIG, "-o", "json"]);
    assert.equal(sim.code, 0, sim.stderr);
    const state = join(dir, "sim.json");
    writeFileSync(state, sim.stdout);
    const r = podpin(["explain", DATABASE_POD, "--config", POD_SCOPE_CONFIG, "--state", state]);
    assert.equal(r.code, 2);
    assert.equal(
      r.stderr,
      "podpin: pod default/tightly-coupled-database (uid uid-db) is already admitted on this node (a pod uid is admitted once; remove it first)\n",
    );
  });
});
