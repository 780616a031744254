import { closeSync, fstatSync, openSync, readFileSync } from "node:fs";
import { YAML_LIMITS } from "../k8s/index.js";
import { UsageError } from "./errors.js";

const REASONS: Readonly<Record<string, string>> = {
  ENOENT: "no such file",
  EACCES: "permission denied",
  EPERM: "operation not permitted",
  EISDIR: "is a directory",
  ENOTDIR: "a path component is not a directory",
  ELOOP: "too many symbolic links",
  EMFILE: "too many open files",
  ENAMETOOLONG: "file name too long",
};

/** The words for a failed read: `permission denied`, or the error's code. */
export function readFailureReason(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (code && Object.hasOwn(REASONS, code)) return REASONS[code];
  return code ?? String((err as Error).message ?? err);
}

/**
 * The text of an input file (`what` names it in messages), refused before reading when it is a
 * directory or larger than `YAML_LIMITS.maxBytes`: `cannot read <path>: <reason>`.
 */
export function readInputFile(path: string, what = "file"): string {
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch (err) {
    throw new UsageError(`cannot read ${path}: ${readFailureReason(err)}`);
  }
  try {
    const st = fstatSync(fd);
    if (st.isDirectory()) throw new UsageError(`cannot read ${path}: is a directory, not a ${what}`);
    if (st.isFile() && st.size > YAML_LIMITS.maxBytes)
      throw new UsageError(
        `cannot read ${path}: ${what} too large (${st.size} bytes; at most ${YAML_LIMITS.maxBytes}, 16 MiB)`,
      );
    return readFileSync(fd, "utf8");
  } catch (err) {
    if (err instanceof UsageError) throw err;
    throw new UsageError(`cannot read ${path}: ${readFailureReason(err)}`);
  } finally {
    closeSync(fd);
  }
}
