import { qualifiedNameProblems } from "../core/index.js";
import {
  type FieldError,
  forbidden,
  goQuote,
  invalid,
  notSupported,
  required,
  tooLong,
} from "./field-error.js";
import type { NodeSelectorRequirement } from "./scheduling-types.js";
import type { Container, Pod } from "./types.js";

/**
 * The API server's checks of the pod fields the predicate handler reads besides resources (core
 * `ValidatePodSpec`: container ports, node selector, required node affinity, tolerations, the
 * supplemental-groups policy), with its field paths and messages. Map keys are taken in ascending
 * order where Go walks a map.
 */

const PROTOCOLS = ["SCTP", "TCP", "UDP"];
const TOLERATION_OPERATORS = ["Equal", "Exists"];
const TAINT_EFFECTS = ["NoExecute", "NoSchedule", "PreferNoSchedule"];
const SELECTOR_OPERATORS = new Set(["In", "NotIn", "Exists", "DoesNotExist", "Gt", "Lt"]);
const SUPPLEMENTAL_GROUPS_POLICIES = ["Merge", "Strict"];
/**
 * The comparison operators of the alpha gate `TaintTolerationComparisonOperators`. podpin models
 * the gate off (OPEN NA-9, node-admission.md §11): such a toleration is accepted with a warning
 * (see `tolerationWarnings`) and tolerates nothing.
 */
const ALPHA_TOLERATION_OPERATORS = new Set(["Gt", "Lt"]);

const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const LABEL_VALUE_MSG =
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";

function labelValueErrors(value: string, field: string): FieldError[] {
  const errs: FieldError[] = [];
  if (value.length > 63) errs.push(invalid(field, goQuote(value), "must be no more than 63 characters"));
  if (!LABEL_VALUE.test(value)) errs.push(invalid(field, goQuote(value), LABEL_VALUE_MSG));
  return errs;
}

function labelKeyErrors(key: string, field: string): FieldError[] {
  return qualifiedNameProblems(key).map((p) => invalid(field, goQuote(key), p));
}

/** apimachinery's `TotalAnnotationSizeLimitB`: keys and values of all annotations, in bytes. */
export const TOTAL_ANNOTATION_SIZE_LIMIT = 256 * 1024;

const byKey = (m: Readonly<Record<string, string>>): [string, string][] =>
  Object.entries(m).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));

/**
 * `ValidateObjectMeta`'s labels and annotations: `ValidateLabels` (qualified-name keys, values of at
 * most 63 characters) and `ValidateAnnotations` (qualified-name keys, case ignored; 256 KiB in all).
 * Go walks the maps in random order; podpin reports in key order.
 */
export function labelsAndAnnotationsErrors(
  meta: { labels?: Readonly<Record<string, string>>; annotations?: Readonly<Record<string, string>> },
  path = "metadata",
): FieldError[] {
  const errs: FieldError[] = [];
  for (const [k, v] of byKey(meta.labels ?? {})) {
    errs.push(...labelKeyErrors(k, `${path}.labels`));
    errs.push(...labelValueErrors(v, `${path}.labels`));
  }
  let size = 0;
  for (const [k, v] of byKey(meta.annotations ?? {})) {
    for (const p of qualifiedNameProblems(k.toLowerCase()))
      errs.push(invalid(`${path}.annotations`, goQuote(k), p));
    size += Buffer.byteLength(k) + Buffer.byteLength(v);
  }
  if (size > TOTAL_ANNOTATION_SIZE_LIMIT)
    errs.push(tooLong(`${path}.annotations`, TOTAL_ANNOTATION_SIZE_LIMIT));
  return errs;
}

function portRangeErrors(port: number, field: string): FieldError[] {
  if (port >= 1 && port <= 65535) return [];
  return [invalid(field, String(port), "must be between 1 and 65535, inclusive")];
}

function portErrors(c: Container, path: string): FieldError[] {
  const errs: FieldError[] = [];
  (c.ports ?? []).forEach((p, i) => {
    const at = `${path}.ports[${i}]`;
    errs.push(...portRangeErrors(p.containerPort, `${at}.containerPort`));
    if (p.hostPort !== undefined && p.hostPort !== 0)
      errs.push(...portRangeErrors(p.hostPort, `${at}.hostPort`));
    if (p.protocol !== undefined && !PROTOCOLS.includes(p.protocol))
      errs.push(notSupported(`${at}.protocol`, goQuote(p.protocol), PROTOCOLS));
  });
  return errs;
}

function requirementErrors(r: NodeSelectorRequirement, path: string, fieldSelector: boolean): FieldError[] {
  const values = r.values ?? [];
  if (fieldSelector) {
    if (r.key !== "metadata.name")
      return [invalid(`${path}.key`, goQuote(r.key), "not a valid field selector key")];
    if (r.operator !== "In" && r.operator !== "NotIn")
      return [invalid(`${path}.operator`, goQuote(r.operator), "not a valid selector operator")];
    if (values.length !== 1)
      return [
        required(
          `${path}.values`,
          "must be only one value when `operator` is 'In' or 'NotIn' for node field selector",
        ),
      ];
    return [];
  }
  const errs: FieldError[] = [];
  switch (r.operator) {
    case "In":
    case "NotIn":
      if (values.length === 0)
        errs.push(required(`${path}.values`, "must be specified when `operator` is 'In' or 'NotIn'"));
      break;
    case "Exists":
    case "DoesNotExist":
      if (values.length > 0)
        errs.push(
          forbidden(`${path}.values`, "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"),
        );
      break;
    case "Gt":
    case "Lt":
      if (values.length !== 1)
        errs.push(
          required(`${path}.values`, "must be specified single value when `operator` is 'Lt' or 'Gt'"),
        );
      break;
    default:
      if (!SELECTOR_OPERATORS.has(r.operator))
        errs.push(invalid(`${path}.operator`, goQuote(r.operator), "not a valid selector operator"));
  }
  errs.push(...labelKeyErrors(r.key, `${path}.key`));
  return errs;
}

