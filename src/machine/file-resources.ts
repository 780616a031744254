import { z } from "zod";
import { extendedResourceNameProblem } from "../core/index.js";
import {
  type DevicePluginModel,
  type DeviceResource,
  type DeviceResources,
  type DeviceSpec,
  NO_PLUGIN_OPTIONS,
  type PreferredAllocationModel,
  sortedDeviceResources,
} from "./devices.js";
import { problem, safeNonNegative } from "./file-scalars.js";

/**
 * The `resources` section of a machine file (device-manager.md §1, the shape the conformance
 * vectors use): device-plugin resources by extended resource name, each with the plugin's device
 * list and podpin's model of the plugin. `numaNodes: null` (no TopologyInfo) and `[]` (an empty
 * one) are different inputs and stay apart through load and `machineToDocument`.
 */

const NUMA_LIST = "a list of NUMA node ids, [] or null (no TopologyInfo)";

/** A device id or a preferred id: any non-empty string, compared byte for byte. */
const deviceId = z.unknown().transform((v, ctx): string => {
  if (typeof v === "string" && v.length > 0) return v;
  ctx.addIssue({ code: "custom", message: problem("a non-empty string (the plugin's device id)", v) });
  return z.NEVER;
});

/** The plugin's TopologyInfo: null, or NUMA ids (each once). Required, so null vs [] is a choice. */
const numaNodes = z.unknown().transform((v, ctx): number[] | null => {
  if (v === null) return null;
  if (!Array.isArray(v)) {
    ctx.addIssue({ code: "custom", message: problem(NUMA_LIST, v) });
    return z.NEVER;
  }
  const out: number[] = [];
  v.forEach((item: unknown, i) => {
    const n = safeNonNegative(item);
    if (n === null)
      ctx.addIssue({
        code: "custom",
        path: [i],
        message: problem("a NUMA node id (a non-negative integer)", item),
      });
    else if (out.includes(n))
      ctx.addIssue({ code: "custom", path: [i], message: `NUMA node ${n} is listed twice` });
    else out.push(n);
  });
  return out;
});

const idList = z.array(deviceId);

/** `null`, `{fixed: [ids]}` or `{order: [ids]}` (spec §5.5, podpin's model of the plugin's answer). */
const preferred = z.unknown().transform((v, ctx): PreferredAllocationModel => {
  const expected = "null, {fixed: [ids]} or {order: [ids]}";
  if (v === null) return null;
  if (typeof v !== "object" || Array.isArray(v)) {
    ctx.addIssue({ code: "custom", message: problem(expected, v) });
    return z.NEVER;
  }
  const keys = Object.keys(v);
  if (keys.length !== 1 || (keys[0] !== "fixed" && keys[0] !== "order")) {
    ctx.addIssue({ code: "custom", message: `expected ${expected}, got keys ${JSON.stringify(keys)}` });
    return z.NEVER;
  }
  const key = keys[0];
  const ids: unknown = (v as Record<string, unknown>)[key];
  const list = idList.safeParse(ids);
  if (!list.success) {
    for (const issue of list.error.issues) {
      const sub = issue.path.filter((p): p is number => typeof p === "number");
      const message = issue.code === "invalid_type" ? problem("a list of device ids", ids) : issue.message;
      ctx.addIssue({ code: "custom", path: [key, ...sub], message });
    }
    return z.NEVER;
  }
  return key === "fixed" ? { fixed: list.data } : { order: list.data };
});

const plugin = z.strictObject({
  getPreferredAllocationAvailable: z.boolean().optional(),
  preStartRequired: z.boolean().optional(),
  preferred: preferred.optional(),
});

const resource = z
  .strictObject({
    registered: z.boolean().optional(),
    devices: z.array(z.strictObject({ id: deviceId, numaNodes, healthy: z.boolean().optional() })),
    plugin: plugin.optional(),
  })
  .superRefine((r, ctx) => {
    const seen = new Set<string>();
    r.devices.forEach((d, i) => {
      if (seen.has(d.id))
        ctx.addIssue({
          code: "custom",
          path: ["devices", i, "id"],
          message: `device ${JSON.stringify(d.id)} is listed twice`,
        });
      seen.add(d.id);
    });
  });

/** `resources: {"<extended resource name>": {registered?, devices, plugin?}}`. */
export const resourcesSection = z.record(z.string(), resource).superRefine((rec, ctx) => {
  for (const name of Object.keys(rec)) {
    const why = extendedResourceNameProblem(name);
    if (why !== null) {
      ctx.addIssue({
        code: "custom",
        path: [name],
        params: { atKey: true },
        message: `expected an extended resource name such as "nvidia.com/gpu" (the kubelet registers no other device plugin resource): ${why}`,
      });
    }
  }
});
export type ResourcesFile = z.output<typeof resourcesSection>;

/** The machine's device resources, with podpin's defaults filled in (healthy, registered, no plugin options). */
export function devicesFromFile(section: ResourcesFile | undefined): DeviceResources {
  const out: DeviceResource[] = [];
  for (const [name, r] of Object.entries(section ?? {})) {
    const p = r.plugin ?? {};
    out.push({
      name,
      registered: r.registered ?? true,
      devices: r.devices.map(
        (d): DeviceSpec => ({ id: d.id, numaNodes: d.numaNodes, healthy: d.healthy ?? true }),
      ),
      plugin: {
        getPreferredAllocationAvailable: p.getPreferredAllocationAvailable ?? false,
        preStartRequired: p.preStartRequired ?? false,
        preferred: p.preferred ?? null,
      },
    });
  }
  return sortedDeviceResources(out);
}

function pluginDocument(p: DevicePluginModel): Record<string, unknown> | null {
  const doc: Record<string, unknown> = {};
  if (p.getPreferredAllocationAvailable !== NO_PLUGIN_OPTIONS.getPreferredAllocationAvailable)
    doc.getPreferredAllocationAvailable = p.getPreferredAllocationAvailable;
  if (p.preStartRequired !== NO_PLUGIN_OPTIONS.preStartRequired) doc.preStartRequired = p.preStartRequired;
  if (p.preferred !== null)
    doc.preferred =
      "fixed" in p.preferred ? { fixed: [...p.preferred.fixed] } : { order: [...p.preferred.order] };
  return Object.keys(doc).length > 0 ? doc : null;
}

/** The `resources` section that loads back to `devices`; defaults are left out, `numaNodes` never. */
export function resourcesToDocument(devices: DeviceResources): Record<string, unknown> {
  const doc: Record<string, unknown> = {};
  for (const [name, r] of devices) {
    const entry: Record<string, unknown> = {};
    if (!r.registered) entry.registered = false;
    entry.devices = r.devices.map((d) => ({
      id: d.id,
      numaNodes: d.numaNodes === null ? null : [...d.numaNodes],
      ...(d.healthy ? {} : { healthy: false }),
    }));
    const p = pluginDocument(r.plugin);
    if (p) entry.plugin = p;
    doc[name] = entry;
  }
  return doc;
}
