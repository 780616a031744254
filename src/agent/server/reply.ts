import { toJSONText } from "../../report/index.js";
import type { LogFields } from "../log.js";

/** What a handler answers: a status, a body and its headers, and fields for the request's log line. */
export interface Reply {
  status: number;
  headers: Record<string, string>;
  body: string;
  log?: LogFields;
}

/** A refusal with its HTTP status; its message becomes the `{"error": ...}` body. */
export class HttpError extends Error {
  override name = "HttpError";
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export const JSON_TYPE = "application/json; charset=utf-8";

/** JSON as `podpin ... -o json` prints it (bigints exact, CPU sets in list format). */
export function jsonReply(status: number, value: unknown, log?: LogFields): Reply {
  return { status, headers: { "Content-Type": JSON_TYPE }, body: `${toJSONText(value)}\n`, log };
}

export function textReply(status: number, text: string, contentType = "text/plain; charset=utf-8"): Reply {
  return { status, headers: { "Content-Type": contentType }, body: text };
}

export function errorReply(status: number, message: string, headers: Record<string, string> = {}): Reply {
  return {
    status,
    headers: { "Content-Type": JSON_TYPE, ...headers },
    body: `${JSON.stringify({ error: message })}\n`,
    log: { error: message },
  };
}
