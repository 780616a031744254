import { z } from "zod";
import type { FieldPath } from "./input-error.js";
import type { NameRule } from "./name-validation.js";
import { lenientFields, METADATA_FIELDS, optionalMap, strictFields } from "./schema.js";

/**
 * The objects podpin reads besides Pods — the workloads whose controllers create pods — with the
 * group/version the API server serves each at, and the shape of the fields podpin reads.
 *
 * Field policy (the same as for Pods, see `pod.ts`): the top level and pod templates are strict
 * (`apiVersion`, `kind`, `metadata`, `spec`, `status`; a template has only `metadata` and `spec`);
 * in `metadata` and `spec` every real field of the type is accepted (podpin reads only a few, the
 * API server keeps the rest), an unknown field is accepted too (the API server drops unknown fields
 * unless asked to be strict) unless it is a near miss of a real one (`replica:`, `paralelism:`),
 * which is refused with a hint because it would silently change what the controller creates.
 * `status` is accepted whatever it holds: it is the controller's report, not the user's intent.
 */

export type WorkloadKind =
  | "Deployment"
  | "StatefulSet"
  | "DaemonSet"
  | "ReplicaSet"
  | "ReplicationController"
  | "Job"
  | "CronJob";

export interface KindInfo {
  apiVersion: string;
  /** `Kind.group` as the API server names the kind in "is invalid" errors. */
  qualified: string;
  /** `resource.group`, for owner UIDs. */
  resource: string;
  /** Which DNS-1123 rule the kind's names follow. */
  nameRule: NameRule;
  /** Where the pod template sits. */
  templatePath: FieldPath;
  /** The restart policies the kind's validation accepts for its template. */
  restartPolicies: readonly string[];
}

const ALWAYS = ["Always"] as const;
const JOB_POLICIES = ["OnFailure", "Never"] as const;

export const WORKLOAD_KINDS: Readonly<Record<WorkloadKind, KindInfo>> = {
  Deployment: {
    apiVersion: "apps/v1",
    qualified: "Deployment.apps",
    resource: "deployments.apps",
    nameRule: "subdomain",
    templatePath: ["spec", "template"],
    restartPolicies: ALWAYS,
  },
  StatefulSet: {
    apiVersion: "apps/v1",
    qualified: "StatefulSet.apps",
    resource: "statefulsets.apps",
    nameRule: "label",
    templatePath: ["spec", "template"],
    restartPolicies: ALWAYS,
  },
  DaemonSet: {
    apiVersion: "apps/v1",
    qualified: "DaemonSet.apps",
    resource: "daemonsets.apps",
    nameRule: "subdomain",
    templatePath: ["spec", "template"],
    restartPolicies: ALWAYS,
  },
  ReplicaSet: {
    apiVersion: "apps/v1",
    qualified: "ReplicaSet.apps",
    resource: "replicasets.apps",
    nameRule: "subdomain",
    templatePath: ["spec", "template"],
    restartPolicies: ALWAYS,
  },
  ReplicationController: {
    apiVersion: "v1",
    qualified: "ReplicationController",
    resource: "replicationcontrollers",
    nameRule: "subdomain",
    templatePath: ["spec", "template"],
    restartPolicies: ALWAYS,
  },
  Job: {
    apiVersion: "batch/v1",
    qualified: "Job.batch",
    resource: "jobs.batch",
    nameRule: "subdomain",
    templatePath: ["spec", "template"],
    restartPolicies: JOB_POLICIES,
  },
  CronJob: {
    apiVersion: "batch/v1",
    qualified: "CronJob.batch",
    resource: "cronjobs.batch",
    nameRule: "subdomain",
    templatePath: ["spec", "jobTemplate", "spec", "template"],
    restartPolicies: JOB_POLICIES,
  },
};

/** More pods than this from one workload is almost surely a mistake; it would also be slow. */
export const MAX_PODS_PER_WORKLOAD = 5000;

export function isWorkloadKind(kind: string): kind is WorkloadKind {
  return Object.hasOwn(WORKLOAD_KINDS, kind);
}

const int32 = z
  .number()
  .int()
  .refine((n) => n >= -(2 ** 31) && n < 2 ** 31, { message: "expected a 32-bit integer" });
const stringMap = optionalMap(z.record(z.string(), z.string()));
/** YAML 1.1 reads an unquoted RFC 3339 time as a timestamp; JSON gives a string. */
const timestamp = z.union([z.string(), z.date()]).nullish();

