/**
 * Start-up validation of fuzzed checkpoints (issue 12): whatever the readers restore, the CPU and
 * Memory Managers' start either accepts it or refuses with the kubelet's words (a
 * `NodeConfigError`), never another exception.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import fc from "fast-check";
import { CheckpointError, readCPUCheckpoint, readMemoryCheckpoint } from "../checkpoint/index.js";
import { checkpointFuzzTargets } from "../checkpoint/fuzz-targets.js";
import { startupRefusals } from "./checkpoint.js";
import { loadNodeInputs } from "./inputs.js";

const EX = join(import.meta.dirname, "../../examples");
const { machine, config } = loadNodeInputs({
  config: join(EX, "kubelet-pod-scope.yaml"),
  machine: "worked-example",
});
const settings = { version: config.kubernetesVersion, gates: config.featureGates };
const text = (input: string | Uint8Array) =>
  typeof input === "string" ? input : Buffer.from(input).toString();

function restored<T>(fn: () => T): T | null {
  try {
    return fn();
  } catch (err) {
    if (err instanceof CheckpointError) return null;
    throw err;
  }
}

test("fuzzed CPU and memory checkpoints: the managers' start accepts or refuses with the kubelet's words", () => {
  const [cpuTarget, memoryTarget] = checkpointFuzzTargets;
  let checked = 0;
  fc.assert(
    fc.property(cpuTarget.arbitrary, memoryTarget.arbitrary, (c, m) => {
      const cpu = restored(() =>
        readCPUCheckpoint(text(c).replace('"none"', '"static"'), { ...settings, configuredPolicy: "static" }),
      );
      const memory = restored(() =>
        readMemoryCheckpoint(text(m).replace('"None"', '"Static"'), {
          ...settings,
          configuredPolicy: "Static",
        }),
      );
      if (cpu || memory) checked++;
      const r = startupRefusals(machine, config, cpu, memory);
      for (const msg of [r.cpu, r.memory])
        if (msg !== null) assert.match(msg, /^start (cpu|memory) manager error: /, msg);
    }),
    { numRuns: 300 },
  );
  assert.ok(checked > 10, `only ${checked} inputs reached start-up validation`);
});
