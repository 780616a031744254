/*
 * Device ids for people. Plugins choose long opaque ids (NVML UUIDs such as
 * `GPU-f718e3fb-27ba-bb54-9369-72ce2007e30c`); tables and pictures show a short form that is still
 * unique within its resource, and the JSON output always carries the full id.
 */

/** Ids up to this length are shown whole (PCI addresses such as `0000:3b:02.1` fit). */
const SHOW_WHOLE = 12;
/** The shortest tail kept after the ellipsis. */
const MIN_TAIL = 4;
/** A leading word (`GPU-`, `MIG-`) is kept when it is this short: it says what the device is. */
const MAX_HEAD = 5;

function headOf(id: string): string {
  const m = /^[^-_:./]+[-_:./]/.exec(id);
  return m && m[0].length <= MAX_HEAD ? m[0] : "";
}

/**
 * Short forms of one resource's ids: whole when short, else the leading word, an ellipsis and the
 * shortest tail (at least 4 characters) that no other id of the resource ends with.
 */
export function shortDeviceIds(ids: Iterable<string>): Map<string, string> {
  const all = [...new Set(ids)];
  const out = new Map<string, string>();
  for (const id of all) {
    if (id.length <= SHOW_WHOLE) {
      out.set(id, id);
      continue;
    }
    const head = headOf(id);
    let n = MIN_TAIL;
    while (n < id.length - head.length && all.some((o) => o !== id && o.endsWith(id.slice(-n)))) n++;
    out.set(id, n >= id.length - head.length ? id : `${head}…${id.slice(-n)}`);
  }
  return out;
}

/** `@0`, `@0,1`, or `@none` for a device recorded without NUMA information (`[-1]` or `[]`). */
export function numaSuffix(numaNodes: readonly number[]): string {
  const real = numaNodes.filter((n) => n >= 0);
  return real.length === 0 ? "@none" : `@${real.join(",")}`;
}

/** Groups listing more ids than this print a count instead. */
const MAX_LISTED = 3;

export interface HeldDevicesText {
  resource: string;
  devices: readonly { id: string; numaNodes: readonly number[] }[];
}

/**
 * One container's devices in one table cell: per resource its ids grouped by NUMA placement,
 * `nvidia.com/gpu GPU-…e30c @0`, `nvidia.com/gpu 4 devices @0 + 4 devices @1`; resources comma
 * separated; `-` when none. `short` maps full ids to their short form (default: whole ids).
 */
export function formatHeldDevices(
  held: readonly HeldDevicesText[],
  short: (resource: string, id: string) => string = (_r, id) => id,
): string {
  const parts: string[] = [];
  for (const r of held) {
    if (r.devices.length === 0) continue;
    const groups = new Map<string, string[]>();
    for (const d of r.devices) {
      const key = numaSuffix(d.numaNodes);
      const list = groups.get(key) ?? [];
      list.push(d.id);
      groups.set(key, list);
    }
    const text = [...groups]
      .map(([where, ids]) =>
        ids.length <= MAX_LISTED
          ? `${ids.map((id) => short(r.resource, id)).join(" ")} ${where}`
          : `${ids.length} devices ${where}`,
      )
      .join(" + ");
    parts.push(`${r.resource} ${text}`);
  }
  return parts.length === 0 ? "-" : parts.join(", ");
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}
