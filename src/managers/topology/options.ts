import { ManagerError } from "../../core/index.js";
import type { FeatureGates } from "../../k8s/index.js";
import { goAtoi, goParseBool, goQuote } from "./go-strconv.js";

/** `topologyManagerPolicyOptions` once parsed (topology-manager.md §6). */
export interface TopologyPolicyOptions {
  preferClosestNUMA: boolean;
  maxAllowableNUMANodes: number;
}

export const PREFER_CLOSEST_NUMA_NODES = "prefer-closest-numa-nodes";
export const MAX_ALLOWABLE_NUMA_NODES = "max-allowable-numa-nodes";
export const DEFAULT_MAX_ALLOWABLE_NUMA_NODES = 8;

export type OptionMaturity = "alpha" | "beta" | "stable";

/**
 * The options this kubelet knows and their maturity. Both are GA (OPEN TM-4,
 * topology-manager.md §11: `max-allowable-numa-nodes` treated as GA in 1.36 and 1.37, no gate).
 * OPEN TM-3 (topology-manager.md §11): unconfirmed options such as `numa-allocation-strategy` or
 * `restrict-to-cpu-numa-nodes` are deliberately absent, so they get the unknown-option error.
 */
export const TOPOLOGY_POLICY_OPTIONS: ReadonlyMap<string, OptionMaturity> = new Map([
  [PREFER_CLOSEST_NUMA_NODES, "stable"],
  [MAX_ALLOWABLE_NUMA_NODES, "stable"],
]);

type OptionGates = Pick<
  FeatureGates,
  "TopologyManagerPolicyAlphaOptions" | "TopologyManagerPolicyBetaOptions"
>;

/** `CheckPolicyOptionAvailable`: null when the option may be used with these gates. */
export function checkPolicyOptionAvailable(name: string, gates: OptionGates): ManagerError | null {
  const maturity = TOPOLOGY_POLICY_OPTIONS.get(name);
  if (maturity === undefined)
    return new ManagerError(`unknown Topology Manager Policy option: ${goQuote(name)}`);
  if (maturity === "alpha" && !gates.TopologyManagerPolicyAlphaOptions)
    return new ManagerError(
      `topology manager policy alpha-level options not enabled, but option ${goQuote(name)} provided`,
    );
  if (maturity === "beta" && !gates.TopologyManagerPolicyBetaOptions)
    return new ManagerError(
      `topology manager policy beta-level options not enabled, but option ${goQuote(name)} provided`,
    );
  return null;
}

/**
 * `NewPolicyOptions`: parses the option map. Options are checked in sorted name order (the
 * kubelet walks a Go map, so with several bad options the first error it reports varies).
 */
export function parseTopologyPolicyOptions(
  options: Readonly<Record<string, string>>,
  gates: OptionGates,
): TopologyPolicyOptions | ManagerError {
  const parsed: TopologyPolicyOptions = {
    preferClosestNUMA: false,
    maxAllowableNUMANodes: DEFAULT_MAX_ALLOWABLE_NUMA_NODES,
  };
  for (const name of Object.keys(options).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))) {
    const value = options[name];
    const unavailable = checkPolicyOptionAvailable(name, gates);
    if (unavailable) return unavailable;
    if (name === PREFER_CLOSEST_NUMA_NODES) {
      const b = goParseBool(value);
      if (!b.ok) return new ManagerError(`bad value for option ${goQuote(name)}: ${b.error}`);
      parsed.preferClosestNUMA = b.value;
    } else if (name === MAX_ALLOWABLE_NUMA_NODES) {
      const n = goAtoi(value);
      if (!n.ok)
        return new ManagerError(`unable to convert policy option to integer ${goQuote(name)}: ${n.error}`);
      // Values above the default are accepted; the kubelet only logs a warning for them.
      if (n.value < DEFAULT_MAX_ALLOWABLE_NUMA_NODES)
        return new ManagerError(
          `the minimum value of ${goQuote(name)} should not be less than ${DEFAULT_MAX_ALLOWABLE_NUMA_NODES}`,
        );
      parsed.maxAllowableNUMANodes = n.value;
    }
  }
  return parsed;
}
