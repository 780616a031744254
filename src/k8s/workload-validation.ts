import { CronParseError, isKnownTimeZone, parseCronSchedule } from "./cron-schedule.js";
import { type FieldError, goQuote, invalid, notSupported, required } from "./field-error.js";
import {
  goStringMap,
  type LabelSelector,
  labelSelectorErrors,
  selectorIsEmpty,
  selectorMatches,
} from "./label-selector.js";
import type { JobSpecShape, WorkloadKind } from "./workload-kinds.js";

/**
 * The API server's checks of a workload's own fields (apps and batch `Validate<Kind>Spec`), the
 * parts that decide whether and which pods exist: counts, selectors against the template's labels,
 * the template's restart policy, Job completion modes and CronJob schedules. The pod template's pod
 * spec is checked by the Pod validation (`validate.ts`), under the template's path.
 */

const NONNEGATIVE = "must be greater than or equal to 0";

export function nonnegative(value: number | null | undefined, field: string): FieldError[] {
  return value !== null && value !== undefined && value < 0
    ? [invalid(field, String(value), NONNEGATIVE)]
    : [];
}

/** Go's `%#v` of a `metav1.LabelSelector` value, as the "empty selector" error prints it. */
function goSelector(sel: LabelSelector): string {
  const ml = sel.matchLabels ? "map[string]string{}" : "map[string]string(nil)";
  const me = sel.matchExpressions ? "[]v1.LabelSelectorRequirement{}" : "[]v1.LabelSelectorRequirement(nil)";
  return `v1.LabelSelector{MatchLabels:${ml}, MatchExpressions:${me}}`;
}

const NO_MATCH = "`selector` does not match template `labels`";

/**
 * Selector checks of Deployment, ReplicaSet, StatefulSet (a selector is required, must not be
 * empty, and must select the template) and DaemonSet (not required; a missing one selects nothing).
 */
export function selectorErrors(
  kind: WorkloadKind,
  selector: LabelSelector | null | undefined,
  templateLabels: Record<string, string> | null | undefined,
  labelsField: string,
): FieldError[] {
  const errs: FieldError[] = [];
  const noun = kind.toLowerCase();
  // A selector that does not convert (a bad operator) is not matched against the template.
  const convertible = !selector || labelSelectorErrors(selector, "spec.selector").length === 0;
  const mismatch = (): FieldError[] =>
    !convertible || selectorMatches(selector, templateLabels ?? {})
      ? []
      : [invalid(labelsField, goStringMap(templateLabels), NO_MATCH)];
  if (kind === "DaemonSet") {
    if (selector) errs.push(...labelSelectorErrors(selector, "spec.selector"));
    errs.push(...mismatch());
    if (selector && selectorIsEmpty(selector))
      errs.push(invalid("spec.selector", goSelector(selector), `empty selector is invalid for ${noun}`));
    return errs;
  }
  if (!selector) errs.push(required("spec.selector"));
  else {
    errs.push(...labelSelectorErrors(selector, "spec.selector"));
    if (selectorIsEmpty(selector))
      errs.push(invalid("spec.selector", goSelector(selector), `empty selector is invalid for ${noun}`));
  }
  // An empty selector selects everything, so only a missing or non-empty one can miss the template.
  if (!selector || !selectorIsEmpty(selector)) errs.push(...mismatch());
  return errs;
}

/** `ValidateReplicationControllerSpec`'s selector rules: a map, defaulted to the template's labels. */
export function rcSelectorErrors(
  selector: Record<string, string>,
  templateLabels: Record<string, string> | null | undefined,
): FieldError[] {
  if (Object.keys(selector).length === 0) return [required("spec.selector")];
  const matches = Object.entries(selector).every(([k, v]) => templateLabels?.[k] === v);
  return matches ? [] : [invalid("spec.template.metadata.labels", goStringMap(templateLabels), NO_MATCH)];
}

/** The template's restart policy against the kind's accepted ones (defaulted to `Always`). */
export function restartPolicyErrors(
  policy: unknown,
  accepted: readonly string[],
  field: string,
): FieldError[] {
  const value = typeof policy === "string" && policy !== "" ? policy : "Always";
  return accepted.includes(value) ? [] : [notSupported(field, goQuote(value), accepted)];
}

/** `validateJobSpec`'s count and completion-mode rules, under `path` (`spec` or a job template's). */
export function jobSpecErrors(spec: JobSpecShape, path: string): FieldError[] {
  const errs = [
    ...nonnegative(spec.parallelism, `${path}.parallelism`),
    ...nonnegative(spec.completions, `${path}.completions`),
  ];
  const mode = spec.completionMode;
  if (mode !== null && mode !== undefined && mode !== "NonIndexed" && mode !== "Indexed") {
    errs.push(notSupported(`${path}.completionMode`, goQuote(mode), ["NonIndexed", "Indexed"]));
  } else if (mode === "Indexed" && (spec.completions === null || spec.completions === undefined)) {
    errs.push(required(`${path}.completions`, "when completion mode is Indexed"));
  }
  return errs;
}

/** A Job's name becomes the value of its pods' `job-name` labels, which hold at most 63 characters. */
export function jobNameLabelErrors(name: string, labelsField: string): FieldError[] {
  if (name.length <= 63) return [];
  const e = invalid(labelsField, goQuote(name), "must be no more than 63 characters");
  return [e, e];
}

/** `validateCronJobCreate`'s name length (the controller appends 11 characters) and schedule rules. */
export function cronJobErrors(
  name: string,
  schedule: string | null | undefined,
  timeZone: string | null | undefined,
) {
  const errs: FieldError[] = [];
  if (name.length > 52)
    errs.push(invalid("metadata.name", goQuote(name), "must be no more than 52 characters"));
  if (!schedule) errs.push(required("spec.schedule"));
  else {
    try {
      parseCronSchedule(schedule.replace(/^(CRON_)?TZ=\S+\s+/, ""));
    } catch (err) {
      if (!(err instanceof CronParseError)) throw err;
      errs.push(invalid("spec.schedule", goQuote(schedule), err.message));
    }
    if (schedule.includes("TZ"))
      errs.push(
        invalid(
          "spec.schedule",
          goQuote(schedule),
          "cannot use TZ or CRON_TZ in schedule, use timeZone field instead",
        ),
      );
  }
  if (timeZone !== null && timeZone !== undefined) {
    if (timeZone === "")
      errs.push(invalid("spec.timeZone", goQuote(timeZone), "timeZone must be nil or non-empty string"));
    else if (timeZone.toLowerCase() === "local")
      errs.push(
        invalid(
          "spec.timeZone",
          goQuote(timeZone),
          "timeZone must be an explicit time zone as defined in https://www.iana.org/time-zones",
        ),
      );
    else if (!isKnownTimeZone(timeZone))
      errs.push(invalid("spec.timeZone", goQuote(timeZone), `unknown time zone ${timeZone}`));
  }
  return errs;
}
