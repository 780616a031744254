import {
  type AdmissionResult,
  DuplicatePodError,
  type Node,
  NodeLimitError,
  type PodRef,
  runSimulation,
  type SimulationStep,
} from "../node/index.js";
import type { CPUSet } from "../core/index.js";
import { AgentUnavailableError, NotAdmittedError, ReadOnlyStateError } from "./errors.js";
import type { AgentLog } from "./log.js";
import type { PodRequest } from "./pod-request.js";
import { SerialQueue } from "./serial-queue.js";
import type { StateDir, StateOp } from "./state/index.js";

/**
 * What changed: an operation as committed, or `replaceNode` when a read-only state's node was
 * rebuilt from its source (shadow mode: the kubelet's checkpoints changed).
 */
export type EngineOp = StateOp | { kind: "replaceNode" };

/** One acknowledged change: the operation as committed, and the node right after it. */
export interface EngineChange {
  op: EngineOp;
  node: Node;
}

/**
 * Told after every committed change, in commit order (the place where PodResources and enforcement
 * hook in). A listener runs after the change is durable and cannot delay or undo it; what it throws
 * or rejects with is logged.
 */
export type ChangeListener = (change: EngineChange) => void | Promise<void>;

export type RemoveStep = Extract<SimulationStep, { op: "remove" }>;

export interface RemoveContainerResult {
  pod: PodRef;
  container: string;
  /** The node shared pool right after the container left the managers. */
  defaultCpuSet: CPUSet;
}

export interface EngineOptions {
  log?: AgentLog;
  /** Milliseconds, for the admission-duration histogram when the state directory's node has no clock. */
  clock?: () => number;
}

/** Refusals the node makes before it changes anything: the request is wrong, not the engine. */
function isRefusal(err: unknown): boolean {
  return err instanceof DuplicatePodError || err instanceof NodeLimitError || err instanceof NotAdmittedError;
}

const DURATION = "topology_manager_admission_duration_ms";

/**
 * The agent's engine: the state directory's `Node`, driven one operation at a time in arrival
 * order. A change is applied to the node, committed to the state directory, and only then
 * answered and told to the listeners. Reads are queued the same way, so every answer reflects
 * exactly the changes acknowledged before it, and never one that might still be lost.
 */
export class AgentEngine {
  private readonly queue = new SerialQueue();
  private readonly listeners = new Set<ChangeListener>();
  private failure: string | null = null;
  private closing: Promise<void> | null = null;
  private readonly log: AgentLog | undefined;
  private readonly clock: () => number;

  constructor(
    readonly state: StateDir,
    opts: EngineOptions = {},
  ) {
    this.log = opts.log;
    this.clock = opts.clock ?? (() => performance.now());
  }

  get node(): Node {
    return this.state.node;
  }

  /** Taking operations: not shutting down, and no change has failed to become durable. */
  get available(): boolean {
    return this.failure === null && this.closing === null;
  }

  /** Why the engine takes no more operations, when it does not. */
  get unavailableReason(): string | null {
    if (this.failure !== null) return this.failure;
    return this.closing ? "the agent is shutting down" : null;
  }

  /** Operations queued or running. */
  get queued(): number {
    return this.queue.size;
  }

