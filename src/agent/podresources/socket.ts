import { chmod, lstat, mkdir, mkdtemp, rename, rm, stat, unlink } from "node:fs/promises";
import { connect } from "node:net";
import { dirname, join } from "node:path";
import { PodResourcesServerError } from "./errors.js";

/*
 * The unix socket's file: stale ones are replaced only when they are sockets nobody listens on,
 * and the new one is never reachable with looser permissions than 0600. It is bound inside a fresh
 * 0700 directory beside its final path, restricted, then renamed into place (a rename keeps the
 * listening socket attached to the file, and replaces a stale file in one step).
 */

export const SOCKET_MODE = 0o600;
/** The directory made for a socket whose directory is missing (the socket itself stays 0600). */
const PARENT_MODE = 0o750;
/** `sun_path` holds 108 bytes with the terminating NUL. */
const MAX_SOCKET_PATH_BYTES = 107;
/** What the private bind directory adds to the path: `/.podres-XXXXXX/s`. */
const BIND_PATH_EXTRA = "/.podres-XXXXXX/s".length;

function codeOf(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException | null)?.code;
}

function reasonOf(err: unknown): string {
  return (err as Error | null)?.message ?? String(err);
}

/** How long a connection attempt to an existing socket may take before the start gives up. */
const PROBE_TIMEOUT_MS = 2000;

/** Whether some process accepts connections on the socket at `path`. */
function isListening(path: string): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const probe = connect({ path });
    probe.setTimeout(PROBE_TIMEOUT_MS, () => {
      probe.destroy();
      reject(
        new PodResourcesServerError(
          `${path}: cannot tell whether the socket is in use: no answer within ${PROBE_TIMEOUT_MS} ms`,
        ),
      );
    });
    probe.once("connect", () => {
      probe.destroy();
      resolve(true);
    });
    probe.once("error", (err) => {
      probe.destroy();
      const code = codeOf(err);
      if (code === "ECONNREFUSED" || code === "ENOENT") resolve(false);
      else
        reject(
          new PodResourcesServerError(`${path}: cannot tell whether the socket is in use: ${reasonOf(err)}`),
        );
    });
  });
}

/**
 * Checks that a socket may be created at `path`: its length fits a unix socket address, and
 * whatever is there is a stale socket (nothing listening). A non-socket file is never touched.
 */
export async function checkSocketPath(path: string): Promise<void> {
  if (Buffer.byteLength(path) + BIND_PATH_EXTRA > MAX_SOCKET_PATH_BYTES)
    throw new PodResourcesServerError(
      `${path}: socket path too long (at most ${MAX_SOCKET_PATH_BYTES - BIND_PATH_EXTRA} bytes)`,
    );
  let existing: Awaited<ReturnType<typeof lstat>>;
  try {
    existing = await lstat(path);
  } catch (err) {
    if (codeOf(err) === "ENOENT") return;
    throw new PodResourcesServerError(`${path}: ${reasonOf(err)}`);
  }
  if (!existing.isSocket())
    throw new PodResourcesServerError(`${path} exists and is not a socket; refusing to replace it`);
  if (await isListening(path))
    throw new PodResourcesServerError(`${path}: another server is listening on this socket`);
}

/** A private directory beside `path` to bind in; the parent directory is created when missing. */
export async function makeBindDir(path: string): Promise<{ dir: string; bindPath: string }> {
  const parent = dirname(path);
  try {
    await mkdir(parent, { recursive: true, mode: PARENT_MODE });
    const dir = await mkdtemp(join(parent, ".podres-"));
    return { dir, bindPath: join(dir, "s") };
  } catch (err) {
    throw new PodResourcesServerError(`${path}: cannot prepare the socket directory: ${reasonOf(err)}`);
  }
}

/** Restricts the bound socket to 0600 and moves it to `path`; returns the socket file's identity. */
export async function publishSocket(bindPath: string, path: string): Promise<SocketIdentity> {
  try {
    await chmod(bindPath, SOCKET_MODE);
    await rename(bindPath, path);
    const st = await stat(path);
    return { dev: st.dev, ino: st.ino };
  } catch (err) {
    throw new PodResourcesServerError(`${path}: cannot publish the socket: ${reasonOf(err)}`);
  }
}

export interface SocketIdentity {
  dev: number;
  ino: number;
}

/** Removes the private bind directory (and a socket still in it). */
export async function removeBindDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}

/** Removes the socket at `path` if it is still the one this server published. */
export async function removeOwnSocket(path: string, own: SocketIdentity): Promise<void> {
  try {
    const st = await lstat(path);
    if (st.isSocket() && st.dev === own.dev && st.ino === own.ino) await unlink(path);
  } catch (err) {
    if (codeOf(err) !== "ENOENT")
      throw new PodResourcesServerError(`${path}: cannot remove the socket: ${reasonOf(err)}`);
  }
}
