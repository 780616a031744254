import { Quantity, QuantityParseError } from "../core/index.js";
import { parseGoDuration } from "./duration.js";
import { parseFeatureGateMap } from "./feature-gates.js";
import { goParseBool, goParseInt, goQuote } from "./go-values.js";
import { InputError, type InputLocation } from "./input-error.js";
import type { KubeletArg } from "./kubelet-args-text.js";
import {
  EXITING_FLAGS,
  IGNORED_FLAGS,
  type KubeletFlagType,
  READ_FLAGS,
  REMOVED_FLAGS,
  SHORTHANDS,
} from "./kubelet-flags-data.js";

/**
 * The kubelet's command line parsed as the kubelet parses it (spf13/pflag with component-base's
 * value types and `WordSepNormalizeFunc`, so `--max_pods` is `--max-pods`), with the kubelet's
 * errors: `failed to parse kubelet flag: unknown flag: --foo`, `... invalid argument "x" for
 * "--max-pods" flag: strconv.ParseInt: parsing "x": invalid syntax`, `unknown command <arg>`.
 * The result is what the flags set: KubeletConfiguration fields (which override the `--config`
 * file's, the kubelet's precedence) and the kubelet flags proper that podpin models.
 */

/** Where a flag was given. */
export interface FlagOrigin {
  flag: string;
  where: InputLocation;
}

export interface KubeletFlagSettings {
  /** `--config`: the KubeletConfiguration file the kubelet loads before applying the flags. */
  configFile: { path: string; origin: FlagOrigin } | null;
  /** KubeletConfiguration fields the flags set, as configuration-file data. */
  fields: Record<string, unknown>;
  /** Field name -> the flag that set it (the last one given). */
  origins: Record<string, FlagOrigin>;
  /** `--feature-gates`, merged over the file's gates one gate at a time. */
  featureGates: Record<string, boolean>;
  featureGateOrigins: Record<string, FlagOrigin>;
  /** `--hostname-override`. */
  nodeName?: string;
  /** `--node-labels`. */
  nodeLabels?: Record<string, string>;
  /** Flags given that podpin knows and ignores (they decide nothing it models), sorted. */
  ignored: string[];
}

function locationOf(arg: KubeletArg): InputLocation {
  return arg.line ? { file: arg.file, line: arg.line } : { file: arg.file };
}

function parseError(arg: KubeletArg, detail: string): InputError {
  return new InputError(locationOf(arg), "", `failed to parse kubelet flag: ${detail}`);
}

type Value = string | number | boolean | Record<string, string> | unknown[];

/** Parses one value for a flag of `type`; returns the kubelet's `Set` error text on failure. */
function checkValue(type: KubeletFlagType, text: string): string | null {
  switch (type) {
    case "int32":
    case "int64": {
      const r = goParseInt(text, type === "int32" ? 32 : 64);
      return r.ok ? null : r.error;
    }
    case "bool": {
      const r = goParseBool(text);
      return r.ok ? null : r.error;
    }
    case "duration": {
      const r = parseGoDuration(text);
      return typeof r === "string" ? r : null;
    }
    case "level":
      return /^[0-9]+$/.test(text) && BigInt(text) < 1n << 32n
        ? null
        : `strconv.ParseUint: parsing ${goQuote(text)}: ${/^[0-9]+$/.test(text) ? "value out of range" : "invalid syntax"}`;
    default:
      return null;
  }
}

/** `MapStringString` / `LangleSeparatedMapStringString` items, or the kubelet's error. */
function mapItems(text: string, sep: "=" | "<", split: boolean): [string, string][] | string {
  const items = split ? text.split(",").filter((s) => s !== "") : [text];
  const out: [string, string][] = [];
  for (const item of items) {
    const at = item.indexOf(sep);
    if (at < 0) return `malformed pair, expect string${sep}string`;
    out.push([item.slice(0, at).trim(), item.slice(at + 1).trim()]);
  }
  return out;
}

/** `ReservedMemoryVar.Set`, with the kubelet's messages (its typos included). */
function reservedMemoryItems(text: string): unknown[] | string {
  const out: unknown[] = [];
  for (const reservation of text.split(";")) {
    const parts = reservation.split(":");
    const format = `the reserved memory has incorrect format, expected numaNodeID:type=quantity[,type=quantity...], got ${reservation}`;
    if (parts.length !== 2) return format;
    if (!/^[+-]?[0-9]+$/.test(parts[0]))
      return `failed to convert the NUMA node ID, exptected integer, got ${parts[0]}`;
    const limits: Record<string, string> = {};
    for (const item of parts[1].split(",")) {
      const kv = item.split("=");
      if (kv.length !== 2)
        return `the reserved limit has incorrect value, expected type=quantatity, got ${item}`;
      if (kv[0] !== "memory" && !kv[0].startsWith("hugepages-"))
        return `memory type conversion error, unknown type: ${goQuote(kv[0])}`;
      try {
        Quantity.parse(kv[1]);
      } catch (err) {
        if (!(err instanceof QuantityParseError)) throw err;
        return `failed to parse the quantatity, expected quantatity, got ${kv[1]}`;
      }
      limits[kv[0]] = kv[1];
    }
    out.push({ numaNode: Number(parts[0]), limits });
  }
  return out;
}

