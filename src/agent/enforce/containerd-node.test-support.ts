import { Quantity } from "../../core/index.js";
import type { NodeConfig } from "../../node/index.js";
import { workedExampleConfig } from "../../node/test-support.js";
import type { ContainerdHarness } from "./containerd.test-support.js";
import type { EnforceLog, EnforcerOptions } from "./types.js";

/**
 * The kubelet of the real-runtime tests: static CPU Manager with CPU 0 reserved, Memory Manager
 * Static, pod scope, pod-level gates on (on a 2-CPU machine CPU 1 is the only one to hand out).
 */
export function reservedCPUConfig(): NodeConfig {
  return workedExampleConfig("pod", {
    numReservedCPUs: 1,
    kubeReserved: { cpu: Quantity.parse("1"), memory: Quantity.parse("500Mi") },
    systemReserved: { memory: Quantity.parse("500Mi") },
  });
}

/**
 * Enforcement for real against the harness's runtime and cgroups, reconciling every 100 ms: the
 * enforcer's options, and the agent's enforcement settings when `log` is the agent's log.
 */
export function harnessEnforcement<L extends EnforceLog>(
  h: ContainerdHarness,
  log: L,
): Omit<EnforcerOptions, "log"> & { log: L } {
  return {
    runtimeEndpoint: h.endpoint,
    enforce: true,
    cgroupRoot: h.cgroupRoot,
    cgroupMount: h.cgroupMount,
    reconcilePeriodMs: 100,
    log,
  };
}

/**
 * Polls `check` every 50 ms until it holds (the runtime and the reconcile loop work on their own
 * time); past `timeoutMs` it fails naming `what`, with the lines of `log` under `logName`.
 */
export async function eventually(
  what: string,
  check: () => Promise<boolean>,
  log: string[],
  { logName, timeoutMs }: { logName: string; timeoutMs: number },
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}; ${logName}:\n${log.join("\n")}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
