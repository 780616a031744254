/**
 * What `checkpoint verify` says about a device checkpoint the kubelet accepts but would not have
 * written (checkpoints.md §9.6): keys matched only case-insensitively, unknown or repeated keys,
 * NUMA keys not in their canonical decimal form, `AllocResp` null, duplicate entries.
 */
import type { DeviceCheckpointData } from "./device.js";
import { type JSONNode, foldKey } from "./gojson-parse.js";
import { goQuote } from "./gostring.js";

const TOP = ["Data", "Checksum"];
const DATA = ["PodDeviceEntries", "RegisteredDevices"];
const ENTRY = ["PodUID", "ContainerName", "ResourceName", "DeviceIDs", "AllocResp"];

interface Findings {
  folded: Set<string>;
  unknown: Set<string>;
  repeated: Set<string>;
  numaKeys: Set<string>;
}

/** Checks one object's keys against a struct's fields; returns the members per matched field. */
function keys(node: JSONNode, fields: string[], where: string, f: Findings): Map<string, JSONNode[]> {
  const out = new Map<string, JSONNode[]>();
  if (node.t !== "object") return out;
  for (const [k, v] of node.members) {
    const field = fields.find((x) => x === k) ?? fields.find((x) => foldKey(x) === foldKey(k));
    if (field === undefined) {
      f.unknown.add(`${where}${k}`);
      continue;
    }
    if (field !== k) f.folded.add(`${where}${k}`);
    const list = out.get(field) ?? [];
    if (list.length === 1) f.repeated.add(`${where}${field}`);
    list.push(v);
    out.set(field, list);
  }
  return out;
}

function quoteAll(set: Set<string>): string {
  const all = [...set];
  const shown = all.slice(0, 5).map(goQuote).join(", ");
  return all.length > 5 ? `${shown} and ${all.length - 5} more` : shown;
}

function entryName(e: { podUID: string; containerName: string; resourceName: string }): string {
  return `${e.podUID}/${e.containerName}/${e.resourceName}`;
}

export function deviceCheckpointWarnings(node: JSONNode, data: DeviceCheckpointData): string[] {
  const f: Findings = { folded: new Set(), unknown: new Set(), repeated: new Set(), numaKeys: new Set() };
  const top = keys(node, TOP, "", f);
  for (const d of top.get("Data") ?? []) {
    const inner = keys(d, DATA, "Data.", f);
    for (const list of inner.get("PodDeviceEntries") ?? []) {
      if (list.t !== "array") continue;
      for (const item of list.items) {
        const entry = keys(item, ENTRY, "Data.PodDeviceEntries[].", f);
        for (const ids of entry.get("DeviceIDs") ?? []) {
          if (ids.t !== "object") continue;
          for (const [k] of ids.members)
            if (/^[+-]?\d+$/.test(k) && String(BigInt(k)) !== k) f.numaKeys.add(k);
        }
      }
    }
  }
  const out: string[] = [];
  if (f.folded.size > 0)
    out.push(
      `keys ${quoteAll(f.folded)} match the kubelet's field names only without regard to case: Go's decoder accepts them, a kubelet never writes them`,
    );
  if (f.unknown.has("BootID"))
    out.push(`key "BootID" is not read by any released kubelet (an unmerged proposal): ignored`);
  f.unknown.delete("BootID");
  if (f.unknown.size > 0) out.push(`unknown keys ${quoteAll(f.unknown)}: ignored`);
  if (f.repeated.size > 0)
    out.push(
      `keys ${quoteAll(f.repeated)} given more than once: Go's decoder applies each in turn (maps merge)`,
    );
  if (f.numaKeys.size > 0)
    out.push(
      `NUMA keys ${quoteAll(f.numaKeys)} are not written the way a kubelet writes them (read as the number they spell)`,
    );

  const seen = new Map<string, number>();
  for (const e of data.podDeviceEntries ?? []) {
    const name = entryName(e);
    seen.set(name, (seen.get(name) ?? 0) + 1);
    if (e.allocResp === null)
      out.push(
        `entry ${name}: AllocResp is null, restored as an empty plugin answer (a kubelet writes "", which hashes differently)`,
      );
  }
  for (const [name, n] of seen)
    if (n > 1) out.push(`entry ${name} appears ${n} times: each entry that restores replaces the one before`);
  return out;
}