const TAINT_EFFECTS = ["NoSchedule", "PreferNoSchedule", "NoExecute"];

/** `RegisterWithTaintsVar.Set`: `key[=value]:Effect,...`. */
function taintItems(text: string): unknown[] | string {
  if (text === "") return [];
  const out: { key: string; value?: string; effect: string }[] = [];
  for (const spec of text.split(",")) {
    const parts = spec.split(":");
    if (parts.length !== 2) return `invalid taint spec: ${spec}`;
    if (!TAINT_EFFECTS.includes(parts[1]))
      return `invalid taint effect: ${parts[1]}, unsupported taint effect`;
    const kv = parts[0].split("=");
    if (kv.length > 2 || kv[0] === "") return `invalid taint spec: ${spec}`;
    if (out.some((t) => t.key === kv[0] && t.effect === parts[1]))
      return `duplicated taints with the same key and effect: {${kv[0]} ${kv[1] ?? ""} ${parts[1]} <nil>}`;
    out.push(
      kv.length === 2 ? { key: kv[0], value: kv[1], effect: parts[1] } : { key: kv[0], effect: parts[1] },
    );
  }
  return out;
}

/** The kubelet's start-up refusals for a policy name given on the command line. */
function policyNameError(field: string, value: string): string | null {
  switch (field) {
    case "cpuManagerPolicy":
      return value === "none" || value === "static" ? null : `unknown policy: "${value}"`;
    case "memoryManagerPolicy":
      return value === "None" || value === "Static" ? null : `unknown policy: "${value}"`;
    case "topologyManagerPolicy":
      return ["none", "best-effort", "restricted", "single-numa-node"].includes(value)
        ? null
        : `invalid configuration: topologyManagerPolicy (--topology-manager-policy) ${goQuote(value)} must be one of: ["none" "best-effort" "restricted" "single-numa-node"]`;
    case "topologyManagerScope":
      return value === "container" || value === "pod"
        ? null
        : `invalid configuration: topologyManagerScope (--topology-manager-scope) ${goQuote(value)} must be one of: "container", or "pod"`;
    default:
      return null;
  }
}

interface Given {
  name: string;
  value: string;
  arg: KubeletArg;
}

/** Splits the arguments into flags and values the way pflag's `Parse` walks them. */
function walk(args: readonly KubeletArg[]): Given[] {
  const given: Given[] = [];
  let command: KubeletArg | null = null;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    const s = arg.text;
    if (s === "--") {
      command ??= args[i + 1] ?? null;
      break;
    }
    if (!s.startsWith("-") || s === "-") {
      command ??= arg;
      continue;
    }
    let name: string;
    let inline: string | null = null;
    if (s.startsWith("--")) {
      const body = s.slice(2);
      if (body === "" || body.startsWith("-") || body.startsWith("="))
        throw parseError(arg, `bad flag syntax: ${s}`);
      const eq = body.indexOf("=");
      name = eq < 0 ? body : body.slice(0, eq);
      inline = eq < 0 ? null : body.slice(eq + 1);
      const normal = name.replaceAll("_", "-");
      const type = flagType(normal);
      if (!type) throw parseError(arg, unknownFlag(name));
      name = normal;
      if (type === "bool" && inline === null) inline = "true";
    } else {
      const short = s[1];
      const long = SHORTHANDS[short];
      if (!long) throw parseError(arg, `unknown shorthand flag: '${short}' in ${s}`);
      name = long;
      const rest = s.slice(2);
      if (rest !== "") inline = rest.startsWith("=") ? rest.slice(1) : rest;
      else if (flagType(long) === "bool") inline = "true";
      if (inline === null && i + 1 >= args.length)
        throw parseError(arg, `flag needs an argument: '${short}' in ${s}`);
    }
    let value = inline;
    if (value === null) {
      // pflag takes the next argument as the value, whatever it looks like.
      if (i + 1 >= args.length) throw parseError(arg, `flag needs an argument: ${s}`);
      value = args[++i].text;
    }
    const type = flagType(name) as KubeletFlagType;
    const bad = checkValue(type, value);
    if (bad) {
      const shown = name === "v" ? "-v, --v" : `--${name}`;
      throw parseError(arg, `invalid argument ${goQuote(value)} for ${goQuote(shown)} flag: ${bad}`);
    }
    if (Object.hasOwn(EXITING_FLAGS, name) && EXITING_FLAGS[name] && value !== "false")
      throw new InputError(locationOf(arg), `--${name}`, `${EXITING_FLAGS[name]}; remove it`);
    given.push({ name, value, arg });
  }
  if (command) throw new InputError(locationOf(command), "", `unknown command ${command.text}`);
  return given;
}

