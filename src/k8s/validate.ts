import {
  Quantity,
  isExtendedResourceName,
  isNativeResourceName,
  qualifiedNameProblems,
} from "../core/index.js";
import { aggregateContainerLimits, aggregateContainerRequests } from "./aggregate.js";
import {
  duplicate,
  type FieldError,
  forbidden,
  goQuote,
  invalid,
  invalidObjectMessage,
  notSupported,
  required,
} from "./field-error.js";
import { InputError } from "./input-error.js";
import { containerNameErrors, objectMetaNameErrors } from "./name-validation.js";
import { isPodLevelResourcesSet, isSupportedPodLevelResource, podQOS } from "./podlevel.js";
import type { Container, Pod, ResourceList, ResourceRequirements } from "./types.js";
import { labelsAndAnnotationsErrors, schedulingErrors } from "./validate-scheduling.js";

/**
 * The API server's validation of what podpin reads from a pod (core `ValidatePodSpec`, the parts
 * about containers' names and resources and pod-level resources, pod-level.md §6.3), with its field
 * paths and messages, so podpin never admits a pod the API server would refuse. Errors come in the
 * API server's order (containers, init containers, pod-level resources); where Go walks a map,
 * resource names are taken in ascending order.
 */

const STANDARD_RESOURCES = new Set([
  "cpu",
  "memory",
  "ephemeral-storage",
  "requests.cpu",
  "requests.memory",
  "requests.ephemeral-storage",
  "limits.cpu",
  "limits.memory",
  "limits.ephemeral-storage",
  "pods",
  "services",
  "replicationcontrollers",
  "resourcequotas",
  "secrets",
  "configmaps",
  "persistentvolumeclaims",
  "storage",
  "requests.storage",
  "services.nodeports",
  "services.loadbalancers",
]);
const STANDARD_CONTAINER_RESOURCES = new Set(["cpu", "memory", "ephemeral-storage"]);
const INTEGER_RESOURCES = new Set([
  "pods",
  "services",
  "replicationcontrollers",
  "resourcequotas",
  "secrets",
  "configmaps",
  "persistentvolumeclaims",
  "services.nodeports",
  "services.loadbalancers",
]);
/** `SupportedPodLevelResources()`, sorted as the API server lists them. */
const POD_LEVEL_SUPPORTED = ["cpu", "hugepages-", "memory"];

const HUGEPAGES = "hugepages-";
const isHugePages = (name: string): boolean => name.startsWith(HUGEPAGES);
const isNative = isNativeResourceName;
const overcommitAllowed = (name: string): boolean => isNative(name) && !isHugePages(name);

const isExtended = isExtendedResourceName;
const isIntegerResource = (name: string): boolean => INTEGER_RESOURCES.has(name) || isExtended(name);

/** `validateResourceName`. */
function resourceNameErrors(name: string, field: string): FieldError[] {
  const problems = qualifiedNameProblems(name);
  if (problems.length > 0) return problems.map((p) => invalid(field, goQuote(name), p));
  const standard =
    STANDARD_RESOURCES.has(name) || isHugePages(name) || name.startsWith(`requests.${HUGEPAGES}`);
  if (!name.includes("/") && !standard) {
    return [invalid(field, goQuote(name), "must be a standard resource type or fully qualified")];
  }
  return [];
}

type NameCheck = (name: string, field: string) => FieldError[];

/** `validateContainerResourceName`. */
const containerResourceName: NameCheck = (name, field) => {
  const errs = resourceNameErrors(name, field);
  if (!name.includes("/")) {
    if (!STANDARD_CONTAINER_RESOURCES.has(name) && !isHugePages(name)) {
      errs.push(invalid(field, goQuote(name), "must be a standard resource for containers"));
    }
  } else if (!isNative(name) && !isExtended(name)) {
    errs.push(invalid(field, goQuote(name), "doesn't follow extended resource name standard"));
  }
  return errs;
};

/** `validatePodResourceName`: a valid name that pod-level resources support (PL-9: hugepages too). */
const podResourceName: NameCheck = (name, field) => {
  const errs = resourceNameErrors(name, field);
  if (errs.length > 0) return errs;
  if (!isSupportedPodLevelResource(name)) return [notSupported(field, goQuote(name), POD_LEVEL_SUPPORTED)];
  return [];
};

