import { z } from "zod";
import { type FieldPath, InputError } from "./input-error.js";
import { applyApiDefaults } from "./pod-defaults.js";
import {
  containerPortsOf,
  containerSchedulingShape,
  metadataSchedulingShape,
  podSchedulingFields,
  specSchedulingShape,
} from "./pod-scheduling.js";
import { resourceListAt } from "./quantity-input.js";
import {
  checkShape,
  lenientFields,
  lineNear,
  METADATA_FIELDS,
  optionalMap,
  quantityInput,
  strictFields,
} from "./schema.js";
import type { Container, Pod, QOSClass, ResourceRequirements } from "./types.js";
import { podUIDFor } from "./uid.js";
import { dataDocument, parseDocuments, type SourceDocument } from "./yaml-source.js";

/**
 * Reading Pods from manifests: a single Pod, a multi-document YAML stream, or a `kind: List`
 * (`PodList`) with `items`, in YAML or JSON.
 *
 * Field policy: `resources` stanzas are strict (only `requests`, `limits`, and for containers
 * `claims`; every value a quantity), because a typo there silently changes a pod's QoS and
 * placement. Elsewhere the many fields podpin does not use (image, ports, env, volumes, ...) are
 * accepted, except near misses of a real field name (`resource:`, `initcontainers:`), which are
 * refused with a hint.
 */

const CONTAINER_FIELDS = [
  "name",
  "image",
  "command",
  "args",
  "workingDir",
  "ports",
  "envFrom",
  "env",
  "resources",
  "resizePolicy",
  "restartPolicy",
  "restartPolicyRules",
  "volumeMounts",
  "volumeDevices",
  "livenessProbe",
  "readinessProbe",
  "startupProbe",
  "lifecycle",
  "terminationMessagePath",
  "terminationMessagePolicy",
  "imagePullPolicy",
  "securityContext",
  "stdin",
  "stdinOnce",
  "tty",
];

const POD_SPEC_FIELDS = [
  "volumes",
  "initContainers",
  "containers",
  "ephemeralContainers",
  "restartPolicy",
  "terminationGracePeriodSeconds",
  "activeDeadlineSeconds",
  "dnsPolicy",
  "nodeSelector",
  "serviceAccountName",
  "serviceAccount",
  "automountServiceAccountToken",
  "nodeName",
  "hostNetwork",
  "hostPID",
  "hostIPC",
  "shareProcessNamespace",
  "securityContext",
  "imagePullSecrets",
  "hostname",
  "subdomain",
  "affinity",
  "schedulerName",
  "tolerations",
  "hostAliases",
  "priorityClassName",
  "priority",
  "dnsConfig",
  "readinessGates",
  "runtimeClassName",
  "enableServiceLinks",
  "preemptionPolicy",
  "overhead",
  "topologySpreadConstraints",
  "setHostnameAsFQDN",
  "os",
  "hostUsers",
  "schedulingGates",
  "resourceClaims",
  "resources",
  "hostnameOverride",
];

const resourceList = optionalMap(z.record(z.string(), quantityInput));

const containerResources = strictFields({
  requests: resourceList,
  limits: resourceList,
  claims: z.array(z.unknown()).nullish(),
});

const podResources = strictFields({
  requests: resourceList,
  limits: resourceList,
  claims: z
    .custom((v) => v === undefined || v === null, {
      message: "claims cannot be set for Resources at pod-level",
    })
    .optional(),
});

const containerSchema = lenientFields(
  {
    name: z.string(),
    restartPolicy: z.string().nullish(),
    resources: containerResources.nullish(),
    ...containerSchedulingShape,
  },
  CONTAINER_FIELDS,
);

const podSchema = strictFields({
  apiVersion: z.literal("v1").optional(),
  kind: z.literal("Pod").optional(),
  metadata: lenientFields(
    {
      name: z.string().nullish(),
      namespace: z.string().nullish(),
      uid: z.string().nullish(),
      ...metadataSchedulingShape,
    },
    METADATA_FIELDS,
  ).nullish(),
  spec: lenientFields(
    {
      containers: z.array(containerSchema).nullish(),
      initContainers: z.array(containerSchema).nullish(),
      resources: podResources.nullish(),
      os: lenientFields({ name: z.string() }, ["name"]).nullish(),
      ...specSchedulingShape,
    },
    POD_SPEC_FIELDS,
  ),
  status: z.looseObject({ qosClass: z.enum(["Guaranteed", "Burstable", "BestEffort"]).optional() }).nullish(),
});

const listSchema = strictFields({
  apiVersion: z.literal("v1").optional(),
  kind: z.enum(["List", "PodList"]),
  metadata: z.unknown().optional(),
  items: z.array(z.unknown()),
});

