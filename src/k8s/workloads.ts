import {
  indexedPodPrefix,
  type NameGenerator,
  ownerUIDFor,
  podsPrefix,
  podTemplateHash,
} from "./controller-names.js";
import { nextScheduleTime, parseCronSchedule } from "./cron-schedule.js";
import type { FieldError } from "./field-error.js";
import { type FieldPath, InputError } from "./input-error.js";
import { objectMetaNameErrors } from "./name-validation.js";
import { checkShape, lineNear } from "./schema.js";
import {
  type JobSpecShape,
  type ObjectMetaShape,
  podTemplateSchema,
  WORKLOAD_KINDS,
  WORKLOAD_SCHEMAS,
  type WorkloadKind,
  type WorkloadShape,
} from "./workload-kinds.js";
import {
  cronJobErrors,
  jobNameLabelErrors,
  jobSpecErrors,
  nonnegative,
  rcSelectorErrors,
  restartPolicyErrors,
  selectorErrors,
} from "./workload-validation.js";
import type { SourceDocument } from "./yaml-source.js";

/**
 * A workload manifest made into the pods its controller would create on this node:
 * - Deployment → ReplicaSet `<name>-<pod-template-hash>` → `replicas` pods `<rs>-<5 chars>`;
 * - ReplicaSet, ReplicationController → `replicas` pods `<name>-<5 chars>`;
 * - StatefulSet → `replicas` pods `<name>-<ordinal>` from `ordinals.start` (default 0);
 * - DaemonSet → one pod `<name>-<5 chars>` (one per node, and podpin simulates one node);
 * - Job → `min(parallelism, completions)` pods `<name>-<5 chars>` (Indexed: `<name>-<index>-<5>`);
 * - CronJob → the Job `<name>-<minutes since the epoch of its scheduled time>`, then as a Job.
 * Counts default as the API server defaults them (replicas 1, parallelism 1); a suspended Job or
 * CronJob creates none. Labels, annotations, owner references, finalizers, hostnames and the
 * DaemonSet tolerations are set as the controllers set them; everything else is the template's.
 */

type PodObject = Record<string, unknown>;
type Labels = Record<string, string>;

export interface WorkloadOptions {
  /** `--replicas`: how many pods every workload creates (a DaemonSet stays at one per node). */
  replicas?: number;
}

export interface WorkloadExpansion {
  kind: WorkloadKind;
  name: string;
  namespace: string;
  /** Where the pod template is in the document. */
  templatePrefix: FieldPath;
  /** The pods the controller creates, in creation order. */
  pods: PodObject[];
  /** The template as a pod, validated even when no pod is created. */
  probe: PodObject;
  /** The API server's errors about the workload's own fields, before and after the template's. */
  errorsBefore: FieldError[];
  errorsAfter: FieldError[];
  /**
   * Where the template's pod-spec errors surface: in the workload's own validation, or (StatefulSet,
   * whose validation skips the pod spec) only when the controller creates a pod.
   */
  podErrorsAt: "workload" | "pod-creation";
}

/** More pods than this from one workload is almost surely a mistake; it would also be slow. */
export const MAX_PODS_PER_WORKLOAD = 5000;

/** A Deployment's or CronJob's time without a clock: the time of the input, else this instant. */
const REFERENCE_TIME = Date.UTC(2026, 0, 1);

interface Template {
  path: FieldPath;
  meta: Record<string, unknown>;
  spec: Record<string, unknown>;
  labels: Labels | undefined;
  annotations: Labels | undefined;
  raw: unknown;
}

interface Owner {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
}

interface Identity {
  name: string;
  generateName?: string;
  labels: Labels | undefined;
  annotations?: Labels;
  finalizers?: string[];
  spec?: Record<string, unknown>;
}

class Expander {
  readonly pods: PodObject[] = [];

  constructor(
    readonly doc: SourceDocument,
    readonly prefix: FieldPath,
    readonly file: string,
    readonly namespace: string,
    readonly gen: NameGenerator,
  ) {}

  fail(path: FieldPath, detail: string): never {
    const full = [...this.prefix, ...path];
    throw new InputError({ file: this.file, line: lineNear(this.doc, full) }, full, detail);
  }

