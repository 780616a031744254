import { ManagerError } from "../../core/index.js";
import type { FeatureGates } from "../../k8s/index.js";
import type { CPUTopology } from "../../machine/index.js";

/** The static policy's options as the kubelet parses them (`cpuManagerPolicyOptions`, cpu-manager.md §7). */
export interface StaticPolicyOptions {
  fullPhysicalCPUsOnly: boolean;
  distributeCPUsAcrossNUMA: boolean;
  alignBySocket: boolean;
  distributeCPUsAcrossCores: boolean;
  strictCPUReservation: boolean;
  preferAlignByUncoreCache: boolean;
}

export const FULL_PCPUS_ONLY = "full-pcpus-only";
export const DISTRIBUTE_CPUS_ACROSS_NUMA = "distribute-cpus-across-numa";
export const ALIGN_BY_SOCKET = "align-by-socket";
export const DISTRIBUTE_CPUS_ACROSS_CORES = "distribute-cpus-across-cores";
export const STRICT_CPU_RESERVATION = "strict-cpu-reservation";
export const PREFER_ALIGN_CPUS_BY_UNCORECACHE = "prefer-align-cpus-by-uncorecache";

export type OptionMaturity = "alpha" | "beta" | "stable";

/** Option name -> the field it sets and the feature gate level that unlocks it. */
const OPTION_TABLE: Record<string, { field: keyof StaticPolicyOptions; maturity: OptionMaturity }> = {
  [FULL_PCPUS_ONLY]: { field: "fullPhysicalCPUsOnly", maturity: "stable" },
  [DISTRIBUTE_CPUS_ACROSS_NUMA]: { field: "distributeCPUsAcrossNUMA", maturity: "beta" },
  [ALIGN_BY_SOCKET]: { field: "alignBySocket", maturity: "alpha" },
  [DISTRIBUTE_CPUS_ACROSS_CORES]: { field: "distributeCPUsAcrossCores", maturity: "alpha" },
  [STRICT_CPU_RESERVATION]: { field: "strictCPUReservation", maturity: "beta" },
  [PREFER_ALIGN_CPUS_BY_UNCORECACHE]: { field: "preferAlignByUncoreCache", maturity: "beta" },
};

export const CPU_POLICY_OPTION_NAMES: readonly string[] = Object.keys(OPTION_TABLE).sort();

export const DEFAULT_STATIC_POLICY_OPTIONS: Readonly<StaticPolicyOptions> = {
  fullPhysicalCPUsOnly: false,
  distributeCPUsAcrossNUMA: false,
  alignBySocket: false,
  distributeCPUsAcrossCores: false,
  strictCPUReservation: false,
  preferAlignByUncoreCache: false,
};

const GO_TRUE = new Set(["1", "t", "T", "TRUE", "true", "True"]);
const GO_FALSE = new Set(["0", "f", "F", "FALSE", "false", "False"]);

/** Go's `strconv.ParseBool`: the value, or the error text Go prints. */
export function parseGoBool(text: string): boolean | string {
  if (GO_TRUE.has(text)) return true;
  if (GO_FALSE.has(text)) return false;
  return `strconv.ParseBool: parsing ${JSON.stringify(text)}: invalid syntax`;
}

/** `CheckPolicyOptionAvailable`: unknown names and gate levels. */
function checkOptionAvailable(name: string, gates: FeatureGates): void {
  const entry = OPTION_TABLE[name];
  if (!entry) throw new ManagerError(`unknown CPU Manager Policy option: ${JSON.stringify(name)}`);
  if (entry.maturity === "alpha" && !gates.CPUManagerPolicyAlphaOptions) {
    throw new ManagerError(
      `CPU Manager Policy Alpha-level Options not enabled, but option ${JSON.stringify(name)} provided`,
    );
  }
  if (entry.maturity === "beta" && !gates.CPUManagerPolicyBetaOptions) {
    throw new ManagerError(
      `CPU Manager Policy Beta-level Options not enabled, but option ${JSON.stringify(name)} provided`,
    );
  }
}

function incompatible(a: string, b: string): ManagerError {
  return new ManagerError(`static policy options ${a} and ${b} can not be used at the same time`);
}

/**
 * `NewStaticPolicyOptions`. The kubelet walks a Go map, so with several bad options which one is
 * reported is random; podpin checks names in ascending order. Throws `ManagerError`.
 */
export function parseStaticPolicyOptions(
  raw: Readonly<Record<string, string>> | null | undefined,
  gates: FeatureGates,
): StaticPolicyOptions {
  const opts: StaticPolicyOptions = { ...DEFAULT_STATIC_POLICY_OPTIONS };
  for (const name of Object.keys(raw ?? {}).sort()) {
    checkOptionAvailable(name, gates);
    const value = parseGoBool(raw![name]);
    if (typeof value === "string") {
      throw new ManagerError(`bad value for option ${JSON.stringify(name)}: ${value}`);
    }
    opts[OPTION_TABLE[name].field] = value;
  }
  // OPEN CPU-3 (cpu-manager.md §11): the combinations and wording of the kubelet's policy_options.go.
  if (opts.fullPhysicalCPUsOnly && opts.distributeCPUsAcrossCores) {
    throw incompatible(FULL_PCPUS_ONLY, DISTRIBUTE_CPUS_ACROSS_CORES);
  }
  if (opts.distributeCPUsAcrossNUMA && opts.distributeCPUsAcrossCores) {
    throw incompatible(DISTRIBUTE_CPUS_ACROSS_NUMA, DISTRIBUTE_CPUS_ACROSS_CORES);
  }
  if (opts.preferAlignByUncoreCache && opts.distributeCPUsAcrossCores) {
    throw incompatible(PREFER_ALIGN_CPUS_BY_UNCORECACHE, DISTRIBUTE_CPUS_ACROSS_CORES);
  }
  if (opts.preferAlignByUncoreCache && opts.distributeCPUsAcrossNUMA) {
    throw incompatible(PREFER_ALIGN_CPUS_BY_UNCORECACHE, DISTRIBUTE_CPUS_ACROSS_NUMA);
  }
  return opts;
}

/**
 * `ValidateStaticPolicyOptions`: options that do not fit the machine or the Topology Manager
 * policy. The messages, typo included, are the kubelet's.
 */
export function validateStaticPolicyOptions(
  opts: StaticPolicyOptions,
  topology: CPUTopology,
  topologyManagerPolicy: string,
): void {
  if (!opts.alignBySocket) return;
  if (topologyManagerPolicy === "single-numa-node") {
    throw new ManagerError(
      `Topolgy manager single-numa-node policy is incompatible with CPUManager ${ALIGN_BY_SOCKET} policy option`,
    );
  }
  if (topology.numSockets > topology.numNUMANodes) {
    throw new ManagerError(
      "Align by socket is not compatible with hardware where number of sockets are more than number of NUMA",
    );
  }
}

/** Options as the `cpuManagerPolicyOptions` map, for reports and checkpoints of the configuration. */
export function optionsToMap(opts: StaticPolicyOptions): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of CPU_POLICY_OPTION_NAMES) {
    if (opts[OPTION_TABLE[name].field]) out[name] = "true";
  }
  return out;
}
