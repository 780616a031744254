import { stringify } from "yaml";

/** The `-o` formats of data-printing commands. */
export type DataFormat = "json" | "yaml";

const BIGINT_MARK = "\u0000bigint:";

/**
 * JSON text of `value` with 2-space indentation. Bigints are written as exact JSON integers (never
 * rounded through a double); objects with `toJSON` (CPUSet) print their list format.
 */
export function toJSONText(value: unknown): string {
  const text = JSON.stringify(
    value,
    (_key, v: unknown) => (typeof v === "bigint" ? `${BIGINT_MARK}${v.toString()}` : v),
    2,
  );
  return text.replace(/"\\u0000bigint:(-?\d+)"/g, "$1");
}

/** YAML text of `value` (bigints as integers, CPUSets in list format). */
export function toYAMLText(value: unknown): string {
  // A JSON round trip first applies toJSON (CPUSet -> "0-3") the way the JSON output does.
  const plain = JSON.parse(
    JSON.stringify(value, (_key, v: unknown) =>
      typeof v === "bigint" ? `${BIGINT_MARK}${v.toString()}` : v,
    ),
    (_key, v: unknown) =>
      typeof v === "string" && v.startsWith(BIGINT_MARK) ? BigInt(v.slice(BIGINT_MARK.length)) : v,
  );
  return stringify(plain);
}

export function formatData(value: unknown, format: DataFormat): string {
  return format === "json" ? `${toJSONText(value)}\n` : toYAMLText(value);
}
