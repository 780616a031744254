/**
 * The JSON conventions of podpin's documents, for any value: an integer beyond what a double holds
 * exactly would be rounded by `JSON.parse`, so a bigint is a JSON number only up to 2^53 − 1 and a
 * string of digits beyond; quantities and CPU sets print their text (their `toJSON`); a Map is an
 * object keyed by its keys' text, a Set a list.
 */

/** A bigint as a JSON value: a number when exact, else its decimal text. */
export function jsonInteger(v: bigint): number | string {
  return v <= BigInt(Number.MAX_SAFE_INTEGER) && v >= -BigInt(Number.MAX_SAFE_INTEGER)
    ? Number(v)
    : v.toString();
}

/** `value` as plain JSON data (what `JSON.stringify` may print as is). */
export function plainJSON(value: unknown): unknown {
  if (typeof value === "bigint") return jsonInteger(value);
  if (value === null || typeof value !== "object") return value;
  const own = (value as { toJSON?: unknown }).toJSON;
  // `withPlainJSON`'s own method is this function applied to the object: not called on itself.
  if (typeof own === "function" && own !== plainJSONOfThis) return plainJSON(own.call(value));
  if (Array.isArray(value)) return value.map(plainJSON);
  if (value instanceof Map) return Object.fromEntries([...value].map(([k, v]) => [String(k), plainJSON(v)]));
  if (value instanceof Set) return [...value].map(plainJSON);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = plainJSON(v);
  return out;
}

/**
 * `value` with a non-enumerable `toJSON` that returns `plainJSON(value)`: `JSON.stringify` then
 * prints it in the documents' conventions instead of failing on a bigint. Comparisons of own
 * enumerable properties (`assert.deepStrictEqual`, spreads) do not see it.
 */
export function withPlainJSON<T extends object>(value: T): T {
  Object.defineProperty(value, "toJSON", PLAIN_TO_JSON);
  return value;
}

/** One `toJSON` for every marked object (`JSON.stringify` calls it on the object): no closure per result. */
function plainJSONOfThis(this: object): unknown {
  return plainJSON(this);
}

const PLAIN_TO_JSON: PropertyDescriptor = Object.freeze({
  value: plainJSONOfThis,
  enumerable: false,
  configurable: true,
  writable: true,
});
