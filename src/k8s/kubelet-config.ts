import { z } from "zod";
import { CPUSet, CPUSetParseError, Quantity } from "../core/index.js";
import { parseGoDuration } from "./duration.js";
import { mergeFeatureGates, parseGoBool } from "./feature-gates.js";
import { closestName, type FieldPath, InputError } from "./input-error.js";
import { quantityAt, resourceListAt } from "./quantity-input.js";
import { checkShape, lineNear, optionalMap, quantityInput, strictFields } from "./schema.js";
import {
  DEFAULT_KUBERNETES_VERSION,
  type FeatureGates,
  type KubernetesVersion,
  type ResourceList,
} from "./types.js";
import { dataDocument, parseDocuments, type SourceDocument } from "./yaml-source.js";

/**
 * `KubeletConfiguration` (kubelet.config.k8s.io/v1beta1): the fields that drive the resource
 * managers are read and checked; every other real field of the type is accepted and ignored (so a
 * node's actual configuration file loads as it is); anything else is refused, with a hint when it
 * looks like a misspelt field. podpin adds one field of its own, `kubernetesVersion`.
 */

export type CPUManagerPolicy = "none" | "static";
export type MemoryManagerPolicy = "None" | "Static";
export type TopologyManagerPolicy = "none" | "best-effort" | "restricted" | "single-numa-node";
export type TopologyManagerScope = "container" | "pod";

/** An `evictionHard` threshold: an absolute quantity or a percentage of capacity. */
export type EvictionThreshold = { quantity: Quantity } | { percentage: number };

export interface KubeletConfig {
  /** Where the configuration came from, for messages. */
  source: string;
  kubernetesVersion: KubernetesVersion;
  featureGates: FeatureGates;
  /** Gates podpin does not model, as given (ignored). */
  otherFeatureGates: Record<string, boolean>;
  cpuManagerPolicy: CPUManagerPolicy;
  cpuManagerPolicyOptions: Record<string, string>;
  cpuManagerReconcilePeriodMs: number;
  /** `reservedSystemCPUs` when set (non-empty); otherwise CPUs are taken by topology. */
  reservedSystemCPUs: CPUSet | null;
  kubeReserved: ResourceList;
  systemReserved: ResourceList;
  /** Effective hard eviction thresholds (the kubelet's defaults when `evictionHard` is absent). */
  evictionHard: Record<string, EvictionThreshold>;
  /**
   * The static policy's reserved CPU count: `ceil(kubeReserved.cpu + systemReserved.cpu)`, or the
   * size of `reservedSystemCPUs` when set (the kubelet then overrides both reservations' cpu).
   */
  numReservedCPUs: number;
  memoryManagerPolicy: MemoryManagerPolicy;
  /** NUMA node -> resource (`memory`, `hugepages-*`) -> bytes. */
  reservedMemory: Map<number, Map<string, bigint>>;
  topologyManagerPolicy: TopologyManagerPolicy;
  topologyManagerScope: TopologyManagerScope;
  topologyManagerPolicyOptions: Record<string, string>;
  cpuCFSQuota: boolean;
  /** CFS period in microseconds (default 100000). */
  cpuCFSQuotaPeriodUs: number;
}

