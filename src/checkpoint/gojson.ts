/**
 * `encoding/json` decoding and encoding over the Go type model of `gotype.ts`, with the rules the
 * kubelet's checkpoint code relies on:
 * - keys match struct fields exactly, else case-insensitively (the tests write `defaultCPUSet`);
 *   unknown keys are ignored; a repeated key is applied again (a map merges, a string is replaced,
 *   a slice decodes its items into the items already there, as Go reuses the slice's elements);
 * - a map value is decoded before its key is checked, so an error inside the value comes first;
 * - a `[]byte` is a base64 string (Go's own error text when it is not) or an array of byte values;
 * - `null` sets a map, slice or pointer to nil and leaves anything else untouched;
 * - a value of the wrong JSON type is skipped and remembered, decoding goes on, and the first such
 *   error is the result ("json: cannot unmarshal string into Go struct field ..."); an error from a
 *   type's own `UnmarshalJSON` ends decoding at once, leaving later fields undecoded;
 * - encoding is compact, in field order, map keys sorted as strings, `omitempty` honoured, strings
 *   escaped as Go does (including `<`, `>`, `&`).
 */
import { goBase64Decode, goBase64Encode } from "./gobase64.js";
import { compareGoStrings } from "./gostring.js";
import { type JSONNode, GoJSONSyntaxError, nodeKindWord, parseGoJSON, foldKey } from "./gojson-parse.js";
import { type GoStruct, type GoType, type GoValue, type GoMap, shortTypeName, zeroValue } from "./gotype.js";

/**
 * Thrown by a custom decoder. With `typeError` set it is a type mismatch that Go reports with the
 * surrounding field's context; otherwise `message` is the error as is.
 */
export class GoUnmarshalerError extends Error {
  override name = "GoUnmarshalerError";
  constructor(
    message: string,
    readonly typeError: { value: string; type: string } | null = null,
  ) {
    super(message);
  }
}

interface DecodeContext {
  firstError: string | null;
  /** The innermost struct being decoded (Go's `errorContext.Struct`). */
  struct: GoType | null;
  fieldStack: string[];
}

function typeErrorText(ctx: DecodeContext, value: string, typeName: string): string {
  if (ctx.struct !== null || ctx.fieldStack.length > 0) {
    const struct = ctx.struct ? shortTypeName(ctx.struct) : "";
    return `json: cannot unmarshal ${value} into Go struct field ${struct}.${ctx.fieldStack.join(".")} of type ${typeName}`;
  }
  return `json: cannot unmarshal ${value} into Go value of type ${typeName}`;
}

function saveTypeError(ctx: DecodeContext, value: string, type: GoType | string): void {
  const name = typeof type === "string" ? type : type.name;
  if (ctx.firstError === null) ctx.firstError = typeErrorText(ctx, value, name);
}

