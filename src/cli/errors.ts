import { writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { CPUSetParseError, JSONParseError, QuantityParseError } from "../core/index.js";
import { CheckpointError } from "../checkpoint/index.js";
import { InputError } from "../k8s/index.js";
import { MachineError } from "../machine/index.js";
import { DuplicatePodError, NodeConfigError, NodeLimitError } from "../node/index.js";

/** Errors about what the user gave podpin: reported on one line, exit code 2. */
export class UsageError extends Error {
  override name = "UsageError";
}

const INPUT_ERRORS = [
  UsageError,
  InputError,
  MachineError,
  CheckpointError,
  NodeConfigError,
  DuplicatePodError,
  NodeLimitError,
  QuantityParseError,
  CPUSetParseError,
  JSONParseError,
];

export function isInputError(err: unknown): err is Error {
  return INPUT_ERRORS.some((cls) => err instanceof cls);
}

/** Every message podpin prints about a failure starts so, as kubectl's start with `error: `. */
export const ERROR_PREFIX = "podpin: ";

/** A file a command writes besides its output, such as the `--html` report. */
export interface OutputFile {
  /** The option that named it, for messages: `--html`. */
  option: string;
  path: string;
  content: string;
  /** False when the output already names the file; otherwise `podpin: wrote <path>` on stderr. */
  announce?: boolean;
}

/**
 * What a command prints and writes, rendered completely before anything is written: a file that
 * cannot be written is then the only output, and exit code 2 never follows a half-printed table.
 */
export interface CommandOutput {
  exitCode: number;
  stdout: string;
  files?: readonly OutputFile[];
  /** Lines for stderr (without the prefix), printed with the output once the files are written. */
  notes?: readonly string[];
}

/** Writes `file`; a file that cannot be written is bad input, reported on one line. */
export function writeOutputFile(file: OutputFile): void {
  try {
    writeFileSync(file.path, file.content);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code
      ? `${code}: ${(err as Error).message.replace(/^[A-Z]+: |, open .*$/g, "")}`
      : String(err);
    throw new UsageError(`${file.option} ${file.path}: cannot write the report (${why})`);
  }
}

function emit(output: CommandOutput): number {
  for (const file of output.files ?? []) writeOutputFile(file);
  for (const note of output.notes ?? []) process.stderr.write(`${ERROR_PREFIX}${note}\n`);
  process.stdout.write(output.stdout);
  for (const file of output.files ?? [])
    if (file.announce !== false) process.stderr.write(`${ERROR_PREFIX}wrote ${resolve(file.path)}\n`);
  return output.exitCode;
}

/** The one-line report of a failure: bad input by its message, a bug with its stack. */
export function reportFailure(err: unknown): void {
  if (isInputError(err)) {
    process.stderr.write(`${ERROR_PREFIX}${err.message.replace(/\s*\n\s*/g, " ")}\n`);
  } else {
    process.stderr.write(`${ERROR_PREFIX}internal error: ${(err as Error).stack ?? String(err)}\n`);
  }
}

/**
 * Runs a command body, which either prints its own output and returns the exit code, or returns
 * a `CommandOutput` to be written: bad input prints `podpin: <message>` and exits 2; anything
 * else is a bug, reported with its stack so it can be fixed, also with exit code 2.
 */
export async function runCommand(
  body: () => Promise<number | CommandOutput> | number | CommandOutput,
): Promise<void> {
  try {
    const result = await body();
    process.exitCode = typeof result === "number" ? result : emit(result);
  } catch (err) {
    reportFailure(err);
    process.exitCode = 2;
  }
}
