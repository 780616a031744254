import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { updateReadme } from "./bench-readme-splice.js";
import { BenchResultsError } from "./bench-results.js";

/**
 * `tsx scripts/bench-readme.ts [--results F] [--readme F]`: rewrites the README's benchmark table
 * (between `<!-- bench:start -->` and `<!-- bench:end -->`) from bench/results.json. The command
 * only: scripts/bench.ts imports updateReadme from bench-readme-splice.ts, since a bundle of
 * bench.ts would take this module's entry-point check for its own.
 */

const SELF = fileURLToPath(import.meta.url);
const ROOT = resolve(dirname(SELF), "..");
const USAGE = "usage: tsx scripts/bench-readme.ts [--results bench/results.json] [--readme README.md]";

function main(argv: string[]): number {
  const files = { "--results": resolve(ROOT, "bench/results.json"), "--readme": resolve(ROOT, "README.md") };
  for (let i = 0; i < argv.length; i += 2) {
    const flag = argv[i];
    const value = argv[i + 1];
    if (!(flag in files) || value === undefined) {
      console.error(`bench-readme: ${flag === undefined ? "" : `unexpected ${flag}; `}${USAGE}`);
      return 2;
    }
    files[flag as keyof typeof files] = resolve(value);
  }
  try {
    updateReadme(files["--results"], files["--readme"]);
  } catch (err) {
    if (!(err instanceof BenchResultsError)) throw err;
    console.error(`bench-readme: ${err.message}`);
    return 2;
  }
  console.log(`${files["--readme"]}: benchmark table rewritten from ${files["--results"]}`);
  return 0;
}

if (process.argv[1] && resolve(process.argv[1]) === SELF) process.exitCode = main(process.argv.slice(2));