/** An error Go saves as is (no field context), such as base64's. */
function saveError(ctx: DecodeContext, message: string): void {
  if (ctx.firstError === null) ctx.firstError = message;
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const UINT64_MAX = 2n ** 64n - 1n;

function decodeInt(
  node: JSONNode,
  t: GoType & { kind: "int" },
  existing: GoValue,
  ctx: DecodeContext,
): GoValue {
  if (node.t === "null") return existing;
  if (node.t !== "number") {
    saveTypeError(ctx, nodeKindWord(node), t);
    return existing;
  }
  const ok = t.unsigned ? /^(0|[1-9]\d*)$/.test(node.text) : /^-?(0|[1-9]\d*)$/.test(node.text);
  if (ok) {
    const n = BigInt(node.text);
    if (t.unsigned ? n <= UINT64_MAX : n >= INT64_MIN && n <= INT64_MAX) return n;
  }
  saveTypeError(ctx, `number ${node.text}`, t);
  return existing;
}

/** One item of a `[]byte` given as a JSON array: a `uint8`. */
function decodeByte(node: JSONNode, existing: number, ctx: DecodeContext): number {
  if (node.t === "null") return existing;
  if (node.t !== "number") {
    saveTypeError(ctx, nodeKindWord(node), "uint8");
    return existing;
  }
  if (/^(0|[1-9]\d{0,2})$/.test(node.text) && Number(node.text) <= 255) return Number(node.text);
  saveTypeError(ctx, `number ${node.text}`, "uint8");
  return existing;
}

function decodeBytes(node: JSONNode, t: GoType, existing: GoValue, ctx: DecodeContext): GoValue {
  switch (node.t) {
    case "null":
      return null;
    case "string": {
      const r = goBase64Decode(Buffer.from(node.v, "utf8"));
      if (!r.ok) {
        saveError(ctx, r.error);
        return existing;
      }
      return r.bytes;
    }
    case "array": {
      const prev = existing instanceof Uint8Array ? existing : new Uint8Array(0);
      const out = new Uint8Array(node.items.length);
      node.items.forEach((item, i) => {
        out[i] = decodeByte(item, i < prev.length ? prev[i] : 0, ctx);
      });
      return out;
    }
    default:
      saveTypeError(ctx, nodeKindWord(node), t);
      return existing;
  }
}

function decodeMapKey(key: string, t: GoType, ctx: DecodeContext): string | bigint | undefined {
  if (t.kind === "string") return key;
  if (t.kind === "int" && /^[+-]?\d+$/.test(key)) {
    const n = BigInt(key);
    if (t.unsigned ? n >= 0n && n <= UINT64_MAX : n >= INT64_MIN && n <= INT64_MAX) return n;
  }
  saveTypeError(ctx, `number ${key}`, t);
  return undefined;
}

/** Decodes `node` into a value of type `t` that currently holds `existing`; returns the new value. */
function decode(node: JSONNode, t: GoType, existing: GoValue, ctx: DecodeContext): GoValue {
  switch (t.kind) {
    case "custom":
      try {
        return t.json.decode(node);
      } catch (err) {
        if (err instanceof GoUnmarshalerError && err.typeError) {
          throw new GoUnmarshalerError(typeErrorText(ctx, err.typeError.value, err.typeError.type));
        }
        throw err;
      }
    case "string":
      if (node.t === "string") return node.v;
      if (node.t !== "null") saveTypeError(ctx, nodeKindWord(node), t);
      return existing;
    case "int":
      return decodeInt(node, t, existing, ctx);
    case "ptr":
      if (node.t === "null") return null;
      return decode(node, t.elem, existing ?? zeroValue(t.elem), ctx);
    case "bytes":
      return decodeBytes(node, t, existing, ctx);
    case "slice": {
      if (node.t === "null") return null;
      if (node.t !== "array") {
        saveTypeError(ctx, nodeKindWord(node), t);
        return existing;
      }
      // Go decodes into the elements the slice already has (a repeated key), fresh ones beyond.
      // Elements between its length and capacity are left out of this model.
      const prev = Array.isArray(existing) ? existing : [];
      return node.items.map((item, i) =>
        decode(item, t.elem, i < prev.length ? prev[i] : zeroValue(t.elem), ctx),
      );
    }
    case "map": {
      if (node.t === "null") return null;
      if (node.t !== "object") {
        saveTypeError(ctx, nodeKindWord(node), t);
        return existing;
      }
      const m: GoMap = (existing as GoMap | null) ?? new Map();
      for (const [k, v] of node.members) {
        const value = decode(v, t.elem, zeroValue(t.elem), ctx);
        const key = decodeMapKey(k, t.key, ctx);
        if (key !== undefined) m.set(key, value);
      }
      return m;
    }
    case "struct": {
      if (node.t === "null") return existing;
      if (node.t !== "object") {
        saveTypeError(ctx, nodeKindWord(node), t);
        return existing;
      }
      const s = existing as GoStruct;
      decodeStructMembers(node, t, s, ctx);
      return s;
    }
  }
}

function decodeStructMembers(
  node: JSONNode & { t: "object" },
  t: GoType & { kind: "struct" },
  target: GoStruct,
  ctx: DecodeContext,
): void {
  const saved = { struct: ctx.struct, depth: ctx.fieldStack.length };
  for (const [key, value] of node.members) {
    const f = t.fields.find((x) => x.json === key) ?? t.fields.find((x) => foldKey(x.json) === foldKey(key));
    if (!f) continue;
    ctx.struct = t;
    ctx.fieldStack.push(f.json);
    try {
      target[f.name] = decode(value, f.type, target[f.name], ctx);
    } finally {
      ctx.struct = saved.struct;
      ctx.fieldStack.length = saved.depth;
    }
  }
}

/**
 * `json.Unmarshal(text, target)`: decodes into the struct `target` in place (Go decodes into an
 * already initialised checkpoint object) and returns the error text or null. After an error the
 * target holds whatever Go would have decoded before stopping.
 */
export function unmarshalInto(
  text: string | JSONNode,
  t: GoType & { kind: "struct" },
  target: GoStruct,
): string | null {
  let node: JSONNode;
  if (typeof text === "string") {
    try {
      node = parseGoJSON(text);
    } catch (err) {
      if (err instanceof GoJSONSyntaxError) return err.message;
      throw err;
    }
  } else node = text;
  const ctx: DecodeContext = { firstError: null, struct: null, fieldStack: [] };
  try {
    if (node.t === "object") decodeStructMembers(node, t, target, ctx);
    else if (node.t !== "null") saveTypeError(ctx, nodeKindWord(node), t);
  } catch (err) {
    if (err instanceof GoUnmarshalerError) return err.message;
    throw err;
  }
  return ctx.firstError;
}

/** Decodes a standalone JSON value into a fresh value of type `t` (a custom type's inner `json.Unmarshal`). */
export function decodeStandalone(node: JSONNode, t: GoType): { value: GoValue; error: string | null } {
  const ctx: DecodeContext = { firstError: null, struct: null, fieldStack: [] };
  const value = decode(node, t, zeroValue(t), ctx);
  return { value, error: ctx.firstError };
}

// ---- encoding ----

const HEX = "0123456789abcdef";

/** A Go-escaped JSON string literal (`encoding/json` with HTML escaping, as `json.Marshal` does). */
export function goJSONString(s: string): string {
  let out = '"';
  let runStart = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    let esc: string | null = null;
    if (c === 0x22) esc = '\\"';
    else if (c === 0x5c) esc = "\\\\";
    else if (c < 0x20) {
      esc =
        c === 0x08
          ? "\\b"
          : c === 0x0c
            ? "\\f"
            : c === 0x0a
              ? "\\n"
              : c === 0x0d
                ? "\\r"
                : c === 0x09
                  ? "\\t"
                  : `\\u00${HEX[c >> 4]}${HEX[c & 15]}`;
    } else if (c === 0x3c || c === 0x3e || c === 0x26) esc = `\\u00${HEX[c >> 4]}${HEX[c & 15]}`;
    else if (c === 0x2028 || c === 0x2029) esc = `\\u${c.toString(16)}`;
    else if (c >= 0xd800 && c <= 0xdfff) {
      const pair =
        c <= 0xdbff && i + 1 < s.length && s.charCodeAt(i + 1) >= 0xdc00 && s.charCodeAt(i + 1) <= 0xdfff;
      if (pair) {
        i++;
        continue;
      }
      esc = "\ufffd";
    }
    if (esc !== null) {
      out += s.slice(runStart, i) + esc;
      runStart = i + 1;
    }
  }
  return `${out}${s.slice(runStart)}"`;
}

