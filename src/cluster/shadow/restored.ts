/**
 * Helpers over the kubelet's restored states. A Node takes ownership of the states it starts from
 * (its managers change them in place), so every node built from one reading gets its own copy.
 */
import type { RestoredStates } from "../../agent/state/index.js";
import { cloneMemoryState } from "../../managers/memory/index.js";

export function cloneRestored(r: RestoredStates): RestoredStates {
  return {
    cpu: r.cpu && {
      policyName: r.cpu.policyName,
      defaultCpuSet: r.cpu.defaultCpuSet,
      entries: new Map([...r.cpu.entries].map(([uid, m]) => [uid, new Map(m)])),
      podEntries: new Map(r.cpu.podEntries),
    },
    memory: r.memory && cloneMemoryState(r.memory),
    device: r.device && {
      podDevices: r.device.podDevices,
      registeredResources: [...r.device.registeredResources],
    },
  };
}

/** Every pod UID the states hold anything for. */
export function podUIDsOf(r: RestoredStates): Set<string> {
  return new Set([
    ...(r.cpu?.entries.keys() ?? []),
    ...(r.cpu?.podEntries.keys() ?? []),
    ...(r.memory?.entries.keys() ?? []),
    ...(r.memory?.podEntries.keys() ?? []),
    ...(r.device?.podDevices.keys() ?? []),
  ]);
}