/** Real v1beta1 fields podpin does not use: accepted, ignored. */
const IGNORED_KUBELET_FIELDS = [
  "enableServer",
  "staticPodPath",
  "podLogsDir",
  "syncFrequency",
  "fileCheckFrequency",
  "httpCheckFrequency",
  "staticPodURL",
  "staticPodURLHeader",
  "address",
  "port",
  "readOnlyPort",
  "tlsCertFile",
  "tlsPrivateKeyFile",
  "tlsCipherSuites",
  "tlsMinVersion",
  "rotateCertificates",
  "serverTLSBootstrap",
  "authentication",
  "authorization",
  "registryPullQPS",
  "registryBurst",
  "imagePullCredentialsVerificationPolicy",
  "preloadedImagesVerificationAllowlist",
  "eventRecordQPS",
  "eventBurst",
  "enableDebuggingHandlers",
  "enableContentionProfiling",
  "healthzPort",
  "healthzBindAddress",
  "oomScoreAdj",
  "clusterDomain",
  "clusterDNS",
  "streamingConnectionIdleTimeout",
  "nodeStatusUpdateFrequency",
  "nodeStatusReportFrequency",
  "nodeLeaseDurationSeconds",
  "imageMinimumGCAge",
  "imageMaximumGCAge",
  "imageGCHighThresholdPercent",
  "imageGCLowThresholdPercent",
  "volumeStatsAggPeriod",
  "kubeletCgroups",
  "systemCgroups",
  "cgroupRoot",
  "cgroupsPerQOS",
  "cgroupDriver",
  "singleProcessOOMKill",
  "qosReserved",
  "runtimeRequestTimeout",
  "hairpinMode",
  "maxPods",
  "podCIDR",
  "podPidsLimit",
  "resolvConf",
  "runOnce",
  "nodeStatusMaxImages",
  "maxOpenFiles",
  "contentType",
  "kubeAPIQPS",
  "kubeAPIBurst",
  "serializeImagePulls",
  "maxParallelImagePulls",
  "evictionSoft",
  "evictionSoftGracePeriod",
  "evictionPressureTransitionPeriod",
  "evictionMaxPodGracePeriod",
  "evictionMinimumReclaim",
  "podsPerCore",
  "enableControllerAttachDetach",
  "protectKernelDefaults",
  "makeIPTablesUtilChains",
  "iptablesMasqueradeBit",
  "iptablesDropBit",
  "failSwapOn",
  "memorySwap",
  "containerLogMaxSize",
  "containerLogMaxFiles",
  "containerLogMaxWorkers",
  "containerLogMonitorInterval",
  "configMapAndSecretChangeDetectionStrategy",
  "showHiddenMetricsForVersion",
  "systemReservedCgroup",
  "kubeReservedCgroup",
  "enforceNodeAllocatable",
  "allowedUnsafeSysctls",
  "volumePluginDir",
  "providerID",
  "kernelMemcgNotification",
  "logging",
  "enableSystemLogHandler",
  "enableSystemLogQuery",
  "shutdownGracePeriod",
  "shutdownGracePeriodCriticalPods",
  "shutdownGracePeriodByPodPriority",
  "crashLoopBackOff",
  "enableProfilingHandler",
  "enableDebugFlagsHandler",
  "seccompDefault",
  "memoryThrottlingFactor",
  "registerWithTaints",
  "registerNode",
  "tracing",
  "localStorageCapacityIsolation",
  "containerRuntimeEndpoint",
  "imageServiceEndpoint",
  "failCgroupV1",
  "userNamespaces",
];

/** Option names of the static CPU policy; their semantics and gate levels live in managers/cpu. */
const CPU_POLICY_OPTIONS = [
  "align-by-socket",
  "distribute-cpus-across-cores",
  "distribute-cpus-across-numa",
  "full-pcpus-only",
  "prefer-align-cpus-by-uncorecache",
  "strict-cpu-reservation",
];
const TOPOLOGY_BOOL_OPTIONS = ["prefer-closest-numa-nodes"];
const TOPOLOGY_INT_OPTIONS = ["max-allowable-numa-nodes"];

const EVICTION_SIGNALS = [
  "memory.available",
  "allocatableMemory.available",
  "nodefs.available",
  "nodefs.inodesFree",
  "imagefs.available",
  "imagefs.inodesFree",
  "containerfs.available",
  "containerfs.inodesFree",
  "pid.available",
];
/** The kubelet's Linux default `evictionHard`. */
const DEFAULT_EVICTION_HARD: Record<string, string> = {
  "memory.available": "100Mi",
  "nodefs.available": "10%",
  "nodefs.inodesFree": "5%",
  "imagefs.available": "15%",
  "imagefs.inodesFree": "5%",
};

const RESERVABLE = ["cpu", "memory", "ephemeral-storage", "pid"];
const DEFAULT_RECONCILE_PERIOD = "10s";
const DEFAULT_CFS_PERIOD = "100ms";
const DEFAULT_CFS_PERIOD_NS = 100_000_000n;

