import type { Pod } from "../../k8s/index.js";
import { podQOS } from "../../k8s/index.js";
import { buildDecisions, type ContainerDecision, type Node, type PodCgroup } from "../../node/index.js";
import { type CgroupDriver, cgroupfsPath, cgroupRootComponents, podCgroupPath } from "./cgroup-names.js";
import { type CgroupLayout, cgroupDir, readCgroupFile, writeCgroupFile } from "./cgroup-fs.js";
import { containerUpdate, describeUpdate } from "./container-update.js";
import type { CriRuntime } from "./cri-client.js";
import type { Container } from "./cri-types.js";
import { CgroupMissingError, messageOf } from "./errors.js";
import { holdsValue, podCgroupFiles } from "./pod-cgroup-files.js";
import type { EnforceFailure, EnforceLog, EnforceResult, EnforceTarget } from "./types.js";

/** The kubelet's labels on every container it creates through CRI. */
export const POD_UID_LABEL = "io.kubernetes.pod.uid";
export const CONTAINER_NAME_LABEL = "io.kubernetes.container.name";

export interface PassSettings {
  enforce: boolean;
  runtime: CriRuntime;
  layout: CgroupLayout;
  cgroupRoot: string;
  cgroupDriver: CgroupDriver;
  cgroupsPerQOS: boolean;
  log: EnforceLog;
}

/**
 * What earlier passes did, so that a pass only sends what changed. Containers: the update last
 * sent per container id (the kubelet's `lastUpdateState`); a restarted container has a new id and
 * is updated again. Dry run: the pod cgroup writes already reported, so each is logged once.
 * Failures: those logged by the last pass, so that one that persists is not logged every period.
 */
export interface PassMemory {
  sent: Map<string, string>;
  reportedFiles: Map<string, string>;
  loggedFailures: Set<string>;
}

export function newPassMemory(): PassMemory {
  return { sent: new Map(), reportedFiles: new Map(), loggedFailures: new Set() };
}

const short = (id: string) => id.slice(0, 13);
const key = (uid: string, name: string) => `${uid}\u0000${name}`;

interface RuntimeView {
  /** Running containers with the kubelet's labels, by (pod uid, container name). */
  running: Map<string, Container[]>;
  /** Pod UIDs with any container at all (created, running or exited). */
  pods: Set<string>;
}

function viewOf(containers: readonly Container[]): RuntimeView {
  const running = new Map<string, Container[]>();
  const pods = new Set<string>();
  for (const c of containers) {
    const uid = c.labels?.[POD_UID_LABEL];
    const name = c.labels?.[CONTAINER_NAME_LABEL];
    if (!uid || !name) continue;
    pods.add(uid);
    // As the kubelet's reconcile loop: only running containers. A created one may be starting
    // right now, and an update that lands between the start reading its spec and the task
    // running would change only the stored spec.
    if (c.state !== "CONTAINER_RUNNING") continue;
    const k = key(uid, name);
    const list = running.get(k);
    if (list) list.push(c);
    else running.set(k, [c]);
  }
  return { running, pods };
}

class Pass {
  readonly result: EnforceResult;
  /** Pod cgroup files looked at in this pass; reports of the others (pods gone) are forgotten. */
  readonly seenFiles = new Set<string>();
  readonly failureKeys = new Set<string>();

  constructor(
    private readonly s: PassSettings,
    private readonly memory: PassMemory,
  ) {
    this.result = { enforce: s.enforce, writes: [], failures: [], pending: [], unchanged: 0 };
  }

  fail(target: EnforceTarget | null, where: { container?: string; containerId?: string }, message: string) {
    const failure: EnforceFailure = {
      podUID: target?.podUID ?? null,
      pod: target?.pod ?? null,
      container: where.container ?? null,
      containerId: where.containerId ?? null,
      message,
    };
    this.result.failures.push(failure);
    const k = `${failure.podUID}\u0000${failure.containerId}\u0000${message}`;
    this.failureKeys.add(k);
    if (this.memory.loggedFailures.has(k)) return;
    this.s.log.warn("enforcement failed", {
      pod: failure.pod ?? undefined,
      container: failure.container ?? undefined,
      id: failure.containerId ? short(failure.containerId) : undefined,
      error: message,
    });
  }

  async container(
    target: EnforceTarget,
    decision: ContainerDecision,
    running: Container[] | undefined,
    cpuManagerStatic: boolean,
  ) {
    const update = containerUpdate(decision, cpuManagerStatic);
    const described = describeUpdate(update);
    if (described === "") return;
    if (!running || running.length === 0) {
      this.result.pending.push({ ...target, container: decision.name });
      return;
    }
    for (const c of running) {
      if (this.memory.sent.get(c.id) === described) {
        this.result.unchanged++;
        continue;
      }
      const fields = {
        pod: target.pod,
        container: decision.name,
        id: short(c.id),
        cpuset_cpus: update.cpuset_cpus,
        cpuset_mems: update.cpuset_mems,
        cpu_quota: update.cpu_quota,
      };
      if (this.s.enforce) {
        try {
          await this.s.runtime.updateContainerResources(c.id, update);
        } catch (err) {
          this.fail(target, { container: decision.name, containerId: c.id }, messageOf(err));
          continue;
        }
      }
      this.memory.sent.set(c.id, described);
      this.result.writes.push({
        kind: "container",
        ...target,
        container: decision.name,
        containerId: c.id,
        resources: update,
        applied: this.s.enforce,
      });
      this.s.log.info(this.s.enforce ? "set container" : "would set container", fields);
    }
  }

