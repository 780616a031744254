import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * A cgroup filesystem made of plain directories and files in a temporary directory, for unit
 * tests of enforcement's path handling and writes: v1 (a hierarchy per controller, `cpu` a
 * symlink to `cpu,cpuacct` as on most distributions) or v2 (one unified hierarchy). Pod cgroups
 * are made with the files the kernel would show for a fresh cgroup.
 */
export interface FakeCgroups {
  mount: string;
  version: 1 | 2;
  /** Makes a cgroup directory (relative to each hierarchy's root) with fresh-cgroup files. */
  addCgroup(relative: string): void;
  /** The directory of `relative` in the hierarchy holding `controller`. */
  dirOf(controller: "cpu" | "memory", relative: string): string;
  read(controller: "cpu" | "memory", relative: string, file: string): string;
  remove(): void;
}

const V1_FILES: Record<string, Record<string, string>> = {
  "cpu,cpuacct": { "cpu.cfs_period_us": "100000", "cpu.cfs_quota_us": "-1", "cpu.shares": "1024" },
  memory: { "memory.limit_in_bytes": "9223372036854771712" },
};
const V2_FILES = { "cpu.max": "max 100000", "cpu.weight": "100", "memory.max": "max" };

export function fakeCgroups(version: 1 | 2): FakeCgroups {
  const base = mkdtempSync(join(tmpdir(), "podpin-fake-cgroup-"));
  const mount = join(base, "cgroup");
  mkdirSync(mount);
  if (version === 2) {
    writeFileSync(join(mount, "cgroup.controllers"), "cpuset cpu io memory hugetlb pids\n");
  } else {
    for (const h of Object.keys(V1_FILES)) mkdirSync(join(mount, h));
    symlinkSync("cpu,cpuacct", join(mount, "cpu"));
    symlinkSync("cpu,cpuacct", join(mount, "cpuacct"));
  }
  const hierarchyOf = (controller: "cpu" | "memory") =>
    version === 2 ? mount : join(mount, controller === "cpu" ? "cpu,cpuacct" : "memory");
  return {
    mount,
    version,
    addCgroup(relative) {
      if (version === 2) {
        const dir = join(mount, relative);
        mkdirSync(dir, { recursive: true });
        for (const [f, v] of Object.entries(V2_FILES)) writeFileSync(join(dir, f), `${v}\n`);
        return;
      }
      for (const [h, files] of Object.entries(V1_FILES)) {
        const dir = join(mount, h, relative);
        mkdirSync(dir, { recursive: true });
        for (const [f, v] of Object.entries(files)) writeFileSync(join(dir, f), `${v}\n`);
      }
    },
    dirOf: (controller, relative) => join(hierarchyOf(controller), relative),
    read: (controller, relative, file) =>
      readFileSync(join(hierarchyOf(controller), relative, file), "utf8").trim(),
    remove: () => rmSync(base, { recursive: true, force: true }),
  };
}
