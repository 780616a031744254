import { parseGoDuration } from "./duration.js";

/**
 * CronJob schedules as the CronJob controller reads them (robfig/cron v3 `ParseStandard`: five
 * fields or a descriptor) and its `Next(t)`: the first scheduled minute after `t`, in the CronJob's
 * time zone, within five years. Parse errors carry robfig's wording, which the API server prints.
 *
 * Time zones: wall-clock times are found in the zone and mapped back to an instant with the zone's
 * offset (from `Intl`); in a daylight-saving gap robfig moves a wall time forward by the gap, which
 * this approximates by the offset in force just before it.
 */

export type CronSchedule =
  | { kind: "spec"; minute: bigint; hour: bigint; dom: bigint; month: bigint; dow: bigint }
  | { kind: "every"; seconds: number };

interface Bounds {
  min: number;
  max: number;
  names?: Record<string, number>;
}

const MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
const DAYS = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];
const FIELDS: Bounds[] = [
  { min: 0, max: 59 },
  { min: 0, max: 23 },
  { min: 1, max: 31 },
  { min: 1, max: 12, names: Object.fromEntries(MONTHS.map((m, i) => [m, i + 1])) },
  { min: 0, max: 6, names: Object.fromEntries(DAYS.map((d, i) => [d, i])) },
];
/** robfig marks a field written `*` or `?` so day-of-month and day-of-week combine with AND. */
const STAR = 1n << 63n;

const DESCRIPTORS: Record<string, string> = {
  "@yearly": "0 0 1 1 *",
  "@annually": "0 0 1 1 *",
  "@monthly": "0 0 1 * *",
  "@weekly": "0 0 * * 0",
  "@daily": "0 0 * * *",
  "@midnight": "0 0 * * *",
  "@hourly": "0 * * * *",
};

export class CronParseError extends Error {
  override name = "CronParseError";
}

function parseInt10(expr: string): number {
  // Go's strconv.Atoi: optional sign, decimal digits only.
  if (!/^[+-]?[0-9]+$/.test(expr))
    throw new CronParseError(
      `failed to parse int from ${expr}: strconv.Atoi: parsing ${JSON.stringify(expr)}: invalid syntax`,
    );
  const n = Number(expr);
  if (n < 0) throw new CronParseError(`negative number (${n}) not allowed: ${expr}`);
  return n;
}

function parseIntOrName(expr: string, b: Bounds): number {
  const named = b.names?.[expr.toLowerCase()];
  return named ?? parseInt10(expr);
}

function rangeBits(expr: string, b: Bounds): bigint {
  const rangeAndStep = expr.split("/");
  const lowAndHigh = rangeAndStep[0].split("-");
  let start: number;
  let end: number;
  let extra = 0n;
  if (lowAndHigh[0] === "*" || lowAndHigh[0] === "?") {
    start = b.min;
    end = b.max;
    extra = STAR;
  } else {
    start = parseIntOrName(lowAndHigh[0], b);
    if (lowAndHigh.length === 1) end = start;
    else if (lowAndHigh.length === 2) end = parseIntOrName(lowAndHigh[1], b);
    else throw new CronParseError(`too many hyphens: ${expr}`);
  }
  let step = 1;
  if (rangeAndStep.length === 2) {
    step = parseInt10(rangeAndStep[1]);
    if (lowAndHigh.length === 1) end = b.max;
    if (step > 1) extra = 0n;
  } else if (rangeAndStep.length > 2) {
    throw new CronParseError(`too many slashes: ${expr}`);
  }
  if (start < b.min)
    throw new CronParseError(`beginning of range (${start}) below minimum (${b.min}): ${expr}`);
  if (end > b.max) throw new CronParseError(`end of range (${end}) above maximum (${b.max}): ${expr}`);
  if (start > end)
    throw new CronParseError(`beginning of range (${start}) beyond end of range (${end}): ${expr}`);
  if (step === 0) throw new CronParseError(`step of range should be a positive number: ${expr}`);
  let bits = extra;
  for (let i = start; i <= end; i += step) bits |= 1n << BigInt(i);
  return bits;
}

function fieldBits(field: string, b: Bounds): bigint {
  return field.split(",").reduce((acc, expr) => acc | rangeBits(expr, b), 0n);
}

