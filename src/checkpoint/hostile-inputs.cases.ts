/**
 * Checkpoint inputs that once crashed, hung or blew up podpin (issue 12), replayed by
 * `hostile-inputs.test.ts`. Each names the reader and settings, builds its input lazily (some are
 * megabytes), and says how it must end: restored, refused with the kubelet's inner error, or
 * refused by one of podpin's bounds (docs/limits.md) — within a second.
 */
import { CPUSet } from "../core/index.js";
import { encodeCPUCheckpoint } from "./cpu.js";
import { encodeDeviceCheckpoint } from "./device.js";
import { fnv1a32 } from "./fnv.js";
import { encodeMemoryCheckpoint } from "./memory.js";

export interface HostileCheckpointCase {
  name: string;
  reader: "cpu" | "memory" | "device";
  version: "1.36" | "1.37";
  gate: boolean;
  input: () => string | Uint8Array;
  /** `state`: restored; `kubelet`: the kubelet's refusal, its inner error matching; `limit`: podpin's bound. */
  expect: { state: true } | { kubelet: RegExp } | { limit: RegExp };
}

const cpuState = (
  defaultCpuSet: string,
  pods: Record<string, string> = {},
  entries: Record<string, string> = {},
) => ({
  policyName: "static",
  defaultCpuSet: CPUSet.fromRanges(ranges(defaultCpuSet)),
  entries: new Map(
    Object.entries(entries).map(([p, s]) => [p, new Map([["c", CPUSet.fromRanges(ranges(s))]])]),
  ),
  podEntries: new Map(Object.entries(pods).map(([p, s]) => [p, CPUSet.fromRanges(ranges(s))])),
});

function ranges(text: string): Array<[number, number]> {
  if (text === "") return [];
  return text.split(",").map((r) => {
    const [a, b = a] = r.split("-").map(Number);
    return [a, b];
  });
}

/** A V4 file whose `data` holds `data` verbatim, with a correct `dataChecksum`. */
function v4(data: string): string {
  return JSON.stringify({ checksum: 0, data, dataChecksum: fnv1a32(`(string)${data}`) });
}

const disjoint400 = Array.from({ length: 400 }, (_, i) => `${i * 10_000}-${i * 10_000 + 9_998}`).join(",");
const same400 = Array.from({ length: 400 }, () => "0-4194303").join(",");

