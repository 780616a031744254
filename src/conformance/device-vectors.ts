import {
  compareBytewise,
  type DevicePluginModel,
  type DeviceResource,
  type DeviceResources,
  type DeviceSpec,
  NO_PLUGIN_OPTIONS,
  type PreferredAllocationModel,
  sortedDeviceResources,
} from "../machine/index.js";
import {
  type DeviceAllocationCall,
  type DeviceManagerOptions,
  EMPTY_ALLOCATE_RESPONSE,
  groupByNUMA,
  type PodDevices,
  type PreferredAllocationCall,
} from "../managers/device/index.js";
import {
  type HintData,
  hintData,
  maskOf,
  type ProviderHints,
  type TopologyHint,
} from "../managers/topology/index.js";
import { compactPodReaders, fixedAffinity, type Obj } from "./compact-pods.js";

export { fixedAffinity, type Obj } from "./compact-pods.js";

/**
 * Readers and canonical forms shared by the Device Manager vector files (`device/*.json`, schema in
 * their README): machines' device resources, stored allocations, compact pods, hints, and the
 * JSON forms of the engine's answers. Readers throw a message naming the field on a schema mismatch.
 */
export class DeviceVectorError extends Error {
  override name = "DeviceVectorError";
}

function fail(what: string, expected: string): never {
  throw new DeviceVectorError(`${what}: expected ${expected}`);
}

export function obj(v: unknown, what: string): Obj {
  if (v === null || typeof v !== "object" || Array.isArray(v)) fail(what, "an object");
  return v as Obj;
}

export function arr(v: unknown, what: string): unknown[] {
  if (!Array.isArray(v)) fail(what, "an array");
  return v;
}

export function str(v: unknown, what: string): string {
  if (typeof v !== "string") fail(what, "a string");
  return v;
}

export function int(v: unknown, what: string): number {
  if (typeof v !== "number" || !Number.isInteger(v)) fail(what, "an integer");
  return v;
}

export function bool(v: unknown, what: string): boolean {
  if (typeof v !== "boolean") fail(what, "true or false");
  return v;
}

export function optBool(v: unknown, what: string, absent: boolean): boolean {
  return v === undefined ? absent : bool(v, what);
}

export function ints(v: unknown, what: string): number[] {
  return arr(v, what).map((x, i) => int(x, `${what}[${i}]`));
}

export function strs(v: unknown, what: string): string[] {
  return arr(v, what).map((x, i) => str(x, `${what}[${i}]`));
}

/** A nullable string field that must be present. */
export function strOrNull(v: unknown, what: string): string | null {
  return v === null ? null : str(v, what);
}

/** `{id, numaNodes: [ids] | [] | null, healthy?}`: null and [] stay apart. */
export function readDevice(v: unknown, what: string): DeviceSpec {
  const d = obj(v, what);
  if (!("numaNodes" in d)) fail(`${what}.numaNodes`, "a list of NUMA ids or null");
  return {
    id: str(d.id, `${what}.id`),
    numaNodes: d.numaNodes === null ? null : ints(d.numaNodes, `${what}.numaNodes`),
    healthy: optBool(d.healthy, `${what}.healthy`, true),
  };
}

function readPreferred(v: unknown, what: string): PreferredAllocationModel {
  if (v === null || v === undefined) return null;
  const p = obj(v, what);
  if ("fixed" in p) return { fixed: strs(p.fixed, `${what}.fixed`) };
  if ("order" in p) return { order: strs(p.order, `${what}.order`) };
  return fail(what, "null, {fixed: [ids]} or {order: [ids]}");
}

function readPlugin(v: unknown, what: string): DevicePluginModel {
  if (v === undefined || v === null) return NO_PLUGIN_OPTIONS;
  const p = obj(v, what);
  return {
    getPreferredAllocationAvailable: optBool(
      p.getPreferredAllocationAvailable,
      `${what}.getPreferredAllocationAvailable`,
      false,
    ),
    preStartRequired: optBool(p.preStartRequired, `${what}.preStartRequired`, false),
    preferred: readPreferred(p.preferred, `${what}.preferred`),
  };
}

/** `{"<resource>": {registered?, devices, plugin?}}`, ascending by name. */
export function readResources(v: unknown, what: string): DeviceResources {
  const out: DeviceResource[] = [];
  for (const [name, raw] of Object.entries(obj(v, what))) {
    const w = `${what}.${name}`;
    const r = obj(raw, w);
    out.push({
      name,
      registered: optBool(r.registered, `${w}.registered`, true),
      devices: arr(r.devices, `${w}.devices`).map((d, i) => readDevice(d, `${w}.devices[${i}]`)),
      plugin: readPlugin(r.plugin, `${w}.plugin`),
    });
  }
  return sortedDeviceResources(out);
}

/**
 * `[{pod, container, resource, devices}]` as podDevices, each device recorded under the NUMA
 * nodes the machine's list gives it (a device the list does not have under `-1`).
 */