  async podCgroup(target: EnforceTarget, pod: Pod, node: Node, cgroup: PodCgroup, inRuntime: boolean) {
    let relative: string;
    let rootPath: string;
    try {
      const qos = podQOS(pod, node.config.featureGates);
      relative = podCgroupPath(this.s.cgroupRoot, this.s.cgroupDriver, qos, pod.uid);
      rootPath = cgroupfsPath(
        cgroupRootComponents(this.s.cgroupRoot, this.s.cgroupDriver),
        this.s.cgroupDriver,
      );
    } catch (err) {
      this.fail(target, {}, messageOf(err));
      return;
    }
    // The pod cgroup's directory in each hierarchy, checked once (null: refused, reported).
    const dirs = new Map<string, string | null>();
    for (const f of podCgroupFiles(cgroup, this.s.layout.version)) {
      const hierarchy = this.s.layout.hierarchy(f.controller);
      if (!hierarchy) {
        this.fail(
          target,
          {},
          `cannot set ${f.file}: no ${f.controller} hierarchy under ${this.s.layout.mount}`,
        );
        continue;
      }
      let dir = dirs.get(hierarchy);
      if (dir === undefined) {
        try {
          dir = await cgroupDir(hierarchy, rootPath, relative);
        } catch (err) {
          // Before the pod's first container the kubelet may not have made its cgroup yet.
          if (err instanceof CgroupMissingError && !inRuntime) {
            this.result.pending.push({ ...target, container: null });
            return;
          }
          this.fail(target, {}, messageOf(err));
          dir = null;
        }
        dirs.set(hierarchy, dir);
      }
      if (dir === null) continue;
      let current: string;
      try {
        current = await readCgroupFile(dir, f.file);
      } catch (err) {
        this.fail(target, {}, messageOf(err));
        continue;
      }
      const path = `${dir}/${f.file}`;
      this.seenFiles.add(path);
      if (holdsValue(f.file, current, f.value)) {
        this.result.unchanged++;
        this.memory.reportedFiles.delete(path);
        continue;
      }
      if (!this.s.enforce) {
        if (this.memory.reportedFiles.get(path) === f.value) continue;
        this.memory.reportedFiles.set(path, f.value);
      } else {
        try {
          await writeCgroupFile(dir, f.file, f.value);
        } catch (err) {
          this.fail(target, {}, messageOf(err));
          continue;
        }
      }
      this.result.writes.push({
        kind: "pod-cgroup",
        ...target,
        path,
        value: f.value,
        applied: this.s.enforce,
      });
      this.s.log.info(this.s.enforce ? "set pod cgroup" : "would set pod cgroup", {
        pod: target.pod,
        file: path,
        value: f.value,
        was: current,
      });
    }
  }
}

/**
 * One enforcement pass over the node's admitted pods: containers found through the runtime by the
 * kubelet's labels get their cpuset and CFS update, pod cgroups their quota and limits. A failure
 * is recorded and logged and the pass goes on with the next container or file.
 */
export async function enforcePass(node: Node, s: PassSettings, memory: PassMemory): Promise<EnforceResult> {
  const pass = new Pass(s, memory);
  let view: RuntimeView | null = null;
  try {
    const listed = await s.runtime.listContainers({});
    view = viewOf(listed);
    const live = new Set(listed.map((c) => c.id));
    for (const id of [...memory.sent.keys()]) if (!live.has(id)) memory.sent.delete(id);
  } catch (err) {
    pass.fail(null, {}, messageOf(err));
  }
  for (const pod of node.admittedPods()) {
    const target: EnforceTarget = { podUID: pod.uid, pod: `${pod.namespace}/${pod.name}` };
    const { containers: decisions, podDecision } = buildDecisions(node, pod);
    if (view)
      for (const d of decisions)
        await pass.container(target, d, view.running.get(key(pod.uid, d.name)), node.cpuPolicy !== null);
    if (s.cgroupsPerQOS)
      await pass.podCgroup(target, pod, node, podDecision.cgroup, view?.pods.has(pod.uid) ?? false);
  }
  for (const path of [...memory.reportedFiles.keys()])
    if (!pass.seenFiles.has(path)) memory.reportedFiles.delete(path);
  memory.loggedFailures = pass.failureKeys;
  return pass.result;
}
