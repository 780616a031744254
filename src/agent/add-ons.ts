import type { CgroupDriver } from "./enforce/index.js";
import type { AgentAddOn } from "./agent.js";
import type { AgentLog } from "./log.js";

/*
 * The services beside the HTTP API. Their modules (gRPC and its .proto loading) are imported only
 * when the agent is asked to run them.
 */

/** The PodResources v1 gRPC service on a unix socket, answering from the engine's node. */
export function podResourcesAddOn(socketPath: string): AgentAddOn {
  return {
    name: "podresources",
    async start(engine) {
      const { startPodResourcesServer } = await import("./podresources/index.js");
      const server = await startPodResourcesServer({
        socketPath,
        view: () => engine.node,
        kubernetesVersion: engine.node.config.kubernetesVersion,
      });
      return { stop: () => server.close() };
    },
  };
}

export interface EnforcementSettings {
  runtimeEndpoint: string;
  /** Write for real; otherwise log each write that would be made. */
  enforce: boolean;
  cgroupRoot?: string;
  cgroupDriver?: CgroupDriver;
  /** Where the cgroup filesystem is mounted (default /sys/fs/cgroup). */
  cgroupMount?: string;
  reconcilePeriodMs?: number;
  log: AgentLog;
}

/**
 * `run` after every call, but never twice at once and never queued more than once: calls that
 * arrive while a run is in progress are served by one more run after it. A pass reads the node as
 * it is when it starts, so a burst of changes needs one pass, not one per change.
 */
export function coalesced(run: () => Promise<unknown>): () => Promise<void> {
  let running: Promise<void> | null = null;
  let again = false;
  return () => {
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      try {
        do {
          again = false;
          await run();
        } while (again);
      } finally {
        running = null;
      }
    })();
    return running;
  };
}

/**
 * Applies the decisions to the containers the runtime runs (CRI) and to the pod cgroups: after
 * every committed change, and on the reconcile period for containers that start later.
 */
export function enforcementAddOn(settings: EnforcementSettings): AgentAddOn {
  return {
    name: "enforcement",
    async start(engine) {
      const { createEnforcer } = await import("./enforce/index.js");
      const enforcer = createEnforcer(settings);
      const unsubscribe = engine.onChange(coalesced(() => enforcer.apply(engine.node)));
      enforcer.start(() => engine.node);
      return {
        stop: async () => {
          unsubscribe();
          await enforcer.stop();
        },
      };
    },
  };
}
