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

/**
 * Runs a command body: bad input prints `podpin: <message>` and exits 2; anything else is a bug,
 * reported with its stack so it can be fixed, also with exit code 2.
 */
export async function runCommand(body: () => Promise<number> | number): Promise<void> {
  try {
    process.exitCode = await body();
  } catch (err) {
    if (isInputError(err)) {
      process.stderr.write(`podpin: ${err.message}\n`);
    } else {
      process.stderr.write(`podpin: internal error: ${(err as Error).stack ?? String(err)}\n`);
    }
    process.exitCode = 2;
  }
}
