import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { parse as parseYaml } from "yaml";
import {
  discoverFromSysfs,
  fakeGpu,
  loadMachine,
  machineFacts,
  parseMachineText,
  presetMachine,
  writeFakeSysfs,
} from "../machine/index.js";
import { runInProcess } from "./cli-in-process.test-support.js";

/** Runs one command line in-process, as the `podpin` command does, with stdout/stderr captured. */
async function run(...args: string[]): Promise<{ stdout: string; stderr: string; exitCode: number }> {
  const r = await runInProcess(args);
  return { stdout: r.stdout, stderr: r.stderr, exitCode: r.code };
}

describe("podpin topology", () => {
  it("prints a preset as a table", async () => {
    const r = await run("topology", "--machine", "worked-example");
    assert.equal(r.exitCode, 0);
    assert.match(r.stdout, /^NUMA +SOCKETS +CPUS +CPU LIST/m);
    assert.match(r.stdout, /0-7,16-23/);
  });

  it("prints json and yaml that load back as the same machine", async () => {
    const m = loadMachine("intel-xeon-max-2s-snc4-hbm-flat");
    for (const format of ["json", "yaml"]) {
      const r = await run("topology", "--machine", "intel-xeon-max-2s-snc4-hbm-flat", "-o", format);
      assert.equal(r.exitCode, 0);
      if (format === "json") JSON.parse(r.stdout);
      else parseYaml(r.stdout);
      const back = parseMachineText(r.stdout, `out.${format}`);
      assert.deepEqual(machineFacts(back), machineFacts(m));
    }
  });

  it("lists device-plugin resources, and json/yaml carry them back", async () => {
    const table = await run("topology", "-m", "dgx-h100");
    assert.equal(table.exitCode, 0);
    assert.match(table.stdout, /^Devices: +nvidia\.com\/gpu 8, nvidia\.com\/hostdev 8$/m);
    assert.match(table.stdout, /^0 +0 +112 .* nvidia\.com\/gpu×4, nvidia\.com\/hostdev×4$/m);
    const m = loadMachine("nvidia-dgx-h100");
    for (const format of ["json", "yaml"]) {
      const r = await run("topology", "-m", "nvidia-dgx-h100", "-o", format);
      const back = parseMachineText(r.stdout, `out.${format}`);
      assert.equal(back.devices.get("nvidia.com/gpu")?.devices.length, 8);
      assert.deepEqual(machineFacts(back), machineFacts(m));
    }
  });

  it("writes the HTML picture of the machine", async () => {
    const dir = mkdtempSync(join(tmpdir(), "podpin-topology-"));
    try {
      const file = join(dir, "m.html");
      const r = await run("topology", "--machine", "nvidia-gb200-tray", "--html", file);
      assert.equal(r.exitCode, 0);
      const html = readFileSync(file, "utf8");
      assert.equal((html.match(/<g class="cpu owner-node-shared"/g) ?? []).length, 144);
      assert.equal((html.match(/<g class="numa memory-only"/g) ?? []).length, 32);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("exits 2 with one line naming the bad input", async () => {
    for (const args of [
      ["--machine", "no-such-preset"],
      ["--machine", "/no/such/file.json"],
      ["--machine", "worked-example", "-o", "xml"],
      ["--machine", "worked-example", "--html", "/no/such/dir/x.html"],
    ]) {
      const r = await run("topology", ...args);
      assert.equal(r.exitCode, 2, args.join(" "));
      assert.equal(r.stderr.trimEnd().split("\n").length, 1, r.stderr);
      assert.match(r.stderr, /^podpin: /);
      assert.ok(r.stderr.includes(args[args.length - 1]), r.stderr);
    }
  });
});

describe("podpin presets", () => {
  it("lists every preset as a table, json or yaml", async () => {
    const table = await run("presets");
    assert.equal(table.exitCode, 0);
    assert.match(table.stdout, /^NAME +ALIASES +DESCRIPTION$/m);
    assert.match(table.stdout, /^worked-example +m,machine-m +Machine M/m);
    const json = JSON.parse((await run("presets", "-o", "json")).stdout) as { name: string }[];
    assert.ok(json.some((p) => p.name === "nvidia-gb200-tray"));
    const yaml = parseYaml((await run("presets", "-o", "yaml")).stdout) as { name: string }[];
    assert.equal(yaml.length, json.length);
  });

  it("exits 2 on an unknown format", async () => {
    const r = await run("presets", "-o", "xml");
    assert.equal(r.exitCode, 2);
    assert.equal(
      r.stderr,
      "podpin: --output: argument 'xml' is invalid. Allowed choices are table, json, yaml.\n",
    );
  });
});

const HINT =
  "to capture a real node's machine file, run on the node: podpin topology -m this -o yaml > node.yaml";

describe("podpin topology -m this -o yaml: a capture of the node that loads back", () => {
  const scratch = existsSync("/dev/shm") ? "/dev/shm" : tmpdir();
  const dirs: string[] = [];
  after(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });
  const tree = (preset: string, opts: Parameters<typeof writeFakeSysfs>[2]): string => {
    const dir = mkdtempSync(join(scratch, "podpin-capture-"));
    dirs.push(dir);
    writeFakeSysfs(presetMachine(preset)!, dir, opts);
    return dir;
  };

  it("on the real /sys: every fact of the machine, under the hostname", async (_t) => {
    assert.ok(existsSync("/sys/devices/system/cpu"), "cannot run: /sys/devices/system/cpu is missing");
    const real = loadMachine("this");
    for (const format of ["yaml", "json"]) {
      const r = await run("topology", "-m", "this", "-o", format);
      assert.equal(r.exitCode, 0, r.stderr);
      assert.equal(r.stderr, "");
      const back = parseMachineText(r.stdout, `node.${format}`);
      assert.equal(back.name, hostname().trim().toLowerCase());
      assert.deepEqual(machineFacts(back), machineFacts(real));
      assert.ok(back.notes.includes("discovered from /sys"), back.notes.join("; "));
    }
  });

  for (const preset of [
    "intel-xeon-6230r-2s",
    "amd-epyc-7551-2s",
    "intel-xeon-max-2s-snc4-hbm-flat",
    "amd-epyc-8434p-l3numa",
  ]) {
    it(`a fake tree of ${preset} with GPUs and hugepages: the same machine back, named by the tree's hostname`, async () => {
      const dir = tree(preset, {
        hostname: "Worker-7.Example.COM\n",
        pciDevices: [
          fakeGpu("0000:17:00.0", 0),
          fakeGpu("0000:ca:00.0", 1, "amd"),
          { ...fakeGpu("0000:cb:00.0", 0), numaNode: "-1" },
        ],
      });
      // Hugepages come out of a node's memory: put them on the first node that has some
      // (amd-epyc-7551-2s has memoryless nodes, whose pools stay empty on a real machine).
      const hugeNode =
        [...(presetMachine(preset)?.memory ?? [])].find(([, m]) => m.memory >= 1n << 30n)?.[0] ?? 0;
      writeFileSync(
        join(dir, `sys/devices/system/node/node${hugeNode}/hugepages/hugepages-2048kB/nr_hugepages`),
        "512\n",
      );
      const discovered = discoverFromSysfs(dir);
      assert.equal(discovered.devices.size, 2);
      for (const format of ["yaml", "json"]) {
        const r = await run("topology", "-m", "this", "--sysfs-root", dir, "-o", format);
        assert.equal(r.exitCode, 0, r.stderr);
        const back = parseMachineText(r.stdout, `node.${format}`);
        assert.equal(back.name, "worker-7.example.com");
        assert.deepEqual(machineFacts(back), machineFacts(discovered));
        assert.equal(
          back.memory.get(hugeNode)?.hugepages.find((h) => h.pageSizeKiB === 2048)?.numPages,
          512n,
        );
        assert.deepEqual(
          back.devices.get("nvidia.com/gpu")?.devices.map((d) => [d.id, d.numaNodes]),
          [
            ["0000:17:00.0", [0]],
            ["0000:cb:00.0", null],
          ],
        );
      }
    });
  }

  it("the table names the node too; a tree without a hostname keeps the name this", async () => {
    const named = tree("worked-example", { hostname: "node-a" });
    assert.match((await run("topology", "-m", "this", "--sysfs-root", named)).stdout, /^Machine: +node-a$/m);
    const anonymous = tree("worked-example", {});
    const r = await run("topology", "-m", "this", "--sysfs-root", anonymous, "-o", "yaml");
    assert.equal((parseYaml(r.stdout) as { name: string }).name, "this");
  });

  it("presets print as before: --sysfs-root is only for this", async () => {
    const r = await run("topology", "-m", "worked-example", "--sysfs-root", "/");
    assert.equal(r.exitCode, 2);
    assert.equal(r.stderr, "podpin: --sysfs-root /: only with --machine this\n");
    const doc = parseYaml((await run("topology", "-m", "worked-example", "-o", "yaml")).stdout) as {
      name: string;
    };
    assert.equal(doc.name, "worked-example");
  });

  it("a machine file without memory says how to capture one", async () => {
    const dir = mkdtempSync(join(tmpdir(), "podpin-topology-"));
    dirs.push(dir);
    const noMemory = join(dir, "cpus-only.yaml");
    writeFileSync(
      noMemory,
      "cpus:\n  - {id: 0, core: 0, socket: 0, numa: 0}\n  - {id: 1, core: 1, socket: 0, numa: 1}\n",
    );
    let r = await run("topology", "-m", noMemory);
    assert.equal(r.exitCode, 2);
    assert.equal(
      r.stderr,
      `podpin: ${noMemory}:1:1: memory: missing field: expected every NUMA node's memory, such as {"0": 64Gi}; ${HINT}\n`,
    );
    const oneNode = join(dir, "one-node.yaml");
    writeFileSync(oneNode, `${readFileSync(noMemory, "utf8")}memory:\n  "0": 64Gi\n`);
    r = await run("topology", "-m", oneNode);
    assert.equal(r.exitCode, 2);
    assert.equal(
      r.stderr,
      `podpin: ${oneNode}:5:3: memory: expected an entry for NUMA node 1 (it has CPUs); ${HINT}\n`,
    );
  });
});
