import { spawnSync } from "node:child_process";
import { readFileSync, rmSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

/**
 * `npm run bench`: the benchmarks run as compiled JavaScript, as podpin ships (the command is one
 * esbuild script, the library tsc's output), not through the development loader. That loader
 * compiles each module with esbuild's `keepNames`, which wraps every function expression in a
 * naming call made each time the expression is evaluated: a cost in every closure of the hot
 * paths that no installed podpin pays. So scripts/bench.ts is bundled the same way as the
 * command (no `keepNames`; dependencies stay imports of node_modules) into .bench-build/, a
 * directory as deep in the project as scripts/ (the benchmarks find files relative to their own
 * module), and run with the given arguments.
 */

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const OUT_DIR = join(ROOT, ".bench-build");
const OUT = join(OUT_DIR, "bench.mjs");

async function bundle(): Promise<void> {
  rmSync(OUT_DIR, { recursive: true, force: true });
  const result = await build({
    entryPoints: [join(ROOT, "scripts", "bench.ts")],
    absWorkingDir: ROOT,
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    outfile: OUT,
    packages: "external",
    keepNames: false,
    sourcemap: "linked",
    metafile: true,
    logLevel: "warning",
  });
  // A src/ module that finds files beside itself would look in the wrong place from .bench-build/.
  for (const input of Object.keys(result.metafile.inputs)) {
    const path = relative(ROOT, resolve(ROOT, input));
    if (path.startsWith(`src${sep}`) && /\bimport\.meta\b/.test(readFileSync(join(ROOT, path), "utf8")))
      throw new Error(`bench-compiled: ${path} reads import.meta.url, which is wrong from .bench-build/`);
  }
}

await bundle();
const run = spawnSync(process.execPath, ["--enable-source-maps", OUT, ...process.argv.slice(2)], {
  cwd: ROOT,
  stdio: "inherit",
});
process.exit(run.status ?? 1);
