import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { containerDeviceRequest, podDeviceRequest } from "./requests.js";
import { container, limits, pod } from "./test-support.js";

const gpuOnly = (r: string) => r === "gpu";

describe("device requests (device-manager.md §3)", () => {
  it("reads only limits of device plugin resources, zeros kept, rounded up", () => {
    const c = container("c", { gpu: "2", cpu: "4", memory: "1Gi", "other.com/x": "1" });
    assert.deepEqual([...containerDeviceRequest(c, gpuOnly)], [["gpu", 2]]);
    assert.deepEqual([...containerDeviceRequest(container("z", { gpu: "0" }), gpuOnly)], [["gpu", 0]]);
    assert.deepEqual([...containerDeviceRequest(container("r", { gpu: "1500m" }), gpuOnly)], [["gpu", 2]]);
    const requestsOnly = { name: "q", resources: { requests: limits({ gpu: "3" }), limits: {} } };
    assert.deepEqual([...containerDeviceRequest(requestsOnly, gpuOnly)], []);
    assert.deepEqual([...containerDeviceRequest({ name: "n", resources: null }, gpuOnly)], []);
  });

  it("lists resources in ascending name order", () => {
    const c = container("c", { "b.com/y": "1", "a.com/x": "2" });
    assert.deepEqual([...containerDeviceRequest(c, () => true).keys()], ["a.com/x", "b.com/y"]);
  });

  it("takes the pod's aggregate limits with the sidecar formula", () => {
    const request = (apps: string[], inits: [string, boolean][]) =>
      Object.fromEntries(
        podDeviceRequest(
          pod(
            "p",
            apps.map((n, i) => container(`a${i}`, { gpu: n })),
            inits.map(([n, sidecar], i) => container(`i${i}`, { gpu: n }, sidecar ? "Always" : undefined)),
          ),
          gpuOnly,
        ),
      );
    assert.deepEqual(
      request(
        [],
        [
          ["2", false],
          ["4", false],
        ],
      ),
      { gpu: 4 },
    );
    assert.deepEqual(
      request(
        ["1", "1"],
        [
          ["2", false],
          ["3", false],
        ],
      ),
      { gpu: 3 },
    );
    assert.deepEqual(
      request(
        ["3", "3"],
        [
          ["2", false],
          ["2", false],
        ],
      ),
      { gpu: 6 },
    );
    // max(2 + 1, 2): the sidecar runs beside the app container, the init container before both.
    assert.deepEqual(
      request(
        ["2"],
        [
          ["2", false],
          ["1", true],
        ],
      ),
      { gpu: 3 },
    );
    // A sidecar declared before an init container adds to that init container's peak.
    assert.deepEqual(
      request(
        ["1"],
        [
          ["2", true],
          ["3", false],
        ],
      ),
      { gpu: 5 },
    );
  });

  it("ignores pod-level resources", () => {
    const p = pod("p", [container("a", { gpu: "1" })]);
    p.resources = {
      requests: limits({ cpu: "4", memory: "1Gi" }),
      limits: limits({ cpu: "4", memory: "1Gi" }),
    };
    assert.deepEqual(Object.fromEntries(podDeviceRequest(p, gpuOnly)), { gpu: 1 });
  });
});
