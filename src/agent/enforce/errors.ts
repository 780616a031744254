/** Enforcement's typed one-line errors. */

/** A bad enforcer option (runtime endpoint, cgroup root, driver, period): names the option. */
export class EnforceConfigError extends Error {
  override name = "EnforceConfigError";
}

/** A CRI call failed: names the call, the endpoint and the gRPC status. */
export class CriError extends Error {
  override name = "CriError";
  constructor(
    message: string,
    /** The gRPC status name (`UNAVAILABLE`, `NOT_FOUND`, `DEADLINE_EXCEEDED`…). */
    readonly code: string,
  ) {
    super(message);
  }
}

/** A pod cgroup path or file that must not be touched (bad uid, escape, symlink, missing cgroup). */
export class CgroupPathError extends Error {
  override name = "CgroupPathError";
}

/** The pod cgroup is not there (yet): before its sandbox starts, or with a wrong root or driver. */
export class CgroupMissingError extends CgroupPathError {
  override name = "CgroupMissingError";
}

/** One line: no newlines from library messages, no stack. */
export function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, "; ").trim();
}

export function messageOf(err: unknown): string {
  return oneLine(err instanceof Error ? err.message : String(err));
}
