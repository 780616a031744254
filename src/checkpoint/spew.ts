/**
 * go-spew's `%#v` rendering with the configuration of `k8s.io/utils/dump.ForHash` (sorted keys, no
 * methods, no pointer addresses, no capacities), for the values of `gotype.ts`. Legacy checkpoint
 * checksums are FNV-1a over this text (checkpoints.md §2.1):
 * - the top value and every struct field carry their Go type: `Name:(type)value`;
 * - map keys, map values and slice items carry none, and a pointer there prints `<*>`;
 * - maps print `map[k:v k:v]` with keys sorted (integers numerically), slices `[a b]` (a `[]byte`
 *   as its decimal byte values `[10 6 65]`), strings raw,
 *   structs `{Field:(type)value ...}`, and nil maps, slices and pointers `<nil>`.
 */
import { compareGoStrings } from "./gostring.js";
import type { GoMap, GoStruct, GoType, GoValue, SpewSink } from "./gotype.js";

function compareKeys(a: string | bigint, b: string | bigint): number {
  if (typeof a === "bigint" && typeof b === "bigint") return a < b ? -1 : a > b ? 1 : 0;
  return compareGoStrings(String(a), String(b));
}

function write(out: SpewSink, v: GoValue, t: GoType, showType: boolean): void {
  if (t.kind === "custom") {
    const own = t.json.spew;
    if (own) {
      if (showType) out.push(`(${t.name})`);
      own(v, out);
      return;
    }
    write(out, v, t.json.spewType(v), showType);
    return;
  }
  if (t.kind === "ptr") {
    if (v === null) {
      out.push(showType ? `(${t.name})<nil>` : "<nil>");
      return;
    }
    out.push(showType ? `(${t.name})` : "<*>");
    write(out, v, t.elem, false);
    return;
  }
  if (showType) out.push(`(${t.name})`);
  switch (t.kind) {
    case "string":
      out.push(v as string);
      return;
    case "int":
      out.push((v as bigint).toString());
      return;
    case "bytes":
      if (v === null) {
        out.push("<nil>");
        return;
      }
      out.push("[");
      (v as Uint8Array).forEach((b, i) => {
        if (i > 0) out.push(" ");
        out.uint(b);
      });
      out.push("]");
      return;
    case "slice": {
      if (v === null) {
        out.push("<nil>");
        return;
      }
      out.push("[");
      (v as GoValue[]).forEach((item, i) => {
        if (i > 0) out.push(" ");
        write(out, item, t.elem, false);
      });
      out.push("]");
      return;
    }
    case "map": {
      if (v === null) {
        out.push("<nil>");
        return;
      }
      const keys = [...(v as GoMap).keys()].sort(compareKeys);
      out.push("map[");
      keys.forEach((k, i) => {
        if (i > 0) out.push(" ");
        write(out, k, t.key, false);
        out.push(":");
        write(out, (v as GoMap).get(k)!, t.elem, false);
      });
      out.push("]");
      return;
    }
    case "struct": {
      const s = v as GoStruct;
      out.push("{");
      t.fields.forEach((f, i) => {
        if (i > 0) out.push(" ");
        out.push(`${f.name}:`);
        write(out, s[f.name], f.type, true);
      });
      out.push("}");
      return;
    }
  }
}

/** Collects the dump as text. */
class TextSink implements SpewSink {
  readonly parts: string[] = [];
  push(s: string): void {
    this.parts.push(s);
  }
  uint(n: number): void {
    this.parts.push(String(n));
  }
  uintRun(from: number, to: number, suffix: string, sep: string): void {
    for (let id = from; id <= to; id++)
      this.parts.push(id === from ? `${id}${suffix}` : `${sep}${id}${suffix}`);
  }
}

/** `dump.ForHash(v)` for a value of type `t` (pass a pointer type for `&checkpoint`). */
export function spewForHash(v: GoValue, t: GoType): string {
  const out = new TextSink();
  write(out, v, t, true);
  return out.parts.join("");
}

/** Streams the dump of `v` into `sink` (a hash), without building the text. */
export function spewInto(sink: SpewSink, v: GoValue, t: GoType): void {
  write(sink, v, t, true);
}
