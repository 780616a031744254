import { type Command, Option } from "commander";
import type { Agent, AgentAddOn, AgentLog, ListenAddress, StateDir } from "../agent/index.js";
import { parseGoDuration } from "../k8s/index.js";
import type { Machine } from "../machine/index.js";
import type { NodeConfig } from "../node/index.js";
import type { CgroupDriver } from "../agent/enforce/index.js";
import {
  type AgentClusterOptions,
  addClusterOptions,
  type ClusterParts,
  clusterAddOns,
  clusterSettings,
  withClusterNode,
} from "./agent-cluster.js";
import { runCommand, UsageError } from "./errors.js";
import { loadNodeInputs, type NodeInputOptions } from "./inputs.js";
import { flagOption, repeatableOption, valueOption } from "./options.js";
import { addNodeOptions } from "./simulate.js";

export interface AgentCommandOptions extends NodeInputOptions, AgentClusterOptions {
  stateDir: string;
  listen?: string[];
  metricsListen?: string[];
  tokenFile?: string;
  podresourcesSocket?: string;
  runtimeEndpoint?: string;
  enforce: boolean;
  cgroupDriver?: string;
  cgroupRoot?: string;
  kubeletRootDir?: string;
  kubeletStatePeriod: string;
}

export const DEFAULT_STATE_DIR = "/var/lib/podpin";
const DEFAULT_RUNTIME_ENDPOINT = "unix:///run/containerd/containerd.sock";

/** Setup problems of the agent's parts (bad address, busy socket, refused state): one line, exit 2. */
const SETUP_ERRORS = new Set([
  "AgentSetupError",
  "StateDirError",
  "PodResourcesServerError",
  "EnforceConfigError",
  "CriError",
  "CgroupPathError",
  "ClusterSetupError",
]);

function asUsageError(err: unknown): unknown {
  return err instanceof Error && SETUP_ERRORS.has(err.name) ? new UsageError(err.message) : err;
}

/**
 * An agent runs on the node it manages: its machine is this machine's sysfs unless told otherwise
 * (the other commands default to the worked examples' machine, which would be wrong here).
 */
function machineDefaultsToThis(cmd: Command): Command {
  const machine = cmd.options.find((o) => o.long === "--machine");
  if (!machine) throw new Error("agent: the node options have no --machine");
  machine.default("this");
  cmd.setOptionValueWithSource("machine", "this", "default");
  return cmd;
}

/** The services beside the HTTP API that the options ask for. */
async function addOnsFor(
  opts: AgentCommandOptions,
  reconcilePeriodMs: number,
  log: AgentLog,
): Promise<AgentAddOn[]> {
  const { enforcementAddOn, podResourcesAddOn } = await import("../agent/index.js");
  const addOns: AgentAddOn[] = [];
  if (opts.podresourcesSocket) addOns.push(podResourcesAddOn(opts.podresourcesSocket));
  if (opts.enforce || opts.runtimeEndpoint !== undefined) {
    const { parseCgroupDriver } = await import("../agent/enforce/index.js");
    const driver: CgroupDriver | undefined =
      opts.cgroupDriver === undefined ? undefined : parseCgroupDriver(opts.cgroupDriver);
    addOns.push(
      enforcementAddOn({
        runtimeEndpoint: opts.runtimeEndpoint ?? DEFAULT_RUNTIME_ENDPOINT,
        enforce: opts.enforce,
        cgroupDriver: driver,
        cgroupRoot: opts.cgroupRoot,
        reconcilePeriodMs: reconcilePeriodMs > 0 ? reconcilePeriodMs : undefined,
        log,
      }),
    );
  }
  return addOns;
}

/** The shadow-mode period in milliseconds, from a Go duration ("10s", "1m30s"). */
function statePeriodMs(text: string): number {
  const parsed = parseGoDuration(text);
  if (typeof parsed === "string" || parsed <= 0n)
    throw new UsageError(
      `--kubelet-state-period: expected a positive duration such as "10s", got ${JSON.stringify(text)}`,
    );
  return Math.max(1, Number(parsed / 1_000_000n));
}

