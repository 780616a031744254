import { isDeepStrictEqual } from "node:util";

/** The outcome of one conformance case. */
export interface CaseOutcome {
  name: string;
  passed: boolean;
  /** For a failure: what was expected and what the engine produced, ready to print. */
  expected?: unknown;
  actual?: unknown;
  /** A case the suite cannot run (listed as skipped, counted neither passed nor failed). */
  skipped?: string;
}

/**
 * One vector file's schema: takes the parsed JSON of a file (`cpu/take_by_topology.json`, ...)
 * and runs every case through the real engine.
 */
export interface Suite {
  /** `<folder>/<file>` this suite handles, e.g. `cpu/take_by_topology.json`. */
  readonly file: string;
  /** Runs every case of the parsed file. */
  run(data: unknown): CaseOutcome[];
  /**
   * When present, called instead of `run` with the file's text, for schemas whose integers exceed
   * 2^53 (parse them with `parseJSONExact`).
   */
  runText?(text: string): CaseOutcome[];
}

/** A passed outcome when `expected` deep-equals `actual`, else a failure carrying both. */
export function compare(name: string, expected: unknown, actual: unknown): CaseOutcome {
  return isDeepStrictEqual(expected, actual)
    ? { name, passed: true }
    : { name, passed: false, expected, actual };
}

/** Runs `fn` for a case; a thrown error becomes a failure naming it (the engine must not throw). */
export function guard(name: string, fn: () => CaseOutcome): CaseOutcome {
  try {
    return fn();
  } catch (err) {
    return {
      name,
      passed: false,
      expected: "no exception",
      actual: `threw ${(err as Error).stack ?? String(err)}`,
    };
  }
}

/** Reads the `name` of an untyped case for messages. */
export function caseName(c: unknown, index: number): string {
  if (c && typeof c === "object" && "name" in c && typeof (c as { name: unknown }).name === "string") {
    return (c as { name: string }).name;
  }
  return `case #${index}`;
}

export function asArray(data: unknown, file: string): unknown[] {
  if (!Array.isArray(data)) throw new Error(`${file}: expected a JSON array of cases`);
  return data;
}
