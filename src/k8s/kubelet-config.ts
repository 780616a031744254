import { z } from "zod";
import { CPUSet, CPUSetParseError, Quantity } from "../core/index.js";
import { parseGoDuration } from "./duration.js";
import { mergeFeatureGates, otherGateEnabled, parseGoBool } from "./feature-gates.js";
import { formatGoDuration } from "./go-values.js";
import { closestName, type FieldPath, InputError } from "./input-error.js";
import { selectKubeletConfigDocument } from "./kubeadm-config.js";
import { type KubeletConfigOverrides, type Overlay, overlay } from "./kubelet-config-overlay.js";
import { quantityAt, resourceListAt } from "./quantity-input.js";
import { checkShape, lineNear, optionalMap, quantityInput, strictFields } from "./schema.js";
import {
  DEFAULT_KUBERNETES_VERSION,
  type FeatureGates,
  type KubernetesVersion,
  type ResourceList,
} from "./types.js";
import type { Taint } from "./scheduling-types.js";
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
  /** `maxPods` (default 110). */
  maxPods: number;
  /** `podsPerCore` (default 0: no per-core limit). */
  podsPerCore: number;
  /** `registerWithTaints`: taints the node registers with. */
  registerWithTaints: Taint[];
  /** `--hostname-override`, when the kubelet's command line gave one. */
  nodeName?: string;
  /** `--node-labels`, when the kubelet's command line gave them. */
  nodeLabels?: Record<string, string>;
  /** Kubelet flags given that podpin knows and ignores (`--kubeconfig`, `--v`, ...), sorted. */
  ignoredFlags?: string[];
  /** `reservedMemory` entries as given, in order (the kubelet sums them in this order). */
  reservedMemoryLimits?: { numaNode: number; limits: ResourceList }[];
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
          numaNode: z.unknown().transform((v, ctx): number => {
            if (Number.isInteger(v) && (v as number) >= 0 && (v as number) <= 2147483647) return v as number;
            // The kubelet's field is an int32.
            const why =
              Number.isInteger(v) && (v as number) > 0 ? `, got ${v}: beyond the kubelet's int32` : "";
            ctx.addIssue({ code: "custom", message: `expected a NUMA node id (an integer ≥ 0)${why}` });
            return z.NEVER;
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
    maxPods: z.number().int().optional(),
    podsPerCore: z.number().int().optional(),
    registerWithTaints: z
      .array(
        strictFields({
          key: z.string(),
          value: z.string().nullish(),
          effect: z.enum(["NoSchedule", "PreferNoSchedule", "NoExecute"]),
          timeAdded: z.unknown().optional(),
        }),
      )
      .nullish(),
  },
  { alsoAccepted: IGNORED_KUBELET_FIELDS, listKnown: false, what: "KubeletConfiguration (v1beta1)" },
);

type ConfigShape = z.infer<typeof configSchema>;

/** Reads fields with their locations; every problem becomes an `InputError`. */
class Reader {
  constructor(
    readonly doc: SourceDocument,
    readonly file: string,
    readonly layer?: Overlay,
  ) {}