/**
 * Shadow mode: the agent's state is the kubelet's checkpoints under `rootDir`, read-only, and the
 * shadow add-on keeps the engine's node on them and reports drift.
 */
async function openShadow(
  opts: AgentCommandOptions & { kubeletRootDir: string },
  inputs: { machine: Machine; config: NodeConfig },
  cluster: ClusterParts | null,
  log: AgentLog,
): Promise<{ state: StateDir; addOn: AgentAddOn }> {
  if (opts.enforce)
    throw new UsageError(
      "--enforce: not with --kubelet-root-dir (shadow mode reads the kubelet's decisions; the kubelet enforces them)",
    );
  const periodMs = statePeriodMs(opts.kubeletStatePeriod);
  const { NO_POD_SOURCE, openKubeletShadow } = await import("../cluster/shadow/index.js");
  if (!cluster)
    log.warn(
      "shadow mode without --kubeconfig or --in-cluster: pods are known by UID only and no drift is checked",
      { root: opts.kubeletRootDir },
    );
  const shadow = openKubeletShadow({
    rootDir: opts.kubeletRootDir,
    machine: inputs.machine,
    config: inputs.config,
    pods: cluster?.pods ?? NO_POD_SOURCE,
    events: cluster?.events,
    log,
    periodMs,
  });
  return { state: shadow.state, addOn: shadow.addOn };
}

/** Resolves once SIGTERM or SIGINT arrives, with its name. */
function nextStopSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const on = (signal: NodeJS.Signals) => {
      process.off("SIGTERM", on);
      process.off("SIGINT", on);
      resolve(signal);
    };
    process.on("SIGTERM", on);
    process.on("SIGINT", on);
  });
}

/**
 * `podpin agent`: opens the state directory, serves the API until SIGTERM or SIGINT, then stops
 * accepting, finishes the operation in progress, closes the state directory and exits 0.
 */
export async function runAgent(opts: AgentCommandOptions): Promise<number> {
  const agentModule = await import("../agent/index.js");
  const { createLog, openStateDir, parseListenAddress, readTokenFile, startAgent } = agentModule;
  const log = createLog();
  let agent: Agent;
  try {
    const listen: ListenAddress[] = (opts.listen ?? [agentModule.DEFAULT_LISTEN]).map(parseListenAddress);
    const token = opts.tokenFile ? await readTokenFile(opts.tokenFile) : undefined;
    if (!listen.some((a) => a.kind === "tcp") && token)
      log.warn("--token-file is used only by tcp:// listeners; none is configured", {});
    const cluster = clusterSettings(opts);
    const inputs = loadNodeInputs(opts);
    const { machine, kubelet, config } = inputs;
    const shadowing = opts.kubeletRootDir !== undefined;
    const parts = cluster ? await clusterAddOns(cluster, log, shadowing) : null;
    // In a cluster the engine's node carries the Node object's name, labels and taints.
    const nodeConfig = withClusterNode(config, cluster, parts, log);
    const shadow = opts.kubeletRootDir
      ? await openShadow(
          { ...opts, kubeletRootDir: opts.kubeletRootDir },
          { machine, config: nodeConfig },
          parts,
          log,
        )
      : null;
    const addOns = await addOnsFor(opts, kubelet.cpuManagerReconcilePeriodMs, log);
    // The pod cache first, so that the shadow's first pass after start can find the pods.
    if (parts) addOns.push(...parts.addOns);
    if (shadow) addOns.push(shadow.addOn);
    const stopping = nextStopSignal();
    const state = shadow?.state ?? (await openStateDir({ dir: opts.stateDir, machine, config: nodeConfig }));
    const metricsListen = (opts.metricsListen ?? []).map(parseListenAddress);
    agent = await startAgent({ state, listen, metricsListen, token, log, addOns });
    const signal = await stopping;
    log.info("stopping", { signal, queued: agent.engine.queued });
  } catch (err) {
    throw asUsageError(err);
  }
  await agent.close();
  // Everything the agent opened is closed; should a library still hold the event loop, do not hang.
  setTimeout(() => process.exit(process.exitCode ?? 0), 5000).unref();
  return 0;
}