/** `ValidateResourceQuantityValue`. */
function quantityErrors(name: string, q: Quantity, field: string): FieldError[] {
  const errs: FieldError[] = [];
  if (q.sign() < 0) errs.push(invalid(field, goQuote(q.toString()), "must be greater than or equal to 0"));
  if (isIntegerResource(name) && q.milliValue() % 1000n !== 0n) {
    errs.push(invalid(field, goQuote(q.toString()), "must be an integer"));
  }
  return errs;
}

/** `validateResourceQuantityHugePageValue`: a whole number of pages. */
function hugePageValueErrors(name: string, q: Quantity, field: string): FieldError[] {
  let divisible = false;
  try {
    const page = Quantity.parse(name.slice(HUGEPAGES.length));
    divisible = page.sign() > 0 && page.milliValue() % 1000n === 0n && q.value() % page.value() === 0n;
  } catch {
    divisible = false;
  }
  if (divisible) return [];
  return [
    invalid(field, goQuote(q.toString()), `${q.toString()} is not positive integer multiple of ${name}`),
  ];
}

/** `list[name]` when it is the list's own entry (never an inherited property such as `constructor`). */
const ownEntry = (list: ResourceList, name: string): Quantity | undefined =>
  Object.hasOwn(list, name) ? list[name] : undefined;

const sortedEntries = (list: ResourceList): [string, Quantity][] =>
  Object.entries(list).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));

/** `validateResourceRequirements`: names, quantities, request ≤ limit, hugepages rules. */
function requirementsErrors(r: ResourceRequirements, nameCheck: NameCheck, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const limPath = `${path}.limits`;
  const reqPath = `${path}.requests`;
  let limCPUOrMemory = false;
  let reqCPUOrMemory = false;
  let limHuge = false;
  let reqHuge = false;
  for (const [name, q] of sortedEntries(r.limits)) {
    const field = `${limPath}[${name}]`;
    errs.push(...nameCheck(name, field), ...quantityErrors(name, q, field));
    if (isHugePages(name)) {
      limHuge = true;
      errs.push(...hugePageValueErrors(name, q, field));
    }
    if (name === "cpu" || name === "memory") limCPUOrMemory = true;
  }
  for (const [name, q] of sortedEntries(r.requests)) {
    const field = `${reqPath}[${name}]`;
    errs.push(...nameCheck(name, field), ...quantityErrors(name, q, field));
    const limit = ownEntry(r.limits, name);
    if (limit) {
      if (!q.equals(limit) && !overcommitAllowed(name)) {
        errs.push(
          invalid(reqPath, goQuote(q.toString()), `must be equal to ${name} limit of ${limit.toString()}`),
        );
      } else if (q.cmp(limit) > 0) {
        errs.push(
          invalid(
            reqPath,
            goQuote(q.toString()),
            `must be less than or equal to ${name} limit of ${limit.toString()}`,
          ),
        );
      }
    } else if (!overcommitAllowed(name)) {
      errs.push(required(limPath, "Limit must be set for non overcommitable resources"));
    }
    if (isHugePages(name)) {
      reqHuge = true;
      errs.push(...hugePageValueErrors(name, q, field));
    }
    if (name === "cpu" || name === "memory") reqCPUOrMemory = true;
  }
  if (!limCPUOrMemory && !reqCPUOrMemory && (reqHuge || limHuge)) {
    errs.push(forbidden(path, "HugePages require cpu or memory"));
  }
  return errs;
}

function containerErrors(c: Container, path: string, init: boolean, seen: Set<string>): FieldError[] {
  const errs: FieldError[] = [];
  if (!c.name) errs.push(required(`${path}.name`));
  else {
    errs.push(...containerNameErrors(c.name, `${path}.name`));
    if (seen.has(c.name)) errs.push(duplicate(`${path}.name`, goQuote(c.name)));
  }
  seen.add(c.name);
  if (init && c.restartPolicy !== undefined && c.restartPolicy !== "Always") {
    errs.push(notSupported(`${path}.restartPolicy`, goQuote(c.restartPolicy), ["Always"]));
  }
  if (c.resources) errs.push(...requirementsErrors(c.resources, containerResourceName, `${path}.resources`));
  return errs;
}

/**
 * `validatePodResourceConsistency` (§6.3): a pod-level request covers the containers' aggregate
 * request; a pod-level hugepage limit covers their aggregate limit; no app container's limit exceeds
 * the pod's.
 */
