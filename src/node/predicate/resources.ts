import { DEFAULT_RESOURCE_NAMESPACE, isExtendedResourceName, type Quantity } from "../../core/index.js";
import type { ResourceList } from "../../k8s/index.js";
import type { ResourceAmounts } from "./types.js";

/**
 * Resource names and the scheduler framework's conversion of quantities to integers
 * (`Resource.Add` / `SetMaxResource`): `cpu` in millicores, everything else `Value()` (both rounded
 * up), only for the names the framework keeps.
 */

export const CPU = "cpu";
export const MEMORY = "memory";
export const EPHEMERAL_STORAGE = "ephemeral-storage";
export const PODS = "pods";

export const isHugePagesName = (name: string): boolean => name.startsWith("hugepages-");

/** `IsScalarResourceName`: extended, hugepages, `kubernetes.io/`-prefixed native, attachable volumes. */
export function isScalarResourceName(name: string): boolean {
  return (
    isExtendedResourceName(name) ||
    isHugePagesName(name) ||
    (name.includes("/") && name.includes(DEFAULT_RESOURCE_NAMESPACE)) ||
    name.startsWith("attachable-volumes-")
  );
}

/** Names in ascending byte order (the order podpin uses wherever Go walks a map). */
export function sortedNames(names: Iterable<string>): string[] {
  return [...new Set(names)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

export function sortedAmounts(m: ReadonlyMap<string, bigint>): ResourceAmounts {
  const out: ResourceAmounts = {};
  for (const name of sortedNames(m.keys())) out[name] = m.get(name)!;
  return out;
}

/** The integer the framework stores for `q` under `name`. */
export function amountOf(name: string, q: Quantity): bigint {
  return name === CPU ? q.milliValue() : q.value();
}

/**
 * `Resource.Add` of one list: the names the framework keeps (`cpu`, `memory`, `pods`,
 * `ephemeral-storage`, scalar resources), converted; other names (`storage`, typos) dropped.
 */
export function amountsOf(list: ResourceList): Map<string, bigint> {
  const out = new Map<string, bigint>();
  for (const [name, q] of Object.entries(list)) {
    const kept = name === CPU || name === MEMORY || name === PODS || name === EPHEMERAL_STORAGE;
    if (kept || isScalarResourceName(name)) out.set(name, amountOf(name, q));
  }
  return out;
}

/**
 * A pod's request as `SetMaxResource` stores it: like `amountsOf`, except that `pods` in a request
 * is not a resource the pod takes (the pod count is checked separately).
 */
export function requestAmountsOf(list: ResourceList): Map<string, bigint> {
  const out = amountsOf(list);
  out.delete(PODS);
  return out;
}

export function addAmounts(into: Map<string, bigint>, add: ReadonlyMap<string, bigint>): void {
  for (const [name, v] of add) into.set(name, (into.get(name) ?? 0n) + v);
}
