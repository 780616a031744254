import { indexedPodPrefix, ownerUIDFor, podsPrefix } from "./controller-names.js";
import { nextScheduleTime, parseCronSchedule } from "./cron-schedule.js";
import type { FieldPath } from "./input-error.js";
import {
  type Expander,
  type Identity,
  type Labels,
  ownerOf,
  type PodObject,
  type Template,
  timeOf,
} from "./workload-expander.js";
import type { JobSpecShape, WorkloadShape } from "./workload-kinds.js";
import { cronJobErrors, jobNameLabelErrors, jobSpecErrors, selectorErrors } from "./workload-validation.js";

/**
 * Jobs and CronJobs made into pods: the Job controller's first sync (how many pods, their names,
 * the labels the API server adds to a Job's template), and the Job a CronJob starts.
 */

/** The instant a CronJob's time is measured from when the input carries none (podpin has no clock). */
const REFERENCE_TIME = Date.UTC(2026, 0, 1);

interface JobRun {
  name: string;
  uid: string;
  spec: JobSpecShape;
  template: Template;
}

/** The pods a new Job creates at once: `min(parallelism, completions)`, none when suspended. */
function jobPods(x: Expander, job: JobRun, override: number | undefined, countField: FieldPath): void {
  const { spec, template: t } = job;
  const indexed = spec.completionMode === "Indexed";
  const parallelism = spec.parallelism ?? 1;
  // The API server defaults completions to 1 only when neither count is set.
  const completions = spec.completions ?? (spec.parallelism == null ? 1 : null);
  const natural = spec.suspend ? 0 : completions === null ? parallelism : Math.min(completions, parallelism);
  const n = x.count(natural, override, countField);
  const labels: Labels = { ...t.labels };
  // The API server's `generateSelector`: a Job without a manual selector labels its template.
  if (!spec.manualSelector) {
    for (const key of ["batch.kubernetes.io/job-name", "job-name"]) labels[key] ??= job.name;
    for (const key of ["batch.kubernetes.io/controller-uid", "controller-uid"]) labels[key] ??= job.uid;
  }
  const owner = { apiVersion: "batch/v1", kind: "Job", name: job.name, uid: job.uid };
  const finalizers = ["batch.kubernetes.io/job-tracking"];
  if (!indexed) {
    x.generated(t, n, podsPrefix(job.name), { labels, finalizers }, owner);
    return;
  }
  for (let i = 0; i < n; i++) {
    const prefix = indexedPodPrefix(job.name, i);
    const index = { "batch.kubernetes.io/job-completion-index": String(i) };
    const id: Identity = {
      name: x.gen.next(prefix, i),
      generateName: prefix,
      labels: { ...labels, ...index },
      annotations: { ...t.annotations, ...index },
      finalizers,
      spec: { hostname: `${job.name}-${i}` },
    };
    x.pods.push(x.podObject(t, id, owner));
  }
}

const probeOf = (x: Expander, job: JobRun): PodObject =>
  x.podObject(
    job.template,
    { name: `${job.name}-probe`, labels: job.template.labels },
    ownerOf("Job", job.name, x.namespace, job.uid),
  );

export function expandJob(
  x: Expander,
  w: WorkloadShape<"Job">,
  raw: Record<string, unknown>,
  name: string,
  override: number | undefined,
): { template: Template; probe: PodObject } {
  const template = x.template(raw.template, ["spec", "template"]);
  const job = {
    name,
    uid: w.metadata?.uid || ownerUIDFor("jobs.batch", x.namespace, name),
    spec: w.spec,
    template,
  };
  x.errors.push(...jobSpecErrors(w.spec, "spec"));
  if (w.spec.manualSelector)
    x.errors.push(
      ...selectorErrors("Job", w.spec.selector, template.labels, "spec.template.metadata.labels"),
    );
  else x.errors.push(...jobNameLabelErrors(name, "spec.template.labels"));
  jobPods(x, job, override, ["spec", "parallelism"]);
  return { template, probe: probeOf(x, job) };
}

/** The scheduled time of the Job a CronJob runs: its last one (a dump), else the first after creation. */
function cronJobTime(x: Expander, w: WorkloadShape<"CronJob">): number {
  const last = timeOf(w.status?.lastScheduleTime);
  if (last !== undefined) return last;
  const after = timeOf(w.metadata?.creationTimestamp) ?? REFERENCE_TIME;
  const next = nextScheduleTime(parseCronSchedule(w.spec.schedule ?? ""), after, w.spec.timeZone ?? "UTC");
  if (next === null)
    x.fail(
      ["spec", "schedule"],
      `${JSON.stringify(w.spec.schedule)} never fires within five years, so the CronJob creates no Job`,
    );
  return next;
}

export function expandCronJob(
  x: Expander,
  w: WorkloadShape<"CronJob">,
  raw: Record<string, unknown>,
  name: string,
  override: number | undefined,
): { template: Template; probe: PodObject } {
  x.errors.push(...cronJobErrors(name, w.spec.schedule, w.spec.timeZone));
  const jobSpec = (raw.jobTemplate as { spec: Record<string, unknown> }).spec;
  const template = x.template(jobSpec.template, ["spec", "jobTemplate", "spec", "template"]);
  const scheduled = x.errors.length === 0;
  // The CronJob controller's `getJobName`: the scheduled time in minutes since the epoch.
  const jobName = scheduled ? `${name}-${Math.floor(cronJobTime(x, w) / 60_000)}` : `${name}-0`;
  // A suspended CronJob starts no Job, as a suspended Job starts no pod.
  const spec = w.spec.suspend ? { ...w.spec.jobTemplate.spec, suspend: true } : w.spec.jobTemplate.spec;
  const job = { name: jobName, uid: ownerUIDFor("jobs.batch", x.namespace, jobName), spec, template };
  x.errors.push(...jobSpecErrors(spec, "spec.jobTemplate.spec"));
  if (scheduled) jobPods(x, job, override, ["spec", "jobTemplate", "spec", "parallelism"]);
  return { template, probe: probeOf(x, job) };
}
