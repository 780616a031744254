/**
 * One writer per state directory. Two agents (or an agent and `podpin checkpoint migrate`) writing
 * the same files would interleave their generations; the second one is refused instead. The lock
 * is a file created atomically with its content (link of a complete temporary file), naming the
 * process that holds it. A lock whose process is gone (a crash, a SIGKILL) is stale and taken
 * over: on Linux a process is identified by its pid and start time, so a pid reused by another
 * process, or the same pid in a new container, does not keep a dead agent's lock alive.
 */
import { readFileSync } from "node:fs";
import { link, readFile, unlink, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { StateDirError, ioError, quoted } from "./errors.js";
import { temporaryNameFor } from "./durable-write.js";

export const LOCK_FILE = "podpin_agent_state.lock";

interface LockOwner {
  pid: number;
  /** `/proc/<pid>/stat` start time (clock ticks since boot); null where there is no /proc. */
  startTime: string | null;
}

export interface StateDirLock {
  readonly path: string;
  /** The process whose stale lock was taken over, if any. */
  readonly staleOwner: number | null;
  release(): Promise<void>;
}

/** Directories this process holds, by absolute path. */
const heldHere = new Set<string>();

function startTimeOf(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Fields after the command name (which may hold spaces), from field 3 on; start time is field 22.
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19] ?? null;
  } catch {
    return null;
  }
}

function isAlive(owner: LockOwner): boolean {
  if (owner.pid === process.pid) return false;
  try {
    process.kill(owner.pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ESRCH") return false;
  }
  if (owner.startTime === null) return true;
  const now = startTimeOf(owner.pid);
  return now === null || now === owner.startTime;
}

function parseOwner(text: string): LockOwner | null {
  try {
    const v = JSON.parse(text) as Partial<LockOwner>;
    if (typeof v.pid !== "number" || !Number.isInteger(v.pid) || v.pid <= 0) return null;
    return { pid: v.pid, startTime: typeof v.startTime === "string" ? v.startTime : null };
  } catch {
    return null;
  }
}

async function tryCreate(path: string, content: string): Promise<boolean> {
  const tmp = temporaryNameFor(path);
  try {
    await writeFile(tmp, content, { mode: 0o600, flag: "wx" });
    await link(tmp, path);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw ioError("create the lock file", path, err);
  } finally {
    await unlink(tmp).catch(() => {});
  }
}

/** Takes the directory's lock, or refuses with a `StateDirError` (`locked`) naming the holder. */
export async function acquireLock(dir: string): Promise<StateDirLock> {
  const key = resolve(dir);
  const path = join(dir, LOCK_FILE);
  if (heldHere.has(key))
    throw new StateDirError(
      `state directory ${quoted(dir)} is already open in this process (close it first)`,
      "locked",
      dir,
    );
  const me: LockOwner = { pid: process.pid, startTime: startTimeOf(process.pid) };
  const content = `${JSON.stringify(me)}\n`;
  let staleOwner: number | null = null;
  for (let attempt = 0; ; attempt++) {
    if (attempt > 2)
      throw new StateDirError(
        `could not take the lock file ${quoted(path)}: it keeps changing`,
        "locked",
        path,
      );
    if (await tryCreate(path, content)) break;
    let text: string;
    try {
      text = await readFile(path, "utf8");
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") continue;
      throw ioError("read the lock file", path, err);
    }
    const owner = parseOwner(text);
    if (owner && isAlive(owner))
      throw new StateDirError(
        `state directory ${quoted(dir)} is in use by process ${owner.pid} (lock file ${quoted(path)}): stop that agent first, or delete the lock file if no agent runs`,
        "locked",
        path,
      );
    // Stale: its process is gone.
    staleOwner = owner?.pid ?? null;
    await unlink(path).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== "ENOENT") throw ioError("remove the stale lock file", path, err);
    });
  }
  heldHere.add(key);
  let released = false;
  return {
    path,
    staleOwner,
    async release() {
      if (released) return;
      released = true;
      heldHere.delete(key);
      await unlink(path).catch(() => {});
    },
  };
}
