/**
 * `podpin checkpoint` and `podpin topology` as a user runs them: child processes, their exact
 * stdout, stderr and exit code. Covers the `--html` page of a state accepted with
 * `--ignore-checksum`, an `--html` file that cannot be written, memory pod entries in the
 * kubelet's `{"memoryBlocks": [...]}` form, and capturing a node with `topology -m this -o yaml`.
 */
import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { parse as parseYAML } from "yaml";
import { fakeGpu, presetMachine, writeFakeSysfs } from "../machine/index.js";
import { DATABASE_POD, POD_SCOPE_CONFIG } from "./cli.test-support.js";
import { simulate } from "./simulate.js";
import { podpin } from "./cli.process.test-support.js";

const HINT =
  "to capture a real node's machine file, run on the node: podpin topology -m this -o yaml > node.yaml";

/** The node of the worked example after admitting the database pod, as state files. */
async function stateFiles(version: "1.36" | "1.37"): Promise<{ cpu: string; memory: string }> {
  const run = await simulate([DATABASE_POD], {
    config: POD_SCOPE_CONFIG,
    machine: "worked-example",
    kubernetesVersion: version,
    output: "json",
  });
  const { state } = JSON.parse(run.stdout) as {
    state: { cpuManagerCheckpoint: string; memoryManagerCheckpoint: string };
  };
  return { cpu: state.cpuManagerCheckpoint, memory: state.memoryManagerCheckpoint };
}

