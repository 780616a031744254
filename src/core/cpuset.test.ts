import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import { CPUSet, CPUSetParseError } from "./cpuset.js";

const ids = (s: CPUSet): number[] => s.toArray();

describe("CPUSet list format", () => {
  test("format: ascending runs, a-b for runs longer than one, no spaces; empty set is empty", () => {
    assert.equal(CPUSet.of(4, 0, 1, 2).toString(), "0-2,4");
    assert.equal(
      CPUSet.of(
        0,
        5,
        6,
        7,
        8,
        9,
        10,
        11,
        12,
        13,
        14,
        15,
        16,
        21,
        22,
        23,
        24,
        25,
        26,
        27,
        28,
        29,
        30,
        31,
      ).toString(),
      "0,5-16,21-31",
    );
    assert.equal(CPUSet.of(3, 4).toString(), "3-4");
    assert.equal(CPUSet.empty.toString(), "");
    assert.equal(CPUSet.of(31, 32, 63, 64).toString(), "31-32,63-64");
    assert.equal(JSON.stringify({ cpus: CPUSet.of(1, 2) }), '{"cpus":"1-2"}');
  });

  test("parse: ids and ranges in any order, overlaps, white space around elements, empty text", () => {
    assert.deepEqual(ids(CPUSet.parse("8-10,0,2-3")), [0, 2, 3, 8, 9, 10]);
    assert.deepEqual(ids(CPUSet.parse("1-3,2-4")), [1, 2, 3, 4]);
    assert.deepEqual(ids(CPUSet.parse(" 0 , 5-6\n")), [0, 5, 6]);
    assert.deepEqual(ids(CPUSet.parse("7-7")), [7]);
    assert.ok(CPUSet.parse("").isEmpty());
    assert.ok(CPUSet.parse("  \n").isEmpty());
  });

  test("parse errors name the list, the element and the problem", () => {
    const cases: [string, string][] = [
      ["3-1", 'cpus: invalid CPU list "3-1": range "3-1" ends before it starts'],
      ["1,,2", 'cpus: invalid CPU list "1,,2": element "" is not an id or a range "a-b"'],
      ["a", 'cpus: invalid CPU list "a": element "a" is not an id or a range "a-b"'],
      ["1-", 'cpus: invalid CPU list "1-": element "1-" is not an id or a range "a-b"'],
      ["-1", 'cpus: invalid CPU list "-1": element "-1" is not an id or a range "a-b"'],
      ["0-2,", 'cpus: invalid CPU list "0-2,": element "" is not an id or a range "a-b"'],
      ["1 2", 'cpus: invalid CPU list "1 2": element "1 2" is not an id or a range "a-b"'],
      [
        "99999999",
        'cpus: invalid CPU list "99999999": id out of range in "99999999": CPU id 99999999 exceeds the largest supported CPU id 4194304',
      ],
    ];
    for (const [text, message] of cases) {
      assert.throws(
        () => CPUSet.parse(text, "cpus"),
        (err: unknown) => err instanceof CPUSetParseError && err.message === message,
        text,
      );
    }
    assert.throws(() => CPUSet.parse("x"), /^CPUSetParseError: CPU list: invalid CPU list "x"/);
  });

  test("fromIds refuses negative and fractional ids", () => {
    assert.throws(() => CPUSet.of(-1), RangeError);
    assert.throws(() => CPUSet.of(1.5), /invalid CPU id 1.5/);
  });
});

describe("CPUSet algebra and queries", () => {
  const a = CPUSet.parse("0-5");
  const b = CPUSet.parse("4-9");
  test("union, intersection, difference", () => {
    assert.equal(a.union(b).toString(), "0-9");
    assert.equal(a.union(b, CPUSet.of(40)).toString(), "0-9,40");
    assert.equal(a.intersect(b).toString(), "4-5");
    assert.equal(a.difference(b).toString(), "0-3");
    assert.equal(b.difference(a).toString(), "6-9");
    assert.ok(a.difference(CPUSet.range(0, 100)).isEmpty());
  });
  test("subset, intersects, equals ignore how a set was built", () => {
    assert.ok(CPUSet.of(4, 5).isSubsetOf(a));
    assert.ok(!b.isSubsetOf(a));
    assert.ok(CPUSet.empty.isSubsetOf(CPUSet.empty));
    assert.ok(a.intersects(b) && !a.intersects(CPUSet.of(6)));
    assert.ok(CPUSet.range(0, 100).difference(CPUSet.range(6, 100)).equals(a));
    assert.ok(CPUSet.of(70).difference(CPUSet.of(70)).equals(CPUSet.empty));
  });
  test("size, min, max, has, range, takeLowest, filter", () => {
    assert.equal(CPUSet.range(0, 4095).size, 4096);
    assert.equal(CPUSet.of(33, 31, 95).min(), 31);
    assert.equal(CPUSet.of(33, 31, 95).max(), 95);
    assert.equal(CPUSet.empty.min(), -1);
    assert.equal(CPUSet.empty.max(), -1);
    assert.ok(a.has(0) && !a.has(6) && !a.has(-1) && !a.has(1000));
    assert.ok(CPUSet.range(5, 3).isEmpty());
    assert.equal(CPUSet.parse("2,7,9-12").takeLowest(3).toString(), "2,7,9");
    assert.equal(
      CPUSet.range(0, 9)
        .filter((id) => id % 3 === 0)
        .toString(),
      "0,3,6,9",
    );
  });
  test("iteration is in ascending id order, across word boundaries", () => {
    assert.deepEqual([...CPUSet.of(64, 31, 0, 32, 63)], [0, 31, 32, 63, 64]);
  });
});

