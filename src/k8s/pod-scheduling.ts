import { z } from "zod";
import type { FieldPath } from "./input-error.js";
import { resourceListAt } from "./quantity-input.js";
import { lenientFields, optionalMap, quantityInput, strictFields } from "./schema.js";
import type {
  Affinity,
  ContainerPort,
  NodeSelectorRequirement,
  NodeSelectorTerm,
  Toleration,
} from "./scheduling-types.js";
import type { Pod } from "./types.js";
import type { SourceDocument } from "./yaml-source.js";

/**
 * Reading the pod fields the predicate admit handler uses besides resources: labels and
 * annotations, node name, node selector, required node affinity, tolerations, priority, overhead,
 * the supplemental-groups policy, and container ports. Shapes are checked here; the API server's
 * value rules (port ranges, operators, effects) are in `validate-scheduling.ts`.
 */

const stringMap = optionalMap(z.record(z.string(), z.string()));
const int = z.number().int();

const requirementSchema = strictFields({
  key: z.string(),
  operator: z.string(),
  values: z.array(z.string()).nullish(),
});

const termSchema = strictFields({
  matchExpressions: z.array(requirementSchema).nullish(),
  matchFields: z.array(requirementSchema).nullish(),
});

const affinitySchema = lenientFields(
  {
    nodeAffinity: lenientFields(
      {
        requiredDuringSchedulingIgnoredDuringExecution: strictFields({
          nodeSelectorTerms: z.array(termSchema),
        }).nullish(),
      },
      ["preferredDuringSchedulingIgnoredDuringExecution"],
    ).nullish(),
  },
  ["podAffinity", "podAntiAffinity"],
);

const tolerationSchema = strictFields({
  key: z.string().nullish(),
  operator: z.string().nullish(),
  value: z.string().nullish(),
  effect: z.string().nullish(),
  tolerationSeconds: int.nullish(),
});

const POD_SECURITY_CONTEXT_FIELDS = [
  "seLinuxOptions",
  "windowsOptions",
  "runAsUser",
  "runAsGroup",
  "runAsNonRoot",
  "supplementalGroups",
  "fsGroup",
  "sysctls",
  "fsGroupChangePolicy",
  "seccompProfile",
  "appArmorProfile",
  "seLinuxChangePolicy",
];

/** Fields of `metadata` read here, to spread into the metadata shape. */
export const metadataSchedulingShape = {
  labels: stringMap,
  annotations: stringMap,
};

/** Fields of `spec` read here, to spread into the pod spec shape. */
export const specSchedulingShape = {
  nodeName: z.string().nullish(),
  nodeSelector: stringMap,
  affinity: affinitySchema.nullish(),
  tolerations: z.array(tolerationSchema).nullish(),
  priority: int.nullish(),
  priorityClassName: z.string().nullish(),
  overhead: optionalMap(z.record(z.string(), quantityInput)),
  securityContext: lenientFields(
    { supplementalGroupsPolicy: z.string().nullish() },
    POD_SECURITY_CONTEXT_FIELDS,
  ).nullish(),
};

const portSchema = lenientFields(
  {
    containerPort: int,
    hostPort: int.nullish(),
    hostIP: z.string().nullish(),
    protocol: z.string().nullish(),
    name: z.string().nullish(),
  },
  [],
);

/** Fields of a container read here, to spread into the container shape. */
export const containerSchedulingShape = {
  ports: z.array(portSchema).nullish(),
};

type MetadataShape = { labels?: Record<string, string> | null; annotations?: Record<string, string> | null };
type SpecShape = z.infer<z.ZodObject<typeof specSchedulingShape>>;
type PortShape = z.infer<typeof portSchema>;

/**
 * The priority the API server's `Priority` admission plugin gives the two built-in classes when a
 * pod names one without a `priority` (it always fills the field in; other classes live in the
 * cluster, which podpin does not see).
 */
