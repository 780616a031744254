/**
 * The streamed legacy checksum (go-spew's dump fed straight into FNV-1a, CPU sets run by run)
 * equals FNV-1a of the dump's text, for random CPU and memory checkpoints with any names.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { CPUSet } from "../core/index.js";
import { structChecksum } from "./checksum.js";
import { encodeCPUCheckpoint } from "./cpu.js";
import { Fnv1a32, fnv1a32 } from "./fnv.js";
import { unmarshalInto } from "./gojson.js";
import { type GoStruct, goPtr } from "./gotype.js";
import { CPU_V3, MEMORY_V2, newCPUV3, newMemoryV2 } from "./kubelet-types.js";
import { encodeMemoryCheckpoint } from "./memory.js";
import { spewForHash } from "./spew.js";
import { cpuStateArb, memoryStateArb } from "./test-helpers.js";

function both(cp: GoStruct, t: typeof CPU_V3, from: string, to: string): [number, number] {
  const text = spewForHash({ ...cp, Checksum: 0n }, goPtr(t)).replace(from, to);
  return [structChecksum(cp, t, { from, to }), fnv1a32(text)];
}

test("CPU V3: streamed checksum = FNV-1a of the dump text (both type names)", () => {
  fc.assert(
    fc.property(cpuStateArb, (state) => {
      const cp = newCPUV3();
      assert.equal(unmarshalInto(encodeCPUCheckpoint(state, "v3"), CPU_V3, cp), null);
      const [a, b] = both(cp, CPU_V3, "CPUManagerCheckpointV3", "CPUManagerCheckpoint");
      assert.equal(a, b);
      assert.equal(structChecksum(cp, CPU_V3), fnv1a32(spewForHash({ ...cp, Checksum: 0n }, goPtr(CPU_V3))));
    }),
    { numRuns: 300 },
  );
});

test("memory V2: streamed checksum = FNV-1a of the dump text", () => {
  fc.assert(
    fc.property(memoryStateArb, (state) => {
      const cp = newMemoryV2();
      assert.equal(unmarshalInto(encodeMemoryCheckpoint(state, "v2"), MEMORY_V2, cp), null);
      const [a, b] = both(cp, MEMORY_V2, "MemoryManagerCheckpointV2", "MemoryManagerCheckpoint");
      assert.equal(a, b);
    }),
    { numRuns: 300 },
  );
});

test("Fnv1a32: pieces, digits and runs hash as their concatenation", () => {
  fc.assert(
    fc.property(
      fc.array(fc.oneof(fc.string({ unit: "binary" }), fc.nat()), { maxLength: 6 }),
      fc.nat({ max: 2000 }),
      fc.nat({ max: 130 }),
      (parts, from, n) => {
        const h = new Fnv1a32();
        let text = "";
        for (const p of parts) {
          if (typeof p === "string") h.push(p);
          else h.uint(p);
          text += String(p);
        }
        h.uintRun(from, from + n, ":{}", " ");
        text += Array.from({ length: n + 1 }, (_, i) => `${from + i}:{}`).join(" ");
        assert.equal(h.hash, fnv1a32(text));
      },
    ),
  );
});

test("a pod bubble of 4,194,304 CPUs is hashed in well under a second", () => {
  const state = {
    policyName: "static",
    defaultCpuSet: CPUSet.of(0),
    entries: new Map(),
    podEntries: new Map([["p", CPUSet.range(1, 4194304)]]),
  };
  const t = performance.now();
  const text = encodeCPUCheckpoint(state, "v3");
  const ms = performance.now() - t;
  assert.ok(text.length < 200);
  assert.ok(ms < 700, `took ${ms.toFixed(0)} ms`);
});