describe("CPUSet properties against a plain Set model", () => {
  const idList = fc.array(fc.integer({ min: 0, max: 300 }), { maxLength: 60 });
  const model = (xs: number[]): number[] => [...new Set(xs)].sort((x, y) => x - y);

  test("parse(format(s)) == s, and the format is canonical", () => {
    fc.assert(
      fc.property(idList, (xs) => {
        const s = CPUSet.fromIds(xs);
        const text = s.toString();
        assert.ok(CPUSet.parse(text).equals(s));
        assert.doesNotMatch(text, /\s/);
        assert.deepEqual(ids(s), model(xs));
        assert.equal(s.size, model(xs).length);
      }),
    );
  });

  test("union, intersection and difference agree with the model", () => {
    fc.assert(
      fc.property(idList, idList, (xs, ys) => {
        const [s, t] = [CPUSet.fromIds(xs), CPUSet.fromIds(ys)];
        const [ms, mt] = [new Set(xs), new Set(ys)];
        assert.deepEqual(ids(s.union(t)), model([...xs, ...ys]));
        assert.deepEqual(ids(s.intersect(t)), model(xs.filter((x) => mt.has(x))));
        assert.deepEqual(ids(s.difference(t)), model(xs.filter((x) => !mt.has(x))));
        assert.equal(
          s.intersects(t),
          xs.some((x) => mt.has(x)),
        );
        assert.equal(
          s.isSubsetOf(t),
          xs.every((x) => mt.has(x)),
        );
        assert.equal(s.equals(t), model(xs).join() === model(ys).join());
        assert.equal(s.min(), xs.length ? Math.min(...ms) : -1);
      }),
    );
  });

  test("operations on nested and disjoint sets give canonical sets (shared or built)", () => {
    fc.assert(
      fc.property(idList, fc.array(fc.boolean(), { maxLength: 60 }), (xs, keep) => {
        const s = CPUSet.fromIds(xs);
        const sub = CPUSet.fromIds(model(xs).filter((_, i) => keep[i] ?? false));
        const apart = CPUSet.fromIds(xs.map((x) => x + 301));
        const canonical = (set: CPUSet, expected: number[]) => {
          assert.deepEqual(ids(set), expected);
          assert.ok(set.equals(CPUSet.fromIds(expected)));
          assert.equal(set.size, expected.length);
        };
        canonical(s.union(sub), model(xs));
        canonical(sub.union(s), model(xs));
        canonical(s.union(sub, apart), model([...xs, ...xs.map((x) => x + 301)]));
        canonical(s.intersect(sub), ids(sub));
        canonical(sub.intersect(s), ids(sub));
        canonical(s.intersect(apart), []);
        canonical(s.difference(apart), model(xs));
        canonical(
          s.difference(sub),
          model(xs).filter((x) => !sub.has(x)),
        );
        canonical(sub.difference(s), []);
        canonical(CPUSet.empty.union(s), model(xs));
      }),
    );
  });

  test("laws: commutativity, De Morgan within a universe, difference as intersection with the complement", () => {
    const universe = CPUSet.range(0, 300);
    fc.assert(
      fc.property(idList, idList, idList, (xs, ys, zs) => {
        const [s, t, u] = [CPUSet.fromIds(xs), CPUSet.fromIds(ys), CPUSet.fromIds(zs)];
        assert.ok(s.union(t).equals(t.union(s)));
        assert.ok(s.intersect(t).equals(t.intersect(s)));
        assert.ok(s.union(t.union(u)).equals(s.union(t).union(u)));
        assert.ok(s.intersect(t.union(u)).equals(s.intersect(t).union(s.intersect(u))));
        const not = (x: CPUSet) => universe.difference(x);
        assert.ok(not(s.union(t)).equals(not(s).intersect(not(t))));
        assert.ok(s.difference(t).equals(s.intersect(not(t))));
        assert.ok(s.difference(t).union(s.intersect(t)).equals(s));
      }),
    );
  });
});
