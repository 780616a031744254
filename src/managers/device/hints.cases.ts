import type { DeviceRow } from "./test-support.js";

/**
 * `generateDeviceTopologyHints` cases (device-manager.md §4.1), run against the reference and the
 * tabulated implementation. `expected` rows: `[numa ids, preferred]` in enumeration order.
 */
export interface DeviceHintCase {
  name: string;
  numaNodes: number[];
  devices: DeviceRow[];
  available: string[];
  reusable: string[];
  request: number;
  expected: [number[], boolean][];
}

export const DEVICE_HINT_CASES: readonly DeviceHintCase[] = [
  {
    name: "taken devices still count for minAffinitySize (the spec's example)",
    numaNodes: [0, 1],
    devices: [
      ["a", [0]],
      ["b", [0]],
      ["c", [1]],
      ["d", [1]],
    ],
    available: ["b", "d"],
    reusable: [],
    request: 2,
    expected: [[[0, 1], false]],
  },
  {
    name: "a zero request passes every mask; single nodes are preferred",
    numaNodes: [0, 1],
    devices: [["a", [0]]],
    available: [],
    reusable: [],
    request: 0,
    expected: [
      [[0], true],
      [[1], true],
      [[0, 1], false],
    ],
  },
  {
    name: "on a one-node machine the only mask is preferred",
    numaNodes: [3],
    devices: [["a", [3]]],
    available: ["a"],
    reusable: [],
    request: 0,
    expected: [[[3], true]],
  },
  {
    name: "devices without NUMA information never count",
    numaNodes: [0, 1],
    devices: [
      ["a", [0]],
      ["b", null],
      ["c", []],
    ],
    available: ["a", "b", "c"],
    reusable: [],
    request: 2,
    expected: [],
  },
  {
    name: "a reusable device with an empty NUMA list discards every mask",
    numaNodes: [0, 1],
    devices: [
      ["a", [0]],
      ["b", [1]],
      ["r", []],
    ],
    available: ["a", "b"],
    reusable: ["r"],
    request: 1,
    expected: [],
  },
  {
    name: "a reusable device without TopologyInfo is skipped (neither counted nor checked)",
    numaNodes: [0, 1],
    devices: [
      ["a", [0]],
      ["b", [1]],
      ["r", null],
    ],
    available: ["a", "b"],
    reusable: ["r"],
    request: 2,
    expected: [[[0, 1], true]],
  },
  {
    name: "every mask must hold each reusable device with NUMA information",
    numaNodes: [0, 1],
    devices: [
      ["a", [0]],
      ["r", [1]],
    ],
    available: ["a"],
    reusable: ["r"],
    request: 2,
    expected: [[[0, 1], true]],
  },
  {
    name: "a device on two nodes counts for every mask touching either",
    numaNodes: [0, 1, 2],
    devices: [
      ["x", [0, 1]],
      ["y", [2]],
    ],
    available: ["x"],
    reusable: [],
    request: 1,
    expected: [
      [[0], true],
      [[1], true],
      [[0, 1], false],
      [[0, 2], false],
      [[1, 2], false],
      [[0, 1, 2], false],
    ],
  },
  {
    name: "a NUMA id the machine does not have never matches",
    numaNodes: [0, 1],
    devices: [
      ["z", [5]],
      ["a", [1]],
    ],
    available: ["z", "a"],
    reusable: [],
    request: 2,
    expected: [],
  },
  {
    name: "sparse NUMA ids are enumerated by position",
    numaNodes: [0, 2, 5],
    devices: [
      ["a", [2]],
      ["b", [5]],
      ["c", [0]],
    ],
    available: ["a", "b", "c"],
    reusable: [],
    request: 2,
    expected: [
      [[0, 2], true],
      [[0, 5], true],
      [[2, 5], true],
      [[0, 2, 5], false],
    ],
  },
  {
    name: "an unknown available device reads as one without topology",
    numaNodes: [0, 1],
    devices: [["a", [0]]],
    available: ["a", "ghost"],
    reusable: ["ghost-2"],
    request: 1,
    expected: [
      [[0], true],
      [[0, 1], false],
    ],
  },
];
