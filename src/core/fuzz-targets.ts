/**
 * Fuzz targets of the core readers (issue 12): the Linux CPU list format and quantity text. Each
 * `run` parses its input and must end in a value or the reader's typed error (`CPUSetParseError`,
 * `QuantityParseError`), never another exception; what parses must print as text that parses back
 * to the same value. `npm test` runs 1,000 inputs per target (`fuzz.test.ts`), `npm run fuzz`
 * 100,000. Inputs mix structured text (ids and ranges near the limits, quantity spellings with
 * every suffix and long digit runs) with byte-level mutations of it and random strings.
 */
import fc from "fast-check";
import { CPUSet, CPUSetParseError, MAX_CPU_ID } from "./cpuset.js";
import { Quantity, QuantityParseError } from "./quantity.js";

export interface FuzzTarget {
  name: string;
  /** Throws only on a bug: an untyped exception or a broken round trip. */
  run(input: string): void;
  arbitrary: fc.Arbitrary<string>;
}

/** A typed error is a verdict; anything else is rethrown as the bug it is. */
export function typedOnly(fn: () => void, ...types: (new (...args: never[]) => Error)[]): void {
  try {
    fn();
  } catch (err) {
    if (types.some((t) => err instanceof t)) return;
    throw err;
  }
}

/** Byte-level mutations of a string: flip, insert, delete or repeat characters. */
export function mutated(base: fc.Arbitrary<string>): fc.Arbitrary<string> {
  const edit = fc.record({
    at: fc.nat(),
    kind: fc.constantFrom("replace", "insert", "delete", "repeat"),
    ch: fc.oneof(fc.constantFrom(..."0123456789,-. \n\t+eEiKMGmnu\u0000\u00ff"), fc.string({ maxLength: 1 })),
    times: fc.integer({ min: 1, max: 50 }),
  });
  return fc.tuple(base, fc.array(edit, { maxLength: 4 })).map(([s, edits]) => {
    let out = s;
    for (const e of edits) {
      const i = out.length === 0 ? 0 : e.at % (out.length + 1);
      if (e.kind === "replace") out = out.slice(0, i) + e.ch + out.slice(i + 1);
      else if (e.kind === "insert") out = out.slice(0, i) + e.ch + out.slice(i);
      else if (e.kind === "delete") out = out.slice(0, i) + out.slice(i + 1);
      else out = out.slice(0, i) + out.slice(i, i + 3).repeat(e.times) + out.slice(i);
    }
    return out;
  });
}

const cpuId = fc.oneof(
  fc.integer({ min: 0, max: 300 }),
  fc.integer({ min: MAX_CPU_ID - 40, max: MAX_CPU_ID + 40 }),
  fc.constantFrom(2 ** 31, 2 ** 32, 2 ** 53, Number.MAX_SAFE_INTEGER),
);
const cpuElement = fc.oneof(
  cpuId.map(String),
  fc.tuple(cpuId, cpuId).map(([a, b]) => `${Math.min(a, b)}-${Math.max(a, b)}`),
  fc.tuple(cpuId, cpuId).map(([a, b]) => `${a}-${b}`),
  fc.constantFrom("0-4194303", "0-4194304", "1-4194305", "", " ", "99999999999999999999999", "007", "+3"),
);
export const cpuListText: fc.Arbitrary<string> = fc.oneof(
  fc.array(cpuElement, { maxLength: 12 }).map((parts) => parts.join(",")),
  mutated(fc.array(cpuElement, { maxLength: 6 }).map((parts) => parts.join(","))),
  fc.string({ maxLength: 40 }),
);

export function runCPUList(input: string): void {
  typedOnly(() => {
    const set = CPUSet.parse(input, "fuzz");
    const text = set.toString();
    const back = CPUSet.parse(text, "fuzz");
    if (!back.equals(set))
      throw new Error(`CPU list ${JSON.stringify(input)} printed as ${text}, which reads back differently`);
    if (set.max() > MAX_CPU_ID) throw new Error(`CPU list ${JSON.stringify(input)} holds id ${set.max()}`);
  }, CPUSetParseError);
}

const digitRun = fc.oneof(
  fc.stringMatching(/^[0-9]{0,6}$/),
  fc.tuple(fc.constantFrom("0", "1", "9"), fc.integer({ min: 0, max: 3000 })).map(([d, n]) => d.repeat(n)),
);
const suffix = fc.oneof(
  fc.constantFrom(
    "",
    "n",
    "u",
    "m",
    "k",
    "M",
    "G",
    "T",
    "P",
    "E",
    "Ki",
    "Mi",
    "Gi",
    "Ti",
    "Pi",
    "Ei",
    "i",
    "mi",
  ),
  fc.integer({ min: -1100, max: 1100 }).map((e) => `e${e}`),
  fc.constantFrom(
    "e999",
    "e1000",
    "e1002",
    "e-1002",
    "E+3",
    "e2147483647",
    "e-2147483647",
    "e2147483648",
    "e99999999999999999999",
  ),
);
export const quantityText: fc.Arbitrary<string> = fc.oneof(
  fc
    .tuple(fc.constantFrom("", "+", "-"), digitRun, fc.option(digitRun), suffix)
    .map(([sign, i, f, s]) => `${sign}${i}${f === null ? "" : `.${f}`}${s}`),
  mutated(fc.tuple(digitRun, suffix).map(([d, s]) => d + s)),
  fc.string({ maxLength: 24 }),
);

export function runQuantity(input: string): void {
  typedOnly(() => {
    const q = Quantity.parse(input, "fuzz");
    const text = q.toString();
    let back: Quantity;
    try {
      back = Quantity.parse(text, "fuzz");
    } catch (err) {
      throw new Error(
        `quantity ${JSON.stringify(input.slice(0, 80))} printed as ${text.slice(0, 80)}, which does not parse: ${err}`,
      );
    }
    if (!back.equals(q))
      throw new Error(
        `quantity ${JSON.stringify(input.slice(0, 80))} printed as ${text.slice(0, 80)}, a different value`,
      );
    q.value();
    q.milliValue();
    q.asInt64();
  }, QuantityParseError);
}

export const coreFuzzTargets: FuzzTarget[] = [
  { name: "core: CPU list (Linux list format)", run: runCPUList, arbitrary: cpuListText },
  { name: "core: quantity text", run: runQuantity, arbitrary: quantityText },
];