export const hostileCheckpointCases: HostileCheckpointCase[] = [
  {
    name: "CPU V3, 131 bytes, bubble 1-4194304 with a wrong checksum (22 s, 2.8 GB, hashed twice)",
    reader: "cpu",
    version: "1.36",
    gate: true,
    input: () =>
      '{"policyName":"static","defaultCpuSet":"0","entries":{"p":{"c":"1"}},"podEntries":{"p":{"cpuSet":"1-4194304"}},"checksum":123456789}',
    // No machine has 4M CPUs: refused before any hashing.
    expect: { limit: /holds 4194304 CPUs, more than any machine has \(8192/ },
  },
  {
    name: "CPU V3, a bubble of 8,192 CPUs reaching id 4194303 with its right checksum: restored",
    reader: "cpu",
    version: "1.36",
    gate: true,
    input: () => encodeCPUCheckpoint(cpuState("0", { p: "1-8000,4194112-4194303" }), "v3"),
    expect: { state: true },
  },
  {
    name: "CPU V4, 400 large disjoint ranges in the default set and a bubble (7 s)",
    reader: "cpu",
    version: "1.37",
    gate: true,
    input: () => encodeCPUCheckpoint(cpuState(disjoint400, { p: "3999999" }), "v4"),
    expect: { limit: /holds 3999600 CPUs, more than any machine has/ },
  },
  {
    name: "CPU V4, 400 copies of 0-4194303 in data",
    reader: "cpu",
    version: "1.37",
    gate: true,
    input: () => v4(`{"policyName":"static","defaultCpuSet":"${same400}"}`),
    expect: { limit: /holds 4194304 CPUs, more than any machine has/ },
  },
  {
    name: "CPU V4, 5,000 pods each with the bubble 4194304 (a 512 KiB bitset each)",
    reader: "cpu",
    version: "1.37",
    gate: true,
    input: () => {
      const pods = Array.from({ length: 5000 }, (_, i) => `"p${i}":{"cpuSet":"4194304"}`).join(",");
      return v4(`{"policyName":"static","defaultCpuSet":"0","podEntries":{${pods}}}`);
    },
    expect: { limit: /reach more than 67108864 CPU ids/ },
  },
  {
    name: "CPU V3, two bubbles of 4M ids (the dump would walk 8M ids twice)",
    reader: "cpu",
    version: "1.36",
    gate: true,
    input: () =>
      '{"policyName":"static","defaultCpuSet":"0","podEntries":{"a":{"cpuSet":"1-4194304"},"b":{"cpuSet":"1-4194304"}},"checksum":1}',
    expect: { limit: /holds 4194304 CPUs, more than any machine has/ },
  },
  {
    name: "CPU V2, a 9 MiB file",
    reader: "cpu",
    version: "1.36",
    gate: false,
    input: () =>
      `{"policyName":"static","defaultCpuSet":"0","checksum":0,"x":"${"a".repeat(9 * 1024 * 1024)}"}`,
    expect: { limit: /more than the 8388608 podpin reads/ },
  },
  {
    name: "CPU V2, a pod UID of 5,000 characters",
    reader: "cpu",
    version: "1.36",
    gate: false,
    input: () =>
      `{"policyName":"static","defaultCpuSet":"0","entries":{"${"u".repeat(5000)}":{"c":"1"}},"checksum":0}`,
    expect: { limit: /pod UID "u+"… is 5000 characters long/ },
  },
  {
    name: "CPU V2, 100,000 levels of nesting",
    reader: "cpu",
    version: "1.36",
    gate: false,
    input: () => `{"x":${"[".repeat(100_000)}`,
    expect: { kubelet: /exceeded max depth/ },
  },
  {
    name: "CPU V2, a negative-looking and an out-of-range id",
    reader: "cpu",
    version: "1.36",
    gate: false,
    input: () => '{"policyName":"static","defaultCpuSet":"0-4194305","checksum":0}',
    expect: { kubelet: /exceeds the largest supported CPU id 4194304/ },
  },
  {
    name: "memory V1, a container name of 5,000 characters",
    reader: "memory",
    version: "1.36",
    gate: false,
    input: () =>
      encodeMemoryCheckpoint(
        {
          policyName: "Static",
          machineState: new Map(),
          entries: new Map([["p", new Map([["c".repeat(5000), []]])]]),
          podEntries: new Map(),
        },
        "v1",
      ),
    expect: { limit: /container name "c+"… is 5000 characters long/ },
  },
  {
    name: "memory V3, 2,000 NUMA nodes in the machine state",
    reader: "memory",
    version: "1.37",
    gate: true,
    input: () =>
      encodeMemoryCheckpoint(
        {
          policyName: "Static",
          machineState: new Map(
            Array.from({ length: 2000 }, (_, i) => [
              i,
              { numberOfAssignments: 0, memoryMap: new Map(), cells: [i] },
            ]),
          ),
          entries: new Map(),
          podEntries: new Map(),
        },
        "v3",
      ),
    expect: { limit: /2000 NUMA nodes in machineState, more than the 1024/ },
  },
  {
    name: "device V2, a device ID of 5,000 characters",
    reader: "device",
    version: "1.37",
    gate: true,
    input: () =>
      encodeDeviceCheckpoint({
        layout: "V2",
        podDeviceEntries: [
          {
            podUID: "p",
            containerName: "c",
            resourceName: "example.com/gpu",
            deviceIDs: new Map([[0, ["d".repeat(5000)]]]),
            allocResp: new Uint8Array(0),
          },
        ],
        registeredDevices: new Map(),
      }),
    expect: { limit: /device ID "d+"… is 5000 characters long/ },
  },
  {
    name: "device, a 9 MiB file of bytes",
    reader: "device",
    version: "1.37",
    gate: true,
    input: () => new Uint8Array(9 * 1024 * 1024).fill(0x20),
    expect: { limit: /more than the 8388608 podpin reads/ },
  },
];
