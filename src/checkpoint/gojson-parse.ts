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

/**
 * Go's scanner refuses more than this many open objects and arrays at once (`maxNestingDepth`).
 * The parser keeps its own stack, so any depth up to the limit costs no call stack.
 */
const MAX_DEPTH = 10000;

const END = "unexpected end of JSON input";

/** An object or array still open while the parser reads its members. */
type Open =
  | { t: "array"; items: JSONNode[] }
  | { t: "object"; members: Array<[string, JSONNode]>; key: string };

/**
 * Parses `text` as Go's `json.Unmarshal` checks it, naming the first offending character as Go
 * does. `rawBytes` gives, by text position, the byte a file really held where its bytes were not
 * valid UTF-8 (the text has U+FFFD there), so that such a byte is named as Go names it.
 */
export function parseGoJSON(text: string, rawBytes?: ReadonlyMap<number, number>): JSONNode {
  let i = 0;

  const fail = (context: string): never => {
    if (i >= text.length) throw new GoJSONSyntaxError(END);
    const byte = rawBytes?.get(i) ?? Buffer.from(String.fromCodePoint(text.codePointAt(i)!), "utf8")[0];
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
        return wellFormed(out);
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

  /** After `{` or `,` in an object: the key and its colon. */
  const objectKey = (): string => {
    ws();
    if (text[i] !== '"') fail("looking for beginning of object key string");
    const key = string();
    ws();
    if (text[i] !== ":") fail("after object key");
    i++;
    return key;
  };

  const stack: Open[] = [];
  const open = () => {
    // Go counts the container being opened, so the 10001st nested one is refused.
    if (stack.length >= MAX_DEPTH) fail("exceeded max depth");
    i++;
    ws();
  };

  let root: JSONNode | undefined;
  while (root === undefined) {
    // A value is expected: at the top, after `[`, `,` in an array, or `:` in an object.
    ws();
    let node: JSONNode;
    const c = text[i];
    if (c === "{") {
      open();
      if (text[i] === "}") {
        i++;
        node = { t: "object", members: [] };
      } else {
        stack.push({ t: "object", members: [], key: objectKey() });
        continue;
      }
    } else if (c === "[") {
      open();
      if (text[i] === "]") {
        i++;
        node = { t: "array", items: [] };
      } else {
        stack.push({ t: "array", items: [] });
        continue;
      }
    } else if (c === '"') node = { t: "string", v: string() };
    else if (c === "t") node = literal("true", { t: "bool", v: true });
    else if (c === "f") node = literal("false", { t: "bool", v: false });
    else if (c === "n") node = literal("null", { t: "null" });
    else if (c === "-" || isDigit(text.charCodeAt(i))) node = number();
    else return fail("looking for beginning of value");

    // A value is complete: hand it to the open container, closing as many as end here.
    for (;;) {
      const top = stack[stack.length - 1];
      if (top === undefined) {
        root = node;
        break;
      }
      ws();
      if (top.t === "array") {
        top.items.push(node);
        if (text[i] === ",") {
          i++;
          break;
        }
        if (text[i] !== "]") fail("after array element");
        i++;
        stack.pop();
        node = { t: "array", items: top.items };
      } else {
        top.members.push([top.key, node]);
        if (text[i] === ",") {
          i++;
          top.key = objectKey();
          break;
        }
        if (text[i] !== "}") fail("after object key:value pair");
        i++;
        stack.pop();
        node = { t: "object", members: top.members };
      }
    }
  }
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
