import {
  cgroupRootComponents,
  DEFAULT_CGROUP_DRIVER,
  DEFAULT_CGROUP_ROOT,
  parseCgroupDriver,
} from "./cgroup-names.js";
import { DEFAULT_CGROUP_MOUNT, detectCgroupLayout } from "./cgroup-fs.js";
import { CriClient, type CriRuntime, socketPathOf } from "./cri-client.js";
import { EnforceConfigError, messageOf } from "./errors.js";
import { enforcePass, newPassMemory, type PassSettings } from "./pass.js";
import type { EnforceResult, Enforcer, EnforcerOptions, NodeLike } from "./types.js";

/** The kubelet's default `cpuManagerReconcilePeriod`. */
export const DEFAULT_RECONCILE_PERIOD_MS = 10_000;

function emptyResult(enforce: boolean, message: string): EnforceResult {
  return {
    enforce,
    writes: [],
    failures: [{ podUID: null, pod: null, container: null, containerId: null, message }],
    pending: [],
    unchanged: 0,
  };
}

/**
 * Applies the engine's decisions to real containers as the kubelet's CPU and Memory Managers do:
 * through the container runtime's `UpdateContainerResources` (cpusets, NUMA memory nodes, no CFS
 * quota for exclusive CPUs) and by writing the pod cgroups' quota and limits. With `enforce`
 * false it is a dry run: every write it would make is logged once, nothing is written. Options
 * are checked here and refused with `EnforceConfigError`; runtime and cgroup problems at run time
 * only ever show up in a pass's result and the log.
 */
export function createEnforcer(opts: EnforcerOptions): Enforcer {
  socketPathOf(opts.runtimeEndpoint);
  const cgroupDriver = parseCgroupDriver(opts.cgroupDriver ?? DEFAULT_CGROUP_DRIVER);
  const cgroupRoot = opts.cgroupRoot ?? DEFAULT_CGROUP_ROOT;
  cgroupRootComponents(cgroupRoot, cgroupDriver);
  const period = opts.reconcilePeriodMs ?? DEFAULT_RECONCILE_PERIOD_MS;
  if (!Number.isFinite(period) || period <= 0)
    throw new EnforceConfigError(
      `reconcilePeriodMs: expected a positive number of milliseconds, got ${period}`,
    );
  const layout = detectCgroupLayout(opts.cgroupMount ?? DEFAULT_CGROUP_MOUNT);
  const owned = opts.runtime ? null : new CriClient(opts.runtimeEndpoint, { timeoutMs: opts.criTimeoutMs });
  const runtime: CriRuntime = opts.runtime ?? (owned as CriClient);
  const settings: PassSettings = {
    enforce: opts.enforce,
    runtime,
    layout,
    cgroupRoot,
    cgroupDriver,
    cgroupsPerQOS: opts.cgroupsPerQOS ?? true,
    log: opts.log,
  };
  const memory = newPassMemory();
  let tail: Promise<unknown> = Promise.resolve();
  let stopped = false;
  let timer: NodeJS.Timeout | null = null;
  let source: (() => NodeLike) | null = null;

  const apply = (node: NodeLike): Promise<EnforceResult> => {
    if (stopped) return Promise.resolve(emptyResult(opts.enforce, "the enforcer is stopped"));
    const run = tail.then(() => enforcePass(node, settings, memory));
    tail = run.catch(() => undefined);
    // A pass records its own failures; anything thrown is a bug, reported the same way.
    return run.catch((err) => {
      opts.log.error("enforcement pass failed", { error: messageOf(err) });
      return emptyResult(opts.enforce, messageOf(err));
    });
  };

  // Each start() begins a new loop; a tick of an older one does not reschedule itself.
  let loop = 0;
  const schedule = (generation: number, delay: number) => {
    timer = setTimeout(() => void tick(generation), delay);
    timer.unref();
  };
  const tick = async (generation: number) => {
    if (stopped || !source || generation !== loop) return;
    try {
      await apply(source());
    } catch (err) {
      opts.log.error("enforcement pass failed", { error: messageOf(err) });
    }
    if (!stopped && generation === loop) schedule(generation, period);
  };

  return {
    enforce: opts.enforce,
    apply,
    start(node) {
      if (stopped) throw new EnforceConfigError("the enforcer is stopped; create a new one");
      source = typeof node === "function" ? node : () => node;
      if (timer) clearTimeout(timer);
      schedule(++loop, 0);
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      timer = null;
      await tail;
      owned?.close();
    },
  };
}