  fail(path: FieldPath, detail: string): never {
    const origin = this.layer?.originOf(path);
    if (origin) throw new InputError(origin.where, origin.flag, detail);
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
    // The kubelet's --*-policy-options flags take one key=value each and never split on commas.
    const hint = /,[^,=]+=/.test(value) ? " (one option per flag: the kubelet does not split on commas)" : "";
    r.fail(
      path,
      `expected true or false (or 1, t, T, TRUE, True, 0, f, F, FALSE, False), got ${JSON.stringify(value)}${hint}`,
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
 * The memory Node Allocatable reserves for the hard eviction threshold `memory.available`: the
 * quantity as given, or `int64(capacity × float32(p)/100)` for a percentage (0% and 100% reserve
 * nothing). Null when a percentage meets an unknown capacity.
 */
function evictionMemoryReservation(
  threshold: EvictionThreshold | undefined,
  capacityBytes: bigint | undefined,
): Quantity | undefined | null {
  if (!threshold) return undefined;
  if ("quantity" in threshold) return threshold.quantity;
  if (threshold.percentage === 0 || threshold.percentage === 100) return undefined;
  if (capacityBytes === undefined) return null;
  const fraction = Math.fround(Math.fround(threshold.percentage) / 100);
  return Quantity.fromInt(BigInt(Math.trunc(Number(capacityBytes) * fraction)), "BinarySI");
}

/**
 * The Memory Manager's `validateReservedMemory` (Static policy): for `memory` and every
 * `hugepages-*` named in `reservedMemory`, the total reserved over the NUMA nodes must equal the
 * Node Allocatable reservation, kubeReserved + systemReserved + the hard eviction threshold (never
 * anything for hugepages, which kubeReserved and systemReserved cannot hold). Returns the kubelet's
 * refusal, or null. Resource types are checked in ascending order (the kubelet walks a map). A
 * percentage threshold needs the node's memory capacity; without it the check is left to start-up.
 */
export function reservedMemoryMismatch(
  cfg: Pick<
    KubeletConfig,
    "kubeReserved" | "systemReserved" | "evictionHard" | "reservedMemory" | "reservedMemoryLimits"
  >,
  capacityBytes?: bigint,
): string | null {
  const eviction = evictionMemoryReservation(cfg.evictionHard["memory.available"], capacityBytes);
  if (eviction === null) return null;
  const allocatable = sumQuantities([cfg.systemReserved.memory, cfg.kubeReserved.memory, eviction]);
  const entries =
    cfg.reservedMemoryLimits ??
    [...cfg.reservedMemory].map(([numaNode, m]) => ({
      numaNode,
      limits: Object.fromEntries([...m].map(([name, b]) => [name, Quantity.fromInt(b, "BinarySI")])),
    }));
  // Like the kubelet, each entry's quantity is the receiver of the sum: the last one's format wins.
  const totals = new Map<string, Quantity>();
  for (const entry of entries)
    for (const [name, q] of Object.entries(entry.limits)) {
      const before = totals.get(name);
      totals.set(name, before ? q.add(before) : q);
    }
  const types = new Set(totals.keys());
  if (!allocatable.isZero()) types.add("memory");
  for (const type of [...types].sort()) {
    const reserved = Quantity.zero().add(totals.get(type) ?? Quantity.zero());
    const expected = type === "memory" ? allocatable : Quantity.zero();
    if (reserved.equals(expected)) continue;
    return `the total amount ${JSON.stringify(reserved.toString())} of type ${JSON.stringify(type)} is not equal to the value ${JSON.stringify(expected.toString())} determined by Node Allocatable feature`;
  }
  return null;
}

function numReservedCPUsOf(reserved: CPUSet | null, kube: ResourceList, system: ResourceList): number {
  if (reserved) return reserved.size;
  const milli = sumQuantities([kube.cpu, system.cpu]).milliValue();
  return Number((milli + 999n) / 1000n);
}

/**
 * `cpuCFSQuotaPeriod`, checked as the kubelet's configuration validation does: another period than
 * 100ms needs `CustomCPUCFSQuotaPeriod` (GA and on by default from 1.36), and with the gate on the
 * period must lie in [1ms, 1s].
 */
function cfsPeriodOf(c: ConfigShape, customPeriod: boolean, r: Reader): number {
  const ns = r.duration(c.cpuCFSQuotaPeriod ?? DEFAULT_CFS_PERIOD, ["cpuCFSQuotaPeriod"]);
  const shown = formatGoDuration(ns);
  const what = "invalid configuration: cpuCFSQuotaPeriod (--cpu-cfs-quota-period)";
  if (!customPeriod && ns !== DEFAULT_CFS_PERIOD_NS)
    r.fail(["cpuCFSQuotaPeriod"], `${what} ${shown} requires feature gate CustomCPUCFSQuotaPeriod`);
  if (customPeriod && (ns < 1_000_000n || ns > 1_000_000_000n))
    r.fail(["cpuCFSQuotaPeriod"], `${what} ${shown} must be between 1ms and 1sec, inclusive`);
  return Number(ns / 1_000n);
}

const DEFAULT_MAX_PODS = 110;

/** `maxPods` and `podsPerCore`, which the kubelet's validation wants non-negative. */
function podLimitsOf(c: ConfigShape, r: Reader): { maxPods: number; podsPerCore: number } {
  const maxPods = c.maxPods ?? DEFAULT_MAX_PODS;
  const podsPerCore = c.podsPerCore ?? 0;
  if (maxPods < 0) r.fail(["maxPods"], `must not be negative, got ${maxPods}`);
  if (podsPerCore < 0) r.fail(["podsPerCore"], `must not be negative, got ${podsPerCore}`);
  return { maxPods, podsPerCore };
}

/**
 * The configuration from the file's data with the overrides applied (the kubelet's flags over the
 * file, then podpin's own); errors about a field a flag set are reported at the flag.
 */
function configOf(
  data: unknown,
  fileDoc: SourceDocument,
  file: string,
  overrides: KubeletConfigOverrides = {},
): KubeletConfig {
  if (!data || typeof data !== "object" || Array.isArray(data)) {
    throw new InputError(
      { file, line: fileDoc.lineOf([]) },
      "",
      "expected a KubeletConfiguration (a mapping)",
    );
  }
  const layer = overlay(data as Record<string, unknown>, fileDoc, overrides);
  try {
    return readConfig(layer, file, overrides);
  } catch (err) {
    throw err instanceof InputError ? layer.relocate(err, file) : err;
  }
}

function readConfig(layer: Overlay, file: string, overrides: KubeletConfigOverrides): KubeletConfig {
  const doc = layer.doc;
  const c = checkShape(configSchema, layer.data, doc, file);
  const r = new Reader(doc, file, layer);
  const version = overrides.kubernetesVersion ?? kubernetesVersionOf(c, r);
  const gates = mergeFeatureGates(
    c.featureGates ?? {},
    (name) => layer.gateLocation(name, { file, line: lineNear(doc, ["featureGates", name]) }).where,
    (name) => layer.gateLocation(name, { file }).path,
    undefined,
    version,
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
    kubernetesVersion: version,
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
    cpuCFSQuotaPeriodUs: cfsPeriodOf(c, otherGateEnabled("CustomCPUCFSQuotaPeriod", gates, version), r),
    ...podLimitsOf(c, r),
    registerWithTaints: (c.registerWithTaints ?? []).map((t) =>
      t.value ? { key: t.key, value: t.value, effect: t.effect } : { key: t.key, effect: t.effect },
    ),
  };
  config.reservedMemoryLimits = (c.reservedMemory ?? []).map((entry, i) => ({
    numaNode: entry.numaNode,
    limits: resourceListAt(entry.limits, doc, ["reservedMemory", i, "limits"], file),
  }));
  const flags = overrides.flags;
  if (flags?.nodeName !== undefined) config.nodeName = flags.nodeName;
  if (flags?.nodeLabels) config.nodeLabels = { ...flags.nodeLabels };
  if (flags) config.ignoredFlags = [...flags.ignored];
  if (config.memoryManagerPolicy === "Static") {
    const mismatch = reservedMemoryMismatch(config);
    // Point at reservedMemory, or at the policy when reservedMemory was not given at all.
    const given = layer.originOf(["reservedMemory"]) || doc.lineOf(["reservedMemory"]) !== undefined;
    if (mismatch) r.fail([given ? "reservedMemory" : "memoryManagerPolicy"], mismatch);
  }
  return config;
}

/**
 * A `KubeletConfiguration` from YAML or JSON text: the file's one document, or the
 * `KubeletConfiguration` of a kubeadm multi-document configuration; `file` names it in errors.
 */
export function parseKubeletConfig(
  text: string,
  file: string,
  overrides?: KubeletConfigOverrides,
): KubeletConfig {
  const doc = selectKubeletConfigDocument(parseDocuments(text, file), file);
  return configOf(doc.data, doc, file, overrides);
}

/** A `KubeletConfiguration` from already-parsed JSON (a conformance case); `what` names it. */
export function kubeletConfigFromObject(
  data: unknown,
  what: string,
  overrides?: KubeletConfigOverrides,
): KubeletConfig {
  return configOf(data, dataDocument(data), what, overrides);
}

/**
 * The configuration of a kubelet started without `--config`: the built-in defaults with the
 * overrides applied; `source` names the command line in errors and reports.
 */
export function kubeletConfigFromDefaults(source: string, overrides?: KubeletConfigOverrides): KubeletConfig {
  return configOf({}, dataDocument({}), source, overrides);
}
