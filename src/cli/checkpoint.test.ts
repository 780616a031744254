import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { checkpoint, writeHtmlReport } from "./checkpoint.js";
import { UsageError } from "./errors.js";
import { simulate } from "./simulate.js";
import { writeSimulatedState } from "./simulated-state.test-support.js";

const EX = join(import.meta.dirname, "../../examples");
const CONFIG = join(EX, "kubelet-pod-scope.yaml");

describe("podpin checkpoint", () => {
  let dir: string;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "podpin-state-"));
    await writeSimulatedState(dir, [join(EX, "tightly-coupled-database.yaml")], CONFIG);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test("reads both files as a 1.37 kubelet would and shows the state", () => {
    const r = checkpoint(dir, { config: CONFIG, machine: "worked-example", output: "table" });
    assert.equal(r.exitCode, 0);
    assert.match(r.stdout, /^cpu_manager_state: ok \(v4\)$/m);
    assert.match(r.stdout, /^memory_manager_state: ok \(v3\)$/m);
    assert.match(r.stdout, /uid-db\s+\(pod bubble\)\s+1-4,17-20/);
    assert.match(r.stdout, /uid-db\s+database\s+memory 12Gi @0/);
  });

  test("a 1.36 kubelet reads the 1.37 file as V2 and loses the pod entries", () => {
    const r = checkpoint(dir, {
      config: CONFIG,
      machine: "worked-example",
      kubernetesVersion: "1.36",
      output: "json",
    });
    const doc = JSON.parse(r.stdout) as {
      files: { format: string }[];
      cpu: { podEntries: Record<string, unknown> };
    };
    assert.equal(doc.files[0].format, "v2");
    assert.deepEqual(doc.cpu.podEntries, {});
  });

  test("a corrupted file is refused with the kubelet's message (exit 1), or accepted with a warning on request", () => {
    const bad = mkdtempSync(join(tmpdir(), "podpin-state-"));
    try {
      const text = readFileSync(join(dir, "cpu_manager_state"), "utf8").replace(
        /"dataChecksum":\d+/,
        '"dataChecksum":1',
      );
      writeFileSync(join(bad, "cpu_manager_state"), text);
      const refused = checkpoint(bad, { config: CONFIG, machine: "worked-example", output: "table" });
      assert.equal(refused.exitCode, 1);
      assert.match(
        refused.stdout,
        /checkpoint is corrupted, please drain this node and delete the CPU manager checkpoint file/,
      );
      const accepted = checkpoint(bad, {
        config: CONFIG,
        machine: "worked-example",
        output: "table",
        ignoreChecksum: true,
      });
      assert.equal(accepted.exitCode, 0);
      assert.match(accepted.stdout, /warning: /);
    } finally {
      rmSync(bad, { recursive: true, force: true });
    }
  });

  test("draws the node the state describes", () => {
    const r = checkpoint(dir, { config: CONFIG, machine: "worked-example", output: "table", html: "x.html" });
    assert.ok(r.html?.includes("<svg"));
    assert.match(r.html ?? "", /data-cpu="17"/);
  });

  test("a directory without state files is bad input", () => {
    const empty = mkdtempSync(join(tmpdir(), "podpin-state-"));
    try {
      assert.throws(
        () => checkpoint(empty, { config: CONFIG, machine: "worked-example", output: "table" }),
        UsageError,
      );
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });

  test("--ignore-checksum --html draws the state it accepted; without it nothing is drawn", () => {
    const bad = mkdtempSync(join(tmpdir(), "podpin-state-"));
    try {
      const text = readFileSync(join(dir, "cpu_manager_state"), "utf8").replace(
        /"dataChecksum":\d+/,
        '"dataChecksum":1',
      );
      writeFileSync(join(bad, "cpu_manager_state"), text);
      writeFileSync(join(bad, "memory_manager_state"), readFileSync(join(dir, "memory_manager_state")));
      const base = { config: CONFIG, machine: "worked-example", output: "table" as const, html: "x.html" };
      assert.equal(checkpoint(bad, base).html, null);
      const r = checkpoint(bad, { ...base, ignoreChecksum: true });
      assert.equal(r.exitCode, 0);
      const html = r.html ?? "";
      assert.ok(html.includes("<svg"));
      assert.ok(html.includes("checksums not verified (--ignore-checksum)"));
      // Every CPU is drawn with the owner the accepted state gives it, as for the intact files.
      const cpus = (page: string) => page.match(/<g class="cpu [^>]*>/g) ?? [];
      assert.equal(cpus(html).length, 32);
      assert.deepEqual(cpus(html), cpus(checkpoint(dir, base).html ?? ""));
      assert.match(
        html,
        /data-cpu="1" data-owner="pod-exclusive" data-pod="uid-db" data-container="database"/,
      );
    } finally {
      rmSync(bad, { recursive: true, force: true });
    }
  });

  test("an --html file that cannot be written is a one-line usage error", () => {
    assert.throws(
      () => writeHtmlReport("/no/such/dir/x.html", "<html></html>"),
      (err: unknown) =>
        err instanceof UsageError &&
        err.message ===
          "--html /no/such/dir/x.html: cannot write the report (ENOENT: no such file or directory)",
    );
    assert.throws(
      () => writeHtmlReport(dir, "<html></html>"),
      (err: unknown) =>
        err instanceof UsageError &&
        err.message === `--html ${dir}: cannot write the report (EISDIR: illegal operation on a directory)`,
    );
  });

  test("1.36 with the gate on: memory V2 with {memoryBlocks} pod entries; bare lists are refused with a hint", async () => {
    const v136 = mkdtempSync(join(tmpdir(), "podpin-state-"));
    try {
      const opts = {
        config: CONFIG,
        machine: "worked-example",
        kubernetesVersion: "1.36",
        output: "table" as const,
      };
      const run = await simulate([join(EX, "tightly-coupled-database.yaml")], { ...opts, output: "json" });
      const written = {
        memory: (JSON.parse(run.stdout) as { state: { memoryManagerCheckpoint: string } }).state
          .memoryManagerCheckpoint,
      };
      assert.match(
        written.memory,
        /"podEntries":\{"uid-db":\{"memoryBlocks":\[\{"numaAffinity":\[0\],"type":"memory","size":17179869184\}\]\}\}/,
      );
      writeFileSync(join(v136, "memory_manager_state"), written.memory);
      const ok = checkpoint(v136, opts);
      assert.equal(ok.exitCode, 0);
      assert.match(ok.stdout, /^memory_manager_state: ok \(v2\)$/m);
      assert.match(ok.stdout, /uid-db\s+\(pod\)\s+memory 16Gi @0/);
      const blocks = '[{"numaAffinity":[0],"type":"memory","size":17179869184}]';
      const bare = written.memory.replace(`{"memoryBlocks":${blocks}}`, blocks);
      assert.notEqual(bare, written.memory);
      writeFileSync(join(v136, "memory_manager_state"), bare);
      const refused = checkpoint(v136, opts);
      assert.equal(refused.exitCode, 1);
      assert.ok(
        refused.stdout.includes(
          '\n  hint: the pod-level entry of pod "uid-db" is a bare list of memory blocks, as older podpin versions wrote it; the kubelet reads a pod entry only as {"memoryBlocks": [...]}\n',
        ),
        refused.stdout,
      );
      assert.match(
        refused.stdout,
        /^memory_manager_state: refused\n {2}could not restore state from checkpoint: checkpoint is corrupted, /m,
      );
    } finally {
      rmSync(v136, { recursive: true, force: true });
    }
  });
});
