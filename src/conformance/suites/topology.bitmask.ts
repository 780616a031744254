import {
  type BitMask,
  FULL_MASK,
  iterateBitMasks,
  maskAdd,
  maskAnd,
  maskAnySet,
  maskBits,
  maskCount,
  maskIsEqual,
  maskIsGreaterThan,
  maskIsLessThan,
  maskIsNarrowerThan,
  maskIsSet,
  maskOf,
  maskOr,
  maskRemove,
  maskString,
  topologyVectors,
} from "../../managers/topology/index.js";
import { asArray, type CaseOutcome, compare, guard, type Suite } from "../suite.js";

const { arr, int, ints, maskFromJSON, obj, str } = topologyVectors;

const FILE = "topology/bitmask.json";

/** A mutating Go call: the new mask, or the unchanged one plus the error (the whole call is rejected). */
function mutate(start: BitMask, fn: () => BitMask): { mask: BitMask; error: string | null } {
  try {
    return { mask: fn(), error: null };
  } catch (err) {
    return { mask: start, error: (err as Error).message };
  }
}

/** The bitmask package's operations, with `expectedString` (Go `String()`) or `expected` values. */
function runOp(c: Record<string, unknown>, what: string): { expected: unknown; actual: unknown } {
  const op = str(c.op, `${what}.op`);
  const mask = (key: string) => maskFromJSON(c[key], `${what}.${key}`);
  const withError = (r: { mask: BitMask; error: string | null }) => {
    const actual: Record<string, unknown> = { string: maskString(r.mask) };
    const expected: Record<string, unknown> = { string: str(c.expectedString, `${what}.expectedString`) };
    if ("expectedError" in c) {
      expected.error = c.expectedError;
      actual.error = r.error;
    }
    return { expected, actual };
  };
  const asString = (m: BitMask) => ({
    expected: str(c.expectedString, `${what}.expectedString`),
    actual: maskString(m),
  });
  const asValue = (v: unknown) => ({ expected: c.expected, actual: v });
  switch (op) {
    case "newEmpty":
      return asString(0n);
    case "new": {
      const bits = ints(c.bits, `${what}.bits`);
      return withError(mutate(0n, () => maskOf(...bits)));
    }
    case "add": {
      const start = mask("start");
      const bits = ints(c.bits, `${what}.bits`);
      return withError(mutate(start, () => maskAdd(start, ...bits)));
    }
    case "remove": {
      const start = mask("start");
      const bits = ints(c.bits, `${what}.bits`);
      return withError(mutate(start, () => maskRemove(start, ...bits)));
    }
    case "and":
    case "or": {
      const masks = arr(c.masks, `${what}.masks`).map((m, i) => maskFromJSON(m, `${what}.masks[${i}]`));
      if (masks.length === 0) throw new Error(`${what}.masks: expected at least one mask`);
      const fold = op === "and" ? maskAnd : maskOr;
      return asString(fold(masks[0], ...masks));
    }
    case "clear":
      mask("start");
      return asString(0n);
    case "fill":
      mask("start");
      return asString(FULL_MASK);
    case "isEmpty":
      return asValue(mask("mask") === 0n);
    case "isSet":
      return asValue(maskIsSet(mask("mask"), int(c.bit, `${what}.bit`)));
    case "anySet":
      return asValue(maskAnySet(mask("mask"), ints(c.bits, `${what}.bits`)));
    case "isEqual":
      return asValue(maskIsEqual(mask("a"), mask("b")));
    case "count":
      return asValue(maskCount(mask("mask")));
    case "getBits":
      return asValue(maskBits(mask("mask")));
    case "isNarrowerThan":
      return asValue(maskIsNarrowerThan(mask("a"), mask("b")));
    case "isLessThan":
      return asValue(maskIsLessThan(mask("a"), mask("b")));
    case "isGreaterThan":
      return asValue(maskIsGreaterThan(mask("a"), mask("b")));
    case "iterateBitMasksCount": {
      let n = 0;
      iterateBitMasks(ints(c.bits, `${what}.bits`), () => {
        n++;
        return true;
      });
      return asValue(n);
    }
    default:
      throw new Error(`${what}.op: unknown operation ${JSON.stringify(op)}`);
  }
}

export const suite: Suite = {
  file: FILE,
  run(data: unknown): CaseOutcome[] {
    return asArray(data, FILE).map((raw, i) => {
      const c = obj(raw, `${FILE}: case #${i}`);
      const name = typeof c.name === "string" ? c.name : `${String(c.op)} #${i}`;
      return guard(name, () => {
        const { expected, actual } = runOp(c, `${FILE}: case ${JSON.stringify(name)}`);
        return compare(name, expected, actual);
      });
    });
  },
};