const scalar = z.custom<string | number | boolean>(
  (v) => typeof v === "string" || typeof v === "number" || typeof v === "boolean",
  { message: "expected a string value" },
);
const quantityMap = optionalMap(z.record(z.string(), quantityInput));
const stringOrNumber = z.custom<string | number>((v) => typeof v === "string" || typeof v === "number", {
  message: "expected a string",
});

const configSchema = strictFields(
  {
    apiVersion: z.literal("kubelet.config.k8s.io/v1beta1").optional(),
    kind: z.literal("KubeletConfiguration").optional(),
    kubernetesVersion: stringOrNumber.optional(),
    featureGates: optionalMap(z.record(z.string(), z.boolean())),
    cpuManagerPolicy: z.enum(["none", "static"]).optional(),
    cpuManagerPolicyOptions: optionalMap(z.record(z.string(), scalar)),
    cpuManagerReconcilePeriod: z.string().optional(),
    reservedSystemCPUs: stringOrNumber.optional(),
    kubeReserved: quantityMap,
    systemReserved: quantityMap,
    evictionHard: optionalMap(z.record(z.string(), stringOrNumber)),
    mergeDefaultEvictionSettings: z.boolean().optional(),
    memoryManagerPolicy: z.enum(["None", "Static"]).optional(),
    reservedMemory: z
      .array(
        strictFields({
          numaNode: z.custom<number>((v) => Number.isInteger(v) && (v as number) >= 0, {
            message: "expected a NUMA node id (an integer ≥ 0)",
          }),
          limits: z.record(z.string(), quantityInput),
        }),
      )
      .nullish(),
    topologyManagerPolicy: z.enum(["none", "best-effort", "restricted", "single-numa-node"]).optional(),
    topologyManagerScope: z.enum(["container", "pod"]).optional(),
    topologyManagerPolicyOptions: optionalMap(z.record(z.string(), scalar)),
    cpuCFSQuota: z.boolean().optional(),
    cpuCFSQuotaPeriod: z.string().optional(),
  },
  { alsoAccepted: IGNORED_KUBELET_FIELDS, listKnown: false, what: "KubeletConfiguration (v1beta1)" },
);

type ConfigShape = z.infer<typeof configSchema>;

/** Reads fields with their locations; every problem becomes an `InputError`. */
class Reader {
  constructor(
    readonly doc: SourceDocument,
    readonly file: string,
  ) {}

  fail(path: FieldPath, detail: string): never {
    throw new InputError({ file: this.file, line: lineNear(this.doc, path) }, path, detail);
  }

  /** A scalar as the user spelled it (`1.30` stays `1.30`, `true` stays `true`). */
  spelling(value: string | number | boolean, path: FieldPath): string {
    if (typeof value === "string") return value;
    return this.doc.rawScalar(path) ?? String(value);
  }

  duration(text: string, path: FieldPath): bigint {
    const ns = parseGoDuration(text);
    if (typeof ns === "string") this.fail(path, `${ns}; expected a duration such as 100ms, 10s or 1m30s`);
    return ns;
  }
}

function kubernetesVersionOf(c: ConfigShape, r: Reader): KubernetesVersion {
  if (c.kubernetesVersion === undefined) return DEFAULT_KUBERNETES_VERSION;
  const text = r.spelling(c.kubernetesVersion, ["kubernetesVersion"]);
  // OPEN R-1 (README.md "Open questions"): "1.37" by default, "1.36" accepted, nothing else.
  if (text === "1.36" || text === "1.37") return text;
  return r.fail(["kubernetesVersion"], `expected "1.36" or "1.37", got ${JSON.stringify(text)}`);
}

function optionMap(
  raw: Record<string, string | number | boolean> | null | undefined,
  field: string,
  check: (name: string, value: string, path: FieldPath) => void,
  r: Reader,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(raw ?? {})) {
    const path = [field, name];
    // The kubelet's type is map[string]string; an unquoted `true` or `16` is taken as its spelling.
    out[name] = r.spelling(value, path);
    check(name, out[name], path);
  }
  return out;
}

function unknownOption(kind: string, name: string, known: readonly string[]): string {
  const hint = closestName(name, known);
  const list = hint ? `did you mean ${JSON.stringify(hint)}?` : `expected one of ${known.join(", ")}`;
  return `unknown ${kind} option ${JSON.stringify(name)}; ${list}`;
}