describe("podpin checkpoint and topology (child processes)", { timeout: 300_000, concurrency: 4 }, () => {
  let work: string;
  let good: string;
  let damaged: string;
  let originalDataChecksum: string;
  const node = ["-c", POD_SCOPE_CONFIG, "-m", "worked-example"];

  before(async () => {
    work = mkdtempSync(join(tmpdir(), "podpin-process-"));
    good = join(work, "good");
    damaged = join(work, "damaged");
    mkdirSync(good);
    mkdirSync(damaged);
    const files = await stateFiles("1.37");
    writeFileSync(join(good, "cpu_manager_state"), files.cpu);
    writeFileSync(join(good, "memory_manager_state"), files.memory);
    originalDataChecksum = /"dataChecksum":(\d+)/.exec(files.cpu)![1];
    writeFileSync(
      join(damaged, "cpu_manager_state"),
      files.cpu.replace(/"dataChecksum":\d+/, '"dataChecksum":1'),
    );
    writeFileSync(join(damaged, "memory_manager_state"), files.memory);
  });
  after(() => rmSync(work, { recursive: true, force: true }));

  it("checkpoint --ignore-checksum --html: accepts the file as the report does and draws it", async () => {
    const page = join(work, "accepted.html");
    const r = await podpin(["checkpoint", damaged, ...node, "--ignore-checksum", "--html", page]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, `podpin: wrote ${page}\n`);
    assert.ok(
      r.stdout.startsWith(
        `cpu_manager_state: ok (v4)\n  warning: dataChecksum 1 does not match the content (computed ${originalDataChecksum}); accepted as asked\nmemory_manager_state: ok (v3)\n`,
      ),
      r.stdout,
    );
    const html = readFileSync(page, "utf8");
    assert.equal((html.match(/<g class="cpu /g) ?? []).length, 32);
    assert.match(html, /data-cpu="1" data-owner="pod-exclusive" data-pod="uid-db" data-container="database"/);
    assert.ok(html.includes("checksums not verified (--ignore-checksum)"));
  });

  it("checkpoint --html of a state the kubelet refuses: exit 1, the report, and why no page", async () => {
    const page = join(work, "refused.html");
    const r = await podpin(["checkpoint", damaged, ...node, "--html", page]);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /^cpu_manager_state: refused\n {2}could not restore state from checkpoint: /);
    assert.equal(
      r.stderr,
      `podpin: --html ${page}: not written: the kubelet would not start with this state\n`,
    );
    assert.equal(existsSync(page), false);
  });

  it("checkpoint --html to a path that cannot be written: one line, exit 2", async () => {
    const r = await podpin(["checkpoint", good, ...node, "--html", "/no/such/dir/x.html"]);
    assert.equal(r.code, 2);
    assert.equal(r.stdout, "");
    assert.equal(
      r.stderr,
      "podpin: --html /no/such/dir/x.html: cannot write the report (ENOENT: no such file or directory)\n",
    );
  });

  it("checkpoint of a 1.36 memory file: the kubelet's {memoryBlocks} entries read; bare lists refused with a hint", async () => {
    const dir = join(work, "v136");
    mkdirSync(dir);
    const { memory } = await stateFiles("1.36");
    const blocks = '[{"numaAffinity":[0],"type":"memory","size":17179869184}]';
    assert.ok(memory.includes(`"podEntries":{"uid-db":{"memoryBlocks":${blocks}}}`), memory);
    const file = join(dir, "memory_manager_state");
    writeFileSync(file, memory);
    const v136 = [...node, "--kubernetes-version", "1.36"];
    const ok = await podpin(["checkpoint", dir, ...v136]);
    assert.equal(ok.code, 0, ok.stderr);
    assert.ok(ok.stdout.startsWith("cpu_manager_state: absent\nmemory_manager_state: ok (v2)\n"), ok.stdout);
    writeFileSync(file, memory.replace(`{"memoryBlocks":${blocks}}`, blocks));
    const refused = await podpin(["checkpoint", dir, ...v136]);
    assert.equal(refused.code, 1);
    assert.equal(refused.stderr, "");
    assert.ok(
      refused.stdout.startsWith(
        [
          "cpu_manager_state: absent",
          "memory_manager_state: refused",
          `  could not restore state from checkpoint: checkpoint is corrupted, please drain this node and delete the memory manager checkpoint file "${file}" before restarting Kubelet`,
          '  hint: the pod-level entry of pod "uid-db" is a bare list of memory blocks, as older podpin versions wrote it; the kubelet reads a pod entry only as {"memoryBlocks": [...]}',
          "",
        ].join("\n"),
      ),
      refused.stdout,
    );
  });

  it("topology -m this -o yaml > node.yaml: the node under its hostname, and -m node.yaml gives it back", async (_t) => {
    assert.ok(existsSync("/sys/devices/system/cpu"), "cannot run: /sys/devices/system/cpu is missing");
    const captured = await podpin(["topology", "-m", "this", "-o", "yaml"]);
    assert.equal(captured.code, 0, captured.stderr);
    assert.equal(captured.stderr, "");
    const file = join(work, "node.yaml");
    writeFileSync(file, captured.stdout);
    const doc = parseYAML(captured.stdout) as Record<string, unknown> & { notes: string[] };
    assert.equal(doc.name, hostname().trim().toLowerCase());
    for (const key of ["header", "cpus", "memory"]) assert.ok(key in doc, `${key} in the capture`);
    const again = await podpin(["topology", "-m", file, "-o", "yaml"]);
    assert.equal(again.code, 0, again.stderr);
    assert.deepEqual(parseYAML(again.stdout), { ...doc, notes: [...doc.notes, `loaded from ${file}`] });
  });

  it("topology -m this --sysfs-root: a copied tree, its GPUs and its hostname", async () => {
    const tree = join(work, "tree");
    writeFakeSysfs(presetMachine("intel-xeon-6230r-2s")!, tree, {
      hostname: "gpu-node-3",
      pciDevices: [fakeGpu("0000:3b:00.0", 0), fakeGpu("0000:d8:00.0", 1)],
    });
    const r = await podpin(["topology", "-m", "this", "--sysfs-root", tree, "-o", "json"]);
    assert.equal(r.code, 0, r.stderr);
    const doc = JSON.parse(r.stdout) as { name: string; resources: unknown; memory: Record<string, unknown> };
    assert.equal(doc.name, "gpu-node-3");
    assert.deepEqual(doc.resources, {
      "nvidia.com/gpu": {
        devices: [
          { id: "0000:3b:00.0", numaNodes: [0] },
          { id: "0000:d8:00.0", numaNodes: [1] },
        ],
      },
    });
    assert.deepEqual(Object.keys(doc.memory), ["0", "1"]);
  });

  it("topology -m <file without memory>: one line saying how to capture a node, exit 2", async () => {
    const file = join(work, "cpus-only.yaml");
    writeFileSync(file, "cpus:\n  - {id: 0, core: 0, socket: 0, numa: 0}\n");
    const r = await podpin(["topology", "-m", file]);
    assert.equal(r.code, 2);
    assert.equal(r.stdout, "");
    assert.equal(
      r.stderr,
      `podpin: ${file}:1:1: memory: missing field: expected every NUMA node's memory, such as {"0": 64Gi}; ${HINT}\n`,
    );
    const sim = await podpin(["simulate", "-m", file, DATABASE_POD]);
    assert.equal(sim.code, 2);
    assert.equal(
      sim.stderr,
      `podpin: ${file}:1:1: memory: missing field: expected every NUMA node's memory, such as {"0": 64Gi}; ${HINT}\n`,
    );
  });
});
