import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { familyHints } from "./family-listing.js";
import { HintFamily } from "./hint-family.js";
import {
  FULL_LISTING_LIMIT,
  hintData,
  mergeData,
  providerAnswerData,
  TRUNCATED_LISTING,
  traceSettings,
} from "./trace.js";

/*
 * How a trace shows hint families: in full up to 255 hints (every family of an 8-node machine),
 * else the first 64 and how many more, listed only when the trace is read.
 */

function family(nodes: number): HintFamily {
  const ids = Array.from({ length: nodes }, (_, i) => i);
  const all = ids.reduce((m, i) => m | (1n << BigInt(i)), 0n);
  return new HintFamily({
    nodes: ids,
    core: { allowed: all, required: 0n, minCount: 1, constraints: [{ values: ids.map(() => 4), need: 4 }] },
    extras: [],
    preferredCount: 1,
    alignment: null,
  });
}

describe("trace of hint families", () => {
  it("lists a family of at most 255 hints in full, like the list it stands for", () => {
    const f = family(8);
    const data = providerAnswerData("cpu", new Map([["cpu", f]]));
    assert.deepEqual(data.hints, { cpu: familyHints(f).map(hintData) });
    assert.equal(data.hints?.cpu?.length, FULL_LISTING_LIMIT);
    assert.deepEqual(data.unlisted, {});
  });

  it("shows a larger family by its first hints and a count that JSON leaves out", () => {
    const f = family(16);
    const data = providerAnswerData("memory", new Map([["memory", f]]));
    assert.deepEqual(data.hints?.memory, familyHints(f, TRUNCATED_LISTING).map(hintData));
    assert.deepEqual(data.unlisted, { memory: 2 ** 16 - 1 - TRUNCATED_LISTING });
    assert.deepEqual(Object.keys(JSON.parse(JSON.stringify(data))), ["provider", "hints"]);
  });

  it("counts a family of 2^64 - 1 hints, rounded", () => {
    const data = providerAnswerData("cpu", new Map([["cpu", family(64)]]));
    assert.equal(data.hints?.cpu?.length, TRUNCATED_LISTING);
    assert.equal(data.unlisted?.cpu, 2 ** 64 - 1 - TRUNCATED_LISTING);
  });

  it("keeps explicit lists as they are, without a count", () => {
    const data = providerAnswerData("device", new Map([["gpu", [{ affinity: 1n, preferred: true }]]]));
    assert.deepEqual(data, { provider: "device", hints: { gpu: [{ numaNodes: [0], preferred: true }] } });
    assert.equal(data.unlisted, undefined);
  });
});

describe("merges recorded on demand", () => {
  const answers = () => [
    null,
    new Map([["cpu", family(4)]]),
    new Map([["gpu", [{ affinity: 1n, preferred: true }]]]),
  ];
  const providers = ["device", "cpu", "memory"] as const;
  const hint = { affinity: 1n, preferred: true };

  it("keeps the answers by reference until the trace is read, then holds the data", () => {
    const merge = mergeData("app", providers, answers(), hint, true);
    assert.equal(typeof Object.getOwnPropertyDescriptor(merge, "answers")?.get, "function");
    const read = merge.answers;
    assert.equal(merge.answers, read);
    assert.deepEqual(Object.getOwnPropertyDescriptor(merge, "answers")?.value, read);
    assert.deepEqual(Object.keys(merge), ["container", "answers", "hint", "admit"]);
  });

  it("reads exactly as the merge built during the admission", () => {
    const lazy = mergeData("app", providers, answers(), hint, false);
    traceSettings.build = "eager";
    let eager: ReturnType<typeof mergeData>;
    try {
      eager = mergeData("app", providers, answers(), hint, false);
    } finally {
      traceSettings.build = "lazy";
    }
    assert.equal(Object.getOwnPropertyDescriptor(eager, "answers")?.get, undefined);
    assert.equal(JSON.stringify(lazy), JSON.stringify(eager));
    assert.deepEqual(lazy, eager);
    assert.deepEqual(
      lazy.answers.map((a) => a.unlisted),
      eager.answers.map((a) => a.unlisted),
    );
  });
});