  onChange(listener: ChangeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Admits a pod (a rejection is a decision too, and is committed: it can leave state behind). */
  admit(req: PodRequest): Promise<AdmissionResult> {
    return this.change((node) => {
      const observed = node.metrics.histogram(DURATION).count;
      const started = this.clock();
      const result = node.admit(req.pod);
      // The kubelet observes every admission's duration; a node built without a clock did not.
      if (node.metrics.histogram(DURATION).count === observed)
        node.metrics.observe(DURATION, this.clock() - started);
      const op: StateOp = { kind: "admit", pod: req.object, podUID: req.pod.uid, admitted: result.admitted };
      return { result, op };
    });
  }

  /** Removes an admitted pod; a uid the node does not have is refused and changes nothing. */
  remove(uid: string): Promise<RemoveStep> {
    return this.change((node) => {
      if (!node.pod(uid)) throw new NotAdmittedError(`pod uid ${uid} is not admitted on this node`);
      const [step] = runSimulation(node, [{ op: "remove", pod: uid }]) as RemoveStep[];
      return { result: step, op: { kind: "remove", podUID: uid } };
    });
  }

  /** One container leaves the managers (it was deleted); its pod stays admitted. */
  removeContainer(uid: string, container: string): Promise<RemoveContainerResult> {
    return this.change((node) => {
      const pod = node.pod(uid);
      if (!pod) throw new NotAdmittedError(`pod uid ${uid} is not admitted on this node`);
      if (![...pod.initContainers, ...pod.containers].some((c) => c.name === container))
        throw new NotAdmittedError(
          `pod ${pod.namespace}/${pod.name} (uid ${uid}) has no container named ${JSON.stringify(container)}`,
        );
      node.removeContainer(uid, container);
      const result = {
        pod: { uid: pod.uid, name: pod.name, namespace: pod.namespace },
        container,
        defaultCpuSet: node.defaultCpuSet(),
      };
      return { result, op: { kind: "removeContainer", podUID: uid, container } };
    });
  }

  /** Runs `read` against the node after every operation queued before it (and before any after). */
  read<T>(read: (node: Node, state: StateDir) => T | Promise<T>): Promise<T> {
    return this.queue.run(() => {
      this.assertAvailable();
      return read(this.node, this.state);
    });
  }

  /**
   * Installs a node rebuilt outside the engine into a read-only state (shadow mode), queued like
   * any operation, and tells the change listeners (`op.kind === "replaceNode"`). A state that is
   * not read-only is refused: its node changes only through the engine's operations.
   */
  replaceNode(node: Node, podObjects: ReadonlyMap<string, unknown>): Promise<void> {
    return this.queue.run(async () => {
      this.assertAvailable();
      if (this.state.readOnly === undefined || !this.state.replaceNode)
        throw new Error("replaceNode: only a read-only state's node is replaced");
      this.state.replaceNode(node, podObjects);
      this.notify({ kind: "replaceNode" });
    });
  }

  /**
   * Stops taking operations (queued ones that have not started are refused), lets the one in
   * progress finish and commit, then closes the state directory. Safe to call more than once.
   */
  close(): Promise<void> {
    this.closing ??= (async () => {
      await this.queue.close(new AgentUnavailableError("the agent is shutting down"));
      await this.state.close();
    })();
    return this.closing;
  }

  private assertAvailable(): void {
    const why = this.unavailableReason;
    if (why !== null) throw new AgentUnavailableError(why);
  }

  private change<T>(apply: (node: Node) => { result: T; op: StateOp }): Promise<T> {
    return this.queue.run(async () => {
      this.assertAvailable();
      if (this.state.readOnly !== undefined) throw new ReadOnlyStateError(this.state.readOnly);
      let applied: { result: T; op: StateOp };
      try {
        applied = apply(this.node);
      } catch (err) {
        if (isRefusal(err)) throw err;
        throw this.fail("the engine failed while applying a change", err);
      }
      try {
        await this.state.commit(applied.op);
      } catch (err) {
        throw this.fail("a change could not be written to the state directory", err);
      }
      this.notify(applied.op);
      return applied.result;
    });
  }

  /** After a failure the node may differ from the directory: refuse everything until a restart. */
  private fail(what: string, err: unknown): AgentUnavailableError {
    const message = err instanceof Error ? err.message : String(err);
    this.failure = `${what} (${message}); the agent takes no more changes: restart it to reload the state directory`;
    this.log?.error("engine failed", {
      error: this.failure,
      stack: err instanceof Error ? err.stack?.split("\n").slice(1, 4).join(" | ").trim() : undefined,
    });
    return new AgentUnavailableError(this.failure);
  }

  private notify(op: EngineOp): void {
    const change = { op, node: this.node };
    for (const listener of this.listeners) {
      const report = (err: unknown) =>
        this.log?.warn("change listener failed", {
          op: op.kind,
          error: err instanceof Error ? err.message : String(err),
        });
      try {
        Promise.resolve(listener(change)).catch(report);
      } catch (err) {
        report(err);
      }
    }
  }
}
