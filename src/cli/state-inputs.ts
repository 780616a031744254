import { z } from "zod";
import { CPUSet, Quantity } from "../core/index.js";
import type { EvictionThreshold, FeatureGates, ResourceList } from "../k8s/index.js";
import { type Machine, machineNUMANodes, machineToDocument, parseMachineText } from "../machine/index.js";
import type { NodeConfig } from "../node/index.js";
import { nodeConfigDoc } from "../report/index.js";
import { UsageError } from "./errors.js";

/*
 * The machine and the kubelet settings a `podpin simulate -o json|yaml` document carries
 * (`machine.definition`, `kubelet.nodeConfig`), read back for `explain --state`. A document
 * written before they existed carries neither; then the command line's machine and configuration
 * apply, as they always did.
 */

const integer = z.union([z.number().int(), z.bigint(), z.string().regex(/^-?\d+$/)]);
const quantity = z.string();
const stringMap = z.record(z.string(), z.string());

const gateNames = [
  "PodLevelResources",
  "PodLevelResourceManagers",
  "CPUManagerPolicyAlphaOptions",
  "CPUManagerPolicyBetaOptions",
  "TopologyManagerPolicyAlphaOptions",
  "TopologyManagerPolicyBetaOptions",
  "DisableCPUQuotaWithExclusiveCPUs",
] as const satisfies readonly (keyof FeatureGates)[];

const nodeConfigSchema = z.strictObject({
  kubernetesVersion: z.enum(["1.36", "1.37"]),
  featureGates: z.strictObject(
    Object.fromEntries(gateNames.map((g) => [g, z.boolean()])) as Record<
      (typeof gateNames)[number],
      z.ZodBoolean
    >,
  ),
  cpuManagerPolicy: z.enum(["none", "static"]),
  cpuManagerPolicyOptions: stringMap,
  reservedSystemCPUs: z.string().nullable(),
  numReservedCPUs: z.number().int().nonnegative(),
  memoryManagerPolicy: z.enum(["None", "Static"]),
  reservedMemory: z.array(
    z.strictObject({ numaNode: z.number().int().nonnegative(), limits: z.record(z.string(), integer) }),
  ),
  topologyManagerPolicy: z.enum(["none", "best-effort", "restricted", "single-numa-node"]),
  topologyManagerScope: z.enum(["container", "pod"]),
  topologyManagerPolicyOptions: stringMap,
  cpuCFSQuota: z.boolean(),
  cpuCFSQuotaPeriodUs: z.number().int().positive(),
  maxPods: z.number().int().nonnegative(),
  podsPerCore: z.number().int().nonnegative(),
  systemReserved: z.record(z.string(), quantity),
  kubeReserved: z.record(z.string(), quantity),
  evictionHard: z.record(z.string(), z.string()),
  registerWithTaints: z.array(
    z.strictObject({ key: z.string(), value: z.string().optional(), effect: z.string() }),
  ),
  nodeName: z.string().nullable(),
  nodeLabels: stringMap.nullable(),
});

function resourceList(r: Record<string, string>, at: (field: string) => string): ResourceList {
  const out: ResourceList = {};
  for (const [name, text] of Object.entries(r)) out[name] = parseQuantity(text, at(name));
  return out;
}

function parseQuantity(text: string, where: string): Quantity {
  try {
    return Quantity.parse(text);
  } catch {
    throw new UsageError(`${where}: expected a quantity such as "500Mi", got ${JSON.stringify(text)}`);
  }
}

function threshold(text: string, where: string): EvictionThreshold {
  if (/^\d+(\.\d+)?%$/.test(text)) return { percentage: Number(text.slice(0, -1)) };
  return { quantity: parseQuantity(text, where) };
}

