import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import { InputError } from "../../k8s/index.js";
import { loadFleet, parseFleetFile } from "./index.js";
import { fleetDir, handFleet } from "./fleet.test-support.js";

const HEAD = "apiVersion: podpin.io/v1alpha1\nkind: Fleet\n";
const GROUP = "nodeGroups:\n  - {count: 1, machine: worked-example}\n";
const WORK = "workloads:\n  - {file: pods.yaml}\n";

function fails(text: string, message: RegExp | string): void {
  assert.throws(
    () => parseFleetFile(text, "fleet.yaml"),
    (err: unknown) => {
      assert.ok(err instanceof InputError, String(err));
      assert.ok(!err.message.includes("\n"), "one line");
      if (typeof message === "string") assert.equal(err.message, message);
      else assert.match(err.message, message);
      return true;
    },
  );
}

test("bad fleet files: one line naming file:line, the field and what was expected", () => {
  fails("kind: Fleet\n", /^fleet\.yaml:1: apiVersion: expected "podpin\.io\/v1alpha1"$/);
  fails(`${HEAD}${GROUP}`, "fleet.yaml:1: workloads: expected a list");
  fails(
    `${HEAD}nodeGroups:\n  - {count: 0, machine: m}\n${WORK}`,
    /^fleet\.yaml:4: nodeGroups\[0\]\.count: /,
  );
  fails(
    `${HEAD}nodeGroups:\n  - count: 2.5\n    machine: m\n${WORK}`,
    "fleet.yaml:4: nodeGroups[0].count: expected a whole number",
  );
  fails(
    `${HEAD}${GROUP}workloads:\n  - {file: a.yaml, manifest: {kind: Pod}}\n`,
    /^fleet\.yaml:6: workloads\[0\]: expected exactly one of file/,
  );
  fails(`${HEAD}${GROUP}${WORK}colour: blue\n`, 'fleet.yaml:7: colour: unknown field "colour"');
  fails(
    `${HEAD}${GROUP}${WORK}scheduler: {topologyMatchScoring: Most}\n`,
    /^fleet\.yaml:7: scheduler\.topologyMatchScoring: expected "None" or "LeastAllocated"$/,
  );
  fails(
    `${HEAD}nodeGroups:\n  - {count: 1, machine: m, name: Big_Group}\n${WORK}`,
    /nodeGroups\[0\]\.name: expected a DNS label/,
  );
  fails("- a\n", "fleet.yaml:1: expected a mapping of kind: Fleet, apiVersion: podpin.io/v1alpha1");
  fails(`${HEAD}nodeGroups: [\n`, /^fleet\.yaml:\d+: invalid YAML/);
});

test("bad references: the machine, the kubelet configuration, the manifests, duplicate pods", (t) => {
  const dir = fleetDir(t, {
    "unknown-machine.yaml": handFleet(1).replace("machine: worked-example", "machine: no-such-machine"),
    "missing-manifest.yaml": `${HEAD}${GROUP}${WORK}`,
    "bad-kubelet.yaml": `${HEAD}nodeGroups:\n  - count: 1\n    machine: worked-example\n    kubeletConfig: {cpuManagerPolicy: fancy}\n${WORK}`,
    "twice.yaml": `${HEAD}${GROUP}workloads:\n  - {file: pod.yaml}\n  - {file: pod.yaml}\n`,
    "pod.yaml": "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {containers: [{name: c}]}\n",
  });
  const message = (name: string): string => {
    try {
      loadFleet(join(dir, name));
    } catch (err) {
      assert.ok(err instanceof InputError, String(err));
      assert.ok(!err.message.includes("\n"));
      return err.message;
    }
    assert.fail(`${name} was accepted`);
  };
  assert.match(message("unknown-machine.yaml"), /nodeGroups\[0\]\.machine: .*no-such-machine/);
  assert.match(message("missing-manifest.yaml"), /workloads\[0\]\.file: cannot read .*pods\.yaml \(ENOENT\)/);
  assert.match(message("bad-kubelet.yaml"), /nodeGroups\[0\]\.kubeletConfig.*cpuManagerPolicy/);
  assert.match(message("twice.yaml"), /pod default\/p comes from both p and p/);
});
