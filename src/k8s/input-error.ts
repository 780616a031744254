/**
 * Errors in what a user gave podpin (a pod manifest, a kubelet configuration): one line naming the
 * file, the line when known, the field and what was expected, e.g.
 * `pod.yaml:14: spec.containers[1].resources.limits.cpu: invalid quantity "2x": ...`.
 */
export type FieldPath = readonly (string | number)[];

export interface InputLocation {
  file: string;
  /** 1-based line of the offending field, when the text is at hand. */
  line?: number;
}

export class InputError extends Error {
  override name = "InputError";
  readonly file: string;
  readonly line: number | null;
  /** Dotted field path (`spec.containers[1].name`), empty for the whole document. */
  readonly field: string;
  /** What was wrong, without the location prefix. */
  readonly detail: string;

  constructor(where: InputLocation, path: FieldPath | string, detail: string) {
    const field = typeof path === "string" ? path : formatFieldPath(path);
    const at = where.line ? `${where.file}:${where.line}` : where.file;
    super(field ? `${at}: ${field}: ${oneLine(detail)}` : `${at}: ${oneLine(detail)}`);
    this.file = where.file;
    this.line = where.line ?? null;
    this.field = field;
    this.detail = oneLine(detail);
  }
}

/** The longest detail an input error prints; longer ones (a huge value quoted) are cut. */
export const MAX_ERROR_DETAIL = 2000;

/** Keeps messages on one line, and short, whatever a parser library produced. */
function oneLine(text: string): string {
  const cut =
    text.length > MAX_ERROR_DETAIL
      ? `${text.slice(0, MAX_ERROR_DETAIL)}… (${text.length - MAX_ERROR_DETAIL} more characters)`
      : text;
  return cut.replace(/\s*\n\s*/g, " ").trim();
}

const PLAIN_KEY = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/** `["spec", "containers", 1, "resources"]` -> `spec.containers[1].resources`. */
export function formatFieldPath(path: FieldPath): string {
  let out = "";
  for (const part of path) {
    if (typeof part === "number") out += `[${part}]`;
    else if (PLAIN_KEY.test(part)) out += out === "" ? part : `.${part}`;
    else out += `[${JSON.stringify(part)}]`;
  }
  return out;
}

/** A short, quoted rendering of a value the user wrote, for "got ..." clauses. */
export function describeValue(value: unknown): string {
  if (value === null || value === undefined) return "nothing";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a mapping";
  if (typeof value === "bigint") return value.toString();
  const text = JSON.stringify(value);
  return text.length > 200 ? `${text.slice(0, 200)}… (${text.length - 200} more characters)` : text;
}

/** Levenshtein distance, for "did you mean" hints on misspelt field names. */
export function editDistance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0];
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const up = prev[j];
      prev[j] = Math.min(prev[j] + 1, prev[j - 1] + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = up;
    }
  }
  return prev[b.length];
}

/**
 * The known name a misspelt `name` most likely meant: same letters in another case, or at most two
 * edits away (names of four characters or more only, so short unrelated names are not matched).
 */
export function closestName(name: string, known: Iterable<string>): string | null {
  let best: string | null = null;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of known) {
    if (candidate.toLowerCase() === name.toLowerCase()) return candidate;
    if (name.length < 4) continue;
    const d = editDistance(name, candidate);
    if (d <= 2 && d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}
