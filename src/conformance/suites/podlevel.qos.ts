import { z } from "zod";
import { computePodQOS, podFromObject } from "../../k8s/index.js";
import { asArray, type CaseOutcome, caseName, compare, guard, type Suite } from "../suite.js";

/** `podlevel/qos.json`: core v1 `ComputePodQOS` on raw pod objects (no API defaulting). */
const caseSchema = z.object({
  name: z.string(),
  op: z.literal("computePodQOS"),
  config: z.object({ gates: z.object({ PodLevelResources: z.boolean() }) }),
  pod: z.unknown(),
  expected: z.enum(["Guaranteed", "Burstable", "BestEffort"]),
});

function runCase(raw: unknown, index: number): CaseOutcome {
  const parsed = caseSchema.safeParse(raw);
  if (!parsed.success) {
    throw new Error(`case ${JSON.stringify(caseName(raw, index))}: ${parsed.error.issues[0].message}`);
  }
  const c = parsed.data;
  return guard(c.name, () => {
    // The Go test hands the object straight to ComputePodQOS, so no defaulting here.
    const pod = podFromObject(c.pod, `qos.json case ${JSON.stringify(c.name)}`, { applyDefaults: false });
    return compare(c.name, c.expected, computePodQOS(pod, c.config.gates));
  });
}

export const suite: Suite = {
  file: "podlevel/qos.json",
  run(data) {
    return asArray(data, this.file).map(runCase);
  },
};
