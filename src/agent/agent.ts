import { AgentEngine } from "./engine.js";
import { AgentSetupError } from "./errors.js";
import { type AgentLog, createLog } from "./log.js";
import { apiRoutes } from "./server/api.js";
import { bearerTokenCheck } from "./server/auth.js";
import { createAgentHttpServer, DEFAULT_HTTP_LIMITS, type HttpLimits } from "./server/http-server.js";
import { isLoopback, type ListenAddress } from "./server/listen-address.js";
import { type Listener, listen } from "./server/listeners.js";
import { Router } from "./server/router.js";
import type { StateDir } from "./state/index.js";

/** A started add-on: stopped with the agent; it may add its own series to `/metrics`. */
export interface AgentAddOnHandle {
  stop(): Promise<void>;
  /** Prometheus text appended after the node's metrics (whole metric families, HELP and TYPE included). */
  metricsText?(): string;
}

/**
 * A service started beside the HTTP API on the same engine (PodResources gRPC, enforcement),
 * stopped with the agent. It hooks into changes with `engine.onChange`.
 */
export interface AgentAddOn {
  name: string;
  start(engine: AgentEngine): Promise<AgentAddOnHandle>;
}

export interface AgentOptions {
  /** The opened state directory; the agent closes it on shutdown, and when it fails to start. */
  state: StateDir;
  listen: readonly ListenAddress[];
  /** The bearer token TCP listeners require (mandatory when there is one). */
  token?: string;
  /**
   * Read-only listeners that need no token: they answer `/metrics`, `/healthz` and `/readyz` only
   * (for Prometheus and the kubelet's probes), never a change.
   */
  metricsListen?: readonly ListenAddress[];
  limits?: Partial<HttpLimits>;
  log?: AgentLog;
  addOns?: readonly AgentAddOn[];
  /** How often the HTML picture at `/` reloads itself (default 5 s). */
  pageRefreshSeconds?: number;
  /** Milliseconds, for the admission-duration histogram (default performance.now). */
  clock?: () => number;
}

export interface Agent {
  readonly engine: AgentEngine;
  /** Where the API listens, in `--listen` form (the chosen port for `tcp://…:0`). */
  readonly urls: readonly string[];
  /**
   * Stops accepting, answers queued requests 503, lets the operation in progress finish and commit,
   * stops the add-ons and closes the state directory. Safe to call more than once.
   */
  close(): Promise<void>;
}

/** What a `metricsListen` listener answers: reads that show no pod and change nothing. */
const READ_ONLY_PATHS = new Set(["/metrics", "/healthz", "/readyz"]);

function setupRefusal(opts: AgentOptions): AgentSetupError | null {
  if (opts.listen.length === 0) return new AgentSetupError("--listen: at least one address is needed");
  const tcp = opts.listen.find((a) => a.kind === "tcp");
  if (tcp && !opts.token)
    return new AgentSetupError(
      `--listen tcp://${tcp.host}:${tcp.port}: a TCP listener needs --token-file (anyone who can connect could admit and remove pods)`,
    );
  return null;
}

/** Starts the HTTP API (and the add-ons) on an opened state directory. */
export async function startAgent(opts: AgentOptions): Promise<Agent> {
  const log = opts.log ?? createLog();
  const limits = { ...DEFAULT_HTTP_LIMITS, ...opts.limits };
  const refusal = setupRefusal(opts);
  if (refusal) {
    await opts.state.close();
    throw refusal;
  }
  for (const w of opts.state.warnings) log.warn("state directory", { warning: w });
  const engine = new AgentEngine(opts.state, { log, clock: opts.clock });
  let ready = false;
  const extraMetrics: (() => string)[] = [];
  const routes = apiRoutes({
    engine,
    ready: () => ready,
    maxBodyBytes: limits.maxBodyBytes,
    pageRefreshSeconds: opts.pageRefreshSeconds ?? 5,
    extraMetrics: () => extraMetrics.map((text) => text()),
  });
  const router = new Router(routes);
  const readOnlyRouter = new Router(routes.filter((r) => READ_ONLY_PATHS.has(r.path)));
  const listeners: Listener[] = [];
  const stops: { name: string; stop(): Promise<void> }[] = [];
  // Stop accepting first, then let the engine finish (queued requests are answered 503, so their
  // connections can end), then the add-ons, then wait for the last answers to be written.
  const closeAll = async () => {
    const closing = listeners.map((l) => l.close());
    await engine.close();
    for (const s of stops.reverse())
      await s.stop().catch((err: Error) => log.warn("stop failed", { addOn: s.name, error: err.message }));
    await Promise.all(closing);
  };
  try {
    for (const address of opts.listen) {
      let url = "";
      const server = createAgentHttpServer({
        router,
        limits,
        log,
        listener: () => url,
        authorize: address.kind === "tcp" ? bearerTokenCheck(opts.token as string) : undefined,
      });
      const listener = await listen(server, address);
      url = listener.url;
      listeners.push(listener);
      if (address.kind === "tcp" && !isLoopback(address.host))
        log.warn("listening beyond this machine without TLS: the bearer token crosses the network in clear", {
          listener: url,
        });
    }
    for (const address of opts.metricsListen ?? []) {
      let url = "";
      const server = createAgentHttpServer({ router: readOnlyRouter, limits, log, listener: () => url });
      const listener = await listen(server, address);
      url = listener.url;
      listeners.push(listener);
    }
    for (const addOn of opts.addOns ?? []) {
      const handle = await addOn.start(engine);
      stops.push({ name: addOn.name, stop: () => handle.stop() });
      const { metricsText } = handle;
      if (metricsText) extraMetrics.push(() => metricsText.call(handle));
    }
  } catch (err) {
    await closeAll();
    throw err;
  }
  ready = true;
  log.info("ready", {
    listen: listeners.map((l) => l.url).join(","),
    pods: engine.node.admittedPods().length,
    kubernetesVersion: engine.node.config.kubernetesVersion,
  });
  let closed: Promise<void> | null = null;
  return {
    engine,
    urls: listeners.map((l) => l.url),
    close: () => {
      closed ??= closeAll().then(() => log.info("stopped", {}));
      return closed;
    },
  };
}
