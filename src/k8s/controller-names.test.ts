import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  generatedName,
  indexedPodPrefix,
  NameGenerator,
  podsPrefix,
  podTemplateHash,
  safeEncodeString,
} from "./controller-names.js";
import { nextScheduleTime, parseCronSchedule } from "./cron-schedule.js";
import { objectMetaNameErrors } from "./name-validation.js";

describe("controller names", () => {
  it("SafeEncodeString maps the decimal digits of a hash onto 4-9, b, c, d, f", () => {
    assert.equal(safeEncodeString("0123456789"), "456789bcdf");
  });

  it("pod-template-hash: FNV-32a, collisionCount as 8 little-endian bytes, safe-encoded", () => {
    const template = { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "c" }] } };
    const h = podTemplateHash(template);
    assert.match(h, /^[4-9bcdf]{1,10}$/);
    assert.equal(
      podTemplateHash({ spec: template.spec, metadata: template.metadata }),
      h,
      "key order does not matter",
    );
    assert.notEqual(podTemplateHash(template, 1), h);
    assert.notEqual(podTemplateHash(template, 0), h, "a zero collisionCount is still hashed");
  });

  it("generateName: the base cut to 58 characters, then 5 characters; no name twice", () => {
    assert.equal(generatedName(`${"a".repeat(70)}-`, "bcdfg"), `${"a".repeat(58)}bcdfg`);
    const g = new NameGenerator();
    const names = new Set(Array.from({ length: 2000 }, (_, i) => g.next("web-", i)));
    assert.equal(names.size, 2000);
    for (const n of names) assert.match(n, /^web-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
  });

  it("the controllers' prefixes: <name>- and the Job's <name>-<index>-", () => {
    assert.equal(podsPrefix("web-7d4b9c8f5"), "web-7d4b9c8f5-");
    assert.equal(indexedPodPrefix("shard", 12), "shard-12-");
    assert.equal(indexedPodPrefix("j".repeat(60), 3), `${"j".repeat(55)}-3-`);
  });

  it("generateName is validated with apimachinery's maskTrailingDash quirk", () => {
    assert.deepEqual(objectMetaNameErrors({ generateName: "web-" }, "subdomain"), []);
    assert.equal(
      objectMetaNameErrors({ generateName: "Web-" }, "subdomain")[0]?.field,
      "metadata.generateName",
    );
    assert.deepEqual(
      objectMetaNameErrors({ name: "db.v2" }, "label").map((e) => e.detail),
      ["must not contain dots"],
    );
  });
});

const at = (iso: string) => Date.parse(iso);
const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

describe("CronJob schedules (robfig/cron ParseStandard and Next)", () => {
  const next: [string, string, string, string | null][] = [
    ["*/15 * * * *", "2026-01-01T00:00:00Z", "UTC", "2026-01-01T00:15:00.000Z"],
    ["0 9 * * 1-5", "2026-01-03T10:00:00Z", "UTC", "2026-01-05T09:00:00.000Z"],
    ["0 0 13 * 5", "2026-01-01T00:00:00Z", "UTC", "2026-01-02T00:00:00.000Z"],
    ["0 0 29 2 *", "2026-03-01T00:00:00Z", "UTC", "2028-02-29T00:00:00.000Z"],
    ["0 0 30 2 *", "2026-01-01T00:00:00Z", "UTC", null],
    ["@hourly", "2026-01-01T10:59:30Z", "UTC", "2026-01-01T11:00:00.000Z"],
    ["@every 90s", "2026-01-01T10:00:00.500Z", "UTC", "2026-01-01T10:01:30.000Z"],
    ["0 0 * JAN-MAR mon", "2026-04-01T00:00:00Z", "UTC", "2027-01-04T00:00:00.000Z"],
    ["30 2 * * *", "2026-03-10T12:00:00Z", "America/New_York", "2026-03-11T06:30:00.000Z"],
    ["30 2 * * *", "2026-01-10T12:00:00Z", "America/New_York", "2026-01-11T07:30:00.000Z"],
  ];
  for (const [spec, after, zone, expected] of next) {
    it(`${spec} after ${after} (${zone})`, () => {
      assert.equal(iso(nextScheduleTime(parseCronSchedule(spec), at(after), zone)), expected);
    });
  }

  const errors: [string, string][] = [
    ["60 * * * *", "end of range (60) above maximum (59): 60"],
    ["* * * *", "expected exactly 5 fields, found 4: [* * * *]"],
    ["*/0 * * * *", "step of range should be a positive number: */0"],
    ["a * * * *", 'failed to parse int from a: strconv.Atoi: parsing "a": invalid syntax'],
    ["0 0 0 * *", "beginning of range (0) below minimum (1): 0"],
    ["0 0 * * 7", "end of range (7) above maximum (6): 7"],
    ["5-1 * * * *", "beginning of range (5) beyond end of range (1): 5-1"],
    ["@fortnightly", "unrecognized descriptor: @fortnightly"],
  ];
  for (const [spec, message] of errors) {
    it(`refuses ${spec}`, () => assert.throws(() => parseCronSchedule(spec), { message }));
  }
});
