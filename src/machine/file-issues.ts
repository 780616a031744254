import type { z } from "zod";
import { quoteShort } from "../core/index.js";

/** A validation problem at a field path, worded for a one-line error message. */
export interface FieldProblem {
  path: (string | number)[];
  message: string;
  /** Point at the last path element's key rather than its value (a bad map key). */
  atKey?: boolean;
}

export function describeValue(v: unknown): string {
  if (v === undefined) return "nothing";
  if (v === null) return "null";
  if (typeof v === "bigint") {
    const s = v.toString();
    return s.length > 24 ? `${s.slice(0, 20)}… (${s.length} digits)` : s;
  }
  if (typeof v === "string") return quoteShort(v);
  if (Array.isArray(v)) return "a list";
  if (typeof v === "object") return "a mapping";
  return String(v);
}

const EXPECTED_WORDS: Record<string, string> = {
  string: "a string",
  array: "a list",
  object: "a mapping",
  record: "a mapping",
  number: "a number",
  bigint: "an integer",
  boolean: "true or false",
};

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let v = root;
  for (const seg of path) {
    if (v === null || typeof v !== "object") return undefined;
    v = (v as Record<PropertyKey, unknown>)[seg];
  }
  return v;
}

/** Zod issues as field problems: unknown keys name the key, type errors say what was found. */
export function fieldProblems(issues: readonly z.core.$ZodIssue[], input: unknown): FieldProblem[] {
  const out: FieldProblem[] = [];
  for (const issue of issues) {
    const path = issue.path.filter((p): p is string | number => typeof p !== "symbol");
    if (issue.code === "unrecognized_keys") {
      for (const key of issue.keys) out.push({ path: [...path, key], message: "unknown field" });
    } else if (issue.code === "invalid_type") {
      const got = valueAt(input, issue.path);
      const message =
        got === undefined
          ? `missing field: expected ${EXPECTED_WORDS[issue.expected] ?? issue.expected}`
          : `expected ${EXPECTED_WORDS[issue.expected] ?? issue.expected}, got ${describeValue(got)}`;
      out.push({ path, message });
    } else if (issue.code === "invalid_value") {
      const values = issue.values.map((v) => JSON.stringify(v)).join(", ");
      out.push({
        path,
        message: `expected one of ${values}, got ${describeValue(valueAt(input, issue.path))}`,
      });
    } else if (issue.code === "custom" && issue.params?.atKey === true) {
      out.push({ path, message: issue.message, atKey: true });
    } else {
      out.push({ path, message: issue.message });
    }
  }
  return out;
}

/** How to get a machine file that is complete: describe a real node from its own sysfs. */
export const CAPTURE_HINT =
  "to capture a real node's machine file, run on the node: podpin topology -m this -o yaml > node.yaml";

/**
 * A problem that means "this machine says nothing about (a NUMA node's) memory": the top-level
 * `memory`, a podpin node's `memory`, or a cadvisor node's `memory`, missing or null. Such a file
 * was most likely written by hand from CPU facts alone, so the message says how to capture one.
 */
export function isMissingMemory(p: FieldProblem): boolean {
  const last = p.path[p.path.length - 1];
  const where = p.path.length === 1 || p.path[0] === "memory" || p.path[0] === "topology";
  return last === "memory" && where && /^missing field|, got null$/.test(p.message);
}

/** The problem in words about memory, followed by how to capture a real node. */
export function withCaptureHint(p: FieldProblem): FieldProblem {
  let message = p.message;
  if (p.path.length === 1)
    message = message.replace("expected a mapping", `expected every NUMA node's memory, such as {"0": 64Gi}`);
  else if (p.path[0] === "topology") message = `${message} (the node's memory in bytes)`;
  return { ...p, message: `${message}; ${CAPTURE_HINT}` };
}
