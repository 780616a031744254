#!/usr/bin/env node
// The published `podpin` command. It runs the compiled command line that `npm run build` writes
// (npm ci and npm pack run it): dist/bin/cli.js, one script holding every command but three, whose
// functions come compiled from V8's code cache (dist/bin/cli.cache) so that start-up costs little
// more than node itself; `agent`, `conformance` and `fleet` (worker threads) run from the compiled
// modules of dist/. The version is answered before anything else loads. scripts/bundle-cli.ts
// says how it is built.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { Script } from "node:vm";

const argv = process.argv.slice(2);
const bin = new URL("../dist/bin/", import.meta.url);

function readBuilt(name, optional) {
  try {
    return readFileSync(new URL(name, bin));
  } catch (err) {
    if (optional) return undefined;
    const why = err.code === "ENOENT" ? "no such file" : err.code;
    process.stderr.write(
      `podpin: cannot read ${fileURLToPath(new URL(name, bin))}: ${why}; build the command first: npm run build\n`,
    );
    process.exit(2);
  }
}

if (argv.length === 1 && (argv[0] === "--version" || argv[0] === "-V")) {
  const { version } = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));
  process.stdout.write(`${version}\n`);
} else {
  const file = new URL("cli.js", bin);
  const script = new Script(readBuilt("cli.js").toString("utf8"), {
    filename: fileURLToPath(file),
    cachedData: readBuilt("cli.cache", true),
  });
  const cli = script.runInThisContext()(createRequire(file), file.href);
  await cli.main(argv, {
    runUnbundled: async (args) => (await import("../dist/cli/main.js")).main(args),
  });
}
