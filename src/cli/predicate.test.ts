/**
 * The predicate admit handler through the real command: a pod too big for the node's allocatable
 * is refused with the kubelet's reason and message, and the table says which handler refused it.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { AdmitStepDoc, SimulationDoc } from "../report/index.js";
import { podpin } from "./cli.process.test-support.js";

const pod = (name: string, cpu: string, memory: string) => `apiVersion: v1
kind: Pod
metadata: {name: ${name}}
spec:
  containers:
    - name: app
      resources:
        requests: {cpu: "${cpu}", memory: ${memory}}
        limits: {cpu: "${cpu}", memory: ${memory}}
`;

describe("podpin simulate: the predicate admit handler", () => {
  let dir: string;
  const file = (name: string) => join(dir, name);
  before(() => {
    dir = mkdtempSync(join(tmpdir(), "podpin-predicate-"));
    writeFileSync(file("too-many-cpus.yaml"), pod("too-many-cpus", "40", "8Gi"));
    writeFileSync(file("too-much-memory.yaml"), pod("too-much-memory", "1", "200Gi"));
    writeFileSync(file("first.yaml"), pod("first", "2", "1Gi"));
    writeFileSync(file("second.yaml"), pod("second", "2", "1Gi"));
    writeFileSync(
      file("kubelet.yaml"),
      'apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\ncpuManagerPolicy: static\nreservedSystemCPUs: "0"\nmaxPods: 1\n',
    );
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("OutOfcpu on machine M: the kubelet's message, and the table names the predicate handler", async () => {
    const r = await podpin(["simulate", "--machine", "worked-example", file("too-many-cpus.yaml")]);
    assert.equal(r.code, 1, r.stderr);
    assert.match(
      r.stdout,
      /REJECTED {2}default\/too-many-cpus {2}reason=OutOfcpu\n.*\n {2}rejected by: the predicate admit handler/,
    );
    assert.ok(
      r.stdout.includes(
        "Pod was rejected: Node didn't have enough resource: cpu, requested: 40000, used: 0, capacity: 32000",
      ),
      r.stdout,
    );
    assert.match(r.stdout, /\n {2}cpu +32000m +0m +32000m +40000m +NO\n/);
  });

  it("OutOfmemory: allocatable memory is the capacity minus the default 100Mi eviction threshold", async () => {
    const r = await podpin([
      "simulate",
      "--machine",
      "worked-example",
      file("too-much-memory.yaml"),
      "-o",
      "json",
    ]);
    assert.equal(r.code, 1, r.stderr);
    const step = (JSON.parse(r.stdout) as SimulationDoc).steps[0] as AdmitStepDoc;
    assert.equal(step.reason, "OutOfmemory");
    assert.equal(
      step.message,
      "Node didn't have enough resource: memory, requested: 214748364800, used: 0, capacity: 137334095872",
    );
    assert.equal(step.rejectedBy, "predicate");
    assert.equal(step.predicate?.failures[0].resource, "memory");
  });

  it("a predicate rejection after the CPU Manager allocated says the allocation stays", async () => {
    const r = await podpin([
      "simulate",
      "--machine",
      "worked-example",
      "--config",
      file("kubelet.yaml"),
      file("first.yaml"),
      file("second.yaml"),
    ]);
    assert.equal(r.code, 1, r.stderr);
    assert.match(
      r.stdout,
      /REJECTED {2}default\/second {2}reason=OutOfpods\n.*\n {2}rejected by: the predicate admit handler/,
    );
    assert.ok(
      r.stdout.includes("Node didn't have enough resource: pods, requested: 1, used: 1, capacity: 1"),
    );
    assert.ok(r.stdout.includes("stays held until the next admission's stale-state cleanup"), r.stdout);
  });
});
