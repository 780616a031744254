import { constants } from "node:fs";
import { lstat, open, realpath } from "node:fs/promises";
import { existsSync, realpathSync } from "node:fs";
import { join, sep } from "node:path";
import { CgroupMissingError, CgroupPathError, EnforceConfigError, messageOf } from "./errors.js";

/**
 * The cgroup filesystem as enforcement sees it: cgroup v2 (one unified hierarchy, recognised by
 * `cgroup.controllers` at the mount) or v1 (a hierarchy per controller under the mount, where
 * `cpu` is often a symlink to `cpu,cpuacct`). Reads and writes go only to files of a fixed name
 * pattern in directories that resolve to themselves (no symlink on the way) inside the configured
 * root; nothing is ever created.
 */

export const DEFAULT_CGROUP_MOUNT = "/sys/fs/cgroup";

export type CgroupController = "cpu" | "memory" | "hugetlb";

export interface CgroupLayout {
  version: 1 | 2;
  /** The mount, resolved. */
  mount: string;
  /** The hierarchy holding a controller's files (resolved), or null when it is not mounted. */
  hierarchy(controller: CgroupController): string | null;
}

function within(path: string, dir: string): boolean {
  return path === dir || path.startsWith(dir.endsWith(sep) ? dir : dir + sep);
}

/** Reads the layout under `mount` (default /sys/fs/cgroup); a missing mount is a config error. */
export function detectCgroupLayout(mount = DEFAULT_CGROUP_MOUNT): CgroupLayout {
  let real: string;
  try {
    real = realpathSync(mount);
  } catch (err) {
    throw new EnforceConfigError(`cgroup mount ${mount}: ${messageOf(err)}`);
  }
  if (existsSync(join(real, "cgroup.controllers"))) return { version: 2, mount: real, hierarchy: () => real };
  const hierarchies = new Map<CgroupController, string | null>();
  for (const controller of ["cpu", "memory", "hugetlb"] as const) {
    let dir: string | null = null;
    try {
      const resolved = realpathSync(join(real, controller));
      // `cpu -> cpu,cpuacct` is fine; a link leaving the mount is not.
      if (within(resolved, real) && resolved !== real) dir = resolved;
    } catch {
      dir = null;
    }
    hierarchies.set(controller, dir);
  }
  return { version: 1, mount: real, hierarchy: (c) => hierarchies.get(c) ?? null };
}

/** cgroup interface file names: `cpu.max`, `cpu.cfs_quota_us`, `hugetlb.2MB.limit_in_bytes`. */
const INTERFACE_FILE = /^[a-z][a-z0-9_]*(\.[A-Za-z0-9_]+)+$/;

/**
 * A cgroup directory `relative` (e.g. `/kubepods/burstable/pod<uid>`) inside `hierarchy`, checked
 * to lie under `hierarchy + root` and to resolve to itself. Throws `CgroupPathError` when it does
 * not exist or is reached through a symlink.
 */
export async function cgroupDir(hierarchy: string, root: string, relative: string): Promise<string> {
  const rootDir = join(hierarchy, root);
  const dir = join(hierarchy, relative);
  if (!within(dir, rootDir)) throw new CgroupPathError(`cgroup ${dir} is outside the cgroup root ${rootDir}`);
  let real: string;
  try {
    real = await realpath(dir);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOENT") throw new CgroupMissingError(`cgroup ${dir} does not exist`);
    throw new CgroupPathError(`cgroup ${dir}: ${messageOf(err)}`);
  }
  if (real !== dir)
    throw new CgroupPathError(
      `cgroup ${dir} is reached through a symlink (it resolves to ${real}); not touched`,
    );
  return dir;
}

async function regularFile(dir: string, file: string): Promise<string> {
  if (!INTERFACE_FILE.test(file)) throw new CgroupPathError(`${file} is not a cgroup interface file name`);
  const path = join(dir, file);
  let info: Awaited<ReturnType<typeof lstat>>;
  try {
    info = await lstat(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOENT") throw new CgroupPathError(`${path} does not exist (is the controller enabled?)`);
    throw new CgroupPathError(`${path}: ${messageOf(err)}`);
  }
  if (!info.isFile()) throw new CgroupPathError(`${path} is not a regular file; not touched`);
  return path;
}

/** The file's content, trimmed. */
export async function readCgroupFile(dir: string, file: string): Promise<string> {
  const path = await regularFile(dir, file);
  const handle = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW);
  try {
    return (await handle.readFile("utf8")).trim();
  } finally {
    await handle.close();
  }
}

/** Writes `value` in one write(2), as the kernel expects of cgroup files. */
export async function writeCgroupFile(dir: string, file: string, value: string): Promise<void> {
  const path = await regularFile(dir, file);
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(path, constants.O_WRONLY | constants.O_TRUNC | constants.O_NOFOLLOW);
  } catch (err) {
    throw new CgroupPathError(`${path}: ${messageOf(err)}`);
  }
  try {
    await handle.write(value);
  } catch (err) {
    throw new CgroupPathError(`writing ${value} to ${path}: ${messageOf(err)}`);
  } finally {
    await handle.close();
  }
}
