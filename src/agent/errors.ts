/** What the agent refuses, as typed one-line errors; the HTTP layer maps each to a status. */

/** The request names a pod or container the node does not have admitted. */
export class NotAdmittedError extends Error {
  override name = "NotAdmittedError";
}

/**
 * The agent takes no more changes: it is shutting down, or a change could not be made durable
 * (the engine's memory is then ahead of its state directory, and only a restart, which reloads
 * the directory, makes them agree again).
 */
export class AgentUnavailableError extends Error {
  override name = "AgentUnavailableError";
}

/** A start-up option or environment problem (bad --listen, unreadable token file, busy socket). */
export class AgentSetupError extends Error {
  override name = "AgentSetupError";
}

/** The node's state belongs to someone else (shadow mode: the kubelet decides); nothing changed. */
export class ReadOnlyStateError extends Error {
  override name = "ReadOnlyStateError";
}