  template(raw: unknown, path: FieldPath): Template {
    const t = checkShape(podTemplateSchema, raw, this.doc, this.file, [...this.prefix, ...path]);
    const rawObj = raw as { metadata?: Record<string, unknown> | null; spec: Record<string, unknown> };
    return {
      path,
      meta: rawObj.metadata ?? {},
      spec: rawObj.spec,
      labels: t.metadata?.labels ?? undefined,
      annotations: t.metadata?.annotations ?? undefined,
      raw,
    };
  }

  count(natural: number, override: number | undefined, field: FieldPath): number {
    const n = override ?? natural;
    if (n > MAX_PODS_PER_WORKLOAD)
      this.fail(
        field,
        `${n} pods is more than podpin creates for one workload (${MAX_PODS_PER_WORKLOAD}); give --replicas with a smaller count`,
      );
    return Math.max(0, n);
  }

  podObject(t: Template, id: Identity, owner: Owner): PodObject {
    const metadata: Record<string, unknown> = { ...t.meta, name: id.name, namespace: this.namespace };
    if (id.generateName) metadata.generateName = id.generateName;
    if (id.labels) metadata.labels = id.labels;
    if (id.annotations) metadata.annotations = id.annotations;
    if (id.finalizers) metadata.finalizers = id.finalizers;
    metadata.ownerReferences = [{ ...owner, controller: true, blockOwnerDeletion: true }];
    delete metadata.uid;
    return { apiVersion: "v1", kind: "Pod", metadata, spec: { ...t.spec, ...id.spec } };
  }

  /** `replicas` pods named `<prefix><5 chars>`, as the ReplicaSet and DaemonSet controllers create them. */
  generated(
    t: Template,
    n: number,
    prefix: string,
    labels: Labels | undefined,
    owner: Owner,
    spec?: Record<string, unknown>,
  ) {
    for (let i = 0; i < n; i++) {
      const name = this.gen.next(prefix, i);
      this.pods.push(this.podObject(t, { name, generateName: prefix, labels, spec }, owner));
    }
  }
}

const nameOf = (meta: ObjectMetaShape | null | undefined): string => meta?.name ?? "";

function timeOf(value: string | Date | null | undefined): number | undefined {
  if (value instanceof Date) return value.getTime();
  if (typeof value === "string") {
    const t = Date.parse(value);
    return Number.isNaN(t) ? undefined : t;
  }
  return undefined;
}

/** The DaemonSet controller's `AddOrUpdateDaemonPodTolerations`. */
function daemonTolerations(spec: Record<string, unknown>): unknown[] {
  const out = Array.isArray(spec.tolerations) ? [...spec.tolerations] : [];
  const add = (key: string, effect: string) => {
    const t = { key, operator: "Exists", effect };
    const i = out.findIndex((x) => {
      const o = x as Record<string, unknown>;
      return o.key === key && o.effect === effect && o.operator === "Exists" && (o.value ?? "") === "";
    });
    if (i < 0) out.push(t);
    else out[i] = t;
  };
  add("node.kubernetes.io/not-ready", "NoExecute");
  add("node.kubernetes.io/unreachable", "NoExecute");
  add("node.kubernetes.io/disk-pressure", "NoSchedule");
  add("node.kubernetes.io/memory-pressure", "NoSchedule");
  add("node.kubernetes.io/pid-pressure", "NoSchedule");
  add("node.kubernetes.io/unschedulable", "NoSchedule");
  if (spec.hostNetwork === true) add("node.kubernetes.io/network-unavailable", "NoSchedule");
  return out;
}

function ownerOf(kind: WorkloadKind, name: string, namespace: string, uid: string | null | undefined): Owner {
  const info = WORKLOAD_KINDS[kind];
  return { apiVersion: info.apiVersion, kind, name, uid: uid || ownerUIDFor(info.resource, namespace, name) };
}

const probeIdentity = (t: Template, name: string): Identity => ({ name, labels: t.labels });

interface JobRun {
  name: string;
  uid: string;
  spec: JobSpecShape;
  template: Template;
  specPath: string;
}