function affinityErrors(pod: Pod): FieldError[] {
  const required0 = pod.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
  if (!required0) return [];
  const path = "spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution";
  if (required0.nodeSelectorTerms.length === 0)
    return [required(`${path}.nodeSelectorTerms`, "must have at least one node selector term")];
  const errs: FieldError[] = [];
  required0.nodeSelectorTerms.forEach((t, i) => {
    const at = `${path}.nodeSelectorTerms[${i}]`;
    (t.matchExpressions ?? []).forEach((r, j) => {
      errs.push(...requirementErrors(r, `${at}.matchExpressions[${j}]`, false));
    });
    (t.matchFields ?? []).forEach((r, j) => {
      errs.push(...requirementErrors(r, `${at}.matchFields[${j}]`, true));
    });
  });
  return errs;
}

function tolerationErrors(pod: Pod): FieldError[] {
  const errs: FieldError[] = [];
  (pod.tolerations ?? []).forEach((t, i) => {
    const at = `spec.tolerations[${i}]`;
    const key = t.key ?? "";
    const operator = t.operator ?? "";
    if (key !== "") errs.push(...labelKeyErrors(key, `${at}.key`));
    if (key === "" && operator !== "Exists" && !ALPHA_TOLERATION_OPERATORS.has(operator)) {
      errs.push(
        invalid(
          `${at}.operator`,
          goQuote(operator),
          'operator must be Exists when `key` is empty, which means "match all values and all keys"',
        ),
      );
    }
    if (t.tolerationSeconds !== undefined && t.effect !== "NoExecute") {
      errs.push(
        invalid(
          `${at}.effect`,
          goQuote(t.effect ?? ""),
          "effect must be 'NoExecute' when `tolerationSeconds` is set",
        ),
      );
    }
    if (operator === "" || operator === "Equal") errs.push(...labelValueErrors(t.value ?? "", `${at}.value`));
    else if (operator === "Exists") {
      if ((t.value ?? "") !== "")
        errs.push(
          invalid(`${at}.operator`, goQuote(operator), "value must be empty when `operator` is 'Exists'"),
        );
    } else if (!ALPHA_TOLERATION_OPERATORS.has(operator)) {
      errs.push(notSupported(`${at}.operator`, goQuote(operator), TOLERATION_OPERATORS));
    }
    if (t.effect !== undefined && t.effect !== "" && !TAINT_EFFECTS.includes(t.effect))
      errs.push(notSupported(`${at}.effect`, goQuote(t.effect), TAINT_EFFECTS));
  });
  return errs;
}

function nodeSelectorErrors(pod: Pod): FieldError[] {
  const errs: FieldError[] = [];
  for (const key of Object.keys(pod.nodeSelector ?? {}).sort()) {
    errs.push(...labelKeyErrors(key, "spec.nodeSelector"));
    errs.push(...labelValueErrors(pod.nodeSelector![key], `spec.nodeSelector[${key}]`));
  }
  return errs;
}

/** Every error of the scheduling fields, in the API server's order within them. */
export function schedulingErrors(pod: Pod): FieldError[] {
  const errs: FieldError[] = [];
  pod.containers.forEach((c, i) => {
    errs.push(...portErrors(c, `spec.containers[${i}]`));
  });
  pod.initContainers.forEach((c, i) => {
    errs.push(...portErrors(c, `spec.initContainers[${i}]`));
  });
  errs.push(...nodeSelectorErrors(pod));
  errs.push(...affinityErrors(pod));
  errs.push(...tolerationErrors(pod));
  const sgp = pod.supplementalGroupsPolicy;
  if (sgp !== undefined && !SUPPLEMENTAL_GROUPS_POLICIES.includes(sgp)) {
    errs.push(
      notSupported(
        "spec.securityContext.supplementalGroupsPolicy",
        goQuote(sgp),
        SUPPLEMENTAL_GROUPS_POLICIES,
      ),
    );
  }
  return errs;
}

/**
 * Warnings (not errors) about tolerations the kubelet podpin models cannot use: the `Gt`/`Lt`
 * operators of an alpha gate that is off tolerate no taint.
 */
export function tolerationWarnings(pod: Pod): string[] {
  const out: string[] = [];
  (pod.tolerations ?? []).forEach((t, i) => {
    if (t.operator && ALPHA_TOLERATION_OPERATORS.has(t.operator)) {
      out.push(
        `spec.tolerations[${i}].operator: ${t.operator} needs the alpha feature gate TaintTolerationComparisonOperators, which podpin models as off; this toleration tolerates no taint`,
      );
    }
  });
  return out;
}
