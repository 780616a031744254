import { readFileSync } from "node:fs";
import type { AdmissionRow } from "./bench-admission.js";
import type { DeviceAdmissionRow } from "./bench-devices.js";
import type { LivePodsRow } from "./bench-live-pods.js";
import type { MachineDescription } from "./bench-machine.js";
import type { MergeRow } from "./bench-merge.js";
import type { ReplayRow } from "./bench-replay.js";
import type { StartupResult } from "./bench-startup.js";
import type { TakeRow } from "./bench-take.js";

/** What `npm run bench` writes to bench/results.json, and what the README's table is made from. */

export const SECTION_NAMES = [
  "admission",
  "merge",
  "live-pods",
  "replay",
  "take",
  "startup",
  "devices",
] as const;
export type SectionName = (typeof SECTION_NAMES)[number];

export interface BenchSections {
  admission?: AdmissionRow[];
  merge?: MergeRow[];
  "live-pods"?: LivePodsRow[];
  replay?: ReplayRow;
  take?: TakeRow[];
  startup?: StartupResult;
  devices?: DeviceAdmissionRow[];
}

export interface BenchResults {
  schema: 1;
  machine: MachineDescription;
  /** A smoke run (`--quick`): few samples, small sizes; not figures to publish. */
  quick: boolean;
  /** Seconds the run took, every section included. */
  totalSeconds: number;
  /** Seconds per section (a section kept from an earlier run keeps its own). */
  sectionSeconds: Partial<Record<SectionName, number>>;
  sections: BenchSections;
}

export class BenchResultsError extends Error {}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/** The results in `text` (read from `file`), or a one-line `BenchResultsError` naming what is wrong. */
export function parseBenchResults(text: string, file: string): BenchResults {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new BenchResultsError(`${file}: not JSON (${(err as Error).message})`);
  }
  if (!isObject(value))
    throw new BenchResultsError(`${file}: expected an object with schema, machine and sections`);
  if (value.schema !== 1)
    throw new BenchResultsError(`${file}: schema: expected 1, got ${JSON.stringify(value.schema)}`);
  const machine = value.machine;
  if (!isObject(machine)) throw new BenchResultsError(`${file}: machine: expected an object`);
  for (const key of ["cpuModel", "node", "os", "date"] as const)
    if (typeof machine[key] !== "string")
      throw new BenchResultsError(`${file}: machine.${key}: expected a string`);
  if (typeof machine.logicalCPUs !== "number")
    throw new BenchResultsError(`${file}: machine.logicalCPUs: expected a number`);
  if (typeof value.quick !== "boolean") throw new BenchResultsError(`${file}: quick: expected true or false`);
  if (!isObject(value.sectionSeconds))
    throw new BenchResultsError(`${file}: sectionSeconds: expected an object`);
  if (!isObject(value.sections)) throw new BenchResultsError(`${file}: sections: expected an object`);
  for (const key of Object.keys(value.sections))
    if (!(SECTION_NAMES as readonly string[]).includes(key))
      throw new BenchResultsError(`${file}: sections.${key}: expected one of ${SECTION_NAMES.join(", ")}`);
  return value as unknown as BenchResults;
}

/** The results in `file`, or null when there is no such file. */
export function readBenchResults(file: string): BenchResults | null {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw new BenchResultsError(`cannot read ${file}: ${(err as Error).message}`);
  }
  return parseBenchResults(text, file);
}
