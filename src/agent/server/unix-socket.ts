import { mkdirSync } from "node:fs";
import { lstat, unlink } from "node:fs/promises";
import { connect } from "node:net";
import { dirname } from "node:path";
import { AgentSetupError } from "../errors.js";

/** Whether something accepts connections on the unix socket at `path`. */
function somebodyListens(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(path);
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

/**
 * Makes `path` free for a new socket: nothing there is fine; a socket nobody listens on (left by a
 * crash) is removed; anything else, a live socket or a file that is not a socket, is refused and
 * left alone.
 */
export async function clearStaleSocket(path: string): Promise<void> {
  let kind: "socket" | "other";
  try {
    kind = (await lstat(path)).isSocket() ? "socket" : "other";
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return;
    throw new AgentSetupError(
      `${path}: cannot examine the socket path (${(err as NodeJS.ErrnoException).code})`,
    );
  }
  if (kind === "other")
    throw new AgentSetupError(`${path}: exists and is not a socket; refusing to replace it`);
  if (await somebodyListens(path))
    throw new AgentSetupError(
      `${path}: another process is listening on this socket (is an agent already running?)`,
    );
  await unlink(path).catch((err: NodeJS.ErrnoException) => {
    if (err.code !== "ENOENT")
      throw new AgentSetupError(`${path}: cannot remove the stale socket (${err.code})`);
  });
}

/** The socket's directory, created private (0700) when missing; an existing one is left as it is. */
export function ensureSocketDir(path: string): void {
  try {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  } catch (err) {
    throw new AgentSetupError(
      `${dirname(path)}: cannot create the socket directory (${(err as NodeJS.ErrnoException).code})`,
    );
  }
}

/**
 * Runs `bind` (which must create the socket synchronously, as `server.listen(path)` does) with a
 * umask that makes the new socket file 0600 from its first moment: a chmod afterwards would leave
 * a window in which any local user could connect.
 */
export function withPrivateUmask<T>(bind: () => T): T {
  const previous = process.umask(0o177);
  try {
    return bind();
  } finally {
    process.umask(previous);
  }
}