/** The pods a new Job creates (the Job controller's first sync). */
function jobPods(x: Expander, job: JobRun, override: number | undefined, countField: FieldPath): void {
  const { spec, template: t } = job;
  const indexed = spec.completionMode === "Indexed";
  const parallelism = spec.parallelism ?? 1;
  const completions = spec.completions ?? (spec.parallelism == null ? 1 : null);
  const natural = spec.suspend ? 0 : completions === null ? parallelism : Math.min(completions, parallelism);
  const n = x.count(natural, override, countField);
  const labels: Labels = { ...t.labels };
  if (!spec.manualSelector) {
    for (const key of ["batch.kubernetes.io/job-name", "job-name"]) labels[key] ??= job.name;
    for (const key of ["batch.kubernetes.io/controller-uid", "controller-uid"]) labels[key] ??= job.uid;
  }
  const owner = { apiVersion: "batch/v1", kind: "Job", name: job.name, uid: job.uid };
  const finalizers = ["batch.kubernetes.io/job-tracking"];
  for (let i = 0; i < n; i++) {
    const prefix = indexed ? indexedPodPrefix(job.name, i) : podsPrefix(job.name);
    const index = { "batch.kubernetes.io/job-completion-index": String(i) };
    const id: Identity = indexed
      ? {
          name: x.gen.next(prefix, i),
          generateName: prefix,
          labels: { ...labels, ...index },
          annotations: { ...t.annotations, ...index },
          finalizers,
          spec: { hostname: `${job.name}-${i}` },
        }
      : { name: x.gen.next(prefix, i), generateName: prefix, labels, finalizers };
    x.pods.push(x.podObject(t, id, owner));
  }
}

function jobTemplateErrors(job: JobRun, kind: "Job" | "CronJob"): FieldError[] {
  const tPath = `${job.specPath}.template`;
  const errs = jobSpecErrors(job.spec, job.specPath);
  if (kind === "Job" && !job.spec.manualSelector)
    errs.push(...jobNameLabelErrors(job.name, `${tPath}.labels`));
  return errs;
}

/** The scheduled time of the Job a CronJob runs: its last one, else the first after its creation. */
function cronJobTime(x: Expander, w: WorkloadShape<"CronJob">): number {
  const last = timeOf(w.status?.lastScheduleTime);
  if (last !== undefined) return last;
  const after = timeOf(w.metadata?.creationTimestamp) ?? REFERENCE_TIME;
  const schedule = (w.spec.schedule ?? "").replace(/^(CRON_)?TZ=\S+\s+/, "");
  const next = nextScheduleTime(parseCronSchedule(schedule), after, w.spec.timeZone ?? "UTC");
  if (next === null)
    x.fail(
      ["spec", "schedule"],
      `${JSON.stringify(w.spec.schedule)} never fires within five years, so the CronJob creates no Job`,
    );
  return next;
}