export const objectMetaSchema = lenientFields(
  {
    name: z.string().nullish(),
    generateName: z.string().nullish(),
    namespace: z.string().nullish(),
    uid: z.string().nullish(),
    labels: stringMap,
    annotations: stringMap,
    generation: z.number().int().nullish(),
    creationTimestamp: timestamp,
  },
  METADATA_FIELDS,
);

export const labelSelectorSchema = strictFields({
  matchLabels: stringMap,
  matchExpressions: z
    .array(strictFields({ key: z.string(), operator: z.string(), values: z.array(z.string()).nullish() }))
    .nullish(),
});

/** A pod template: exactly `metadata` and `spec` (a typo at this level would lose the whole spec). */
export const podTemplateSchema = strictFields({
  metadata: objectMetaSchema.nullish(),
  spec: z.record(z.string(), z.unknown()),
});

const template = z.unknown();
const jobSpecShape = {
  parallelism: int32.nullish(),
  completions: int32.nullish(),
  completionMode: z.string().nullish(),
  suspend: z.boolean().nullish(),
  manualSelector: z.boolean().nullish(),
  selector: labelSelectorSchema.nullish(),
  template,
};
const JOB_FIELDS = [
  "activeDeadlineSeconds",
  "podFailurePolicy",
  "successPolicy",
  "backoffLimit",
  "backoffLimitPerIndex",
  "maxFailedIndexes",
  "ttlSecondsAfterFinished",
  "podReplacementPolicy",
  "managedBy",
];
export const jobSpecSchema = lenientFields(jobSpecShape, JOB_FIELDS);

const replicated = { replicas: int32.nullish(), selector: labelSelectorSchema.nullish(), template };

const SPEC_SCHEMAS = {
  Deployment: lenientFields(replicated, [
    "strategy",
    "minReadySeconds",
    "revisionHistoryLimit",
    "paused",
    "progressDeadlineSeconds",
  ]),
  ReplicaSet: lenientFields(replicated, ["minReadySeconds"]),
  ReplicationController: lenientFields({ replicas: int32.nullish(), selector: stringMap, template }, [
    "minReadySeconds",
  ]),
  StatefulSet: lenientFields(
    {
      ...replicated,
      serviceName: z.string().nullish(),
      ordinals: strictFields({ start: int32.nullish() }).nullish(),
    },
    [
      "volumeClaimTemplates",
      "podManagementPolicy",
      "updateStrategy",
      "revisionHistoryLimit",
      "minReadySeconds",
      "persistentVolumeClaimRetentionPolicy",
    ],
  ),
  DaemonSet: lenientFields({ selector: labelSelectorSchema.nullish(), template }, [
    "updateStrategy",
    "minReadySeconds",
    "revisionHistoryLimit",
    "templateGeneration",
  ]),
  Job: jobSpecSchema,
  CronJob: lenientFields(
    {
      schedule: z.string().nullish(),
      timeZone: z.string().nullish(),
      suspend: z.boolean().nullish(),
      jobTemplate: strictFields({ metadata: objectMetaSchema.nullish(), spec: jobSpecSchema }),
    },
    ["startingDeadlineSeconds", "concurrencyPolicy", "successfulJobsHistoryLimit", "failedJobsHistoryLimit"],
  ),
} as const;

const statusSchema = z
  .looseObject({
    collisionCount: z.number().int().nullish(),
    lastScheduleTime: timestamp,
  })
  .nullish();

function workloadSchema<K extends WorkloadKind>(kind: K) {
  return strictFields({
    apiVersion: z.string().optional(),
    kind: z.literal(kind).optional(),
    metadata: objectMetaSchema.nullish(),
    spec: SPEC_SCHEMAS[kind],
    status: statusSchema,
  });
}

export const WORKLOAD_SCHEMAS = {
  Deployment: workloadSchema("Deployment"),
  StatefulSet: workloadSchema("StatefulSet"),
  DaemonSet: workloadSchema("DaemonSet"),
  ReplicaSet: workloadSchema("ReplicaSet"),
  ReplicationController: workloadSchema("ReplicationController"),
  Job: workloadSchema("Job"),
  CronJob: workloadSchema("CronJob"),
};

export type WorkloadShape<K extends WorkloadKind> = z.infer<(typeof WORKLOAD_SCHEMAS)[K]>;
export type ObjectMetaShape = z.infer<typeof objectMetaSchema>;
export type LabelSelectorShape = z.infer<typeof labelSelectorSchema>;
export type JobSpecShape = z.infer<typeof jobSpecSchema>;