const BUILTIN_PRIORITY_CLASSES: Readonly<Record<string, number>> = {
  "system-node-critical": 2_000_001_000,
  "system-cluster-critical": 2_000_000_000,
};

function requirementOf(r: z.infer<typeof requirementSchema>): NodeSelectorRequirement {
  const out: NodeSelectorRequirement = { key: r.key, operator: r.operator };
  if (r.values) out.values = [...r.values];
  return out;
}

function termOf(t: z.infer<typeof termSchema>): NodeSelectorTerm {
  const out: NodeSelectorTerm = {};
  if (t.matchExpressions) out.matchExpressions = t.matchExpressions.map(requirementOf);
  if (t.matchFields) out.matchFields = t.matchFields.map(requirementOf);
  return out;
}

function affinityOf(a: NonNullable<SpecShape["affinity"]>): Affinity | undefined {
  const required = a.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
  if (!required) return undefined;
  return {
    nodeAffinity: {
      requiredDuringSchedulingIgnoredDuringExecution: {
        nodeSelectorTerms: required.nodeSelectorTerms.map(termOf),
      },
    },
  };
}

function tolerationOf(t: z.infer<typeof tolerationSchema>): Toleration {
  const out: Toleration = {};
  if (typeof t.key === "string") out.key = t.key;
  if (typeof t.operator === "string") out.operator = t.operator;
  if (typeof t.value === "string") out.value = t.value;
  if (typeof t.effect === "string") out.effect = t.effect;
  if (typeof t.tolerationSeconds === "number") out.tolerationSeconds = t.tolerationSeconds;
  return out;
}

/** The scheduling fields of a pod as `Pod` properties (absent ones left out). */
export function podSchedulingFields(
  meta: MetadataShape,
  spec: SpecShape,
  doc: SourceDocument,
  specPath: FieldPath,
  file: string,
  applyDefaults: boolean,
): Partial<Pod> {
  const out: Partial<Pod> = {};
  if (meta.labels) out.labels = { ...meta.labels };
  if (meta.annotations) out.annotations = { ...meta.annotations };
  if (spec.nodeName) out.nodeName = spec.nodeName;
  if (spec.nodeSelector) out.nodeSelector = { ...spec.nodeSelector };
  const affinity = spec.affinity ? affinityOf(spec.affinity) : undefined;
  if (affinity) out.affinity = affinity;
  if (spec.tolerations) out.tolerations = spec.tolerations.map(tolerationOf);
  if (typeof spec.priorityClassName === "string" && spec.priorityClassName)
    out.priorityClassName = spec.priorityClassName;
  if (typeof spec.priority === "number") out.priority = spec.priority;
  else if (
    applyDefaults &&
    out.priorityClassName &&
    Object.hasOwn(BUILTIN_PRIORITY_CLASSES, out.priorityClassName)
  )
    out.priority = BUILTIN_PRIORITY_CLASSES[out.priorityClassName];
  if (spec.overhead)
    out.overhead = resourceListAt(
      spec.overhead as Record<string, string | number>,
      doc,
      [...specPath, "overhead"],
      file,
    );
  const sgp = spec.securityContext?.supplementalGroupsPolicy;
  if (typeof sgp === "string") out.supplementalGroupsPolicy = sgp;
  return out;
}

/** A container's ports, or undefined when it lists none. */
export function containerPortsOf(ports: PortShape[] | null | undefined): ContainerPort[] | undefined {
  if (!ports || ports.length === 0) return undefined;
  return ports.map((p) => {
    const out: ContainerPort = { containerPort: p.containerPort };
    if (typeof p.hostPort === "number") out.hostPort = p.hostPort;
    if (typeof p.hostIP === "string") out.hostIP = p.hostIP;
    if (typeof p.protocol === "string") out.protocol = p.protocol;
    if (typeof p.name === "string") out.name = p.name;
    return out;
  });
}
