/**
 * Durable file replacement: the content goes to a temporary file with a unique name in the same
 * directory, is flushed to disk, replaces the target by rename, and the directory is flushed so
 * that the rename itself survives a power loss. A reader, or a crash at any instant, sees the old
 * file or the new one, never a mixture; a crash may leave a temporary file, which
 * `removeTemporaryFiles` clears at the next start.
 *
 * Every step that changes the disk first goes through an optional hook, so that tests can stop the
 * sequence at any step (a crash) or fail it (an I/O error) deterministically.
 */
import { randomBytes } from "node:crypto";
import { mkdir, open, readdir, rename, stat, unlink } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { ioError, StateDirError } from "./errors.js";

/** A step that changes the disk (or makes a change durable). */
export type FileOpKind = "mkdir" | "create" | "write" | "fsync" | "rename" | "fsync-dir" | "unlink";

export interface FileOp {
  kind: FileOpKind;
  /** The file or directory the step acts on (the temporary file for create/write/fsync/rename). */
  path: string;
  /** The file being replaced, for the steps of a replacement. */
  target?: string;
}

/**
 * Called before each step; throwing stops the sequence there. A test's crash makes every later
 * call throw too, so that not even the clean-up of the temporary file happens, as in a real crash.
 */
export type FileOpHook = (op: FileOp) => void;

export interface DurableWriteOptions {
  /** fsync the file and its directory (default true); off, the write is atomic but not durable. */
  durable?: boolean;
  /** Mode of a created file (default 0600). */
  mode?: number;
  hook?: FileOpHook;
}

const TEMPORARY_NAME = /^\..+\.tmp-\d+-[0-9a-f]{12}$/;

/**
 * `.<name>.tmp-<pid>-<random>` beside `path`: unique per writer and write, and the same shape as
 * the checkpoint module's atomic writes, so one clean-up covers both.
 */
export function temporaryNameFor(path: string): string {
  return join(dirname(path), `.${basename(path)}.tmp-${process.pid}-${randomBytes(6).toString("hex")}`);
}

export function isTemporaryName(name: string): boolean {
  return TEMPORARY_NAME.test(name);
}

const noHook: FileOpHook = () => {};

/** File-system errors become a one-line `StateDirError` naming the file; a hook's own error passes. */
function failure(action: string, path: string, err: unknown): unknown {
  if (err instanceof StateDirError) return err;
  if (typeof (err as NodeJS.ErrnoException | null)?.code === "string") return ioError(action, path, err);
  return err;
}

/** Replaces `path` with `content` atomically and, unless `durable: false`, durably. */
export async function writeFileDurably(
  path: string,
  content: string | Uint8Array,
  opts: DurableWriteOptions = {},
): Promise<void> {
  const durable = opts.durable ?? true;
  const hook = opts.hook ?? noHook;
  const tmp = temporaryNameFor(path);
  const bytes = typeof content === "string" ? Buffer.from(content, "utf8") : content;
  let created = false;
  try {
    hook({ kind: "create", path: tmp, target: path });
    const file = await open(tmp, "wx", opts.mode ?? 0o600);
    created = true;
    try {
      hook({ kind: "write", path: tmp, target: path });
      await file.writeFile(bytes);
      if (durable) {
        hook({ kind: "fsync", path: tmp, target: path });
        await file.sync();
      }
    } finally {
      await file.close();
    }
    hook({ kind: "rename", path: tmp, target: path });
    await rename(tmp, path);
    created = false;
  } catch (err) {
    if (created) await removeQuietly(tmp, hook);
    throw failure("write", path, err);
  }
  if (durable) await syncDirectory(dirname(path), hook);
}

async function removeQuietly(path: string, hook: FileOpHook): Promise<void> {
  try {
    hook({ kind: "unlink", path });
    await unlink(path);
  } catch {
    // Already gone, or the process is "crashing": the next start removes it.
  }
}

/** Errors of file systems that cannot fsync a directory; the data itself was synced. */
const DIRECTORY_SYNC_UNSUPPORTED = new Set(["EINVAL", "ENOTSUP", "EISDIR", "EBADF", "EPERM"]);

/** Makes the directory's entries (a rename, a new file or directory) durable. */
export async function syncDirectory(dir: string, hook: FileOpHook = noHook): Promise<void> {
  hook({ kind: "fsync-dir", path: dir });
  let handle: Awaited<ReturnType<typeof open>> | undefined;
  try {
    handle = await open(dir, "r");
    await handle.sync();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === undefined || !DIRECTORY_SYNC_UNSUPPORTED.has(code)) throw failure("sync", dir, err);
  } finally {
    await handle?.close();
  }
}

/**
 * Creates `dir` and its missing parents with `mode`, each made durable in its parent. Returns
 * whether anything was created; an existing directory is left as it is (mode included).
 */
export async function makeDirectoryDurably(
  dir: string,
  opts: DurableWriteOptions & { mode?: number } = {},
): Promise<boolean> {
  const hook = opts.hook ?? noHook;
  const missing: string[] = [];
  for (let d = dir; ; d = dirname(d)) {
    try {
      const s = await stat(d);
      if (!s.isDirectory()) throw new StateDirError(`${JSON.stringify(d)} is not a directory`, "io", d);
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw failure("read", d, err);
      missing.push(d);
      if (dirname(d) === d) break;
    }
  }
  for (const d of missing.reverse()) {
    try {
      hook({ kind: "mkdir", path: d });
      await mkdir(d, { mode: opts.mode ?? 0o700 });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw failure("create directory", d, err);
    }
    if (opts.durable ?? true) await syncDirectory(dirname(d), hook);
  }
  return missing.length > 0;
}

/** Removes the temporary files an interrupted write left in `dir`; returns their names. */
export async function removeTemporaryFiles(dir: string, opts: DurableWriteOptions = {}): Promise<string[]> {
  const hook = opts.hook ?? noHook;
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw failure("read directory", dir, err);
  }
  const removed: string[] = [];
  for (const name of names.filter(isTemporaryName).sort()) {
    const path = join(dir, name);
    try {
      hook({ kind: "unlink", path });
      await unlink(path);
      removed.push(name);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw failure("remove", path, err);
    }
  }
  return removed;
}
