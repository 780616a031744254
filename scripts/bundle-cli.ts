import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { Script } from "node:vm";
import { build, type Plugin } from "esbuild";

/**
 * `npm run build`, second step: the `podpin` command as one script, dist/bin/cli.js, with V8's
 * code cache for it, dist/bin/cli.cache; bin/podpin.js runs them. Loading the three hundred
 * modules of dist/ and node_modules one by one, then compiling each function on first use, is
 * what made a one-pod `simulate` take twelve times as long as `node -e 0`; one script whose
 * functions come compiled from the cache starts in about twice that.
 *
 * The script is a function expression `(require, __podpinUrl) => exports`: `require` serves the
 * CommonJS dependencies' `require("node:...")`, `__podpinUrl` stands for `import.meta.url` (a
 * file in dist/bin/, as deep in the package as src/cli/). The cache is made by running the
 * commonest commands once (the functions they compile are what the cache holds); Node refuses
 * it for another V8 version, and the command then starts without it, only slower.
 *
 * The commands marked `unbundled` in src/cli/main.ts (their modules find files beside their own
 * code) are not in the script: bin/podpin.js runs them from the modules of dist/ that tsc wrote.
 * The build fails when a bundled module would look for a file beside itself, or when the script
 * would import a module it does not hold.
 */

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const SRC = join(ROOT, "src");
export const BIN_DIR = join(ROOT, "dist", "bin");
export const SCRIPT_NAME = "cli.js";
export const CACHE_NAME = "cli.cache";
/**
 * The command modules left out of the script: those of the commands main.ts marks `unbundled`,
 * whose modules find files beside their own code (the conformance suites, the agent's .proto
 * files). Paths from src/.
 */
const UNBUNDLED = ["cli/agent.ts", "cli/conformance.ts", "cli/fleet.ts"];
/**
 * The bundled modules that may use `import.meta.url`: in the script it is the URL of
 * dist/bin/cli.js, right only for paths up to the package's root from a module of src/<area>/.
 */
const IMPORT_META_ALLOWED = ["src/cli/main.ts", "src/cli/demo.ts"];

/** Leaves the unbundled command modules out; the script never reaches them (checked below). */
const leaveOutUnbundled: Plugin = {
  name: "podpin-unbundled",
  setup(b) {
    b.onResolve({ filter: /^\.\.?\// }, (args) => {
      if (!args.importer.startsWith(SRC + sep)) return undefined;
      const target = relative(SRC, resolve(args.resolveDir, args.path)).split(sep).join("/");
      const module = target.replace(/\.js$/, ".ts");
      if (!UNBUNDLED.includes(module)) return undefined;
      return { path: `podpin-unbundled:${module}`, external: true };
    });
  },
};

/**
 * zod's namespace object (`z`) carries every locale's error messages; podpin reads none but the
 * English ones zod installs by default, and the others are a quarter of the script's bytes.
 */
const englishOnlyZod: Plugin = {
  name: "podpin-zod-english-only",
  setup(b) {
    b.onLoad({ filter: /[\\/]node_modules[\\/]zod[\\/]v4[\\/]locales[\\/]index\.js$/ }, () => ({
      contents: 'export { default as en } from "./en.js";\n',
      loader: "js",
    }));
  },
};

/** What the script returns: src/cli/main.ts's exports. */
export interface BundledCli {
  main(
    argv: readonly string[],
    host?: { runUnbundled(argv: readonly string[]): Promise<void> },
  ): Promise<void>;
}

/** Compiles the script (with `cachedData` when given) and runs it: the script's exports. */
export function loadScript(file: string, cachedData?: Buffer): { cli: BundledCli; script: Script } {
  const script = new Script(readFileSync(file, "utf8"), { filename: file, cachedData });
  const factory = script.runInThisContext() as (req: NodeJS.Require, url: string) => BundledCli;
  return { cli: factory(createRequire(file), pathToFileURL(file).href), script };
}

