import type { DeviceSpec } from "./devices.js";
import { type FieldProblem, fieldProblems } from "./file-issues.js";
import { devicesFromFile, resourcesSection } from "./file-resources.js";
import { problem } from "./file-scalars.js";

/**
 * A device plugin's new `ListAndWatch` list given outside a machine file (a `--steps` file's
 * `updateDevices`): `{resource, devices}`, validated by the very rules of a machine file's
 * `resources.<name>` (extended resource name, device ids unique and non-empty, `numaNodes` a list,
 * `[]` or null, `healthy` true by default). Integers must be bigints, as machine files are read.
 */
export function parseDeviceListUpdate(
  input: unknown,
): { resource: string; devices: DeviceSpec[] } | FieldProblem {
  if (input === null || typeof input !== "object" || Array.isArray(input))
    return { path: [], message: problem("a mapping {resource, devices}", input) };
  const fields = input as Record<string, unknown>;
  for (const key of Object.keys(fields))
    if (key !== "resource" && key !== "devices")
      return { path: [key], message: 'unknown field: expected "resource" and "devices"' };
  const resource = fields.resource;
  if (typeof resource !== "string" || resource === "")
    return {
      path: ["resource"],
      message: problem('an extended resource name such as "nvidia.com/gpu"', resource),
    };
  const section = { [resource]: { devices: fields.devices } };
  const parsed = resourcesSection.safeParse(section);
  if (!parsed.success) {
    const first = fieldProblems(parsed.error.issues, section)[0];
    // Paths are [resource, "devices", ...] in the machine file's shape; the bare name is the key.
    const rest = first.path.slice(1);
    return { path: rest.length === 0 ? ["resource"] : rest, message: first.message };
  }
  return { resource, devices: [...(devicesFromFile(parsed.data).get(resource)?.devices ?? [])] };
}