function isEmptyValue(v: GoValue, t: GoType): boolean {
  switch (t.kind) {
    case "string":
      return v === "";
    case "int":
      return v === 0n;
    case "map":
      return v === null || (v as GoMap).size === 0;
    case "slice":
      return v === null || (v as GoValue[]).length === 0;
    case "bytes":
      return v === null || (v as Uint8Array).length === 0;
    case "ptr":
      return v === null;
    default:
      return false;
  }
}

/** `json.Marshal` of a value of type `t`. */
export function encodeGo(v: GoValue, t: GoType): string {
  switch (t.kind) {
    case "custom":
      return t.json.encode(v);
    case "string":
      return goJSONString(v as string);
    case "int":
      return (v as bigint).toString();
    case "ptr":
      return v === null ? "null" : encodeGo(v, t.elem);
    case "slice":
      return v === null ? "null" : `[${(v as GoValue[]).map((x) => encodeGo(x, t.elem)).join(",")}]`;
    case "bytes":
      return v === null ? "null" : `"${goBase64Encode(v as Uint8Array)}"`;
    case "map": {
      if (v === null) return "null";
      const entries = [...(v as GoMap)].map(([k, x]) => [String(k), x] as const);
      entries.sort((a, b) => compareGoStrings(a[0], b[0]));
      return `{${entries.map(([k, x]) => `${goJSONString(k)}:${encodeGo(x, t.elem)}`).join(",")}}`;
    }
    case "struct": {
      const s = v as GoStruct;
      const parts: string[] = [];
      for (const f of t.fields) {
        if (f.omitempty && isEmptyValue(s[f.name], f.type)) continue;
        parts.push(`${goJSONString(f.json)}:${encodeGo(s[f.name], f.type)}`);
      }
      return `{${parts.join(",")}}`;
    }
  }
}
