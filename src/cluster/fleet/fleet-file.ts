import type { Document } from "yaml";
import { z } from "zod";
import { type FieldPath, InputError, parseYamlDocument } from "../../k8s/index.js";

/**
 * The fleet file: `kind: Fleet` of `podpin.io/v1alpha1`, naming node groups (a machine, a kubelet
 * configuration, a count) and a workload list (pod or workload manifests, each with an optional
 * `replicas` multiplier). Read with the project's YAML reader (its limits, line numbers); every
 * mistake is one `file:line: field: what was expected` error.
 */

export const FLEET_API_VERSION = "podpin.io/v1alpha1";

/** Nodes in one fleet file, all groups together: far above the benchmark's 1,000. */
export const MAX_FLEET_NODES = 10_000;
/** Pods after every multiplier: far above the benchmark's 20,000. */
export const MAX_FLEET_PODS = 200_000;

const name = z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, "expected a DNS label (a-z, 0-9, -)");

const nodeGroupSchema = z.strictObject({
  name: name.optional(),
  count: z.number().int().min(1).max(MAX_FLEET_NODES),
  machine: z.string().min(1),
  kubeletConfig: z.union([z.string().min(1), z.record(z.string(), z.unknown())]).optional(),
  kubeletFlags: z.string().optional(),
  kubernetesVersion: z.enum(["1.36", "1.37"]).optional(),
});

const workloadSchema = z
  .strictObject({
    name: name.optional(),
    file: z.string().min(1).optional(),
    manifest: z
      .union([z.record(z.string(), z.unknown()), z.array(z.record(z.string(), z.unknown()))])
      .optional(),
    replicas: z.number().int().min(1).max(MAX_FLEET_PODS).optional(),
  })
  .refine((w) => (w.file === undefined) !== (w.manifest === undefined), {
    message: "expected exactly one of file (a manifest file) or manifest (an inline object or list)",
  });

const schedulerSchema = z.strictObject({
  topologyMatchScoring: z.enum(["None", "LeastAllocated"]).optional(),
});

const fleetSchema = z.strictObject({
  apiVersion: z.literal(FLEET_API_VERSION),
  kind: z.literal("Fleet"),
  metadata: z.strictObject({ name: z.string().optional() }).optional(),
  scheduler: schedulerSchema.optional(),
  nodeGroups: z.array(nodeGroupSchema).min(1, "expected at least one node group"),
  workloads: z.array(workloadSchema).min(1, "expected at least one workload"),
});

export type FleetFile = z.infer<typeof fleetSchema>;
export type NodeGroupEntry = z.infer<typeof nodeGroupSchema>;
export type WorkloadEntry = z.infer<typeof workloadSchema>;

/** The line of the field at `path` (of the deepest part of it the document has). */
function lineOf(
  doc: Document,
  lines: { linePos(o: number): { line: number } },
  path: FieldPath,
): number | undefined {
  for (let n = path.length; n >= 0; n--) {
    const node = doc.getIn(path.slice(0, n), true) as { range?: [number, number, number] } | undefined;
    const start = node?.range?.[0];
    if (start !== undefined) return lines.linePos(start).line;
  }
  return undefined;
}

const TYPE_WORDS: Record<string, string> = {
  int: "a whole number",
  number: "a number",
  string: "a string",
  array: "a list",
  object: "a mapping",
  record: "a mapping",
};

function issueText(issue: z.core.$ZodIssue): string {
  if (issue.code === "unrecognized_keys")
    return `unknown field ${issue.keys.map((k) => JSON.stringify(k)).join(", ")}`;
  if (issue.code === "invalid_value")
    return `expected ${issue.values.map((v) => JSON.stringify(v)).join(" or ")}`;
  if (issue.code === "invalid_type") return `expected ${TYPE_WORDS[issue.expected] ?? issue.expected}`;
  if (issue.code === "invalid_union") return "expected a file path (a string) or an inline mapping";
  return issue.message;
}

/** The fleet file's text, checked; `file` names it in errors. */
export function parseFleetFile(text: string, file: string): FleetFile {
  const parsed = parseYamlDocument(text, file, { version: "1.2" });
  if (!parsed || parsed.data === null || typeof parsed.data !== "object" || Array.isArray(parsed.data))
    throw new InputError(
      { file, line: 1 },
      "",
      `expected a mapping of kind: Fleet, apiVersion: ${FLEET_API_VERSION}`,
    );
  const result = fleetSchema.safeParse(parsed.data);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const path = issue.path.filter((p): p is string | number => typeof p !== "symbol");
  // An unknown key is reported at the key itself.
  const at = issue.code === "unrecognized_keys" ? [...path, issue.keys[0]] : path;
  throw new InputError({ file, line: lineOf(parsed.doc, parsed.lines, at) }, at, issueText(issue));
}
