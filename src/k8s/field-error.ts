/**
 * API-server style validation errors (apimachinery `field.Error`), printed exactly as the API
 * server prints them: `spec.containers[0].resources.requests: Invalid value: "2": must be less than
 * or equal to cpu limit of 1`.
 */
export type FieldErrorType =
  | "Invalid value"
  | "Required value"
  | "Forbidden"
  | "Unsupported value"
  | "Duplicate value"
  | "Too long";

export interface FieldError {
  /** The API server's field path (`spec.resources.requests[cpu]`). */
  field: string;
  type: FieldErrorType;
  /** The bad value as printed (already quoted where Go quotes it), or null when not printed. */
  value: string | null;
  detail: string;
}

/** Go's `%q` for the ASCII strings these messages carry. */
export function goQuote(s: string): string {
  return JSON.stringify(s);
}

export function invalid(field: string, value: string, detail: string): FieldError {
  return { field, type: "Invalid value", value, detail };
}

export function required(field: string, detail = ""): FieldError {
  return { field, type: "Required value", value: null, detail };
}

export function forbidden(field: string, detail: string): FieldError {
  return { field, type: "Forbidden", value: null, detail };
}

export function duplicate(field: string, value: string): FieldError {
  return { field, type: "Duplicate value", value, detail: "" };
}

/** `field.TooLong(path, "", max)` as printed by the API server (the value is never printed). */
export function tooLong(field: string, maxBytes: number): FieldError {
  return { field, type: "Too long", value: null, detail: `may not be more than ${maxBytes} bytes` };
}

export function notSupported(field: string, value: string, supported: readonly string[]): FieldError {
  return {
    field,
    type: "Unsupported value",
    value,
    detail: `supported values: ${supported.map(goQuote).join(", ")}`,
  };
}

/** `field.Error.Error()`. */
export function fieldErrorString(e: FieldError): string {
  let body: string = e.type;
  if (e.value !== null) body += `: ${e.value}`;
  if (e.detail) body += `: ${e.detail}`;
  return `${e.field}: ${body}`;
}

/** `errors.NewInvalid(...).Error()`: `Pod "x" is invalid: <err>` or `... is invalid: [<err>, <err>]`. */
export function invalidObjectMessage(kind: string, name: string, errors: readonly FieldError[]): string {
  const parts = errors.map(fieldErrorString);
  const body = parts.length === 1 ? parts[0] : `[${parts.join(", ")}]`;
  return `${kind} ${goQuote(name)} is invalid: ${body}`;
}
