import { existsSync, readdirSync, readFileSync, realpathSync } from "node:fs";
import { readFile, rmdir } from "node:fs/promises";
import { join } from "node:path";
import { DEFAULT_CGROUP_MOUNT, detectCgroupLayout } from "./cgroup-fs.js";

/**
 * What the containerd tests read of the host: processes (to find a harness's own shims), mounts,
 * cgroup trees to remove, and a process's CPU affinity and cgroup files as the kernel shows them.
 */

/** Every process's pid and argv. */
function processes(): { pid: number; argv: string[] }[] {
  const out: { pid: number; argv: string[] }[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      out.push({ pid: Number(entry), argv: readFileSync(`/proc/${entry}/cmdline`, "utf8").split("\0") });
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

/** Processes whose argv has `-address <socket>`: the shims of this containerd. */
export function shimPids(socket: string): number[] {
  return processes()
    .filter(({ argv }) => {
      const i = argv.indexOf("-address");
      return i >= 0 && argv[i + 1] === socket && argv[0].includes("containerd-shim");
    })
    .map((p) => p.pid);
}

/** Whether any containerd or shim runs on the machine (another harness, or the system's). */
export function anyContainerdRunning(): boolean {
  return processes().some(({ argv }) => /(^|\/)containerd(-shim[^/]*)?$/.test(argv[0] ?? ""));
}

/** Mount points at or under `dir`, deepest first (from this process's mountinfo). */
export function mountsUnder(dir: string): string[] {
  const decodeOctal = (s: string) =>
    s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(Number.parseInt(o, 8)));
  return readFileSync("/proc/self/mountinfo", "utf8")
    .split("\n")
    .map((line) => line.split(" ")[4])
    .filter((mp): mp is string => mp !== undefined)
    .map(decodeOctal)
    .filter((mp) => mp === dir || mp.startsWith(`${dir}/`))
    .sort((a, b) => b.length - a.length);
}

/** Removes a cgroup directory tree bottom-up (cgroup directories go with rmdir, files with them). */
export async function removeCgroupTree(dir: string): Promise<void> {
  for (const entry of readdirSync(dir, { withFileTypes: true }))
    if (entry.isDirectory()) await removeCgroupTree(join(dir, entry.name));
  await rmdir(dir);
}

/** The test's top-level cgroup in every hierarchy under the mount (v2, or each v1 hierarchy once). */
export function cgroupTreesOf(mount: string, top: string): string[] {
  const candidates = [join(mount, top), ...readdirSync(mount).map((entry) => join(mount, entry, top))];
  return [...new Set(candidates.filter((c) => existsSync(c)).map((c) => realpathSync(c)))];
}

/** `Cpus_allowed_list` of a process. */
export async function cpusAllowed(pid: number): Promise<string> {
  const status = await readFile(`/proc/${pid}/status`, "utf8");
  const line = status.split("\n").find((l) => l.startsWith("Cpus_allowed_list:"));
  if (!line) throw new Error(`/proc/${pid}/status has no Cpus_allowed_list`);
  return line.slice(line.indexOf(":") + 1).trim();
}

/**
 * A cgroup file of the cgroup a process is in, for a v1 controller (`cpuset`, `cpu`, `memory`)
 * or, on cgroup v2, the unified hierarchy.
 */
export async function processCgroupFile(
  pid: number,
  controller: string,
  file: string,
  mount = DEFAULT_CGROUP_MOUNT,
) {
  const lines = (await readFile(`/proc/${pid}/cgroup`, "utf8")).trim().split("\n");
  const layout = detectCgroupLayout(mount);
  let path: string | undefined;
  let hierarchy: string;
  if (layout.version === 2) {
    path = lines.find((l) => l.startsWith("0::"))?.slice(3);
    hierarchy = layout.mount;
  } else {
    const line = lines.find((l) => l.split(":")[1]?.split(",").includes(controller));
    path = line?.slice(line.indexOf(":", line.indexOf(":") + 1) + 1);
    const real = readdirSync(layout.mount).find((e) => e.split(",").includes(controller)) ?? controller;
    hierarchy = join(layout.mount, real);
  }
  if (path === undefined) throw new Error(`/proc/${pid}/cgroup has no ${controller} hierarchy`);
  return (await readFile(join(hierarchy, path, file), "utf8")).trim();
}
