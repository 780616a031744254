import fc from "fast-check";

/** One step of a random admit/remove sequence; `pick` chooses among the pods admitted so far. */
export type SequenceOp<P> =
  | { op: "admit"; pod: P }
  | { op: "remove"; pick: number }
  | { op: "removeContainer"; pick: number; container: number };

/** Admissions of `podArb`'s pods mixed with pod and container removals (5 : 2 : 1). */
export function sequenceOpArb<P>(podArb: fc.Arbitrary<P>): fc.Arbitrary<SequenceOp<P>> {
  return fc.oneof(
    { weight: 5, arbitrary: podArb.map((pod) => ({ op: "admit" as const, pod })) },
    { weight: 2, arbitrary: fc.nat(7).map((pick) => ({ op: "remove" as const, pick })) },
    {
      weight: 1,
      arbitrary: fc
        .tuple(fc.nat(7), fc.nat(4))
        .map(([pick, container]) => ({ op: "removeContainer" as const, pick, container })),
    },
  );
}
