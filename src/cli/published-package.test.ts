/**
 * The package as npm publishes it, installed the way a user installs it: `npm pack` of a copy of
 * the checkout (which builds dist/ as `npm ci` does, through the prepare script), installed with
 * `npm install --offline` into a temporary prefix with an empty npm cache, its runtime dependencies
 * taken from this checkout's node_modules (packed as npm packs them) and nothing else, then run:
 * `podpin --version`, `simulate` on the blog pods, and the commands that run from dist/'s
 * modules rather than the bundled script (`fleet` with its worker threads among them). This is the one test that runs the compiled command;
 * the other CLI tests run the sources, which cannot be stale.
 */
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, before, describe, it } from "node:test";
import { runFleet } from "../cluster/fleet/index.js";
import { CONFORMANCE_DIR } from "../conformance/location.js";
import { ROOT } from "./cli.test-support.js";

/** What `npm pack` needs of the checkout to build the package. */
const PACKAGE_SOURCES = [
  "package.json",
  "package-lock.json",
  "tsconfig.json",
  "tsconfig.build.json",
  "README.md",
  "bin",
  "docs",
  "examples",
  "proto",
  "scripts",
  "src",
];

const manifest = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string };

/** Runs a command to completion; a failure names the command and shows its output. */
function run(file: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env): string {
  const r = spawnSync(file, args, { cwd, env, encoding: "utf8", timeout: 300_000, maxBuffer: 64 << 20 });
  if (r.error) throw new Error(`${file} ${args.join(" ")}: ${r.error.message}`);
  if (r.status !== 0)
    throw new Error(`${file} ${args.join(" ")}: exit ${r.status}\n${r.stdout}\n${r.stderr}`.slice(0, 20_000));
  return r.stdout;
}

const lock = JSON.parse(readFileSync(join(ROOT, "package-lock.json"), "utf8")) as {
  packages: Record<string, { dev?: boolean }>;
};

/** The lock file's installed packages (`node_modules/...`) that are, or are not, dev-only. */
function lockedPackages(dev: boolean): string[] {
  return Object.entries(lock.packages)
    .filter(([path, entry]) => path !== "" && (entry.dev === true) === dev)
    .map(([path]) => path);
}

/** A package directory of node_modules as a tarball laid out as npm packs one (`package/...`). */
function packInstalled(path: string, into: string): string {
  const out = join(into, `${path.replace(/^node_modules\//, "").replace(/[@/]/g, "_")}.tgz`);
  execFileSync("tar", [
    "-czf",
    out,
    "-C",
    join(ROOT, path),
    "--exclude=./node_modules",
    "--transform=s,^\\.,package,",
    ".",
  ]);
  return out;
}