/** Every pod `data` (a workload of `kind` at `prefix` of `doc`) makes its controller create. */
export function expandWorkload(
  kind: WorkloadKind,
  data: unknown,
  doc: SourceDocument,
  prefix: FieldPath,
  file: string,
  options: WorkloadOptions,
  gen: NameGenerator,
): WorkloadExpansion {
  const w = checkShape(WORKLOAD_SCHEMAS[kind], data, doc, file, prefix);
  const info = WORKLOAD_KINDS[kind];
  const meta = w.metadata ?? {};
  const namespace = meta.namespace || "default";
  const x = new Expander(doc, prefix, file, namespace, gen);
  let name = nameOf(meta);
  if (!name && meta.generateName) name = gen.next(meta.generateName, 0);
  const errorsBefore = objectMetaNameErrors(
    { name, generateName: meta.generateName ?? undefined, namespace: meta.namespace ?? undefined },
    info.nameRule,
  );
  if (!name)
    errorsBefore.push({
      field: "metadata.name",
      type: "Required value",
      value: null,
      detail: "name or generateName is required",
    });
  const errorsAfter: FieldError[] = [];
  const override = options.replicas;
  const specRaw = (data as { spec: Record<string, unknown> }).spec;
  const policyField = `${info.templatePath.join(".")}.spec.restartPolicy`;
  let t: Template;
  let probe: PodObject;

  if (kind === "CronJob") {
    const c = w as WorkloadShape<"CronJob">;
    errorsBefore.push(...cronJobErrors(name, c.spec.schedule, c.spec.timeZone));
    const jobSpecRaw = (specRaw.jobTemplate as { spec: Record<string, unknown> }).spec;
    t = x.template(jobSpecRaw.template, info.templatePath);
    const ok = errorsBefore.length === 0;
    const jobName = ok ? `${name}-${Math.floor(cronJobTime(x, c) / 60_000)}` : `${name}-0`;
    const job: JobRun = {
      name: jobName,
      uid: ownerUIDFor("jobs.batch", namespace, jobName),
      spec: c.spec.jobTemplate.spec,
      template: t,
      specPath: "spec.jobTemplate.spec",
    };
    errorsBefore.push(...jobTemplateErrors(job, "CronJob"));
    // A suspended CronJob starts no Job, as a suspended Job starts no pod.
    if (c.spec.suspend) job.spec = { ...job.spec, suspend: true };
    if (ok) jobPods(x, job, override, ["spec", "jobTemplate", "spec", "parallelism"]);
    probe = x.podObject(t, probeIdentity(t, `${jobName}-probe`), ownerOf("Job", jobName, namespace, job.uid));
  } else if (kind === "Job") {
    const j = w as WorkloadShape<"Job">;
    t = x.template(specRaw.template, info.templatePath);
    const job: JobRun = {
      name,
      uid: meta.uid || ownerUIDFor(info.resource, namespace, name),
      spec: j.spec,
      template: t,
      specPath: "spec",
    };
    errorsBefore.push(...jobTemplateErrors(job, "Job"));
    if (j.spec.manualSelector)
      errorsBefore.push(...selectorErrors("Job", j.spec.selector, t.labels, "spec.template.metadata.labels"));
    jobPods(x, job, override, ["spec", "parallelism"]);
    probe = x.podObject(t, probeIdentity(t, `${name}-probe`), ownerOf("Job", name, namespace, job.uid));
  } else {
    t = x.template(specRaw.template, info.templatePath);
    const owner = ownerOf(kind, name, namespace, meta.uid);
    const spec = w.spec as WorkloadShape<"Deployment">["spec"] & {
      ordinals?: { start?: number | null } | null;
      serviceName?: string | null;
    };
    const replicas = "replicas" in spec ? spec.replicas : undefined;
    errorsBefore.push(...nonnegative(replicas, "spec.replicas"));
    if (kind === "StatefulSet")
      errorsBefore.push(...nonnegative(spec.ordinals?.start, "spec.ordinals.start"));
    if (kind === "ReplicationController") {
      const sel = (w as WorkloadShape<"ReplicationController">).spec.selector ?? t.labels ?? {};
      errorsBefore.push(...rcSelectorErrors(sel, t.labels));
    } else {
      errorsBefore.push(...selectorErrors(kind, spec.selector, t.labels, "spec.template.metadata.labels"));
    }
    const natural = kind === "DaemonSet" ? 1 : (replicas ?? 1);
    const n = x.count(natural, kind === "DaemonSet" ? undefined : override, ["spec", "replicas"]);
    const collisionCount = w.status?.collisionCount ?? undefined;
    const hash = podTemplateHash(t.raw, collisionCount);
    if (kind === "Deployment") {
      const rs = `${name}-${hash}`;
      const rsOwner = ownerOf("ReplicaSet", rs, namespace, undefined);
      x.generated(t, n, podsPrefix(rs), { ...t.labels, "pod-template-hash": hash }, rsOwner);
    } else if (kind === "StatefulSet") {
      const start = spec.ordinals?.start ?? 0;
      for (let i = 0; i < n; i++) {
        const podName = `${name}-${start + i}`;
        const labels = {
          ...t.labels,
          "apps.kubernetes.io/pod-index": String(start + i),
          "controller-revision-hash": `${name}-${hash}`,
          "statefulset.kubernetes.io/pod-name": podName,
        };
        const podSpec: Record<string, unknown> = { hostname: podName };
        if (spec.serviceName) podSpec.subdomain = spec.serviceName;
        x.pods.push(x.podObject(t, { name: podName, labels, spec: podSpec }, owner));
      }
    } else if (kind === "DaemonSet") {
      const labels = {
        ...t.labels,
        "controller-revision-hash": hash,
        "pod-template-generation": String(meta.generation ?? 1),
      };
      x.generated(t, n, podsPrefix(name), labels, owner, { tolerations: daemonTolerations(t.spec) });
    } else {
      x.generated(t, n, podsPrefix(name), t.labels, owner);
    }
    probe = x.pods[0] ?? x.podObject(t, probeIdentity(t, `${name}-probe`), owner);
  }
  errorsAfter.push(...restartPolicyErrors(t.spec.restartPolicy, info.restartPolicies, policyField));
  return {
    kind,
    name,
    namespace,
    templatePrefix: [...prefix, ...info.templatePath],
    pods: x.pods,
    probe,
    errorsBefore,
    errorsAfter,
    podErrorsAt: kind === "StatefulSet" ? "pod-creation" : "workload",
  };
}
