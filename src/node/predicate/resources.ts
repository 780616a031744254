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

/** Names in ascending byte order (the order podpin uses wherever Go walks a map), each once. */
export function sortedNames(names: Iterable<string>): string[] {
  const out: string[] = [];
  let ordered = true;
  for (const name of names) {
    if (out.length > 0 && !(out[out.length - 1] < name)) ordered = false;
    out.push(name);
  }
  // Strictly ascending already (the usual case: a handful of names kept in order) means no
  // duplicates either; otherwise drop them and sort. The default sort compares UTF-16 code
  // units, as `<` does on strings.
  return ordered ? out : [...new Set(out)].sort();
}

export function sortedAmounts(m: ReadonlyMap<string, bigint>): ResourceAmounts {
  const out: ResourceAmounts = {};
  // Mostly kept in order already: then no name list. Map keys are distinct, so ascending is strict.
  // Names then lookups: entry pairs cost more than a second lookup.
  for (const name of isAscending(m.keys()) ? m.keys() : sortedNames(m.keys())) out[name] = m.get(name)!;
  return out;
}

/** `sortedAmounts` of the non-zero entries only. */
export function sortedNonZeroAmounts(m: ReadonlyMap<string, bigint>): ResourceAmounts {
  const out: ResourceAmounts = {};
  for (const name of isAscending(m.keys()) ? m.keys() : sortedNames(m.keys())) {
    const v = m.get(name)!;
    if (v !== 0n) out[name] = v;
  }
  return out;
}

function isAscending(names: Iterable<string>): boolean {
  let last: string | null = null;
  for (const name of names) {
    if (last !== null && !(last < name)) return false;
    last = name;
  }
  return true;
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
  return convertedAmounts(list, true);
}

function convertedAmounts(list: ResourceList, keepPods: boolean): Map<string, bigint> {
  const out = new Map<string, bigint>();
  // Resource lists are plain records: `for…in` walks their own names, without an entry array.
  for (const name in list) {
    if (name === PODS ? keepPods : isFrameworkResource(name)) out.set(name, amountOf(name, list[name]));
  }
  return out;
}

/** The names the framework keeps, `pods` aside. */
function isFrameworkResource(name: string): boolean {
  return name === CPU || name === MEMORY || name === EPHEMERAL_STORAGE || isScalarResourceName(name);
}

/**
 * A pod's request as `SetMaxResource` stores it: like `amountsOf`, except that `pods` in a request
 * is not a resource the pod takes (the pod count is checked separately).
 */
export function requestAmountsOf(list: ResourceList): Map<string, bigint> {
  return convertedAmounts(list, false);
}

export function addAmounts(into: Map<string, bigint>, add: ReadonlyMap<string, bigint>): void {
  for (const [name, v] of add) into.set(name, (into.get(name) ?? 0n) + v);
}