describe("the published package, installed offline without dev dependencies", { timeout: 600_000 }, () => {
  let scratch = "";
  let prefix = "";
  let bin = "";
  let installed = "";
  const env = { ...process.env, NO_COLOR: "1" };

  before(() => {
    scratch = mkdtempSync(join(tmpdir(), "podpin-package-"));
    const copy = join(scratch, "checkout");
    mkdirSync(copy);
    for (const entry of PACKAGE_SOURCES) cpSync(join(ROOT, entry), join(copy, entry), { recursive: true });
    symlinkSync(join(ROOT, "node_modules"), join(copy, "node_modules"), "dir");
    const tarballs = join(scratch, "tarballs");
    mkdirSync(tarballs);
    const npmEnv = {
      ...env,
      npm_config_cache: join(scratch, "npm-cache"),
      npm_config_update_notifier: "false",
    };
    run("npm", ["pack", "--pack-destination", tarballs], copy, npmEnv);
    const [podpin] = readdirSync(tarballs).filter((f) => f.startsWith("podpin-"));
    assert.ok(podpin, "npm pack wrote a podpin tarball");
    const deps = lockedPackages(false).map((p) => packInstalled(p, tarballs));
    prefix = join(scratch, "prefix");
    mkdirSync(prefix);
    run(
      "npm",
      [
        "install",
        "--prefix",
        prefix,
        "--offline",
        "--no-audit",
        "--no-fund",
        "--ignore-scripts",
        join(tarballs, podpin),
        ...deps,
      ],
      prefix,
      npmEnv,
    );
    installed = join(prefix, "node_modules", "podpin");
    bin = join(prefix, "node_modules", ".bin", "podpin");
  });
  after(() => {
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  it("holds the compiled command and no dev dependency; the sources' tests stay out", () => {
    for (const file of [
      "bin/podpin.js",
      "dist/bin/cli.js",
      "dist/bin/cli.cache",
      "dist/cli/main.js",
      "dist/index.js",
    ])
      assert.ok(existsSync(join(installed, file)), `${file} in the package`);
    assert.ok(!existsSync(join(installed, "src/cli/simulate.test.ts")), "tests are not published");
    for (const dev of lockedPackages(true))
      assert.ok(!existsSync(join(prefix, dev)), `${dev} (a dev dependency only) is not installed`);
    assert.ok(lockedPackages(true).includes("node_modules/tsx"), "tsx is a dev dependency only");
    // Top-level packages only: a dev package's own nested copy of a runtime dependency (nearley's
    // commander 2) says nothing about what the runtime imports resolve to.
    const devOnly = new Set(
      lockedPackages(true)
        .filter((p) => /^node_modules\/(?:@[^/]+\/)?[^/]+$/.test(p))
        .map((p) => p.replace(/^node_modules\//, "")),
    );
    for (const file of readdirSync(join(installed, "dist"), { recursive: true, encoding: "utf8" })) {
      if (!file.endsWith(".js")) continue;
      const text = readFileSync(join(installed, "dist", file), "utf8");
      for (const m of text.matchAll(/(?:\bfrom\s*|\bimport\(\s*)["']((?:@[^/"']+\/)?[^/"'.][^/"']*)/g))
        assert.ok(!devOnly.has(m[1]), `dist/${file} imports ${m[1]}, a dev dependency`);
    }
  });

  it("podpin --version, through the installed command's #! line", () => {
    const path = `${dirname(process.execPath)}:${process.env.PATH ?? ""}`;
    assert.equal(run(bin, ["--version"], prefix, { ...env, PATH: path }), `${manifest.version}\n`);
  });

  it("podpin simulate on the blog pods of the package's examples: both admitted in pod scope", () => {
    const ex = (f: string) => join(installed, "examples", f);
    const out = run(
      process.execPath,
      [
        bin,
        "simulate",
        "-c",
        ex("kubelet-pod-scope.yaml"),
        "-f",
        ex("tightly-coupled-database.yaml"),
        ex("ml-workload.yaml"),
      ],
      prefix,
      env,
    );
    assert.match(
      out,
      /^ADMITTED {2}default\/tightly-coupled-database {2}\(pod scope, pod-level resources\)$/m,
    );
    assert.match(out, /^ADMITTED {2}default\/ml-workload {2}\(pod scope, pod-level resources\)$/m);
    assert.match(out, /^ {2}pod bubble: {8}1-4,17-20$/m);
  });

  it("every command's --help: each command's modules load from the compiled package", () => {
    const listing = run(process.execPath, [bin, "--help"], prefix, env);
    const commands = [...(listing.split(/^Commands:\n/m)[1] ?? "").matchAll(/^ {2}([a-z][a-z-]*) /gm)]
      .map((m) => m[1])
      .filter((c) => c !== "help");
    assert.ok(commands.includes("simulate") && commands.includes("agent"), listing);
    for (const command of commands)
      assert.match(
        run(process.execPath, [bin, command, "--help"], prefix, env),
        new RegExp(`^Usage: podpin ${command} `),
      );
  });

  it("podpin fleet --workers 2 runs its scenarios in the compiled worker threads", async () => {
    const ex = (f: string) => join(installed, "examples", f);
    const file = join(scratch, "fleet.yaml");
    writeFileSync(
      file,
      `apiVersion: podpin.io/v1alpha1
kind: Fleet
metadata: {name: packaged}
nodeGroups:
  - {name: small, count: 2, machine: worked-example, kubeletConfig: ${ex("kubelet-pod-scope.yaml")}}
workloads:
  - {file: ${ex("tightly-coupled-database.yaml")}, replicas: 3}
  - {file: ${ex("ml-workload.yaml")}, replicas: 2}
`,
    );
    const report = JSON.parse(
      run(process.execPath, [bin, "fleet", "-f", file, "--workers", "2", "-o", "json"], prefix, env),
    ) as { kind: string; scenarios: { scenario: string; pods: { total: number } }[] };
    assert.equal(report.kind, "FleetReport");
    assert.deepEqual(
      report.scenarios.map((s) => [s.scenario, s.pods.total]),
      [
        ["allocatable", 5],
        ["numa-aware", 5],
      ],
    );
    // The same report as the sources give in one thread.
    assert.deepEqual(report, await runFleet(file, { workers: 1 }));
  });

  it("podpin conformance and podpin agent --help run from dist/'s modules", () => {
    const vectors = join(CONFORMANCE_DIR, "topology");
    if (!existsSync(vectors)) assert.fail(`cannot run: no conformance vectors at ${vectors}`);
    assert.match(
      run(process.execPath, [bin, "conformance", vectors], prefix, env),
      /\d+ passed, 0 failed\n$/,
    );
    assert.match(run(process.execPath, [bin, "agent", "--help"], prefix, env), /^Usage: podpin agent /);
  });
});