function checkBoolOption(value: string, path: FieldPath, r: Reader): void {
  if (parseGoBool(value) === null) {
    r.fail(
      path,
      `expected true or false (or 1, t, T, TRUE, True, 0, f, F, FALSE, False), got ${JSON.stringify(value)}`,
    );
  }
}

function cpuOptions(c: ConfigShape, policy: CPUManagerPolicy, r: Reader): Record<string, string> {
  return optionMap(
    c.cpuManagerPolicyOptions,
    "cpuManagerPolicyOptions",
    (name, value, path) => {
      // With policy none the kubelet never parses the options.
      if (policy === "none") return;
      if (!CPU_POLICY_OPTIONS.includes(name))
        r.fail(path, unknownOption("CPU Manager policy", name, CPU_POLICY_OPTIONS));
      checkBoolOption(value, path, r);
    },
    r,
  );
}

function topologyOptions(c: ConfigShape, policy: TopologyManagerPolicy, r: Reader): Record<string, string> {
  const known = [...TOPOLOGY_BOOL_OPTIONS, ...TOPOLOGY_INT_OPTIONS];
  return optionMap(
    c.topologyManagerPolicyOptions,
    "topologyManagerPolicyOptions",
    (name, value, path) => {
      if (policy === "none") return;
      if (TOPOLOGY_BOOL_OPTIONS.includes(name)) checkBoolOption(value, path, r);
      else if (TOPOLOGY_INT_OPTIONS.includes(name)) {
        if (!/^[+-]?[0-9]+$/.test(value)) r.fail(path, `expected an integer, got ${JSON.stringify(value)}`);
      } else r.fail(path, unknownOption("Topology Manager policy", name, known));
    },
    r,
  );
}

function reservedCPUsOf(c: ConfigShape, r: Reader): CPUSet | null {
  if (c.reservedSystemCPUs === undefined) return null;
  const text = r.spelling(c.reservedSystemCPUs, ["reservedSystemCPUs"]);
  try {
    const set = CPUSet.parse(text);
    return set.isEmpty() ? null : set;
  } catch (err) {
    if (!(err instanceof CPUSetParseError)) throw err;
    return r.fail(
      ["reservedSystemCPUs"],
      `expected a CPU list such as "0-1,16-17", got ${JSON.stringify(text)}`,
    );
  }
}

/** `kubeReserved` / `systemReserved`: only cpu, memory, ephemeral-storage and pid, none negative. */
function reservationOf(field: "kubeReserved" | "systemReserved", c: ConfigShape, r: Reader): ResourceList {
  const list = resourceListAt(c[field], r.doc, [field], r.file);
  for (const [name, q] of Object.entries(list)) {
    if (!RESERVABLE.includes(name)) {
      r.fail(
        [field, name],
        `cannot reserve ${JSON.stringify(name)}; expected one of ${RESERVABLE.join(", ")}`,
      );
    }
    if (q.sign() < 0) r.fail([field, name], `must not be negative, got ${q.toString()}`);
  }
  return list;
}

function evictionOf(c: ConfigShape, r: Reader): Record<string, EvictionThreshold> {
  const given: Record<string, string | number> =
    c.evictionHard === undefined || c.evictionHard === null
      ? { ...DEFAULT_EVICTION_HARD }
      : c.mergeDefaultEvictionSettings
        ? { ...DEFAULT_EVICTION_HARD, ...c.evictionHard }
        : { ...c.evictionHard };
  const out: Record<string, EvictionThreshold> = {};
  for (const [signal, value] of Object.entries(given)) {
    const path = ["evictionHard", signal];
    if (!EVICTION_SIGNALS.includes(signal)) {
      const hint = closestName(signal, EVICTION_SIGNALS);
      r.fail(
        path,
        `unsupported eviction signal ${JSON.stringify(signal)}${hint ? `; did you mean ${JSON.stringify(hint)}?` : ""}`,
      );
    }
    const text = r.spelling(value, path).trim();
    if (text.endsWith("%")) {
      const pct = Number(text.slice(0, -1));
      if (!/^[0-9]+(\.[0-9]+)?%$/.test(text) || pct > 100) {
        r.fail(path, `expected a percentage between 0% and 100% or a quantity, got ${JSON.stringify(text)}`);
      }
      out[signal] = { percentage: pct };
    } else {
      const quantity = quantityAt(text, r.doc, path, r.file);
      if (quantity.sign() < 0) r.fail(path, `must not be negative, got ${quantity.toString()}`);
      out[signal] = { quantity };
    }
  }
  return out;
}