async function bundle(outdir: string): Promise<void> {
  const result = await build({
    absWorkingDir: ROOT,
    entryPoints: [join(SRC, "cli", "main.ts")],
    outfile: join(outdir, SCRIPT_NAME),
    bundle: true,
    format: "iife",
    globalName: "__podpinCli",
    platform: "node",
    target: "node20",
    // The runtime dependencies are bundled too: loading zod or yaml from node_modules costs more
    // than the engine itself. Their licence comments are kept.
    packages: "bundle",
    legalComments: "eof",
    minifyWhitespace: true,
    minifySyntax: true,
    define: { "import.meta.url": "__podpinUrl" },
    banner: { js: '(function (require, __podpinUrl) {"use strict";' },
    footer: { js: "return __podpinCli;})" },
    plugins: [leaveOutUnbundled, englishOnlyZod],
    logLevel: "warning",
    write: false,
    metafile: true,
  });
  for (const input of Object.keys(result.metafile.inputs)) {
    if (!input.startsWith("src/") || IMPORT_META_ALLOWED.includes(input)) continue;
    if (readFileSync(join(ROOT, input), "utf8").includes("import.meta"))
      throw new Error(
        `${input} uses import.meta, which does not say where it is once bundled: find the file from the package root (as src/cli/main.ts does), or run its command from dist/ (unbundled in src/cli/main.ts and here)`,
      );
  }
  const [out] = result.outputFiles;
  // Any import() left in the script would fail when run (a script has no module loader): only
  // those of the unbundled commands may remain, which bin/podpin.js runs before reaching them.
  for (const m of out.text.matchAll(/\bimport\(\s*("[^"]*"|'[^']*'|`[^`]*`|[^)]*)\)/g))
    if (!/^["']podpin-unbundled:/.test(m[1]))
      throw new Error(`${SCRIPT_NAME}: a dynamic import the script cannot run: ${m[0]}`);
  const required = /require\(\s*["']podpin-unbundled:[^"']*["']\)/.exec(out.text);
  if (required) throw new Error(`${SCRIPT_NAME}: a bundled module imports an unbundled one: ${required[0]}`);
  writeFileSync(out.path, out.text);
}

/** The command lines whose compiled functions the cache holds. */
function warmUpCommands(scratch: string): string[][] {
  const ex = (f: string) => join(ROOT, "examples", f);
  const podScope = ["-c", ex("kubelet-pod-scope.yaml")];
  return [
    ["--help"],
    ["simulate", "--help"],
    ["simulate", ...podScope, ex("tightly-coupled-database.yaml"), ex("ml-workload.yaml")],
    ["simulate", ...podScope, "-f", ex("tightly-coupled-database.yaml"), "-o", "json"],
    [
      "simulate",
      "-c",
      ex("kubelet-container-scope.yaml"),
      ex("ml-workload.yaml"),
      "--html",
      join(scratch, "r.html"),
    ],
    ["explain", ...podScope, ex("too-big-database.yaml")],
    ["topology", "-m", "worked-example"],
    ["presets"],
  ];
}

/** Runs the warm-up command lines in this process, their output discarded, then saves the cache. */
async function writeCodeCache(outdir: string): Promise<void> {
  const file = join(outdir, SCRIPT_NAME);
  const { cli, script } = loadScript(file);
  const scratch = mkdtempSync(join(tmpdir(), "podpin-build-"));
  const writes = { out: process.stdout.write, err: process.stderr.write };
  const exitCode = process.exitCode;
  try {
    const discard = (() => true) as typeof process.stdout.write;
    process.stdout.write = discard;
    process.stderr.write = discard;
    for (const argv of warmUpCommands(scratch)) await cli.main(argv);
  } finally {
    process.stdout.write = writes.out;
    process.stderr.write = writes.err;
    process.exitCode = exitCode;
    rmSync(scratch, { recursive: true, force: true });
  }
  writeFileSync(join(outdir, CACHE_NAME), script.createCachedData());
}

export async function bundleCli(outdir = BIN_DIR): Promise<void> {
  rmSync(outdir, { recursive: true, force: true });
  mkdirSync(outdir, { recursive: true });
  await bundle(outdir);
  await writeCodeCache(outdir);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await bundleCli();
