import { type Document, isMap, isPair, isScalar, isSeq, LineCounter, parseAllDocuments } from "yaml";
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
 * Parses a YAML stream or a JSON text. Scalars follow YAML 1.1, as Kubernetes' own decoder does
 * (`yes`/`no` are booleans). Empty documents (a trailing `---`) are dropped. A syntax error throws an
 * `InputError` with its line.
 */
export function parseDocuments(text: string, file: string): SourceDocument[] {
  const lines = new LineCounter();
  const docs = parseAllDocuments(text, { version: "1.1", lineCounter: lines, prettyErrors: false });
  const list = Array.isArray(docs) ? docs : [];
  const out: SourceDocument[] = [];
  for (const doc of list) {
    const err = doc.errors[0];
    if (err) {
      const line = lines.linePos(err.pos[0]).line;
      const message = err.message.split(/ at line \d+|\n/)[0];
      throw new InputError({ file, line }, "", `invalid YAML: ${message}`);
    }
    const contents = doc.contents;
    if (
      contents === null ||
      (isScalar(contents) && (contents.value === null || contents.value === undefined))
    )
      continue;
    const data: unknown = doc.toJS({ maxAliasCount: 1000 });
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
