/**
 * A JSON reader with Go's `encoding/json` behaviour where kubelet checkpoints depend on it: the
 * same syntax error texts ("unexpected end of JSON input", "invalid character 'x' after object
 * key"), object members kept in document order with duplicates (Go applies them one after the
 * other), and numbers kept as their literal text so that no integer loses precision.
 */
import { goQuoteByte } from "./gostring.js";

export type JSONNode =
  | { t: "object"; members: Array<[string, JSONNode]> }
  | { t: "array"; items: JSONNode[] }
  | { t: "string"; v: string }
  | { t: "number"; text: string }
  | { t: "bool"; v: boolean }
  | { t: "null" };

/** A syntax error, worded as Go words it. */
export class GoJSONSyntaxError extends Error {
  override name = "GoJSONSyntaxError";
}

/** Deeper nesting than this is refused rather than risk the stack; checkpoints nest 7 levels. */
const MAX_DEPTH = 1000;

const END = "unexpected end of JSON input";

export function parseGoJSON(text: string): JSONNode {
  let i = 0;

  const fail = (context: string): never => {
    if (i >= text.length) throw new GoJSONSyntaxError(END);
    const byte = Buffer.from(String.fromCodePoint(text.codePointAt(i)!), "utf8")[0];
    throw new GoJSONSyntaxError(`invalid character ${goQuoteByte(byte)} ${context}`);
  };
  const ws = () => {
    for (;;) {
      const c = text.charCodeAt(i);
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) i++;
      else return;
    }
  };
  const isDigit = (c: number) => c >= 0x30 && c <= 0x39;

  const literal = (word: string, node: JSONNode): JSONNode => {
    i++;
    for (let k = 1; k < word.length; k++, i++) {
      if (text[i] !== word[k]) fail(`in literal ${word} (expecting '${word[k]}')`);
    }
    return node;
  };

  const number = (): JSONNode => {
    const start = i;
    if (text[i] === "-") {
      i++;
      if (!isDigit(text.charCodeAt(i))) fail("in numeric literal");
    }
    if (text[i] === "0") i++;
    else while (isDigit(text.charCodeAt(i))) i++;
    if (text[i] === ".") {
      i++;
      if (!isDigit(text.charCodeAt(i))) fail("after decimal point in numeric literal");
      while (isDigit(text.charCodeAt(i))) i++;
    }
    if (text[i] === "e" || text[i] === "E") {
      i++;
      if (text[i] === "+" || text[i] === "-") i++;
      if (!isDigit(text.charCodeAt(i))) fail("in exponent of numeric literal");
      while (isDigit(text.charCodeAt(i))) i++;
    }
    return { t: "number", text: text.slice(start, i) };
  };

  const string = (): string => {
    i++; // opening quote
    let out = "";
    let runStart = i;
    for (;;) {
      if (i >= text.length) fail("");
      const c = text.charCodeAt(i);
      if (c === 0x22) {
        out += text.slice(runStart, i);
        i++;
        return out;
      }
      if (c < 0x20) fail("in string literal");
      if (c !== 0x5c) {
        i++;
        continue;
      }
      out += text.slice(runStart, i);
      i++;
      const e = text[i];
      switch (e) {
        case '"':
        case "\\":
        case "/":
          out += e;
          break;
        case "b":
          out += "\b";
          break;
        case "f":
          out += "\f";
          break;
        case "n":
          out += "\n";
          break;
        case "r":
          out += "\r";
          break;
        case "t":
          out += "\t";
          break;
        case "u": {
          let code = 0;
          for (let k = 0; k < 4; k++) {
            i++;
            const h = text[i];
            if (h === undefined || !/[0-9a-fA-F]/.test(h)) fail("in \\u hexadecimal character escape");
            code = code * 16 + Number.parseInt(h, 16);
          }
          out += String.fromCharCode(code);
          break;
        }
        default:
          fail("in string escape code");
      }
      i++;
      runStart = i;
    }
  };

  const value = (depth: number): JSONNode => {
    if (depth > MAX_DEPTH) throw new GoJSONSyntaxError("exceeded max depth");
    ws();
    const c = text[i];
    switch (c) {
      case "{":
        return object(depth);
      case "[":
        return array(depth);
      case '"':
        return { t: "string", v: wellFormed(string()) };
      case "t":
        return literal("true", { t: "bool", v: true });
      case "f":
        return literal("false", { t: "bool", v: false });
      case "n":
        return literal("null", { t: "null" });
      default:
        if (c === "-" || isDigit(text.charCodeAt(i))) return number();
        return fail("looking for beginning of value");
    }
  };

  const object = (depth: number): JSONNode => {
    i++;
    const members: Array<[string, JSONNode]> = [];
    ws();
    if (text[i] === "}") {
      i++;
      return { t: "object", members };
    }
    for (;;) {
      ws();
      if (text[i] !== '"') fail("looking for beginning of object key string");
      const key = wellFormed(string());
      ws();
      if (text[i] !== ":") fail("after object key");
      i++;
      members.push([key, value(depth + 1)]);
      ws();
      if (text[i] === ",") {
        i++;
        continue;
      }
      if (text[i] === "}") {
        i++;
        return { t: "object", members };
      }
      fail("after object key:value pair");
    }
  };

  const array = (depth: number): JSONNode => {
    i++;
    const items: JSONNode[] = [];
    ws();
    if (text[i] === "]") {
      i++;
      return { t: "array", items };
    }
    for (;;) {
      items.push(value(depth + 1));
      ws();
      if (text[i] === ",") {
        i++;
        continue;
      }
      if (text[i] === "]") {
        i++;
        return { t: "array", items };
      }
      fail("after array element");
    }
  };

  const root = value(0);
  ws();
  if (i < text.length) fail("after top-level value");
  return root;
}

/** Go replaces unpaired UTF-16 surrogates from `\u` escapes with U+FFFD. */
function wellFormed(s: string): string {
  if (!/[\ud800-\udfff]/.test(s)) return s;
  let out = "";
  for (let k = 0; k < s.length; k++) {
    const c = s.charCodeAt(k);
    if (c >= 0xd800 && c <= 0xdbff && k + 1 < s.length) {
      const d = s.charCodeAt(k + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        out += s[k] + s[k + 1];
        k++;
        continue;
      }
    }
    out += c >= 0xd800 && c <= 0xdfff ? "\ufffd" : s[k];
  }
  return out;
}

/** The JSON type word Go's type errors use for a node ("object", "number", ...). */
export function nodeKindWord(node: JSONNode): string {
  switch (node.t) {
    case "bool":
      return "bool";
    case "null":
      return "null";
    default:
      return node.t;
  }
}

/** Whether an object has a member Go would match to the field `key` (case-insensitively). */
export function hasMember(node: JSONNode, key: string): boolean {
  if (node.t !== "object") return false;
  const fk = foldKey(key);
  return node.members.some(([k]) => foldKey(k) === fk);
}

/** Go's key folding (`bytes.EqualFold`), including the Kelvin sign and long s. */
export function foldKey(k: string): string {
  let out = "";
  for (const ch of k) {
    if (ch === "\u212a") out += "k";
    else if (ch === "\u017f") out += "s";
    else {
      const lower = ch.toLowerCase();
      out += lower.length === ch.length ? lower : ch;
    }
  }
  return out;
}
