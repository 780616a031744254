import { type FieldError, goQuote, invalid } from "./field-error.js";

/**
 * The API server's object-name rules (apimachinery `IsDNS1123Label` / `IsDNS1123Subdomain` and
 * `ValidateObjectMeta`'s name checks), with its exact wording, so a name the API server refuses is
 * refused here with the same one-line error.
 */

const LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL_FMT = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";
const SUBDOMAIN_FMT = `${LABEL_FMT}(\\.${LABEL_FMT})*`;

// apimachinery's RegexError with examples: each example is followed by "', " (hence the double
// space before "or"), then the pattern.
const LABEL_MSG = `a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '${LABEL_FMT}')`;
const SUBDOMAIN_MSG = `a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '${SUBDOMAIN_FMT}')`;

export const DNS1123_LABEL_MAX = 63;
export const DNS1123_SUBDOMAIN_MAX = 253;

const tooLong = (n: number): string => `must be no more than ${n} characters`;

/** `IsDNS1123Label`: the messages, empty when valid. */
export function dns1123LabelProblems(value: string): string[] {
  const out: string[] = [];
  if (value.length > DNS1123_LABEL_MAX) out.push(tooLong(DNS1123_LABEL_MAX));
  if (!LABEL.test(value)) out.push(SUBDOMAIN.test(value) ? "must not contain dots" : LABEL_MSG);
  return out;
}

/** `IsDNS1123Subdomain`: the messages, empty when valid. */
export function dns1123SubdomainProblems(value: string): string[] {
  const out: string[] = [];
  if (value.length > DNS1123_SUBDOMAIN_MAX) out.push(tooLong(DNS1123_SUBDOMAIN_MAX));
  if (!SUBDOMAIN.test(value)) out.push(SUBDOMAIN_MSG);
  return out;
}

/** Which rule a kind's names follow (`ValidatePodName` is a subdomain, `ValidateStatefulSetName` a label). */
export type NameRule = "subdomain" | "label";

const problemsOf = (rule: NameRule, value: string): string[] =>
  rule === "label" ? dns1123LabelProblems(value) : dns1123SubdomainProblems(value);

/**
 * apimachinery's `maskTrailingDash` for prefixes, quirk included: it drops the dash *and* the
 * character before it, then appends "a".
 */
function maskTrailingDash(name: string): string {
  return name.length > 1 && name.endsWith("-") ? `${name.slice(0, -2)}a` : name;
}

/**
 * `ValidateObjectMeta`'s name part: `generateName` (a prefix, so a trailing dash is allowed), then
 * `name` (required unless generated), then `namespace` (a DNS-1123 label).
 */
export function objectMetaNameErrors(
  meta: { name?: string; generateName?: string; namespace?: string },
  rule: NameRule,
  path = "metadata",
): FieldError[] {
  const errs: FieldError[] = [];
  if (meta.generateName) {
    const masked = maskTrailingDash(meta.generateName);
    for (const m of problemsOf(rule, masked))
      errs.push(invalid(`${path}.generateName`, goQuote(meta.generateName), m));
  }
  if (meta.name) {
    for (const m of problemsOf(rule, meta.name)) errs.push(invalid(`${path}.name`, goQuote(meta.name), m));
  }
  if (meta.namespace) {
    for (const m of dns1123LabelProblems(meta.namespace))
      errs.push(invalid(`${path}.namespace`, goQuote(meta.namespace), m));
  }
  return errs;
}

/** `ValidateDNS1123Label` on a container name (`spec.containers[0].name`). */
export function containerNameErrors(name: string, field: string): FieldError[] {
  return dns1123LabelProblems(name).map((m) => invalid(field, goQuote(name), m));
}