const RESERVED_MEMORY_TYPES = `[memory hugepages-<HugePageSize>]`;

/** `reservedMemory` as bytes, with the kubelet's configuration checks. */
function reservedMemoryOf(c: ConfigShape, r: Reader): Map<number, Map<string, bigint>> {
  const out = new Map<number, Map<string, bigint>>();
  (c.reservedMemory ?? []).forEach((entry, i) => {
    const node = entry.numaNode;
    const perNode = out.get(node) ?? new Map<string, bigint>();
    out.set(node, perNode);
    const limits = resourceListAt(entry.limits, r.doc, ["reservedMemory", i, "limits"], r.file);
    for (const [name, q] of Object.entries(limits)) {
      const path = ["reservedMemory", i, "limits", name];
      if (name !== "memory" && !name.startsWith("hugepages-")) {
        r.fail(
          path,
          `the limit type ${JSON.stringify(name)} for NUMA node ${node} is not supported, only ${RESERVED_MEMORY_TYPES} is accepted`,
        );
      }
      if (q.isZero())
        r.fail(
          path,
          `reserved memory may not be zero for NUMA node ${node} and resource ${JSON.stringify(name)}`,
        );
      if (q.sign() < 0) r.fail(path, `must not be negative, got ${q.toString()}`);
      if (perNode.has(name)) {
        r.fail(
          path,
          `the reserved memory has a duplicate value for NUMA node ${node} and resource ${JSON.stringify(name)}`,
        );
      }
      perNode.set(name, q.value());
    }
  });
  return out;
}

function sumQuantities(items: readonly (Quantity | undefined)[]): Quantity {
  return items.reduce<Quantity>((acc, q) => (q ? acc.add(q) : acc), Quantity.zero());
}

/**
 * OPEN MM-2 (memory-manager.md §Open questions): with the Static memory policy, the memory reserved
 * per NUMA node must add up to the Node Allocatable reservation, kubeReserved + systemReserved +
 * the hard eviction threshold `memory.available`. Returns podpin's message when it does not, null
 * when it does. A percentage threshold needs the node's memory capacity (`capacityBytes`); without
 * it the check is skipped.
 */
export function reservedMemoryMismatch(
  cfg: Pick<KubeletConfig, "kubeReserved" | "systemReserved" | "evictionHard" | "reservedMemory">,
  capacityBytes?: bigint,
): string | null {
  const threshold = cfg.evictionHard["memory.available"];
  let eviction: Quantity | undefined;
  if (threshold && "quantity" in threshold) eviction = threshold.quantity;
  else if (threshold && "percentage" in threshold) {
    if (capacityBytes === undefined) return null;
    const milliPct = BigInt(Math.round(threshold.percentage * 1000));
    eviction = Quantity.fromInt((capacityBytes * milliPct) / 100_000n, "BinarySI");
  }
  const expected = sumQuantities([cfg.kubeReserved.memory, cfg.systemReserved.memory, eviction]);
  let reservedBytes = 0n;
  for (const perNode of cfg.reservedMemory.values()) reservedBytes += perNode.get("memory") ?? 0n;
  const reserved = Quantity.fromInt(reservedBytes, "BinarySI");
  if (reserved.equals(expected)) return null;
  return (
    `reservedMemory: the memory reserved on all NUMA nodes totals ${reserved.toString()}, but kubeReserved + ` +
    `systemReserved + evictionHard["memory.available"] total ${expected.toString()}; with memoryManagerPolicy ` +
    "Static they must be equal"
  );
}

function numReservedCPUsOf(reserved: CPUSet | null, kube: ResourceList, system: ResourceList): number {
  if (reserved) return reserved.size;
  const milli = sumQuantities([kube.cpu, system.cpu]).milliValue();
  return Number((milli + 999n) / 1000n);
}

