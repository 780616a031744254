import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { isTypedInputError } from "./fuzz-targets.js";
import { HOSTILE_CASES, type HostileReader } from "./hostile-inputs.cases.js";
import { kubeletArgsFromText } from "./kubelet-args-text.js";
import { parseKubeletConfig } from "./kubelet-config.js";
import { parseKubeletFlags } from "./kubelet-flags.js";
import { parsePods } from "./pod.js";
import { readPodInputs } from "./pod-inputs.js";

const READERS: Record<HostileReader, (text: string) => unknown> = {
  pods: (t) => readPodInputs(t, "pod.yaml"),
  parsePods: (t) => parsePods(t, "pod.yaml"),
  kubelet: (t) => parseKubeletConfig(t, "kubelet.yaml"),
  kubeletFlags: (t) => parseKubeletFlags(kubeletArgsFromText(t, "kubeadm-flags.env")),
};

/** Error messages stay one short line, whatever the input quoted (details are cut at 2,000 characters). */
const MAX_MESSAGE = 2500;

describe("hostile inputs (issue 12 corpus)", () => {
  for (const c of HOSTILE_CASES) {
    it(c.name, () => {
      const started = performance.now();
      let error: unknown;
      try {
        READERS[c.reader](c.text);
      } catch (err) {
        error = err;
      }
      const ms = performance.now() - started;
      if (c.expect === "accepted") {
        assert.equal(error, undefined, `expected acceptance, got ${(error as Error)?.message}`);
      } else {
        assert.ok(error !== undefined, "expected an error, the input was accepted");
        assert.ok(isTypedInputError(error), `not a typed one-line input error: ${(error as Error)?.stack}`);
        const message = (error as Error).message;
        assert.ok(message.length <= MAX_MESSAGE, `message of ${message.length} characters`);
        assert.match(message, c.expect);
      }
      assert.ok(ms < (c.maxMs ?? 1000), `took ${ms.toFixed(0)} ms`);
    });
  }
});