/** `cron.ParseStandard`; throws a `CronParseError` with robfig's message. */
export function parseCronSchedule(spec: string): CronSchedule {
  const text = spec.trim();
  if (text === "") throw new CronParseError("empty spec string");
  if (text.startsWith("@")) {
    if (text.startsWith("@every ")) {
      const d = text.slice("@every ".length);
      const ns = parseGoDuration(d);
      if (typeof ns === "string") throw new CronParseError(`failed to parse duration ${text}: ${ns}`);
      // robfig rounds the delay to whole seconds and uses at least one second.
      const seconds = Math.max(1, Math.floor(Number(ns / 1_000_000_000n)));
      return { kind: "every", seconds };
    }
    const expanded = Object.hasOwn(DESCRIPTORS, text) ? DESCRIPTORS[text] : undefined;
    if (!expanded) throw new CronParseError(`unrecognized descriptor: ${text}`);
    return parseCronSchedule(expanded);
  }
  const fields = text.split(/\s+/);
  if (fields.length !== 5)
    throw new CronParseError(`expected exactly 5 fields, found ${fields.length}: [${fields.join(" ")}]`);
  const [minute, hour, dom, month, dow] = fields.map((f, i) => fieldBits(f, FIELDS[i]));
  return { kind: "spec", minute, hour, dom, month, dow };
}

const has = (bits: bigint, i: number): boolean => (bits & (1n << BigInt(i))) !== 0n;

/** robfig's `dayMatches`: AND when either day field was `*`/`?`, OR when both are restricted. */
function dayMatches(s: Extract<CronSchedule, { kind: "spec" }>, wall: Date): boolean {
  const domMatch = has(s.dom, wall.getUTCDate());
  const dowMatch = has(s.dow, wall.getUTCDay());
  if ((s.dom & STAR) !== 0n || (s.dow & STAR) !== 0n) return domMatch && dowMatch;
  return domMatch || dowMatch;
}

const MINUTE_MS = 60_000;
const offsetCache = new Map<string, Intl.DateTimeFormat>();

function formatterFor(zone: string): Intl.DateTimeFormat {
  let f = offsetCache.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone: zone,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
    });
    offsetCache.set(zone, f);
  }
  return f;
}

/**
 * Whether `zone` is an IANA time zone this runtime knows (Go `time.LoadLocation`, which looks the
 * name up as a file, so its case must be exact: `utc` is not `UTC`).
 */
export function isKnownTimeZone(zone: string): boolean {
  try {
    const resolved = formatterFor(zone).resolvedOptions().timeZone;
    return resolved.toLowerCase() !== zone.toLowerCase() || resolved === zone;
  } catch {
    return false;
  }
}

/** The zone's offset from UTC at `instantMs`, in milliseconds. */
function offsetMs(zone: string, instantMs: number): number {
  if (zone === "UTC" || zone === "Etc/UTC") return 0;
  const parts = Object.fromEntries(
    formatterFor(zone)
      .formatToParts(new Date(instantMs))
      .map((p) => [p.type, p.value]),
  );
  const wall = Date.UTC(
    Number(parts.year),
    Number(parts.month) - 1,
    Number(parts.day),
    Number(parts.hour),
    Number(parts.minute),
    Number(parts.second),
  );
  return wall - Math.floor(instantMs / 1000) * 1000;
}

function wallToInstant(zone: string, wallMs: number): number {
  const guess = wallMs - offsetMs(zone, wallMs);
  return wallMs - offsetMs(zone, guess);
}

/**
 * robfig's `SpecSchedule.Next(after)` (or `ConstantDelaySchedule.Next`) as a UTC instant in
 * milliseconds, or null when nothing fires within five years.
 */
export function nextScheduleTime(s: CronSchedule, afterMs: number, zone = "UTC"): number | null {
  if (s.kind === "every") return (Math.floor(afterMs / 1000) + s.seconds) * 1000;
  // Work on wall-clock fields held in a UTC Date; the first candidate is the next whole minute.
  let wall = new Date(Math.floor((afterMs + offsetMs(zone, afterMs)) / MINUTE_MS) * MINUTE_MS + MINUTE_MS);
  const yearLimit = wall.getUTCFullYear() + 5;
  for (;;) {
    if (wall.getUTCFullYear() > yearLimit) return null;
    if (!has(s.month, wall.getUTCMonth() + 1)) {
      wall = new Date(Date.UTC(wall.getUTCFullYear(), wall.getUTCMonth() + 1, 1));
      continue;
    }
    if (!dayMatches(s, wall)) {
      wall = new Date(Date.UTC(wall.getUTCFullYear(), wall.getUTCMonth(), wall.getUTCDate() + 1));
      continue;
    }
    if (!has(s.hour, wall.getUTCHours())) {
      wall = new Date(
        Date.UTC(wall.getUTCFullYear(), wall.getUTCMonth(), wall.getUTCDate(), wall.getUTCHours() + 1),
      );
      continue;
    }
    if (!has(s.minute, wall.getUTCMinutes())) {
      wall = new Date(wall.getTime() + MINUTE_MS);
      continue;
    }
    return wallToInstant(zone, wall.getTime());
  }
}
