import { type NameGenerator, ownerUIDFor } from "./controller-names.js";
import type { FieldError } from "./field-error.js";
import { type FieldPath, InputError } from "./input-error.js";
import { checkShape, lineNear } from "./schema.js";
import {
  MAX_PODS_PER_WORKLOAD,
  podTemplateSchema,
  WORKLOAD_KINDS,
  type WorkloadKind,
} from "./workload-kinds.js";
import type { SourceDocument } from "./yaml-source.js";

/**
 * The mechanics every workload shares when podpin makes it into pods: reading its pod template,
 * bounding the count, and writing each pod object the way controllers write them (the template's
 * metadata and spec, then the controller's name, namespace, labels, owner reference, ...). The pod
 * objects are then read by the ordinary Pod reader, at the template's place in the document, so
 * every error names the line the user wrote.
 */

export type PodObject = Record<string, unknown>;
export type Labels = Record<string, string>;

export interface Template {
  meta: Record<string, unknown>;
  spec: Record<string, unknown>;
  labels: Labels | undefined;
  annotations: Labels | undefined;
  /** The template as written, for the template hashes. */
  raw: unknown;
}

export interface Owner {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
}

/** What a controller sets on each pod it creates. */
export interface Identity {
  name: string;
  generateName?: string;
  labels: Labels | undefined;
  annotations?: Labels;
  finalizers?: string[];
  /** Spec fields the controller sets (`hostname`, `subdomain`, `tolerations`). */
  spec?: Record<string, unknown>;
}

export class Expander {
  readonly pods: PodObject[] = [];
  /** The API server's errors about the workload's own fields, in its order. */
  readonly errors: FieldError[] = [];

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
    const written = raw as { metadata?: Record<string, unknown> | null; spec: Record<string, unknown> };
    return {
      meta: written.metadata ?? {},
      spec: written.spec,
      labels: t.metadata?.labels ?? undefined,
      annotations: t.metadata?.annotations ?? undefined,
      raw,
    };
  }

  /** `natural`, or the `--replicas` override, refused beyond the bound (at `field`). */
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
    // A template's uid (if any) is not the pod's: the pod gets its own from its name.
    delete metadata.uid;
    if (id.generateName) metadata.generateName = id.generateName;
    if (id.labels) metadata.labels = id.labels;
    if (id.annotations) metadata.annotations = id.annotations;
    if (id.finalizers) metadata.finalizers = id.finalizers;
    metadata.ownerReferences = [{ ...owner, controller: true, blockOwnerDeletion: true }];
    return { apiVersion: "v1", kind: "Pod", metadata, spec: { ...t.spec, ...id.spec } };
  }

  /** `n` pods named `<prefix><5 chars>`, as the ReplicaSet, DaemonSet and Job controllers name them. */
  generated(t: Template, n: number, prefix: string, id: Omit<Identity, "name">, owner: Owner): void {
    for (let i = 0; i < n; i++) {
      this.pods.push(
        this.podObject(t, { ...id, name: this.gen.next(prefix, i), generateName: prefix }, owner),
      );
    }
  }
}

export function ownerOf(kind: WorkloadKind, name: string, namespace: string, uid?: string | null): Owner {
  const info = WORKLOAD_KINDS[kind];
  return { apiVersion: info.apiVersion, kind, name, uid: uid || ownerUIDFor(info.resource, namespace, name) };
}

/** A timestamp as YAML 1.1 (a Date) or JSON (an RFC 3339 string) gives it, in milliseconds. */
export function timeOf(value: string | Date | null | undefined): number | undefined {
  if (value instanceof Date) return value.getTime();
  if (typeof value === "string") {
    const t = Date.parse(value);
    return Number.isNaN(t) ? undefined : t;
  }
  return undefined;
}
