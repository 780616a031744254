/**
 * `podpin checkpoint DIR` gives the kubelet's start-up verdict, not only the files' (issue 12):
 * files that decode but that the CPU Manager's `validateState` or the Memory Manager's
 * machine-state check refuse are `refused` with the kubelet's words (exit 1); two pods holding
 * one CPU, which the kubelet does not check, are a warning.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { fnv1a32 } from "../checkpoint/fnv.js";
import { checkpoint } from "./checkpoint.js";

const EX = join(import.meta.dirname, "../../examples");
const opts = {
  config: join(EX, "kubelet-pod-scope.yaml"),
  machine: "worked-example",
  output: "table" as const,
};

/** A CPU V4 file around `data` (the top-level copy left empty, as older kubelets never see it here). */
function cpuV4(data: string): string {
  return JSON.stringify({
    policyName: "",
    defaultCpuSet: "",
    checksum: 0,
    data,
    dataChecksum: fnv1a32(`(string)${data}`),
  });
}

const MEMORY_DATA = {
  policyName: "Static",
  machineState: {
    "0": {
      numberOfAssignments: 0,
      memoryMap: {
        memory: {
          total: 68719476736,
          systemReserved: 1153433600,
          allocatable: 67566043136,
          reserved: 0,
          free: 67566043136,
        },
      },
      cells: [0],
    },
    "1": {
      numberOfAssignments: 0,
      memoryMap: {
        memory: {
          total: 68719476736,
          systemReserved: 0,
          allocatable: 68719476736,
          reserved: 0,
          free: 68719476736,
        },
      },
      cells: [1],
    },
  },
};

function memoryV3(data: string): string {
  return JSON.stringify({
    policyName: "",
    machineState: {},
    checksum: 0,
    data,
    dataChecksum: fnv1a32(`(string)${data}`),
  });
}

describe("podpin checkpoint DIR runs the kubelet's start-up validation", () => {
  const dirs: string[] = [];
  const dirWith = (files: Record<string, string>) => {
    const dir = mkdtempSync(join(tmpdir(), "podpin-startup-"));
    dirs.push(dir);
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
    return dir;
  };
  after(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  test("a consistent state is ok", () => {
    const r = checkpoint(
      dirWith({
        cpu_manager_state: cpuV4(
          '{"policyName":"static","defaultCpuSet":"0,4-31","entries":{"p":{"c":"1-3"}}}',
        ),
        memory_manager_state: memoryV3(JSON.stringify(MEMORY_DATA)),
      }),
      opts,
    );
    assert.equal(r.exitCode, 0, r.stdout);
    assert.match(r.stdout, /^cpu_manager_state: ok \(v4\)$/m);
    assert.match(r.stdout, /^memory_manager_state: ok \(v3\)$/m);
  });

  test("CPUs beyond the machine: the CPU Manager's validateState refuses", () => {
    const r = checkpoint(
      dirWith({ cpu_manager_state: cpuV4('{"policyName":"static","defaultCpuSet":"0-63"}') }),
      opts,
    );
    assert.equal(r.exitCode, 1);
    assert.match(r.stdout, /^cpu_manager_state: refused$/m);
    assert.match(
      r.stdout,
      /start cpu manager error: current set of available CPUs "0-31" doesn't match with CPUs in state "0-63"/,
    );
  });

  test("without a named machine the validation does not run, and the output says so", () => {
    const r = checkpoint(
      dirWith({ cpu_manager_state: cpuV4('{"policyName":"static","defaultCpuSet":"0-63"}') }),
      { ...opts, machineGiven: false },
    );
    assert.equal(r.exitCode, 0);
    assert.match(r.stdout, /^cpu_manager_state: ok/m);
    assert.match(
      r.stdout,
      /start-up validation \(CPUs and memory against the machine\) did not run: name the node's machine with -m/,
    );
  });

  test("a container set overlapping the default set is refused as the kubelet words it", () => {
    const r = checkpoint(
      dirWith({
        cpu_manager_state: cpuV4('{"policyName":"static","defaultCpuSet":"0-31","entries":{"p":{"c":"3"}}}'),
      }),
      opts,
    );
    assert.equal(r.exitCode, 1);
    assert.match(r.stdout, /pod: p, container: c cpuset: "3" overlaps with default cpuset "0-31"/);
  });

  test("a duplicate pod (the same UID twice: Go keeps the last) leaves CPUs unaccounted and is refused", () => {
    const data = '{"policyName":"static","defaultCpuSet":"0,4-31","entries":{"p":{"c":"1-2"},"p":{"c":"3"}}}';
    const r = checkpoint(dirWith({ cpu_manager_state: cpuV4(data) }), opts);
    assert.equal(r.exitCode, 1);
    assert.match(r.stdout, /doesn't match with CPUs in state "0,3-31"/);
  });

  test("memory tables that contradict the machine are refused by the Memory Manager", () => {
    const bad = structuredClone(MEMORY_DATA);
    bad.machineState["1"].memoryMap.memory.total = 1024;
    const r = checkpoint(dirWith({ memory_manager_state: memoryV3(JSON.stringify(bad)) }), opts);
    assert.equal(r.exitCode, 1);
    assert.match(r.stdout, /^memory_manager_state: refused$/m);
    assert.match(
      r.stdout,
      /start memory manager error: \[memorymanager\] the expected machine state is different from the real one/,
    );
  });

  test("two pods holding one CPU: a warning, where the kubelet starts", () => {
    const r = checkpoint(
      dirWith({
        cpu_manager_state: cpuV4(
          '{"policyName":"static","defaultCpuSet":"0,4-31","entries":{"a":{"c":"1-2"},"b":{"c":"2-3"}}}',
        ),
      }),
      opts,
    );
    assert.equal(r.exitCode, 0, r.stdout);
    assert.match(
      r.stdout,
      /warning: pods a and b both hold CPUs 2: the kubelet does not check this at start-up/,
    );
  });
});
