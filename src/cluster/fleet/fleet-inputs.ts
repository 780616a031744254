import { readFileSync, statSync } from "node:fs";
import { dirname, isAbsolute, resolve } from "node:path";
import { stringify } from "yaml";
import {
  InputError,
  type KubeletConfig,
  type KubeletConfigOverrides,
  kubeletArgsFromText,
  kubeletConfigFromDefaults,
  kubeletConfigFromObject,
  type Pod,
  type PodInput,
  parseKubeletConfig,
  parseKubeletFlags,
  podQOS,
  podUIDFor,
  type QOSClass,
  readPodInputs,
  YAML_LIMITS,
} from "../../k8s/index.js";
import { loadMachine, type Machine } from "../../machine/index.js";
import { kubeletStartRefusal, Node, type NodeConfig, nodeConfigFromKubelet } from "../../node/index.js";
import {
  type FleetFile,
  MAX_FLEET_NODES,
  MAX_FLEET_PODS,
  type NodeGroupEntry,
  parseFleetFile,
  type WorkloadEntry,
} from "./fleet-file.js";

/** One node group made ready: every node of it starts as this machine under this kubelet. */
export interface FleetGroup {
  name: string;
  count: number;
  machineName: string;
  machine: Machine;
  config: NodeConfig;
}

export interface FleetPod {
  pod: Pod;
  /** The workload entry it came from (its name). */
  workload: string;
  qos: QOSClass;
}

export interface FleetInputs {
  name: string;
  file: string;
  groups: FleetGroup[];
  workloads: string[];
  pods: FleetPod[];
  topologyMatchScoring: "None" | "LeastAllocated";
}

function readText(path: string, where: string): string {
  try {
    const size = statSync(path).size;
    if (size > YAML_LIMITS.maxBytes)
      throw new InputError({ file: where }, "", `${path}: larger than ${YAML_LIMITS.maxBytes} bytes`);
    return readFileSync(path, "utf8");
  } catch (err) {
    if (err instanceof InputError) throw err;
    const code = (err as NodeJS.ErrnoException).code ?? String(err);
    throw new InputError({ file: where }, "", `cannot read ${path} (${code})`);
  }
}

const relativeTo = (base: string, path: string): string => (isAbsolute(path) ? path : resolve(base, path));
const looksLikePath = (spec: string): boolean => /[/\\]/.test(spec) || /\.(json|ya?ml)$/i.test(spec);

function kubeletOf(entry: NodeGroupEntry, base: string, where: string): KubeletConfig {
  const overrides: KubeletConfigOverrides = { kubernetesVersion: entry.kubernetesVersion };
  if (entry.kubeletFlags !== undefined)
    overrides.flags = parseKubeletFlags(kubeletArgsFromText(entry.kubeletFlags, `${where}.kubeletFlags`));
  const config = entry.kubeletConfig;
  if (config === undefined) return kubeletConfigFromDefaults(`${where}.kubeletConfig`, overrides);
  if (typeof config === "string") {
    const path = relativeTo(base, config);
    return parseKubeletConfig(readText(path, `${where}.kubeletConfig`), config, overrides);
  }
  return kubeletConfigFromObject(config, `${where}.kubeletConfig`, overrides);
}

function groupOf(entry: NodeGroupEntry, index: number, base: string, file: string): FleetGroup {
  const where = `${file}: nodeGroups[${index}]`;
  const name = entry.name ?? `group-${index}`;
  const machineSpec = looksLikePath(entry.machine) ? relativeTo(base, entry.machine) : entry.machine;
  let machine: Machine;
  try {
    machine = loadMachine(machineSpec);
  } catch (err) {
    throw new InputError({ file }, `nodeGroups[${index}].machine`, (err as Error).message);
  }
  const kubelet = kubeletOf(entry, base, where);
  const config = nodeConfigFromKubelet(kubelet);
  const refusal = kubeletStartRefusal(machine, config);
  if (refusal)
    throw new InputError({ file }, `nodeGroups[${index}]`, `the kubelet would not start: ${refusal}`);
  try {
    // A probe node: the refusals the managers make when they start.
    new Node({ machine, config });
  } catch (err) {
    throw new InputError(
      { file },
      `nodeGroups[${index}]`,
      `the kubelet would not start: ${(err as Error).message}`,
    );
  }
  return { name, count: entry.count, machineName: entry.machine, machine, config };
}

