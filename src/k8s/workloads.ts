import { type NameGenerator, podsPrefix, podTemplateHash } from "./controller-names.js";
import { type FieldError, required } from "./field-error.js";
import type { FieldPath } from "./input-error.js";
import { objectMetaNameErrors } from "./name-validation.js";
import { checkShape } from "./schema.js";
import { Expander, ownerOf, type PodObject, type Template } from "./workload-expander.js";
import { expandCronJob, expandJob } from "./workload-jobs.js";
import { WORKLOAD_KINDS, WORKLOAD_SCHEMAS, type WorkloadKind, type WorkloadShape } from "./workload-kinds.js";
import { nonnegative, rcSelectorErrors, restartPolicyErrors, selectorErrors } from "./workload-validation.js";
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
 * `spec.paused` is not modelled: a paused Deployment in a dump already has its pods.
 */

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

type ReplicatedKind = "Deployment" | "ReplicaSet" | "ReplicationController" | "StatefulSet" | "DaemonSet";

/** The DaemonSet controller's `AddOrUpdateDaemonPodTolerations`: an equal toleration is replaced. */
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

/** Deployments, ReplicaSets, ReplicationControllers, StatefulSets and DaemonSets. */
function expandReplicated(
  x: Expander,
  kind: ReplicatedKind,
  w: WorkloadShape<ReplicatedKind>,
  raw: Record<string, unknown>,
  name: string,
  override: number | undefined,
): { template: Template; probe: PodObject } {
  const t = x.template(raw.template, ["spec", "template"]);
  const owner = ownerOf(kind, name, x.namespace, w.metadata?.uid);
  const spec = w.spec as Partial<WorkloadShape<"StatefulSet">["spec"]>;
  x.errors.push(...nonnegative(spec.replicas, "spec.replicas"));
  if (kind === "StatefulSet") x.errors.push(...nonnegative(spec.ordinals?.start, "spec.ordinals.start"));
  if (kind === "ReplicationController") {
    // v1 defaulting: a controller without a selector selects its template's labels.
    const sel = (w as WorkloadShape<"ReplicationController">).spec.selector ?? t.labels ?? {};
    x.errors.push(...rcSelectorErrors(sel, t.labels));
  } else {
    x.errors.push(...selectorErrors(kind, spec.selector, t.labels, "spec.template.metadata.labels"));
  }
  const daemon = kind === "DaemonSet";
  const n = x.count(daemon ? 1 : (spec.replicas ?? 1), daemon ? undefined : override, ["spec", "replicas"]);
  const hash = podTemplateHash(t.raw, w.status?.collisionCount ?? undefined);
  if (kind === "Deployment") {
    const rs = `${name}-${hash}`;
    const labels = { ...t.labels, "pod-template-hash": hash };
    x.generated(t, n, podsPrefix(rs), { labels }, ownerOf("ReplicaSet", rs, x.namespace));
  } else if (kind === "StatefulSet") {
    const start = spec.ordinals?.start ?? 0;
    for (let i = start; i < start + n; i++) {
      const podName = `${name}-${i}`;
      const labels = {
        ...t.labels,
        "apps.kubernetes.io/pod-index": String(i),
        "controller-revision-hash": `${name}-${hash}`,
        "statefulset.kubernetes.io/pod-name": podName,
      };
      const podSpec: Record<string, unknown> = { hostname: podName };
      if (spec.serviceName) podSpec.subdomain = spec.serviceName;
      x.pods.push(x.podObject(t, { name: podName, labels, spec: podSpec }, owner));
    }
  } else if (daemon) {
    const labels = {
      ...t.labels,
      "controller-revision-hash": hash,
      "pod-template-generation": String(w.metadata?.generation ?? 1),
    };
    x.generated(t, n, podsPrefix(name), { labels, spec: { tolerations: daemonTolerations(t.spec) } }, owner);
  } else {
    x.generated(t, n, podsPrefix(name), { labels: t.labels }, owner);
  }
  const probe = x.pods[0] ?? x.podObject(t, { name: `${name}-probe`, labels: t.labels }, owner);
  return { template: t, probe };
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
  const x = new Expander(doc, prefix, file, meta.namespace || "default", gen);
  // The API server names a workload given only `generateName`.
  const name = meta.name || (meta.generateName ? gen.next(meta.generateName, 0) : "");
  x.errors.push(
    ...objectMetaNameErrors(
      { name, generateName: meta.generateName ?? undefined, namespace: meta.namespace ?? undefined },
      info.nameRule,
    ),
  );
  if (!name) x.errors.push(required("metadata.name", "name or generateName is required"));
  const raw = (data as { spec: Record<string, unknown> }).spec;
  const { template, probe } =
    kind === "Job"
      ? expandJob(x, w as WorkloadShape<"Job">, raw, name, options.replicas)
      : kind === "CronJob"
        ? expandCronJob(x, w as WorkloadShape<"CronJob">, raw, name, options.replicas)
        : expandReplicated(x, kind, w as WorkloadShape<ReplicatedKind>, raw, name, options.replicas);
  const policyField = `${info.templatePath.join(".")}.spec.restartPolicy`;
  return {
    kind,
    name,
    namespace: x.namespace,
    templatePrefix: [...prefix, ...info.templatePath],
    pods: x.pods,
    probe,
    errorsBefore: x.errors,
    errorsAfter: restartPolicyErrors(template.spec.restartPolicy, info.restartPolicies, policyField),
    podErrorsAt: kind === "StatefulSet" ? "pod-creation" : "workload",
  };
}
