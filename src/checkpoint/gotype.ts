/**
 * A small model of the Go types the kubelet's checkpoint structs are made of, and of their values.
 * One description per struct drives the three things that must match the kubelet byte for byte:
 * JSON decoding (`encoding/json` rules), JSON encoding, and the go-spew dump that legacy checksums
 * hash (checkpoints.md §2.1).
 *
 * Values: a Go string is a JS string, every integer a bigint, a struct a plain object keyed by Go
 * field name, a map a `Map`, a slice an array, a `[]byte` a `Uint8Array`, and nil (map, slice or
 * pointer) is `null`. A non-nil pointer is represented by the value it points to.
 */
import type { JSONNode } from "./gojson-parse.js";

export type GoValue = null | string | bigint | GoValue[] | GoMap | GoStruct | Uint8Array | GoOpaque;

/**
 * A value a custom type keeps in its own form (a CPU set as ranges rather than one map entry per
 * id); only that type's `decode`, `encode` and `spew` look inside.
 */
export class GoOpaque<T = unknown> {
  constructor(readonly value: T) {}
}

/** Where go-spew output goes: text (tests) or a running FNV-1a hash (checksums). */
export interface SpewSink {
  push(text: string): void;
  /** A non-negative integer in decimal, as go-spew prints ints. */
  uint(n: number): void;
  /** `from`…`to` in decimal, each followed by `suffix`, separated by `sep` (a CPU set's run). */
  uintRun(from: number, to: number, suffix: string, sep: string): void;
}
export type GoMap = Map<string | bigint, GoValue>;
export interface GoStruct {
  [field: string]: GoValue;
}

export interface GoField {
  /** The Go field name (what go-spew prints). */
  name: string;
  /** The JSON key from the field's tag. */
  json: string;
  omitempty: boolean;
  type: GoType;
}

/**
 * A type with its own `UnmarshalJSON` / `MarshalJSON`. `decode` may throw `GoUnmarshalerError`,
 * which ends decoding as Go's does.
 */
export interface CustomJSON {
  decode(node: JSONNode): GoValue;
  encode(value: GoValue): string;
  /** The Go type a value is dumped as by go-spew. */
  spewType(value: GoValue): GoType;
  /**
   * Writes the go-spew dump of the value itself (after the type label, which the caller writes),
   * for values kept in a compact form; when present it is used instead of `spewType`.
   */
  spew?(value: GoValue, out: SpewSink): void;
}

export type GoType =
  | { kind: "string"; name: string }
  | { kind: "int"; name: string; unsigned: boolean }
  | { kind: "struct"; name: string; fields: GoField[] }
  | { kind: "map"; name: string; key: GoType; elem: GoType }
  | { kind: "slice"; name: string; elem: GoType }
  /**
   * `[]byte`: a JSON string in standard base64 (or an array of byte values), dumped by go-spew as
   * its byte values `[10 6 65]`.
   */
  | { kind: "bytes"; name: string }
  | { kind: "ptr"; name: string; elem: GoType }
  | { kind: "custom"; name: string; json: CustomJSON };

export const goString = (name = "string"): GoType => ({ kind: "string", name });
export const goInt = (name = "int"): GoType => ({ kind: "int", name, unsigned: false });
export const goUint = (name = "uint64"): GoType => ({ kind: "int", name, unsigned: true });
export const goMap = (name: string, key: GoType, elem: GoType): GoType => ({ kind: "map", name, key, elem });
export const goSlice = (elem: GoType, name = `[]${elem.name}`): GoType => ({ kind: "slice", name, elem });
export const goBytes = (): GoType => ({ kind: "bytes", name: "[]uint8" });
export const goPtr = (elem: GoType): GoType => ({ kind: "ptr", name: `*${elem.name}`, elem });
export const goStruct = (name: string, fields: GoField[]): GoType => ({ kind: "struct", name, fields });

export function field(name: string, json: string, type: GoType, omitempty = false): GoField {
  return { name, json, omitempty, type };
}

/** The zero value of a type: "" / 0 / nil, and for a struct every field zero. */
export function zeroValue(t: GoType): GoValue {
  switch (t.kind) {
    case "string":
      return "";
    case "int":
      return 0n;
    case "struct": {
      const s: GoStruct = {};
      for (const f of t.fields) s[f.name] = zeroValue(f.type);
      return s;
    }
    default:
      return null;
  }
}

/** Go's `Type.Name()`: the name without its package, as `encoding/json` error messages print it. */
export function shortTypeName(t: GoType): string {
  const dot = t.name.lastIndexOf(".");
  return dot < 0 || t.name.startsWith("map[") || t.name.startsWith("[]") ? t.name : t.name.slice(dot + 1);
}
