import type { DevicePluginModel, PreferredAllocationModel } from "../../machine/index.js";
import { sortedIDs } from "./pod-devices.js";

/** One `GetPreferredAllocation` call as the plugin receives it (id lists ascending). */
export interface PreferredAllocationCall {
  available: string[];
  mustInclude: string[];
  /** The container's full request, not what is still needed. */
  size: number;
}

/**
 * The plugin's answer under podpin's model of it (the plugin's own logic is not kubelet code):
 * no model answers nothing; `fixed` answers its list every time; `order` answers `mustInclude`
 * followed by the devices of the list that are offered and not already included, in list order,
 * until `size` ids.
 * OPEN DM-2 (device-manager.md §14): real plugins compute this from NVLink/PCI topology.
 */
export function preferredAllocationAnswer(
  model: PreferredAllocationModel,
  available: ReadonlySet<string>,
  mustInclude: ReadonlySet<string>,
  size: number,
): string[] {
  if (model === null) return [];
  if ("fixed" in model) return [...model.fixed];
  const answer = [...mustInclude];
  for (const id of model.order) {
    if (answer.length >= size) break;
    if (available.has(id) && !mustInclude.has(id) && !answer.includes(id)) answer.push(id);
  }
  return answer;
}

/**
 * `callGetPreferredAllocationIfAvailable`: asks only plugins that offer the call; the answer's
 * order is dropped (the kubelet makes it a set). Each call made is appended to `calls`.
 */
export function callGetPreferredAllocation(
  plugin: DevicePluginModel,
  available: ReadonlySet<string>,
  mustInclude: ReadonlySet<string>,
  size: number,
  calls: PreferredAllocationCall[],
): Set<string> {
  if (!plugin.getPreferredAllocationAvailable) return new Set();
  calls.push({ available: sortedIDs(available), mustInclude: sortedIDs(mustInclude), size });
  return new Set(preferredAllocationAnswer(plugin.preferred, available, mustInclude, size));
}
