import { Quantity, QuantityParseError } from "../core/index.js";
import { rememberSpelling } from "./canonical-quantity.js";
import { describeValue, type FieldPath, InputError } from "./input-error.js";
import { lineNear } from "./schema.js";
import type { ResourceList } from "./types.js";
import type { SourceDocument } from "./yaml-source.js";

/**
 * Reads a quantity the way Kubernetes' JSON decoding does: a string (surrounding blanks trimmed) or
 * a bare number. A number is read from its spelling in the text (`1.50`, `1e3`, a 20-digit integer),
 * so no float ever stands between the file and the exact value.
 */
export function quantityAt(
  value: string | number | bigint,
  doc: SourceDocument,
  path: FieldPath,
  file: string,
): Quantity {
  let text: string;
  if (typeof value === "string") text = value.trim();
  else {
    const raw = doc.rawScalar(path);
    text = raw !== undefined && /^[+-]?[0-9.]/.test(raw) ? raw.trim() : String(value);
  }
  try {
    const q = Quantity.parse(text, "quantity");
    rememberSpelling(q, text);
    return q;
  } catch (err) {
    if (!(err instanceof QuantityParseError)) throw err;
    const why = err.message.replace(/^quantity: /, "");
    throw new InputError({ file, line: lineNear(doc, path) }, path, why);
  }
}

/** A resource list (`requests:` / `limits:`) as quantities; an empty or null mapping is `{}`. */
export function resourceListAt(
  list: Readonly<Record<string, string | number | bigint>> | null | undefined,
  doc: SourceDocument,
  path: FieldPath,
  file: string,
): ResourceList {
  // Null prototype: a resource named `constructor` or `__proto__` is an own entry like any other
  // (validation refuses it as the API server does), never an inherited property. Made from `{}`:
  // `Object.create(null)` gives a dictionary-mode object, and every admission walks these lists
  // (about ten times slower in that mode).
  const out: ResourceList = Object.setPrototypeOf({}, null);
  const entries = Object.entries(list ?? {});
  // A schema's record drops a `__proto__` key (assigning it sets a prototype); the source keeps it.
  const source = ownValueAt(doc.data, path);
  if (source && typeof source === "object" && Object.hasOwn(source, "__proto__") && list) {
    const value: unknown = Object.getOwnPropertyDescriptor(source, "__proto__")?.value;
    const at = [...path, "__proto__"];
    if (typeof value !== "string" && typeof value !== "number" && typeof value !== "bigint")
      throw new InputError(
        { file, line: lineNear(doc, at) },
        at,
        `expected a quantity, got ${describeValue(value)}`,
      );
    entries.push(["__proto__", value]);
  }
  for (const [name, value] of entries) {
    out[name] = quantityAt(value, doc, [...path, name], file);
  }
  return out;
}

/** The value at `path` in plain data, by own properties only. */
function ownValueAt(data: unknown, path: FieldPath): unknown {
  let node = data;
  for (const step of path) {
    if (node === null || typeof node !== "object" || !Object.hasOwn(node, step)) return undefined;
    node = (node as Record<string | number, unknown>)[step];
  }
  return node;
}