function manifestInputs(entry: WorkloadEntry, index: number, base: string, file: string): PodInput[] {
  if (entry.file !== undefined) {
    const path = relativeTo(base, entry.file);
    return readPodInputs(readText(path, `${file}: workloads[${index}].file`), entry.file);
  }
  const docs = Array.isArray(entry.manifest) ? entry.manifest : [entry.manifest];
  return readPodInputs(docs.map((d) => stringify(d)).join("---\n"), `${file}#workloads[${index}].manifest`);
}

/** The pods of one entry, each copied `replicas` times (copy k > 0 is named `<name>-r<k>`). */
function podsOf(entry: WorkloadEntry, index: number, base: string, file: string, pods: FleetPod[]): string {
  const inputs = manifestInputs(entry, index, base, file);
  const workload = entry.name ?? inputs[0]?.origin.name ?? `workload-${index}`;
  const replicas = entry.replicas ?? 1;
  if (pods.length + inputs.length * replicas > MAX_FLEET_PODS)
    throw new InputError(
      { file },
      `workloads[${index}].replicas`,
      `the fleet would have more than ${MAX_FLEET_PODS} pods`,
    );
  for (let k = 0; k < replicas; k++) {
    for (const { pod } of inputs) {
      const copy: Pod =
        k === 0
          ? pod
          : { ...pod, name: `${pod.name}-r${k}`, uid: podUIDFor(pod.namespace, `${pod.name}-r${k}`) };
      pods.push({ pod: copy, workload, qos: podQOS(copy, { PodLevelResources: true }) });
    }
  }
  return workload;
}

function checkUnique(pods: readonly FleetPod[], file: string): void {
  const seen = new Map<string, string>();
  for (const { pod, workload } of pods) {
    const key = `${pod.namespace}/${pod.name}`;
    const first = seen.get(key);
    if (first !== undefined)
      throw new InputError(
        { file },
        "workloads",
        `pod ${key} comes from both ${first} and ${workload}; give the manifests distinct names`,
      );
    seen.set(key, workload);
  }
}

/** Everything a fleet file names, read and checked. */
export function fleetInputsOf(fleet: FleetFile, file: string): FleetInputs {
  const base = dirname(file);
  const total = fleet.nodeGroups.reduce((n, g) => n + g.count, 0);
  if (total > MAX_FLEET_NODES)
    throw new InputError({ file }, "nodeGroups", `${total} nodes: at most ${MAX_FLEET_NODES} in one fleet`);
  const groups = fleet.nodeGroups.map((g, i) => groupOf(g, i, base, file));
  const names = new Set<string>();
  groups.forEach((g, i) => {
    if (names.has(g.name))
      throw new InputError({ file }, `nodeGroups[${i}].name`, `${g.name} names two groups`);
    names.add(g.name);
  });
  const pods: FleetPod[] = [];
  const workloads = fleet.workloads.map((w, i) => podsOf(w, i, base, file, pods));
  checkUnique(pods, file);
  return {
    name: fleet.metadata?.name ?? "fleet",
    file,
    groups,
    workloads,
    pods,
    topologyMatchScoring: fleet.scheduler?.topologyMatchScoring ?? "None",
  };
}

/** Reads and checks the fleet file at `path`. */
export function loadFleet(path: string): FleetInputs {
  return fleetInputsOf(parseFleetFile(readText(path, path), path), path);
}