export interface ParsePodsOptions {
  /**
   * Apply the API server's defaulting to the resource fields (see `applyApiDefaults`). On by
   * default: the kubelet only ever sees defaulted pods. Off reproduces tests that hand raw pod
   * objects to the QoS computation.
   */
  applyDefaults?: boolean;
}

type PodShape = z.infer<typeof podSchema>;
type ContainerShape = z.infer<typeof containerSchema>;

function requirementsAt(
  r: { requests?: Record<string, unknown> | null; limits?: Record<string, unknown> | null },
  doc: SourceDocument,
  path: FieldPath,
  file: string,
): ResourceRequirements {
  return {
    requests: resourceListAt(r.requests as Record<string, string | number>, doc, [...path, "requests"], file),
    limits: resourceListAt(r.limits as Record<string, string | number>, doc, [...path, "limits"], file),
  };
}

function containerAt(c: ContainerShape, doc: SourceDocument, path: FieldPath, file: string): Container {
  const out: Container = {
    name: c.name,
    resources: c.resources ? requirementsAt(c.resources, doc, [...path, "resources"], file) : null,
  };
  if (typeof c.restartPolicy === "string") out.restartPolicy = c.restartPolicy;
  const ports = containerPortsOf(c.ports);
  if (ports) out.ports = ports;
  return out;
}

function podAt(
  shape: PodShape,
  doc: SourceDocument,
  prefix: FieldPath,
  file: string,
  options: ParsePodsOptions,
): Pod {
  const meta = shape.metadata ?? {};
  const name = meta.name ?? "";
  const namespace = meta.namespace || "default";
  if (!name && !meta.uid) {
    const path = [...prefix, "metadata", "name"];
    throw new InputError(
      { file, line: lineNear(doc, path) },
      path,
      "required field is missing (a pod needs a name or a uid)",
    );
  }
  const spec = shape.spec;
  const specPath = [...prefix, "spec"];
  const list = (items: ContainerShape[] | null | undefined, field: string): Container[] =>
    (items ?? []).map((c, i) => containerAt(c, doc, [...specPath, field, i], file));
  let pod: Pod = {
    uid: meta.uid || podUIDFor(namespace, name),
    name,
    namespace,
    initContainers: list(spec.initContainers, "initContainers"),
    containers: list(spec.containers, "containers"),
    resources: spec.resources ? requirementsAt(spec.resources, doc, [...specPath, "resources"], file) : null,
  };
  const qos = shape.status?.qosClass as QOSClass | undefined;
  if (qos) pod.qosClass = qos;
  if (spec.os?.name) pod.os = spec.os.name;
  Object.assign(pod, podSchedulingFields(meta, spec, doc, specPath, file, options.applyDefaults ?? true));
  if (options.applyDefaults ?? true) pod = applyApiDefaults(pod);
  return pod;
}

function isListObject(data: unknown): boolean {
  if (!data || typeof data !== "object" || Array.isArray(data)) return false;
  const kind = (data as { kind?: unknown }).kind;
  return kind === "List" || kind === "PodList" || (kind === undefined && "items" in data);
}

function podsOfDocument(doc: SourceDocument, file: string, options: ParsePodsOptions): Pod[] {
  if (!isListObject(doc.data)) {
    if (!doc.data || typeof doc.data !== "object" || Array.isArray(doc.data)) {
      throw new InputError(
        { file, line: doc.lineOf([]) },
        "",
        "expected a Pod or a List of Pods (a mapping)",
      );
    }
    return [podAt(checkShape(podSchema, doc.data, doc, file), doc, [], file, options)];
  }
  const list = checkShape(listSchema, doc.data, doc, file);
  return list.items.map((item, i) => {
    const prefix = ["items", i];
    return podAt(checkShape(podSchema, item, doc, file, prefix), doc, prefix, file, options);
  });
}

/** Every Pod in `text` (YAML or JSON), in document order. `file` names the source in errors. */
export function parsePods(text: string, file: string, options: ParsePodsOptions = {}): Pod[] {
  return parseDocuments(text, file).flatMap((doc) => podsOfDocument(doc, file, options));
}

/** A Pod from already-parsed JSON (a conformance case); `what` names it in errors. */
export function podFromObject(data: unknown, what: string, options: ParsePodsOptions = {}): Pod {
  const pods = podsOfDocument(dataDocument(data), what, options);
  if (pods.length !== 1) throw new InputError({ file: what }, "", `expected one Pod, got ${pods.length}`);
  return pods[0];
}

/**
 * One Pod object found at `prefix` of `doc` (an item of a List, a workload's pod template made into
 * the pod its controller creates), read like a top-level Pod; errors name the path from the root.
 */
export function podAtPath(
  data: unknown,
  doc: SourceDocument,
  prefix: FieldPath,
  file: string,
  options: ParsePodsOptions = {},
): Pod {
  return podAt(checkShape(podSchema, data, doc, file, prefix), doc, prefix, file, options);
}