export function readAllocations(v: unknown, resources: DeviceResources, what: string): PodDevices {
  const out: PodDevices = new Map();
  arr(v ?? [], what).forEach((raw, i) => {
    const w = `${what}[${i}]`;
    const a = obj(raw, w);
    const pod = str(a.pod, `${w}.pod`);
    const container = str(a.container, `${w}.container`);
    const resource = str(a.resource, `${w}.resource`);
    const ids = strs(a.devices, `${w}.devices`);
    const devices = new Map((resources.get(resource)?.devices ?? []).map((d) => [d.id, d]));
    let containers = out.get(pod);
    if (!containers) out.set(pod, (containers = new Map()));
    let records = containers.get(container);
    if (!records) containers.set(container, (records = new Map()));
    records.set(resource, {
      deviceIDs: groupByNUMA(ids, (id) => devices.get(id)?.numaNodes ?? null),
      allocResp: EMPTY_ALLOCATE_RESPONSE,
    });
  });
  return out;
}

/** `{"<resource>": [ids]}`. */
export function readIDSets(v: unknown, what: string): Map<string, string[]> {
  return new Map(Object.entries(obj(v, what)).map(([r, ids]) => [r, strs(ids, `${what}.${r}`)]));
}

const pods = compactPodReaders({ obj, arr, str, error: (message) => new DeviceVectorError(message) });

/** `{uid, resources?, initContainers, containers}` with Kubernetes quantity strings. */
export const readPod = pods.readPod;
export const findContainer = pods.findContainer;

/** `{numaNodes: [ids] | null, preferred}`. */
export function readHint(v: unknown, what: string): TopologyHint {
  const h = obj(v, what);
  const affinity = h.numaNodes === null ? null : maskOf(...ints(h.numaNodes, `${what}.numaNodes`));
  return { affinity, preferred: bool(h.preferred, `${what}.preferred`) };
}

/** The state a Device Manager case starts from (the README's common fields). */
export interface DeviceSetup {
  options: DeviceManagerOptions;
  /** The active pods' uids; a suite may replace them step by step. */
  active: { uids: string[] };
}

/**
 * `numaNodes`, `resources`, `allocations`, `allocatedDevices?`, `activePods` and `hint` (absent:
 * the zero hint) as the options of a Device Manager whose containers all get that hint.
 */
export function readSetup(c: Obj, what: string): DeviceSetup {
  const resources = readResources(c.resources, `${what}.resources`);
  const podDevices = readAllocations(c.allocations, resources, `${what}.allocations`);
  const hint = readHint(c.hint ?? { numaNodes: null, preferred: false }, `${what}.hint`);
  const active = { uids: strs(c.activePods, `${what}.activePods`) };
  const options: DeviceManagerOptions = {
    resources,
    numaNodes: ints(c.numaNodes, `${what}.numaNodes`),
    activePods: () => active.uids.map((uid) => ({ uid })),
    affinity: fixedAffinity(hint),
    state: { podDevices, registeredResources: [] },
  };
  if (c.allocatedDevices !== undefined)
    options.allocatedDevices = readIDSets(c.allocatedDevices, `${what}.allocatedDevices`);
  return { options, active };
}

// ---- the engine's answers as vector JSON ------------------------------------------------------------

/** A provider's answer: resource -> null | [hints]; a nil answer is null. */
export function hintsJSON(answer: ProviderHints): Record<string, HintData[] | null> | null {
  if (answer === null) return null;
  const out: Record<string, HintData[] | null> = {};
  for (const [r, list] of answer) out[r] = list === null ? null : list.map(hintData);
  return out;
}

/** In-use sets without the resources whose set is empty (the README leaves those out). */
export function allocatedJSON(sets: ReadonlyMap<string, readonly string[]>): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [r, ids] of sets) if (ids.length > 0) out[r] = [...ids].sort(compareBytewise);
  return out;
}

/** A pod's holdings: `{container: {resource: [ids]}}`. */
export function holdingsJSON(
  holdings: ReadonlyMap<string, ReadonlyMap<string, readonly string[]>>,
): Record<string, Record<string, string[]>> {
  const out: Record<string, Record<string, string[]>> = {};
  for (const [container, resources] of holdings) {
    const r: Record<string, string[]> = {};
    for (const [resource, ids] of resources) r[resource] = [...ids];
    out[container] = r;
  }
  return out;
}

function preferredCallJSON(c: PreferredAllocationCall): Obj {
  return { available: c.available, mustInclude: c.mustInclude, size: c.size };
}

/** A `devicesToAllocate` call in the `{container, resource, required, …}` form. */
export function callJSON(c: DeviceAllocationCall): Obj {
  return {
    container: c.container,
    resource: c.resource,
    required: c.required,
    error: c.error,
    devices: c.devices,
    fixed: c.fixed,
    choose: c.choose,
    preferredCalls: c.preferredCalls.map(preferredCallJSON),
  };
}