function consistencyErrors(pod: Pod, r: ResourceRequirements): FieldError[] {
  const errs: FieldError[] = [];
  for (const [name, aggregate] of Object.entries(aggregateContainerRequests(pod))) {
    const podRequest = ownEntry(r.requests, name);
    if (podRequest && aggregate.cmp(podRequest) > 0) {
      errs.push(
        invalid(
          `spec.resources.requests[${name}]`,
          goQuote(podRequest.toString()),
          `must be greater than or equal to aggregate container requests of ${aggregate.toString()}`,
        ),
      );
    }
  }
  for (const [name, aggregate] of Object.entries(aggregateContainerLimits(pod))) {
    const podLimit = ownEntry(r.limits, name);
    if (isHugePages(name) && podLimit && aggregate.cmp(podLimit) > 0) {
      errs.push(
        invalid(
          `spec.resources.limits[${name}]`,
          goQuote(podLimit.toString()),
          `must be greater than or equal to aggregate container limits of ${aggregate.toString()}`,
        ),
      );
    }
  }
  pod.containers.forEach((c, i) => {
    for (const [name, limit] of sortedEntries(c.resources?.limits ?? {})) {
      const podLimit = ownEntry(r.limits, name);
      if (!podLimit || limit.cmp(podLimit) <= 0) continue;
      // The API server builds this path from the pod-level resources path; reproduced as printed.
      errs.push(
        invalid(
          `spec.resources.containers[${i}][${name}].limits`,
          goQuote(limit.toString()),
          `must be less than or equal to pod limits of ${podLimit.toString()}`,
        ),
      );
    }
  });
  return errs;
}

/**
 * OPEN PL-10 (pod-level.md §9): a Guaranteed pod-level pod whose pod-level requests hold no memory
 * or hugepages > 0 (only possible with a stored `status.qosClass`) would leave the Memory Manager an
 * empty budget; podpin refuses it at input.
 */
function emptyMemoryBudgetErrors(pod: Pod): FieldError[] {
  if (!pod.resources || !isPodLevelResourcesSet(pod)) return [];
  if (podQOS(pod, { PodLevelResources: true }) !== "Guaranteed") return [];
  const hasBudget = Object.entries(pod.resources.requests).some(
    ([name, q]) => (name === "memory" || isHugePages(name)) && q.sign() > 0,
  );
  if (hasBudget) return [];
  return [
    required(
      "spec.resources.requests.memory",
      "a Guaranteed pod with pod-level resources must request memory: the Memory Manager divides the pod's memory budget among its containers (https://kubernetes.io/docs/concepts/resource-management/pod-level-resource-managers/)",
    ),
  ];
}

/** Every validation error of `pod`, in the API server's order; empty when valid. */
export function validatePod(pod: Pod): FieldError[] {
  const errs: FieldError[] = [];
  if (!pod.name) errs.push(required("metadata.name", "name or generateName is required"));
  else errs.push(...objectMetaNameErrors({ name: pod.name, namespace: pod.namespace }, "subdomain"));
  errs.push(...labelsAndAnnotationsErrors(pod));
  if (pod.containers.length === 0) errs.push(required("spec.containers"));
  const seen = new Set<string>();
  for (const [i, c] of pod.containers.entries())
    errs.push(...containerErrors(c, `spec.containers[${i}]`, false, seen));
  for (const [i, c] of pod.initContainers.entries()) {
    errs.push(...containerErrors(c, `spec.initContainers[${i}]`, true, seen));
  }
  if (pod.resources) {
    if (pod.os === "windows") errs.push(forbidden("spec.resources", "may not be set for a windows pod"));
    else {
      errs.push(...requirementsErrors(pod.resources, podResourceName, "spec.resources"));
      errs.push(...consistencyErrors(pod, pod.resources));
    }
  }
  if (pod.os !== undefined && pod.os !== "linux" && pod.os !== "windows") {
    errs.push(notSupported("spec.os.name", goQuote(pod.os), ["linux", "windows"]));
  }
  errs.push(...schedulingErrors(pod));
  if (errs.length === 0) errs.push(...emptyMemoryBudgetErrors(pod));
  return errs;
}

/** The API server's one-line refusal: `Pod "db" is invalid: <errors>`. */
export function podValidationMessage(pod: Pod, errors: readonly FieldError[]): string {
  return invalidObjectMessage("Pod", pod.name, errors);
}

/** Throws an `InputError` naming `file` when the API server would refuse `pod`. */
export function assertValidPod(pod: Pod, file: string): void {
  const errors = validatePod(pod);
  if (errors.length > 0) throw new InputError({ file }, "", podValidationMessage(pod, errors));
}
