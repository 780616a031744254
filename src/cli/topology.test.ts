import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { Command } from "commander";
import { parse as parseYaml } from "yaml";
import { loadMachine, machineFacts, parseMachineText } from "../machine/index.js";
import { registerPresets } from "./presets.js";
import { registerTopology } from "./topology.js";

interface Run {
  stdout: string;
  stderr: string;
  exitCode: number;
}

/** Runs one command line in-process with stdout/stderr captured. */
async function run(...args: string[]): Promise<Run> {
  const program = new Command().name("podpin").exitOverride();
  registerTopology(program);
  registerPresets(program);
  let stdout = "";
  let stderr = "";
  const out = process.stdout.write;
  const err = process.stderr.write;
  const saved = process.exitCode;
  process.exitCode = undefined;
  process.stdout.write = ((chunk: string) => {
    stdout += chunk;
    return true;
  }) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string) => {
    stderr += chunk;
    return true;
  }) as typeof process.stderr.write;
  try {
    await program.parseAsync(["node", "podpin", ...args]);
    return { stdout, stderr, exitCode: Number(process.exitCode ?? 0) };
  } finally {
    process.stdout.write = out;
    process.stderr.write = err;
    process.exitCode = saved;
  }
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
      assert.match(r.stderr, /^podpin topology: /);
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
    assert.match(r.stderr, /^podpin presets: --output: unknown format "xml"/);
  });
});
