import { createHash } from "node:crypto";
import fc from "fast-check";

/**
 * Where `npm run fuzz` and the corpus replay test (`src/fuzz-corpus.test.ts`) find their targets.
 * Each module exports one or more arrays of `{ name, run(input), arbitrary }`: `run` returns when
 * the input parses or is refused with the reader's typed error, and throws on anything else (an
 * untyped exception, a broken round trip, a broken engine invariant). A module listed here that is
 * missing, fails to load or exports no target is reported as a failure, never skipped.
 */
export const TARGET_MODULES: readonly string[] = [
  "src/core/fuzz-targets.ts",
  "src/k8s/fuzz-targets.ts",
  "src/machine/fuzz-targets.ts",
  "src/checkpoint/fuzz-targets.ts",
  "src/checkpoint/gocpuset-fuzz.ts",
  "src/node/fuzz-sequences.ts",
];

export interface FuzzTarget {
  name: string;
  /** The module that exports it (a path from the repository root). */
  module: string;
  run(input: unknown): void;
  arbitrary: fc.Arbitrary<unknown>;
}

export interface LoadResult {
  targets: FuzzTarget[];
  /** Modules that could not give targets, with why. */
  missing: { module: string; reason: string }[];
}

function isTarget(x: unknown): x is Omit<FuzzTarget, "module"> {
  if (typeof x !== "object" || x === null) return false;
  const t = x as Record<string, unknown>;
  return typeof t.name === "string" && typeof t.run === "function" && t.arbitrary instanceof fc.Arbitrary;
}

type ErrorTest = (err: unknown) => boolean;

/**
 * How the module tells a typed input error from a bug, for targets whose `run` throws the typed
 * error itself (the k8s readers'): an exported `isTypedInputError`, else an exported
 * `TYPED_INPUT_ERRORS` list of classes. Without either, `run` swallows its typed errors itself.
 */
function typedErrorTest(exports: Record<string, unknown>): ErrorTest | null {
  if (typeof exports.isTypedInputError === "function") return exports.isTypedInputError as ErrorTest;
  const classes = exports.TYPED_INPUT_ERRORS;
  if (Array.isArray(classes) && classes.every((c) => typeof c === "function"))
    return (err) => classes.some((c) => err instanceof (c as new () => Error));
  return null;
}

function verdictOnly(run: (input: unknown) => void, typed: ErrorTest | null): (input: unknown) => void {
  if (!typed) return (input) => run(input);
  return (input) => {
    try {
      run(input);
    } catch (err) {
      if (!typed(err)) throw err;
    }
  };
}

/** Loads every listed module's targets (names must be unique across modules). */
export async function loadTargets(modules: readonly string[] = TARGET_MODULES): Promise<LoadResult> {
  const targets: FuzzTarget[] = [];
  const missing: LoadResult["missing"] = [];
  const root = new URL("../", import.meta.url);
  for (const module of modules) {
    let exports: Record<string, unknown>;
    try {
      exports = (await import(new URL(module, root).href)) as Record<string, unknown>;
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      missing.push({
        module,
        reason: e.code === "ERR_MODULE_NOT_FOUND" ? "module not found" : `does not load: ${e.message}`,
      });
      continue;
    }
    const typed = typedErrorTest(exports);
    const found = Object.values(exports)
      .filter((v): v is unknown[] => Array.isArray(v) && v.length > 0 && v.every(isTarget))
      .flat() as Omit<FuzzTarget, "module">[];
    if (found.length === 0) missing.push({ module, reason: "exports no array of fuzz targets" });
    for (const t of found) {
      if (targets.some((o) => o.name === t.name))
        missing.push({ module, reason: `target name used twice: ${t.name}` });
      else targets.push({ name: t.name, module, run: verdictOnly(t.run, typed), arbitrary: t.arbitrary });
    }
  }
  return { targets, missing };
}

/** The corpus folder name of a target: its name in lower case, runs of other characters as `-`. */
export function corpusSlug(name: string): string {
  return name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "");
}

/**
 * A failing input as a corpus file: text that survives UTF-8 as `.txt`, bytes as `.bin`, anything
 * else (other strings, structured inputs) as `.json`. Named by content, so a repeat overwrites.
 */
export function encodeInput(input: unknown): { file: string; data: Buffer } {
  let ext: string;
  let data: Buffer;
  if (typeof input === "string" && Buffer.from(input, "utf8").toString("utf8") === input) {
    ext = "txt";
    data = Buffer.from(input, "utf8");
  } else if (input instanceof Uint8Array) {
    ext = "bin";
    data = Buffer.from(input);
  } else {
    ext = "json";
    data = Buffer.from(JSON.stringify(input), "utf8");
  }
  const id = createHash("sha256").update(ext).update(data).digest("hex").slice(0, 16);
  return { file: `${id}.${ext}`, data };
}

/** The input a corpus file holds (`encodeInput`'s inverse). */
export function decodeInput(file: string, data: Buffer): unknown {
  if (file.endsWith(".txt")) return data.toString("utf8");
  if (file.endsWith(".bin")) return new Uint8Array(data);
  if (file.endsWith(".json")) return JSON.parse(data.toString("utf8"));
  throw new Error(`corpus file ${file}: expected .txt, .bin or .json`);
}

/** Inputs are drawn in chunks of this many, each chunk from its own seed: input i can be redrawn. */
export const CHUNK = 500;

/** Input `i` of a run with `seed` (the same on every call). */
export function inputAt(arbitrary: fc.Arbitrary<unknown>, seed: number, i: number): unknown {
  return chunkAt(arbitrary, seed, Math.floor(i / CHUNK))[i % CHUNK];
}

export function chunkAt(arbitrary: fc.Arbitrary<unknown>, seed: number, chunk: number): unknown[] {
  return fc.sample(arbitrary, { seed: (seed + chunk * 7919) | 0, numRuns: CHUNK });
}
