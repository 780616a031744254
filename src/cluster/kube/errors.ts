/** The cluster connection cannot be set up (kubeconfig, in-cluster files, node name): one line, exit 2. */
export class ClusterSetupError extends Error {
  override name = "ClusterSetupError";
}

/** The API server answered a request with a failure status (its `Status` message when it sent one). */
export class KubeApiError extends Error {
  override name = "KubeApiError";
  constructor(
    readonly method: string,
    readonly path: string,
    readonly status: number,
    /** The Status object's `reason` (`Conflict`, `NotFound`, `Expired`), empty when there was none. */
    readonly reason: string,
    detail: string,
  ) {
    super(`${method} ${path}: ${status}${reason ? ` ${reason}` : ""}: ${detail}`);
  }
}

/** The reason of a Kubernetes `Status` object, or "" for anything else. */
export function statusReason(body: unknown): string {
  const r = (body as { reason?: unknown } | null)?.reason;
  return typeof r === "string" ? r : "";
}

/** The message of a Kubernetes `Status` object, or the text itself, on one line. */
export function statusMessage(body: unknown, text: string): string {
  const m = (body as { message?: unknown } | null)?.message;
  const s = typeof m === "string" ? m : text;
  return s.replace(/\s+/g, " ").trim().slice(0, 300) || "(no message)";
}
