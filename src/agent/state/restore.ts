/**
 * A node restarted on restored manager state, as a kubelet restart does: the managers start from
 * the checkpoints (and validate them against the machine), and the pods already running are
 * active from the start, so that their state is not reclaimed as stale by the next admission.
 */
import type { CPUStateData } from "../../managers/cpu/index.js";
import type { DeviceStateData } from "../../managers/device/index.js";
import type { MemoryStateData } from "../../managers/memory/index.js";
import type { Pod } from "../../k8s/index.js";
import type { Machine } from "../../machine/index.js";
import { Node, type NodeConfig } from "../../node/index.js";

/** The managers' state as restored from checkpoint files; a manager without a file is absent. */
export interface RestoredStates {
  cpu?: CPUStateData;
  memory?: MemoryStateData;
  device?: DeviceStateData;
}

export type PodNames = ReadonlyMap<string, { namespace: string; name: string }>;

/**
 * Pods known only by the state they hold (a checkpoint carries pod UIDs and container names, not
 * specs), named by `names` where it knows them. They keep their state from being reclaimed as
 * stale when a new pod is admitted.
 */
export function podsFromCheckpointState(restored: RestoredStates, names: PodNames = new Map()): Pod[] {
  const { cpu, memory, device } = restored;
  const containers = new Map<string, Set<string>>();
  const add = (uid: string, names: Iterable<string>) => {
    const set = containers.get(uid) ?? new Set<string>();
    for (const n of names) set.add(n);
    containers.set(uid, set);
  };
  for (const [uid, entries] of cpu?.entries ?? []) add(uid, entries.keys());
  for (const uid of cpu?.podEntries.keys() ?? []) add(uid, []);
  for (const [uid, entries] of memory?.entries ?? []) add(uid, entries.keys());
  for (const uid of memory?.podEntries.keys() ?? []) add(uid, []);
  for (const [uid, entries] of device?.podDevices ?? []) add(uid, entries.keys());
  return [...containers.entries()].map(([uid, ctrs]) => ({
    uid,
    name: names.get(uid)?.name ?? `uid ${uid}`,
    namespace: names.get(uid)?.namespace ?? "",
    initContainers: [],
    containers: [...ctrs].map((name) => ({ name, resources: null })),
    resources: null,
  }));
}

export interface RestoreNodeOptions {
  machine: Machine;
  config: NodeConfig;
  restored: RestoredStates;
  /** The pods running on the node; without them, the pods the state names (`podsFromCheckpointState`). */
  runningPods?: Pod[];
  /** Names of pods known only from the state. */
  names?: PodNames;
  /** The Device Manager's in-use sets, when known beyond its records. */
  devicesInUse?: ReadonlyMap<string, Iterable<string>>;
  /** Passed to the node (`null`: no lifetime bound, for the agent). */
  admissionLimit?: number | null;
}

/**
 * The node on `machine` with `config` that starts from `restored`. A manager whose policy is off
 * ignores its state, as the kubelet's `none` policies do. Throws `NodeConfigError` with the
 * kubelet's words when the configuration or the restored state does not start.
 */
export function restoreNode(opts: RestoreNodeOptions): Node {
  const { machine, config, restored } = opts;
  const cpu = config.cpuManagerPolicy === "static" ? restored.cpu : undefined;
  const memory = config.memoryManagerPolicy === "Static" ? restored.memory : undefined;
  const { device } = restored;
  return new Node({
    machine,
    config,
    restored: { cpu, memory, device, devicesInUse: opts.devicesInUse },
    runningPods: opts.runningPods ?? podsFromCheckpointState({ cpu, memory, device }, opts.names),
    admissionLimit: opts.admissionLimit,
  });
}
