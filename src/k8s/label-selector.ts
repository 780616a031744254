import { type FieldError, forbidden, goQuote, invalid, required } from "./field-error.js";

/**
 * `metav1.LabelSelector` as the workload controllers use it: does the selector pick the pods of
 * its own template? The API server refuses a workload whose selector does not, with
 * "`selector` does not match template `labels`".
 */

export interface LabelSelectorRequirement {
  key: string;
  operator: string;
  values?: string[] | null;
}

export interface LabelSelector {
  matchLabels?: Record<string, string> | null;
  matchExpressions?: LabelSelectorRequirement[] | null;
}

const OPERATORS = new Set(["In", "NotIn", "Exists", "DoesNotExist"]);

/** The operator and values checks of `ValidateLabelSelector`. */
export function labelSelectorErrors(sel: LabelSelector, path: string): FieldError[] {
  const errs: FieldError[] = [];
  (sel.matchExpressions ?? []).forEach((r, i) => {
    const at = `${path}.matchExpressions[${i}]`;
    const n = r.values?.length ?? 0;
    if (!OPERATORS.has(r.operator)) {
      errs.push(invalid(`${at}.operator`, goQuote(r.operator), "not a valid selector operator"));
    } else if ((r.operator === "In" || r.operator === "NotIn") && n === 0) {
      errs.push(required(`${at}.values`, "must be specified when `operator` is 'In' or 'NotIn'"));
    } else if ((r.operator === "Exists" || r.operator === "DoesNotExist") && n > 0) {
      errs.push(
        forbidden(`${at}.values`, "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"),
      );
    }
  });
  return errs;
}

function requirementMatches(r: LabelSelectorRequirement, labels: Record<string, string>): boolean {
  const present = Object.hasOwn(labels, r.key);
  const values = r.values ?? [];
  switch (r.operator) {
    case "In":
      return present && values.includes(labels[r.key]);
    case "NotIn":
      return !present || !values.includes(labels[r.key]);
    case "Exists":
      return present;
    case "DoesNotExist":
      return !present;
    default:
      return false;
  }
}

/**
 * `LabelSelectorAsSelector(sel).Matches(labels)`. A missing selector selects nothing; an empty one
 * selects everything.
 */
export function selectorMatches(
  sel: LabelSelector | null | undefined,
  labels: Record<string, string>,
): boolean {
  if (!sel) return false;
  for (const [k, v] of Object.entries(sel.matchLabels ?? {})) if (labels[k] !== v) return false;
  return (sel.matchExpressions ?? []).every((r) => requirementMatches(r, labels));
}

export function selectorIsEmpty(sel: LabelSelector): boolean {
  return Object.keys(sel.matchLabels ?? {}).length + (sel.matchExpressions ?? []).length === 0;
}

/** Go's `%#v` of a `map[string]string`, as the API server prints a template's labels. */
export function goStringMap(labels: Record<string, string> | null | undefined): string {
  if (!labels) return "map[string]string(nil)";
  const keys = Object.keys(labels).sort();
  const body = keys.map((k) => `${goQuote(k)}:${goQuote(labels[k])}`).join(", ");
  return `map[string]string{${body}}`;
}
