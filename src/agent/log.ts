/**
 * The agent's log: one line per event on stderr, in logfmt (`key=value`, values with spaces or
 * quotes quoted), so `grep op=admit` or a log shipper's logfmt parser reads it without a schema.
 */

export type LogValue = string | number | boolean | null | undefined;
export type LogFields = Readonly<Record<string, LogValue>>;
export type LogLevel = "info" | "warn" | "error";

export interface AgentLog {
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
}

function logfmtValue(v: LogValue): string {
  const s = v === null || v === undefined ? "" : String(v);
  // Log lines stay lines: a newline in a value (a message from a library) is escaped, not printed.
  if (s !== "" && /^[^\s"=\\]+$/.test(s)) return s;
  return JSON.stringify(s);
}

/** `ts=… level=info msg=request method=POST …`; undefined fields are left out. */
export function logfmtLine(level: LogLevel, msg: string, fields: LogFields, ts: Date): string {
  const parts = [`ts=${ts.toISOString()}`, `level=${level}`, `msg=${logfmtValue(msg)}`];
  for (const [k, v] of Object.entries(fields)) if (v !== undefined) parts.push(`${k}=${logfmtValue(v)}`);
  return parts.join(" ");
}

export function createLog(
  write: (line: string) => void = (line) => process.stderr.write(line),
  clock: () => Date = () => new Date(),
): AgentLog {
  const emit =
    (level: LogLevel) =>
    (msg: string, fields: LogFields = {}) =>
      write(`${logfmtLine(level, msg, fields, clock())}\n`);
  return { info: emit("info"), warn: emit("warn"), error: emit("error") };
}

/** A log that keeps its lines in memory (tests), with the same formatting. */
export function memoryLog(): AgentLog & { readonly lines: string[] } {
  const lines: string[] = [];
  return { ...createLog((line) => lines.push(line.trimEnd())), lines };
}