/** The engine's settings from a simulation document's `kubelet.nodeConfig`; `file` names it in errors. */
export function nodeConfigFromDoc(data: unknown, file: string): NodeConfig {
  const where = `${file}: kubelet.nodeConfig`;
  const r = nodeConfigSchema.safeParse(data);
  if (!r.success) {
    const issue = r.error.issues[0];
    const path = issue.path.map((p) => (typeof p === "number" ? `[${p}]` : `.${String(p)}`)).join("");
    throw new UsageError(`${where}${path}: ${issue.message}`);
  }
  const c = r.data;
  let reservedSystemCPUs: CPUSet | null = null;
  if (c.reservedSystemCPUs !== null)
    try {
      reservedSystemCPUs = CPUSet.parse(c.reservedSystemCPUs);
    } catch {
      throw new UsageError(
        `${where}.reservedSystemCPUs: expected a CPU list such as "0-1", got ${JSON.stringify(c.reservedSystemCPUs)}`,
      );
    }
  return {
    kubernetesVersion: c.kubernetesVersion,
    featureGates: { ...c.featureGates },
    cpuManagerPolicy: c.cpuManagerPolicy,
    cpuManagerPolicyOptions: { ...c.cpuManagerPolicyOptions },
    reservedSystemCPUs,
    numReservedCPUs: c.numReservedCPUs,
    memoryManagerPolicy: c.memoryManagerPolicy,
    reservedMemory: new Map(
      c.reservedMemory.map((e) => [
        e.numaNode,
        new Map(Object.entries(e.limits).map(([name, v]) => [name, BigInt(v)])),
      ]),
    ),
    topologyManagerPolicy: c.topologyManagerPolicy,
    topologyManagerScope: c.topologyManagerScope,
    topologyManagerPolicyOptions: { ...c.topologyManagerPolicyOptions },
    cpuCFSQuota: c.cpuCFSQuota,
    cpuCFSQuotaPeriodUs: c.cpuCFSQuotaPeriodUs,
    maxPods: c.maxPods,
    podsPerCore: c.podsPerCore,
    systemReserved: resourceList(c.systemReserved, (n) => `${where}.systemReserved.${n}`),
    kubeReserved: resourceList(c.kubeReserved, (n) => `${where}.kubeReserved.${n}`),
    evictionHard: Object.fromEntries(
      Object.entries(c.evictionHard).map(([k, v]) => [k, threshold(v, `${where}.evictionHard.${k}`)]),
    ),
    registerWithTaints: c.registerWithTaints.map((t) => ({ ...t })),
    ...(c.nodeName !== null ? { nodeName: c.nodeName } : {}),
    ...(c.nodeLabels !== null ? { nodeLabels: { ...c.nodeLabels } } : {}),
  };
}

/** The machine of a simulation document's `machine.definition`; `file` names it in errors. */
export function machineFromDoc(data: unknown, file: string): Machine {
  if (data === null || typeof data !== "object" || Array.isArray(data))
    throw new UsageError(`${file}: machine.definition: expected a machine (docs/machine-format.md)`);
  const name = (data as { name?: unknown }).name;
  // The machine file reader takes text: JSON text of the definition, bigints as exact integers.
  const text = JSON.stringify(data, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v));
  return parseMachineText(text, `${file}: machine.definition`, {
    name: typeof name === "string" ? name : "state",
  });
}

/** The hardware of a machine document: what a state's CPU ids and NUMA nodes refer to (names, notes and device lists aside). */
function hardwareOf(m: Machine): string {
  const { header, cpus, memory, distances } = machineToDocument(m) as Record<string, unknown>;
  return JSON.stringify({ header, cpus, memory, distances: distances ?? null }, (_k, v: unknown) =>
    typeof v === "bigint" ? v.toString() : v,
  );
}

const shape = (m: Machine) => `${m.topology.all.size} CPUs, ${machineNUMANodes(m).length} NUMA nodes`;

/** Why `given` (the `-m` machine) is not the one the state was made on, or null when it is. */
export function machineMismatch(state: Machine, given: Machine, spec: string): string | null {
  if (hardwareOf(state) === hardwareOf(given)) return null;
  return `the state was made on machine ${JSON.stringify(state.name)} (${shape(state)}), not on -m ${spec} (${shape(given)}); drop -m to use the state's machine`;
}

const isMapping = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === "object" && !Array.isArray(v);

/** The path of the first value that differs between `a` and `b` (into mappings), with both values. */
function firstDifference(
  a: unknown,
  b: unknown,
  path: string,
): { path: string; a: unknown; b: unknown } | null {
  if (JSON.stringify(a) === JSON.stringify(b)) return null;
  if (isMapping(a) && isMapping(b))
    for (const key of [...new Set([...Object.keys(a), ...Object.keys(b)])]) {
      const d = firstDifference(a[key], b[key], path ? `${path}.${key}` : key);
      if (d) return d;
    }
  return { path, a, b };
}

/** The first setting in which `given` differs from the state's, or null when they agree. */
export function configMismatch(
  state: NodeConfig,
  given: NodeConfig,
  stateSource: string | null,
): string | null {
  const d = firstDifference(nodeConfigDoc(state), nodeConfigDoc(given), "");
  if (d === null) return null;
  const shown = (v: unknown) => (v === undefined ? "unset" : JSON.stringify(v));
  const made = stateSource === null ? "the kubelet's defaults" : `the kubelet configuration ${stateSource}`;
  return `the state was made with ${made}, and the configuration given differs in ${d.path} (${shown(d.a)} in the state, ${shown(d.b)} given); drop -c and the kubelet options to use the state's`;
}
