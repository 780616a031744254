/**
 * JSON parsing that keeps integers beyond 2^53 exact: such integers become `bigint`, every other
 * value is what `JSON.parse` gives. Memory sizes in the kubelet's state are unsigned 64-bit, and a
 * wrapped value like 18446744072635809792 must survive parsing.
 */
export class JSONParseError extends Error {
  override name = "JSONParseError";
}

export function parseJSONExact(text: string, what = "JSON"): unknown {
  let i = 0;
  const fail = (msg: string): never => {
    const before = text.slice(0, i);
    const line = before.split("\n").length;
    const col = i - before.lastIndexOf("\n");
    throw new JSONParseError(`${what}: invalid JSON at line ${line}, column ${col}: ${msg}`);
  };
  const ws = () => {
    while (i < text.length && (text[i] === " " || text[i] === "\n" || text[i] === "\r" || text[i] === "\t"))
      i++;
  };
  const value = (): unknown => {
    ws();
    const ch = text[i];
    if (ch === "{") {
      i++;
      const obj: Record<string, unknown> = {};
      ws();
      if (text[i] === "}") {
        i++;
        return obj;
      }
      for (;;) {
        ws();
        if (text[i] !== '"') fail("expected a string key");
        const key = str();
        ws();
        if (text[i] !== ":") fail('expected ":"');
        i++;
        // A defined property, not an assignment: a "__proto__" key must stay data, as with JSON.parse.
        Object.defineProperty(obj, key, {
          value: value(),
          enumerable: true,
          writable: true,
          configurable: true,
        });
        ws();
        if (text[i] === ",") {
          i++;
          continue;
        }
        if (text[i] === "}") {
          i++;
          return obj;
        }
        fail('expected "," or "}"');
      }
    }
    if (ch === "[") {
      i++;
      const arr: unknown[] = [];
      ws();
      if (text[i] === "]") {
        i++;
        return arr;
      }
      for (;;) {
        arr.push(value());
        ws();
        if (text[i] === ",") {
          i++;
          continue;
        }
        if (text[i] === "]") {
          i++;
          return arr;
        }
        fail('expected "," or "]"');
      }
    }
    if (ch === '"') return str();
    if (text.startsWith("true", i)) {
      i += 4;
      return true;
    }
    if (text.startsWith("false", i)) {
      i += 5;
      return false;
    }
    if (text.startsWith("null", i)) {
      i += 4;
      return null;
    }
    const m = /^-?(?:0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i, i + 400));
    if (!m) return fail(`unexpected ${ch === undefined ? "end of input" : JSON.stringify(ch)}`);
    i += m[0].length;
    if (m[1] === undefined && m[2] === undefined) {
      const n = Number(m[0]);
      return Number.isSafeInteger(n) ? n : BigInt(m[0]);
    }
    return Number(m[0]);
  };
  const str = (): string => {
    const start = i;
    i++;
    while (i < text.length && text[i] !== '"') i += text[i] === "\\" ? 2 : 1;
    if (i >= text.length) fail("unterminated string");
    i++;
    try {
      return JSON.parse(text.slice(start, i)) as string;
    } catch {
      i = start;
      return fail("invalid string (bad escape or control character)");
    }
  };
  const result = value();
  ws();
  if (i < text.length) fail("unexpected trailing content");
  return result;
}

/** Reads a JSON integer that may be a number or a bigint as a bigint. */
export function toBigInt(v: unknown, what: string): bigint {
  if (typeof v === "bigint") return v;
  if (typeof v === "number" && Number.isInteger(v)) return BigInt(v);
  throw new JSONParseError(`${what}: expected an integer, got ${JSON.stringify(v)}`);
}
