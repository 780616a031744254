import { readFileSync, renameSync, writeFileSync } from "node:fs";
import { readmeReport } from "./bench-report.js";
import { BenchResultsError, readBenchResults } from "./bench-results.js";

export const README_START = "<!-- bench:start -->";
export const README_END = "<!-- bench:end -->";

/** `readme` with what lies between the markers replaced by `block`; a one-line error when they are missing. */
export function spliceReadme(readme: string, block: string, file: string): string {
  const start = readme.indexOf(README_START);
  const end = readme.indexOf(README_END);
  if (start < 0 || end < 0 || end < start)
    throw new BenchResultsError(`${file}: expected the markers ${README_START} and then ${README_END}`);
  if (readme.indexOf(README_START, start + 1) >= 0 || readme.indexOf(README_END, end + 1) >= 0)
    throw new BenchResultsError(`${file}: expected one ${README_START} and one ${README_END}, found more`);
  return `${readme.slice(0, start + README_START.length)}\n${block.trim()}\n${readme.slice(end)}`;
}

/** Writes beside the file, then renames: a failed write leaves the old file whole. */
export function writeWhole(file: string, text: string): void {
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, text);
  renameSync(temporary, file);
}

/** Rewrites the README's benchmark table from a results file. */
export function updateReadme(resultsFile: string, readmeFile: string): void {
  const results = readBenchResults(resultsFile);
  if (!results) throw new BenchResultsError(`${resultsFile}: no such file (run npm run bench first)`);
  let readme: string;
  try {
    readme = readFileSync(readmeFile, "utf8");
  } catch (err) {
    throw new BenchResultsError(`cannot read ${readmeFile}: ${(err as Error).message}`);
  }
  writeWhole(readmeFile, spliceReadme(readme, readmeReport(results), readmeFile));
}
