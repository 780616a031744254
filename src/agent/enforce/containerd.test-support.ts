import { type ChildProcess, execFile, spawn } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { closeSync, existsSync, openSync, readFileSync } from "node:fs";
import { lstat, mkdir, mkdtemp, rmdir, unlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import type { QOSClass } from "../../k8s/index.js";
import { podCgroupPath } from "./cgroup-names.js";
import { cgroupDir, DEFAULT_CGROUP_MOUNT, detectCgroupLayout, writeCgroupFile } from "./cgroup-fs.js";
import { CriClient } from "./cri-client.js";
import type {
  ContainerConfig,
  LinuxContainerResources,
  NamespaceOption,
  PodSandboxConfig,
} from "./cri-types.js";
import { containerdConfig } from "./containerd-config.test-support.js";
import { ensurePrerequisites } from "./containerd-prerequisites.test-support.js";
import {
  anyContainerdRunning,
  cgroupTreesOf,
  mountsUnder,
  removeCgroupTree,
  shimPids,
} from "./host.test-support.js";
import { ociImage } from "./oci-image.test-support.js";
import { podCgroupFiles } from "./pod-cgroup-files.js";

/**
 * A private containerd for tests that need a real container runtime: its own root, state, runc
 * root and socket under a fresh temporary directory, its own config (native snapshotter, CRI
 * plugin, no CNI: every sandbox uses the node's network), a pause image and a busybox image built
 * from the host's static busybox and imported with `ctr`, and a unique top-level cgroup that
 * plays the kubelet's cgroup root for the test's pods, so that nothing else on the machine is
 * touched. Sandboxes and containers are created through CRI with the kubelet's labels.
 * `cleanup()` removes everything it made, also after a failed test.
 *
 * Needs root and Debian's containerd, runc and busybox-static (scripts/ensure-containerd.sh
 * installs them; `startContainerd` runs it when something is missing). When the runtime cannot be
 * started it throws with the reason: callers let the test fail, never skip it.
 */

const execFileP = promisify(execFile);
const NAMESPACE = "k8s.io";
export const PAUSE_IMAGE = "podpin.test/pause:1";
export const BUSYBOX_IMAGE = "podpin.test/busybox:1";
/** Where containerd 1.6's shims put their sockets (named after a hash of address, namespace and id). */
const SHIM_SOCKET_DIR = "/run/containerd/s";

export interface HarnessPod {
  uid: string;
  name: string;
  namespace?: string;
  /** Picks the pod cgroup the kubelet would use: kubepods[/burstable|/besteffort]/pod<uid>. */
  qos: QOSClass;
  /** What a kubelet whose managers are `none` writes to the pod cgroup (written after the sandbox starts). */
  kubeletPodCgroup?: { cpuQuotaUs?: number; cpuPeriodUs?: number; memoryLimitBytes?: bigint };
}

export interface HarnessSandbox {
  id: string;
  pod: HarnessPod;
  config: PodSandboxConfig;
  /** The pod cgroup, relative to each hierarchy's root (e.g. /podpin-test-…/kubepods/pod<uid>). */
  cgroupParent: string;
}

export interface HarnessContainer {
  name: string;
  /** Default: sleep for an hour. */
  command?: string[];
  /** What the kubelet sends at creation (without the resource managers: no cpuset). */
  resources?: LinuxContainerResources;
}

export interface HarnessRunningContainer {
  id: string;
  name: string;
  pid: number;
}

export interface ContainerdHarness {
  /** `unix://…` of the private containerd. */
  endpoint: string;
  cri: CriClient;
  /** The kubelet `cgroupRoot` of the harness's pods: a unique top-level cgroup. */
  cgroupRoot: string;
  cgroupMount: string;
  createPodSandbox(pod: HarnessPod): Promise<HarnessSandbox>;
  createContainer(sandbox: HarnessSandbox, container: HarnessContainer): Promise<HarnessRunningContainer>;
  /** Stops (kills at once) and removes one container, as the kubelet does when it deletes it. */
  removeContainer(container: HarnessRunningContainer): Promise<void>;
  removePodSandbox(sandbox: HarnessSandbox): Promise<void>;
  /** Stops and removes everything; throws (after trying every step) if something could not be removed. */
  cleanup(): Promise<void>;
}

function tail(path: string, lines = 15): string {
  try {
    return readFileSync(path, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
  } catch {
    return "(no log)";
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitForRuntime(cri: CriClient, child: ChildProcess, log: string, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  let last = "";
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null)
      throw new Error(
        `containerd exited (${child.exitCode ?? child.signalCode}) before serving CRI:\n${tail(log)}`,
      );
    try {
      await cri.version();
      return;
    } catch (err) {
      last = (err as Error).message;
    }
    await sleep(50);
  }
  throw new Error(`containerd did not answer CRI within ${timeoutMs} ms (${last}):\n${tail(log)}`);
}

const kubeletNamespaces: NamespaceOption = { network: "NODE", pid: "CONTAINER", ipc: "POD" };

/** Starts the private containerd and imports the images; throws with the reason if it cannot. */
export async function startContainerd(): Promise<ContainerdHarness> {
  await ensurePrerequisites();
  const layout = detectCgroupLayout(DEFAULT_CGROUP_MOUNT);
  const dir = await mkdtemp(join(tmpdir(), "podpin-ctd-"));
  const socket = join(dir, "containerd.sock");
  const endpoint = `unix://${socket}`;
  const top = `podpin-test-${randomBytes(5).toString("hex")}`;
  const cgroupRoot = `/${top}`;
  const logPath = join(dir, "containerd.log");
  const sandboxes = new Map<string, HarnessSandbox>();
  // The shims make these when they are missing; then they are ours to remove again.
  const createdRunDirs = [dirname(SHIM_SOCKET_DIR), SHIM_SOCKET_DIR].filter((d) => !existsSync(d)).reverse();
  await writeFile(join(dir, "config.toml"), containerdConfig(dir, socket, PAUSE_IMAGE));
  await mkdir(join(dir, "logs"));
  const logFd = openSync(logPath, "a");
  const child = spawn("containerd", ["--config", join(dir, "config.toml")], {
    stdio: ["ignore", logFd, logFd],
  });
  closeSync(logFd);
  const cri = new CriClient(endpoint, { timeoutMs: 30_000 });

  const cleanup = async () => {
    const problems: string[] = [];
    const step = async (what: string, fn: () => Promise<void>) => {
      try {
        await fn();
      } catch (err) {
        problems.push(`${what}: ${(err as Error).message}`);
      }
    };
    // Every sandbox of this containerd is the harness's own, tracked or not.
    const ids = new Set(sandboxes.keys());
    await step("list sandboxes", async () => {
      for (const s of await cri.listPodSandbox()) ids.add(s.id);
    });
    for (const id of ids)
      await step(`remove sandbox ${sandboxes.get(id)?.pod.name ?? id}`, async () => {
        await cri.stopPodSandbox(id);
        await cri.removePodSandbox(id);
      });
    cri.close();
    await step("stop containerd", async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise<void>((r) => child.once("exit", () => r()));
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
      await exited;
      clearTimeout(timer);
    });
    // Whatever a failed test left running: our runc root holds only our containers.
    const runcRoot = join(dir, "runc", NAMESPACE);
    await step("delete leftover containers", async () => {
      if (!existsSync(runcRoot)) return;
      const { stdout } = await execFileP("runc", ["--root", runcRoot, "list", "-q"]);
      for (const id of stdout.split("\n").filter((l) => l.trim() !== ""))
        await execFileP("runc", ["--root", runcRoot, "delete", "--force", id.trim()]);
    });
    await step("stop leftover shims", async () => {
      for (let i = 0; i < 20 && shimPids(socket).length > 0; i++) await sleep(100);
      for (const pid of shimPids(socket)) process.kill(pid, "SIGKILL");
      for (const id of ids) {
        const hash = createHash("sha256")
          .update(join(socket, NAMESPACE, id))
          .digest("hex");
        const path = join(SHIM_SOCKET_DIR, hash);
        if (existsSync(path) && (await lstat(path)).isSocket()) await unlink(path);
      }
    });
    await step("remove the shim socket directory", async () => {
      // Only when nothing else could be about to put a socket there.
      if (createdRunDirs.length === 0 || anyContainerdRunning()) return;
      for (const d of createdRunDirs)
        await rmdir(d).catch((err: NodeJS.ErrnoException) => {
          if (err.code !== "ENOENT" && err.code !== "ENOTEMPTY") throw err;
        });
    });
    await step("unmount", async () => {
      for (const mp of mountsUnder(dir))
        await execFileP("umount", [mp]).catch(() => execFileP("umount", ["-l", mp]));
    });
    await step("remove cgroups", async () => {
      for (let attempt = 0; ; attempt++) {
        const trees = cgroupTreesOf(layout.mount, top);
        if (trees.length === 0) return;
        try {
          for (const t of trees) await removeCgroupTree(t);
        } catch (err) {
          if (attempt >= 20) throw err;
          await sleep(100);
        }
      }
    });
    await step("remove temporary directory", async () => {
      if (mountsUnder(dir).length > 0) throw new Error(`${dir} still has mounts; left in place`);
      await execFileP("rm", ["-rf", "--one-file-system", dir]);
    });
    if (problems.length > 0) throw new Error(`containerd harness cleanup: ${problems.join("; ")}`);
  };

  try {
    await waitForRuntime(cri, child, logPath, 20_000);
    for (const image of [
      ociImage({ name: PAUSE_IMAGE, entrypoint: ["/bin/sleep", "infinity"] }),
      ociImage({ name: BUSYBOX_IMAGE, entrypoint: ["/bin/sh"] }),
    ]) {
      const archive = join(dir, `${image.manifestDigest.slice(7, 19)}.tar`);
      await writeFile(archive, image.archive);
      await execFileP(
        "ctr",
        ["-a", socket, "-n", NAMESPACE, "images", "import", "--snapshotter", "native", archive],
        { timeout: 60_000 },
      );
      if (!(await cri.imageStatus(image.name)))
        throw new Error(`image ${image.name} was imported with ctr but the CRI plugin does not see it`);
    }
  } catch (err) {
    await cleanup().catch(() => undefined);
    throw err;
  }

  return {
    endpoint,
    cri,
    cgroupRoot,
    cgroupMount: layout.mount,
    async createPodSandbox(pod) {
      const namespace = pod.namespace ?? "default";
      const cgroupParent = podCgroupPath(cgroupRoot, "cgroupfs", pod.qos, pod.uid);
      const config: PodSandboxConfig = {
        metadata: { name: pod.name, uid: pod.uid, namespace, attempt: 0 },
        hostname: "",
        log_directory: join(dir, "logs", `${namespace}_${pod.name}_${pod.uid}`),
        labels: {
          "io.kubernetes.pod.name": pod.name,
          "io.kubernetes.pod.namespace": namespace,
          "io.kubernetes.pod.uid": pod.uid,
        },
        annotations: { "kubernetes.io/config.source": "api" },
        linux: { cgroup_parent: cgroupParent, security_context: { namespace_options: kubeletNamespaces } },
      };
      await mkdir(config.log_directory as string, { recursive: true });
      const id = await cri.runPodSandbox(config);
      const sandbox: HarnessSandbox = { id, pod, config, cgroupParent };
      sandboxes.set(id, sandbox);
      const initial = pod.kubeletPodCgroup;
      if (initial) {
        const files = podCgroupFiles(
          {
            cpuShares: 2,
            cpuQuotaUs: initial.cpuQuotaUs ?? null,
            cpuPeriodUs: initial.cpuPeriodUs ?? 100_000,
            memoryLimitBytes: initial.memoryLimitBytes ?? null,
            hugepageLimitsBytes: {},
            documentedCpuQuotaUs: null,
          },
          layout.version,
        );
        for (const f of files) {
          const hierarchy = layout.hierarchy(f.controller);
          if (!hierarchy)
            throw new Error(`the ${f.controller} controller is not mounted under ${layout.mount}`);
          await writeCgroupFile(await cgroupDir(hierarchy, cgroupRoot, cgroupParent), f.file, f.value);
        }
      }
      return sandbox;
    },
    async createContainer(sandbox, container) {
      const { pod, config: sandboxConfig } = sandbox;
      const namespace = pod.namespace ?? "default";
      const config: ContainerConfig = {
        metadata: { name: container.name, attempt: 0 },
        image: { image: BUSYBOX_IMAGE },
        command: container.command ?? ["/bin/sleep", "3600"],
        labels: {
          "io.kubernetes.container.name": container.name,
          "io.kubernetes.pod.name": pod.name,
          "io.kubernetes.pod.namespace": namespace,
          "io.kubernetes.pod.uid": pod.uid,
        },
        annotations: { "io.kubernetes.container.restartCount": "0" },
        log_path: `${container.name}/0.log`,
        linux: {
          resources: container.resources ?? {},
          security_context: { namespace_options: kubeletNamespaces },
        },
      };
      const id = await cri.createContainer(sandbox.id, config, sandboxConfig);
      await cri.startContainer(id);
      const status = await cri.containerStatus(id, true);
      const pid = Number((JSON.parse(status.info.info ?? "{}") as { pid?: number }).pid);
      if (!Number.isInteger(pid) || pid <= 0)
        throw new Error(`container ${container.name}: no pid in the CRI status`);
      return { id, name: container.name, pid };
    },
    async removeContainer(container) {
      await cri.stopContainer(container.id, 0);
      await cri.removeContainer(container.id);
    },
    async removePodSandbox(sandbox) {
      await cri.stopPodSandbox(sandbox.id);
      await cri.removePodSandbox(sandbox.id);
      sandboxes.delete(sandbox.id);
    },
    cleanup,
  };
}

export { cpusAllowed, processCgroupFile } from "./host.test-support.js";