export function registerAgent(program: Command): void {
  const cmd = program
    .command("agent")
    .description(
      "Run the node agent: the same engine behind an HTTP+JSON API on a unix socket (or TCP with a bearer token), with kubelet-format checkpoints in a state directory, Prometheus metrics, and optionally PodResources gRPC and CRI enforcement",
    );
  addClusterOptions(machineDefaultsToThis(addNodeOptions(cmd)))
    .addOption(
      valueOption(
        "--state-dir <dir>",
        "the agent's state directory (kubelet checkpoints and its pod record; not used with --kubelet-root-dir)",
        {
          value: DEFAULT_STATE_DIR,
        },
      ),
    )
    .addOption(
      repeatableOption(
        "--listen <address>",
        "where the API listens: unix:///path.sock (mode 0600) or tcp://127.0.0.1:PORT (needs --token-file)",
        "unix:///run/podpin/agent.sock",
      ),
    )
    .addOption(
      repeatableOption(
        "--metrics-listen <address>",
        "also serve /metrics, /healthz and /readyz, read-only and without a token, at tcp://HOST:PORT or unix:///path.sock",
        "none",
      ),
    )
    .addOption(
      valueOption(
        "--token-file <file>",
        "the bearer token tcp:// listeners require (first line of the file)",
        {
          without: "none; required with a tcp:// listener",
        },
      ),
    )
    .addOption(
      valueOption(
        "--podresources-socket <path>",
        "serve the kubelet's PodResources v1 gRPC API on this unix socket",
        {
          without: "not served",
        },
      ),
    )
    .addOption(
      valueOption(
        "--runtime-endpoint <endpoint>",
        "the container runtime's CRI socket; without --enforce the agent logs the updates it would make",
        { without: `${DEFAULT_RUNTIME_ENDPOINT} with --enforce, else no enforcement` },
      ),
    )
    .addOption(
      flagOption("--enforce", "apply cpusets, CFS quotas and pod cgroup limits to the runtime's containers"),
    )
    .addOption(
      new Option("--cgroup-driver <driver>", "the kubelet's cgroupDriver, for pod cgroup paths")
        .choices(["cgroupfs", "systemd"])
        .default(undefined, "cgroupfs"),
    )
    .addOption(valueOption("--cgroup-root <path>", "the kubelet's cgroupRoot", { without: "/" }))
    .addOption(
      valueOption(
        "--kubelet-root-dir <dir>",
        "shadow mode: read the kubelet's own checkpoints under its root directory (never written), serve what the kubelet allocated, refuse changes, and report where podpin would have decided otherwise",
        { without: "off: the agent decides, in --state-dir" },
      ),
    )
    .addOption(
      valueOption(
        "--kubelet-state-period <duration>",
        "shadow mode: read the kubelet's checkpoints at least this often",
        {
          value: "10s",
        },
      ),
    )
    .addHelpText(
      "after",
      "\nStops on SIGTERM or SIGINT: no new requests, the operation in progress finishes and is committed, exit 0.\nExit status 2 on bad input (options, configuration, a state directory the kubelet would refuse, a Node object that cannot be read).\n\nExample:\n  podpin agent -m this -c /var/lib/kubelet/config.yaml --state-dir /var/lib/podpin\n  curl --unix-socket /run/podpin/agent.sock http://agent/v1/node\n",
    )
    .action((opts: AgentCommandOptions) => runCommand(() => runAgent(opts)));
}
