import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { CaseOutcome, Suite } from "./suite.js";

/** Files that describe data rather than hold cases. */
const DATA_FILES = new Set(["cpu/topologies.json"]);

const suitesDir = join(dirname(fileURLToPath(import.meta.url)), "suites");

/**
 * Finds the suite for `<folder>/<file>`. Suites live one per vector file in `suites/`, named
 * `<folder>.<file stem>.ts`, so adding a schema never touches a shared registry.
 */
export async function findSuite(key: string): Promise<Suite | null> {
  const [folder, file] = key.split("/");
  const stem = file.replace(/\.json$/, "");
  for (const ext of [".ts", ".js"]) {
    const path = join(suitesDir, `${folder}.${stem}${ext}`);
    if (existsSync(path)) {
      const mod = (await import(pathToFileURL(path).href)) as { suite?: Suite };
      if (mod.suite) return mod.suite;
    }
  }
  return null;
}

export interface FileReport {
  path: string;
  key: string;
  outcomes: CaseOutcome[];
  /** Why the whole file was skipped (unknown schema), if it was. */
  skipped?: string;
  /** Why the file could not be read or parsed, if so. */
  unreadable?: string;
}

export interface RunReport {
  files: FileReport[];
  passed: number;
  failed: number;
  skipped: number;
  unreadable: number;
}

/** Lists the JSON files below `dir` (or `dir` itself), sorted, with their `<folder>/<file>` keys. */
export function collectVectorFiles(target: string): { path: string; key: string }[] {
  const st = statSync(target);
  if (st.isFile()) return [{ path: target, key: `${basename(dirname(target))}/${basename(target)}` }];
  const out: { path: string; key: string }[] = [];
  for (const entry of readdirSync(target, { withFileTypes: true }).sort((a, b) =>
    a.name.localeCompare(b.name),
  )) {
    const path = join(target, entry.name);
    if (entry.isDirectory()) out.push(...collectVectorFiles(path));
    else if (entry.name.endsWith(".json")) out.push({ path, key: `${basename(target)}/${entry.name}` });
  }
  return out;
}

export async function runConformance(targets: string[]): Promise<RunReport> {
  const report: RunReport = { files: [], passed: 0, failed: 0, skipped: 0, unreadable: 0 };
  const seen = new Set<string>();
  for (const target of targets) {
    if (!existsSync(target)) {
      report.files.push({ path: target, key: target, outcomes: [], unreadable: "no such file or directory" });
      report.unreadable++;
      continue;
    }
    for (const { path, key } of collectVectorFiles(target)) {
      if (seen.has(path) || DATA_FILES.has(key)) continue;
      seen.add(path);
      const file: FileReport = { path, key, outcomes: [] };
      report.files.push(file);
      let text: string;
      let data: unknown;
      try {
        text = readFileSync(path, "utf8");
        data = JSON.parse(text);
      } catch (err) {
        file.unreadable = (err as Error).message;
        report.unreadable++;
        continue;
      }
      const suite = await findSuite(key);
      if (!suite) {
        file.skipped = "not a known vector file";
        report.skipped++;
        continue;
      }
      try {
        file.outcomes = suite.runText ? suite.runText(text) : suite.run(data);
      } catch (err) {
        file.unreadable = `does not match the ${key} schema: ${(err as Error).message}`;
        report.unreadable++;
        continue;
      }
      for (const o of file.outcomes) {
        if (o.skipped) report.skipped++;
        else if (o.passed) report.passed++;
        else report.failed++;
      }
    }
  }
  return report;
}

function show(v: unknown): string {
  return JSON.stringify(v, (_k, x) => (typeof x === "bigint" ? x.toString() : x));
}

/** Human-readable lines: failures with expected/actual, skipped files and cases, the summary. */
export function formatReport(report: RunReport, verbose = false): string[] {
  const lines: string[] = [];
  for (const f of report.files) {
    if (f.unreadable) lines.push(`ERROR ${f.path}: ${f.unreadable}`);
    if (f.skipped) lines.push(`SKIP ${f.path}: ${f.skipped}`);
    for (const o of f.outcomes) {
      if (o.skipped) lines.push(`SKIP ${f.key}: ${o.name}: ${o.skipped}`);
      else if (!o.passed) {
        lines.push(`FAIL ${f.key}: ${o.name}`);
        lines.push(`  expected: ${show(o.expected)}`);
        lines.push(`  actual:   ${show(o.actual)}`);
      } else if (verbose) lines.push(`ok   ${f.key}: ${o.name}`);
    }
    if (!f.skipped && !f.unreadable) {
      const failed = f.outcomes.filter((o) => !o.passed && !o.skipped).length;
      lines.push(
        `${failed === 0 ? "PASS" : "FAIL"} ${f.path} (${f.outcomes.length - failed}/${f.outcomes.length})`,
      );
    }
  }
  lines.push(`${report.passed} passed, ${report.failed} failed`);
  return lines;
}
