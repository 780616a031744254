import { z } from "zod";
import { closestName, describeValue, type FieldPath, InputError } from "./input-error.js";
import type { SourceDocument } from "./yaml-source.js";

/**
 * Shape checking for the Kubernetes objects podpin reads, with messages that say what was
 * expected. Two kinds of mappings:
 * - strict: every field must be known (resources, the kubelet configuration);
 * - lenient: fields podpin does not model are accepted (image, ports, env, ...), but a field that is
 *   a near miss of a known one (`resource:` for `resources:`) is refused, since it is almost surely
 *   a typo that would silently drop the user's intent.
 */

export interface StrictOptions {
  /** Fields that are real but unused: accepted and ignored. */
  alsoAccepted?: readonly string[];
  /** List the modelled fields in the message when no near miss is found (small mappings). */
  listKnown?: boolean;
  /** What the mapping is, for "not a <what> field" (large mappings). */
  what?: string;
}

function unknownFieldMessage(
  key: string,
  accepted: readonly string[],
  modelled: readonly string[],
  o: StrictOptions,
): string {
  const hint = closestName(key, accepted);
  const base = `unknown field ${JSON.stringify(key)}`;
  if (hint) return `${base}; did you mean ${JSON.stringify(hint)}?`;
  if (o.listKnown ?? true)
    return `${base}; expected one of ${modelled.map((k) => JSON.stringify(k)).join(", ")}`;
  return o.what ? `${base}; not a ${o.what} field` : base;
}

/** A mapping whose fields must all be in `shape` or in `options.alsoAccepted`. */
export function strictFields<T extends z.ZodRawShape>(shape: T, options: StrictOptions = {}) {
  const modelled = Object.keys(shape);
  const accepted = [...modelled, ...(options.alsoAccepted ?? [])];
  const acceptedSet = new Set(accepted);
  return z.looseObject(shape).superRefine((value, ctx) => {
    for (const key of Object.keys(value)) {
      if (acceptedSet.has(key)) continue;
      ctx.addIssue({
        code: "custom",
        path: [key],
        message: unknownFieldMessage(key, accepted, modelled, options),
      });
    }
  });
}

/** A mapping that accepts unknown fields except near misses of `known` ones. */
export function lenientFields<T extends z.ZodRawShape>(shape: T, known: readonly string[]) {
  const all = new Set([...Object.keys(shape), ...known]);
  return z.looseObject(shape).superRefine((value, ctx) => {
    for (const key of Object.keys(value)) {
      if (all.has(key)) continue;
      const hint = closestName(key, all);
      if (hint) {
        ctx.addIssue({
          code: "custom",
          path: [key],
          message: `unknown field ${JSON.stringify(key)}; did you mean ${JSON.stringify(hint)}?`,
        });
      }
    }
  });
}

/** Strings, or plain numbers (YAML `cpu: 2`); the exact spelling is read back from the text. */
export const quantityInput = z.custom<string | number | bigint>(
  (v) => typeof v === "string" || typeof v === "number" || typeof v === "bigint",
  { message: "expected a quantity such as 500m, 2 or 16Gi" },
);

const PROTO_KEY = "__proto__";
const PROTO_STANDIN = "\u0000__proto__";

/** A mapping's own `__proto__` key under a stand-in name, so that a schema's record keeps it. */
function hideProtoKey(v: unknown): unknown {
  if (v === null || typeof v !== "object" || Array.isArray(v) || !Object.hasOwn(v, PROTO_KEY)) return v;
  const out: Record<string, unknown> = {};
  for (const [k, value] of Object.entries(v)) out[k === PROTO_KEY ? PROTO_STANDIN : k] = value;
  return out;
}

/** The stand-in back as an own `__proto__` entry (never a prototype). */
function restoreProtoKey<V>(v: V): V {
  if (v === null || typeof v !== "object" || !Object.hasOwn(v, PROTO_STANDIN)) return v;
  const out: Record<string, unknown> = {};
  for (const [k, value] of Object.entries(v as Record<string, unknown>))
    Object.defineProperty(out, k === PROTO_STANDIN ? PROTO_KEY : k, {
      value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  return out as V;
}

/**
 * A YAML mapping that may be written empty (`requests:` parses as null). A key named `__proto__`
 * stays an entry (a plain record would drop it: assigning it sets a prototype), so it is refused
 * or accepted by name like any other key.
 */
export function optionalMap<T extends z.ZodType>(schema: T) {
  return z.preprocess(hideProtoKey, schema.nullish()).transform(restoreProtoKey).optional();
}

const EXPECTED: Record<string, string> = {
  string: "a string",
  number: "a number",
  int: "an integer",
  boolean: "true or false",
  array: "a list",
  object: "a mapping",
  record: "a mapping",
};

function issueText(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case "invalid_type": {
      const input = (issue as { input?: unknown }).input;
      if (input === undefined) return "required field is missing";
      return `expected ${EXPECTED[issue.expected] ?? issue.expected}, got ${describeValue(input)}`;
    }
    case "invalid_value": {
      const input = (issue as { input?: unknown }).input;
      const values = issue.values.map((v) => JSON.stringify(v)).join(", ");
      return `expected one of ${values}, got ${describeValue(input)}`;
    }
    default:
      return issue.message;
  }
}

/** The line of `path`, or of the nearest enclosing field that has one. */
export function lineNear(doc: SourceDocument, path: FieldPath): number | undefined {
  for (let n = path.length; n >= 0; n--) {
    const line = doc.lineOf(path.slice(0, n));
    if (line !== undefined) return line;
  }
  return undefined;
}

/** Validates `doc.data` (or `data`) against `schema`; the first problem becomes an `InputError`. */
export function checkShape<T extends z.ZodType>(
  schema: T,
  data: unknown,
  doc: SourceDocument,
  file: string,
  prefix: FieldPath = [],
): z.infer<T> {
  const result = schema.safeParse(data, { reportInput: true });
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const path = [...prefix, ...(issue.path as (string | number)[])];
  throw new InputError({ file, line: lineNear(doc, path) }, path, issueText(issue));
}

/** Every field of an ObjectMeta (`metav1.ObjectMeta`), the ones podpin reads and the ones it passes over. */
export const METADATA_FIELDS = [
  "name",
  "generateName",
  "namespace",
  "selfLink",
  "uid",
  "resourceVersion",
  "generation",
  "creationTimestamp",
  "deletionTimestamp",
  "deletionGracePeriodSeconds",
  "labels",
  "annotations",
  "ownerReferences",
  "finalizers",
  "managedFields",
];