function cfsPeriodOf(c: ConfigShape, gates: Record<string, boolean>, r: Reader): number {
  const text = c.cpuCFSQuotaPeriod ?? DEFAULT_CFS_PERIOD;
  const ns = r.duration(text, ["cpuCFSQuotaPeriod"]);
  if (ns !== DEFAULT_CFS_PERIOD_NS && !gates.CustomCPUCFSQuotaPeriod) {
    r.fail(
      ["cpuCFSQuotaPeriod"],
      `${text} requires feature gate CustomCPUCFSQuotaPeriod (only 100ms without it)`,
    );
  }
  if (ns < 1_000n || ns > 1_000_000_000n) {
    r.fail(["cpuCFSQuotaPeriod"], `must be between 1us and 1s inclusive, got ${text}`);
  }
  return Number(ns / 1_000n);
}

function configOf(data: unknown, doc: SourceDocument, file: string): KubeletConfig {
  if (!data || typeof data !== "object" || Array.isArray(data)) {
    throw new InputError({ file, line: doc.lineOf([]) }, "", "expected a KubeletConfiguration (a mapping)");
  }
  const c = checkShape(configSchema, data, doc, file);
  const r = new Reader(doc, file);
  const gates = mergeFeatureGates(
    c.featureGates ?? {},
    (name) => ({ file, line: lineNear(doc, ["featureGates", name]) }),
    (name) => `featureGates.${name}`,
  );
  const cpuManagerPolicy = c.cpuManagerPolicy ?? "none";
  const topologyManagerPolicy = c.topologyManagerPolicy ?? "none";
  const reservedSystemCPUs = reservedCPUsOf(c, r);
  const kubeReserved = reservationOf("kubeReserved", c, r);
  const systemReserved = reservationOf("systemReserved", c, r);
  const reconcileNs = r.duration(c.cpuManagerReconcilePeriod ?? DEFAULT_RECONCILE_PERIOD, [
    "cpuManagerReconcilePeriod",
  ]);
  if (reconcileNs < 0n) r.fail(["cpuManagerReconcilePeriod"], "must not be negative");
  const config: KubeletConfig = {
    source: file,
    kubernetesVersion: kubernetesVersionOf(c, r),
    featureGates: gates.featureGates,
    otherFeatureGates: gates.otherFeatureGates,
    cpuManagerPolicy,
    cpuManagerPolicyOptions: cpuOptions(c, cpuManagerPolicy, r),
    cpuManagerReconcilePeriodMs: Number(reconcileNs / 1_000_000n),
    reservedSystemCPUs,
    kubeReserved,
    systemReserved,
    evictionHard: evictionOf(c, r),
    numReservedCPUs: numReservedCPUsOf(reservedSystemCPUs, kubeReserved, systemReserved),
    memoryManagerPolicy: c.memoryManagerPolicy ?? "None",
    reservedMemory: reservedMemoryOf(c, r),
    topologyManagerPolicy,
    topologyManagerScope: c.topologyManagerScope ?? "container",
    topologyManagerPolicyOptions: topologyOptions(c, topologyManagerPolicy, r),
    cpuCFSQuota: c.cpuCFSQuota ?? true,
    cpuCFSQuotaPeriodUs: cfsPeriodOf(c, gates.otherFeatureGates, r),
  };
  if (config.memoryManagerPolicy === "Static") {
    const mismatch = reservedMemoryMismatch(config);
    if (mismatch) throw new InputError({ file, line: lineNear(doc, ["reservedMemory"]) }, "", mismatch);
  }
  return config;
}

/** A `KubeletConfiguration` from YAML or JSON text (one document); `file` names it in errors. */
export function parseKubeletConfig(text: string, file: string): KubeletConfig {
  const docs = parseDocuments(text, file);
  if (docs.length !== 1) {
    throw new InputError({ file }, "", `expected one KubeletConfiguration document, found ${docs.length}`);
  }
  return configOf(docs[0].data, docs[0], file);
}

/** A `KubeletConfiguration` from already-parsed JSON (a conformance case); `what` names it. */
export function kubeletConfigFromObject(data: unknown, what: string): KubeletConfig {
  return configOf(data, dataDocument(data), what);
}