function flagType(name: string): KubeletFlagType | undefined {
  if (name === "help" || name === "version") return "bool";
  return (Object.hasOwn(READ_FLAGS, name) ? READ_FLAGS[name] : undefined)?.type ?? IGNORED_FLAGS.get(name);
}

function unknownFlag(name: string): string {
  const key = name.replaceAll("_", "-");
  const removed = Object.hasOwn(REMOVED_FLAGS, key) ? REMOVED_FLAGS[key] : undefined;
  const text = `unknown flag: --${name}`;
  return removed ? `${text} (removed from the kubelet in ${removed})` : text;
}

/** The value a read flag contributes, given what earlier occurrences contributed. */
function contribution(type: KubeletFlagType, text: string, previous: Value | undefined): Value | string {
  switch (type) {
    case "int32":
      return Number((goParseInt(text, 32) as { value: bigint }).value);
    case "bool":
      return (goParseBool(text) as { value: boolean }).value;
    case "mapStringString":
    case "mapStringStringNoSplit":
    case "langleMap":
    case "configurationMap": {
      const items =
        type === "configurationMap"
          ? text
              .split(",")
              .filter((s) => s !== "")
              .map((s): [string, string] => {
                const at = s.indexOf("=");
                return at < 0 ? [s.trim(), ""] : [s.slice(0, at).trim(), s.slice(at + 1).trim()];
              })
          : mapItems(text, type === "langleMap" ? "<" : "=", type !== "mapStringStringNoSplit");
      if (typeof items === "string") return items;
      // The first occurrence replaces the file's map; later ones add to it.
      return { ...((previous as Record<string, string> | undefined) ?? {}), ...Object.fromEntries(items) };
    }
    case "reservedMemory": {
      if (text === "") return [];
      const items = reservedMemoryItems(text);
      if (typeof items === "string") return items;
      return [...((previous as unknown[] | undefined) ?? []), ...items];
    }
    case "taints":
      return taintItems(text);
    default:
      return text;
  }
}

/** Parses the kubelet's arguments; throws `InputError` with the kubelet's words. */
export function parseKubeletFlags(args: readonly KubeletArg[]): KubeletFlagSettings {
  const settings: KubeletFlagSettings = {
    configFile: null,
    fields: {},
    origins: {},
    featureGates: {},
    featureGateOrigins: {},
    ignored: [],
  };
  const ignored = new Set<string>();
  const extra: Record<string, Value> = {};
  for (const { name, value, arg } of walk(args)) {
    const origin: FlagOrigin = { flag: `--${name}`, where: locationOf(arg) };
    const read = Object.hasOwn(READ_FLAGS, name) ? READ_FLAGS[name] : undefined;
    if (!read) {
      ignored.add(`--${name}`);
      continue;
    }
    if (read.field === "config") {
      settings.configFile = { path: value, origin };
      continue;
    }
    if (read.field === "featureGates") {
      let gates: Record<string, boolean>;
      try {
        gates = parseFeatureGateMap(value, arg.file);
      } catch (err) {
        if (!(err instanceof InputError)) throw err;
        throw parseError(arg, `invalid argument ${goQuote(value)} for "--feature-gates" flag: ${err.detail}`);
      }
      for (const [gate, on] of Object.entries(gates)) {
        settings.featureGates[gate] = on;
        settings.featureGateOrigins[gate] = origin;
      }
      continue;
    }
    const target = read.field === "nodeName" || read.field === "nodeLabels" ? extra : settings.fields;
    const next = contribution(read.type, value, target[read.field] as Value | undefined);
    if (typeof next === "string" && read.type !== "string" && read.type !== "duration") {
      throw parseError(arg, `invalid argument ${goQuote(value)} for "--${name}" flag: ${next}`);
    }
    target[read.field] = next;
    settings.origins[read.field] = origin;
  }
  for (const [field, value] of Object.entries(settings.fields)) {
    const bad = typeof value === "string" ? policyNameError(field, value) : null;
    if (bad) throw new InputError(settings.origins[field].where, settings.origins[field].flag, bad);
  }
  if (typeof extra.nodeName === "string") settings.nodeName = extra.nodeName;
  if (extra.nodeLabels) settings.nodeLabels = extra.nodeLabels as Record<string, string>;
  settings.ignored = [...ignored].sort();
  return settings;
}
