import { CPUSetParseError, JSONParseError, QuantityParseError } from "../../core/index.js";
import { InputError } from "../../k8s/index.js";
import { DuplicatePodError, NodeLimitError } from "../../node/index.js";
import { AgentUnavailableError, NotAdmittedError, ReadOnlyStateError } from "../errors.js";
import { errorReply, HttpError, type Reply } from "./reply.js";

/** What a client sent wrong: the same errors the CLI reports on one line with exit code 2. */
const BAD_INPUT = [InputError, QuantityParseError, CPUSetParseError, JSONParseError, NodeLimitError];

/** Whether `err` is a refusal with a status of its own (anything else is a bug: 500). */
export function isExpectedError(err: unknown): boolean {
  return (
    err instanceof HttpError ||
    err instanceof DuplicatePodError ||
    err instanceof NotAdmittedError ||
    err instanceof AgentUnavailableError ||
    err instanceof ReadOnlyStateError ||
    BAD_INPUT.some((cls) => err instanceof cls)
  );
}

/** The answer to a request that failed with `err`: `{"error": "<one line>"}` with its status. */
export function errorReplyFor(err: unknown): Reply {
  if (err instanceof HttpError) return errorReply(err.status, err.message, err.headers);
  const message = err instanceof Error ? err.message : String(err);
  if (BAD_INPUT.some((cls) => err instanceof cls)) return errorReply(400, message);
  // The pod was not admitted again and nothing changed; remove it first or give the copy its own uid.
  if (err instanceof DuplicatePodError) return errorReply(409, message);
  if (err instanceof NotAdmittedError) return errorReply(404, message);
  if (err instanceof AgentUnavailableError) return errorReply(503, message);
  // The request is fine, but this agent's node is not its to change: retrying will not help.
  if (err instanceof ReadOnlyStateError) return errorReply(409, message);
  return errorReply(500, `internal error: ${message.split("\n")[0]}`);
}
