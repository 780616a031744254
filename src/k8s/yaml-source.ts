import {
  type Alias,
  type Document,
  isAlias,
  isMap,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  parseAllDocuments,
} from "yaml";
import { type FieldPath, InputError } from "./input-error.js";

/**
 * One YAML (or JSON) document as plain data, plus a way back to the text: the line of a field and
 * the literal spelling of a scalar. Quantities written as bare numbers (`cpu: 1.50`, `memory: 1e3`)
 * are read from their spelling, never through a float.
 */
export interface SourceDocument {
  readonly data: unknown;
  /** 1-based line of the field (of its key when the last step is a mapping key). */
  lineOf(path: FieldPath): number | undefined;
  /** The literal text of the scalar at `path`, when it came from text. */
  rawScalar(path: FieldPath): string | undefined;
}

interface Located {
  node: unknown;
  keyStart: number | undefined;
}

function locate(doc: Document, path: FieldPath): Located | undefined {
  let node: unknown = doc.contents;
  let keyStart: number | undefined;
  for (const step of path) {
    keyStart = undefined;
    if (isMap(node)) {
      const pair = node.items.find(
        (p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(step),
      );
      if (!pair) return undefined;
      keyStart = isScalar(pair.key) ? pair.key.range?.[0] : undefined;
      node = pair.value;
    } else if (isSeq(node) && typeof step === "number") {
      node = node.items[step];
      if (node === undefined) return undefined;
    } else {
      return undefined;
    }
  }
  return { node, keyStart };
}

function startOf(node: unknown): number | undefined {
  if (node && typeof node === "object" && "range" in node) {
    const range = (node as { range?: [number, number, number] | null }).range;
    return range?.[0];
  }
  return undefined;
}

/**
 * The limits every YAML/JSON reader of podpin applies (docs/limits.md). Each is far above anything a
 * real manifest, kubelet configuration, steps or state file reaches, and each gives a one-line
 * `InputError` naming the file (and line) instead of unbounded time or memory.
 */
export const YAML_LIMITS = {
  /** Bytes of text in one file (16 MiB; the API server's own request limit is 3 MiB). */
  maxBytes: 16 * 1024 * 1024,
  /** Documents in one YAML stream. */
  maxDocuments: 10_000,
  /** Alias resolutions while building data (the `yaml` package's `maxAliasCount`; alias bombs). */
  maxAliasCount: 1000,
  /** Nesting of mappings and sequences (the parser recurses; real manifests stay under 40). */
  maxDepth: 100,
  /** Characters of a scalar, key or value quoted in an error message. */
  maxExcerpt: 200,
} as const;

/** The text of an error excerpt: at most `YAML_LIMITS.maxExcerpt` characters. */
export function excerpt(text: string): string {
  const max = YAML_LIMITS.maxExcerpt;
  return text.length <= max ? text : `${text.slice(0, max)}… (${text.length - max} more characters)`;
}

export interface ParseYamlOptions {
  /** YAML 1.1 scalars (Kubernetes' decoder: `yes`/`no` are booleans) or 1.2 (JSON-like). */
  version?: "1.1" | "1.2";
  /** Integers as bigints (machine-file rules read device lists so). */
  intAsBigInt?: boolean;
}

/** One parsed document: its syntax tree, its data, and the file's line counter. */
export interface ParsedYaml {
  doc: Document;
  data: unknown;
  lines: LineCounter;
}

/**
 * A cheap upper estimate of how deeply the text nests, line by line, before the parser sees it:
 * the `yaml` parser recurses per level, and past a few thousand levels V8 can abort the process
 * (a RegExp compilation out of memory near the stack limit), which no `catch` can stop. Block
 * nesting is counted from indentation changes and leading `- `/`? ` indicators, flow nesting from
 * brackets outside quoted scalars and comments; block scalar contents are skipped.
 * Returns the 1-based line where the estimate first exceeds `limit`, or 0.
 */
function tooDeepAt(text: string, limit: number): number {
  const indents: number[] = [];
  let flow = 0;
  let quote: '"' | "'" | null = null;
  let blockScalarIndent = -1;
  let lineNo = 0;
  let pos = 0;
  while (pos <= text.length) {
    let end = text.indexOf("\n", pos);
    if (end < 0) end = text.length;
    const line = text.slice(pos, end);
    pos = end + 1;
    lineNo++;
    let i = 0;
    while (i < line.length && line[i] === " ") i++;
    const indent = i;
    if (blockScalarIndent >= 0) {
      if (i === line.length || indent > blockScalarIndent) continue;
      blockScalarIndent = -1;
    }
    if (quote === null && flow === 0) {
      if (i === line.length || line[i] === "#" || line[i] === "\r") {
        if (pos > text.length) break;
        continue;
      }
      while (indents.length > 0 && indents[indents.length - 1] >= indent) indents.pop();
      indents.push(indent);
    }
    let inline = 0;
    let valueStart = true;
    for (; i < line.length; i++) {
      const c = line[i];
      if (quote !== null) {
        if (c === "\\" && quote === '"') i++;
        else if (c === quote) {
          if (quote === "'" && line[i + 1] === "'") i++;
          else quote = null;
        }
        continue;
      }
      if (c === " " || c === "\t") continue;
      if (c === "#" && (i === 0 || line[i - 1] === " " || line[i - 1] === "\t")) break;
      const next = line[i + 1];
      const spaced = next === undefined || next === " " || next === "\t" || next === "\r";
      if (flow === 0) {
        if ((c === "-" || c === "?" || c === ":") && spaced) {
          inline++;
          valueStart = true;
          continue;
        }
        if (valueStart && (c === "[" || c === "{")) flow++;
        else if (valueStart && (c === '"' || c === "'")) quote = c;
        else if (valueStart && (c === "|" || c === ">") && /^[|>][-+0-9]*\s*(#.*)?$/.test(line.slice(i)))
          blockScalarIndent = indent;
        valueStart = false;
        continue;
      }
      if (c === "[" || c === "{") {
        if (++flow + indents.length + inline > limit) return lineNo;
      } else if (c === "]" || c === "}") flow--;
      else if (c === '"' || c === "'") quote = c;
    }
    if (flow < 0) flow = 0;
    if (indents.length + inline + flow > limit) return lineNo;
    if (pos > text.length) break;
  }
  return 0;
}

/**
 * Parses a YAML stream (or a JSON text) with podpin's limits and turns every problem into an
 * `InputError` naming `file` and the line: syntax errors, too large or too many documents, too
 * deep nesting, complex (non-scalar) mapping keys, duplicate keys (checked here in linear time;
 * the parser's own check, `uniqueKeys`, is quadratic and off), merge keys (`<<`) onto anything
 * but mappings, unresolved aliases and alias bombs. The parser's options are all set here:
 * `uniqueKeys: false`, `maxAliasCount`, `prettyErrors: false`, `merge` with YAML 1.1.
 */
export function parseYamlStream(text: string, file: string, options: ParseYamlOptions = {}): ParsedYaml[] {
  if (text.length > YAML_LIMITS.maxBytes)
    throw new InputError(
      { file },
      "",
      `file too large: ${text.length} characters (at most ${YAML_LIMITS.maxBytes} bytes, 16 MiB)`,
    );
  const deep = tooDeepAt(text, YAML_LIMITS.maxDepth * 2);
  if (deep > 0)
    throw new InputError(
      { file, line: deep },
      "",
      `invalid YAML: nesting deeper than ${YAML_LIMITS.maxDepth} levels`,
    );
  const lines = new LineCounter();
  const version = options.version ?? "1.1";
  let docs: Document[];
  try {
    const parsed = parseAllDocuments(text, {
      version,
      merge: version === "1.1",
      uniqueKeys: false,
      intAsBigInt: options.intAsBigInt ?? false,
      lineCounter: lines,
      prettyErrors: false,
    });
    docs = Array.isArray(parsed) ? parsed : [];
  } catch (err) {
    throw new InputError({ file }, "", `invalid YAML: ${excerpt(String((err as Error).message ?? err))}`);
  }
  const lineAt = (offset: number | undefined): number | undefined =>
    offset === undefined ? undefined : lines.linePos(offset).line;
  if (docs.length > YAML_LIMITS.maxDocuments)
    throw new InputError(
      { file, line: lineAt(docs[YAML_LIMITS.maxDocuments].range?.[0]) },
      "",
      `too many YAML documents: more than ${YAML_LIMITS.maxDocuments}`,
    );
  const out: ParsedYaml[] = [];
  for (const doc of docs) {
    const err = doc.errors[0];
    if (err) {
      const message = err.message.slice(0, 1000).split(/ at line \d+|\n/)[0];
      throw new InputError({ file, line: lineAt(err.pos[0]) }, "", `invalid YAML: ${excerpt(message)}`);
    }
    checkTree(doc, file, lineAt, version === "1.1");
    const contents = doc.contents;
    if (
      contents === null ||
      (isScalar(contents) && (contents.value === null || contents.value === undefined))
    ) {
      out.push({ doc, data: null, lines });
      continue;
    }
    let data: unknown;
    try {
      data = doc.toJS({ maxAliasCount: YAML_LIMITS.maxAliasCount });
    } catch (e) {
      const why = String((e as Error).message ?? e);
      const detail = /Excessive alias count/.test(why)
        ? `invalid YAML: aliases expand to too much data (more than ${YAML_LIMITS.maxAliasCount} alias resolutions)`
        : `invalid YAML: ${excerpt(why.split("\n")[0])}`;
      throw new InputError({ file, line: lineAt(contents.range?.[0]) }, "", detail);
    }
    out.push({ doc, data, lines });
  }
  return out;
}

/** The one document of a file that holds exactly one (an empty file is `null`). */
export function parseYamlDocument(
  text: string,
  file: string,
  options: ParseYamlOptions = {},
): ParsedYaml | null {
  const docs = parseYamlStream(text, file, options);
  if (docs.length > 1)
    throw new InputError(
      { file, line: docs[1].lines.linePos(docs[1].doc.range?.[0] ?? 0).line },
      "",
      "expected one YAML document, found several (separated by ---)",
    );
  return docs[0] ?? null;
}

const NODE_KIND = (n: unknown): string =>
  isMap(n) ? "a mapping" : isSeq(n) ? "a list" : isAlias(n) ? "an alias" : "a scalar";

/**
 * Walks the syntax tree without recursion (aliases are not followed, so the walk is linear in the
 * text): nesting depth, scalar keys only, no duplicate keys, merge keys onto mappings, aliases
 * whose anchor exists before them.
 */
function checkTree(
  doc: Document,
  file: string,
  lineAt: (offset: number | undefined) => number | undefined,
  merge: boolean,
): void {
  const anchors = new Set<string>();
  const fail = (node: unknown, detail: string): never => {
    throw new InputError({ file, line: lineAt(startOf(node)) }, "", `invalid YAML: ${detail}`);
  };
  const stack: { node: unknown; depth: number }[] = [{ node: doc.contents, depth: 1 }];
  const aliasTarget = (a: Alias): unknown => {
    if (!anchors.has(a.source))
      fail(
        a,
        `unresolved alias *${excerpt(a.source)} (its anchor &${excerpt(a.source)} must come before it)`,
      );
    return a.resolve(doc);
  };
  while (stack.length > 0) {
    const { node, depth } = stack.pop() as { node: unknown; depth: number };
    if (node === null || node === undefined) continue;
    if (depth > YAML_LIMITS.maxDepth) fail(node, `nesting deeper than ${YAML_LIMITS.maxDepth} levels`);
    const anchor = (node as { anchor?: unknown }).anchor;
    if (typeof anchor === "string") anchors.add(anchor);
    if (isAlias(node)) {
      aliasTarget(node);
      continue;
    }
    if (isSeq(node)) {
      for (let i = node.items.length - 1; i >= 0; i--) stack.push({ node: node.items[i], depth: depth + 1 });
      continue;
    }
    if (!isMap(node)) continue;
    const seen = new Map<string, number | undefined>();
    const children: unknown[] = [];
    for (const pair of node.items) {
      if (!isPair(pair)) continue;
      let key: unknown = pair.key;
      if (isAlias(key)) key = aliasTarget(key);
      if (key !== null && key !== undefined && !isScalar(key))
        fail(pair.key, `mapping keys must be strings or numbers, got ${NODE_KIND(key)} as a key`);
      const value = isScalar(key) ? key.value : null;
      const name = typeof value === "symbol" ? (value.description ?? "") : String(value ?? "");
      if (merge && typeof value === "symbol" && name === "<<") {
        const sources = isSeq(pair.value) ? pair.value.items : [pair.value];
        for (const s of sources) {
          const target = isAlias(s) ? aliasTarget(s) : s;
          if (!isMap(target))
            fail(
              s ?? pair.key,
              `merge key << expects a mapping or an alias of one, got ${NODE_KIND(target)}`,
            );
        }
      } else {
        const line = lineAt(startOf(pair.key));
        if (seen.has(name)) {
          const first = seen.get(name);
          throw new InputError(
            { file, line },
            "",
            `invalid YAML: duplicate key ${JSON.stringify(excerpt(name))}${first ? ` (first at line ${first})` : ""}`,
          );
        }
        seen.set(name, line);
      }
      children.push(pair.value);
    }
    for (let i = children.length - 1; i >= 0; i--) stack.push({ node: children[i], depth: depth + 1 });
  }
}

/**
 * Parses a YAML stream or a JSON text into source documents. Scalars follow YAML 1.1, as
 * Kubernetes' own decoder does (`yes`/`no` are booleans). Empty documents (a trailing `---`) are
 * dropped. Every problem throws an `InputError` with its line (see `parseYamlStream`).
 */
export function parseDocuments(text: string, file: string): SourceDocument[] {
  const out: SourceDocument[] = [];
  for (const { doc, data, lines } of parseYamlStream(text, file)) {
    const contents = doc.contents;
    if (
      contents === null ||
      (isScalar(contents) && (contents.value === null || contents.value === undefined))
    )
      continue;
    out.push({
      data,
      lineOf(path) {
        const found = locate(doc, path);
        if (!found) return undefined;
        const offset = found.keyStart ?? startOf(found.node);
        return offset === undefined ? undefined : lines.linePos(offset).line;
      },
      rawScalar(path) {
        const found = locate(doc, path);
        if (!found || !isScalar(found.node)) return undefined;
        const source = (found.node as { source?: unknown }).source;
        return typeof source === "string" ? source : undefined;
      },
    });
  }
  return out;
}

/** A document that is already data (a case of a conformance file): no lines, no spellings. */
export function dataDocument(data: unknown): SourceDocument {
  return { data, lineOf: () => undefined, rawScalar: () => undefined };
}
