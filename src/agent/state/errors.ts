/**
 * The one error a state directory raises. Its message is a single line a node operator can act on:
 * for a checkpoint the kubelet would refuse it is the kubelet's own refusal (which says to drain
 * the node and delete the file); for podpin's record it names the file and the way out.
 */

/**
 * - `corrupted`: a file does not decode or verify (the kubelet's `checkpoint is corrupted`, a
 *   truncated file, a damaged record).
 * - `restore`: a checkpoint decodes but the configured kubelet would not restore it (policy
 *   mismatch, a cpuset that does not parse, state a configuration change would drop).
 * - `startup`: the managers' start-up validation against the machine refuses the restored state.
 * - `config`: the configuration alone does not start, whatever the state.
 * - `mismatch`: files that verify but disagree with podpin's record (another writer, a restore
 *   from backup).
 * - `io`: a file or directory could not be read or written.
 * - `locked`: another agent holds the directory.
 * - `closed`: the state directory was closed.
 * - `migration`: a target format cannot carry the state.
 */
export type StateDirErrorReason =
  | "corrupted"
  | "restore"
  | "startup"
  | "config"
  | "mismatch"
  | "io"
  | "locked"
  | "closed"
  | "migration";

export class StateDirError extends Error {
  override name = "StateDirError";
  constructor(
    message: string,
    readonly reason: StateDirErrorReason,
    /** The file (or directory) the error is about. */
    readonly path: string,
    options?: { cause?: unknown },
  ) {
    super(message.replace(/\s*\n\s*/g, " "), options);
  }
}

/** A path in a message, quoted (the same as Go's `%q` for every path without control characters). */
export function quoted(path: string): string {
  return JSON.stringify(path);
}

/** `ENOSPC: no space left on device` from a Node.js file-system error. */
export function ioReason(err: unknown): string {
  const e = err as NodeJS.ErrnoException | null;
  if (e && typeof e.code === "string") {
    const text = (e.message ?? "").replace(/^[A-Z]+: /, "").replace(/, \w+ '.*'$/, "");
    return `${e.code}: ${text}`;
  }
  return err instanceof Error ? err.message : String(err);
}

export function ioError(action: string, path: string, err: unknown): StateDirError {
  return new StateDirError(`could not ${action} ${quoted(path)}: ${ioReason(err)}`, "io", path, {
    cause: err,
  });
}
