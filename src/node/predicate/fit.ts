import { CPU, EPHEMERAL_STORAGE, MEMORY, PODS, sortedNames } from "./resources.js";
import type { InsufficientResource, ResourceFit } from "./types.js";

/**
 * The node-resources fit check as the kubelet runs it (`Fits` / `fitsRequest` with no ignored
 * resources and no DRA manager): the pod count first, then `cpu`, `memory`, `ephemeral-storage`
 * and every scalar resource. A zero request never fails; requests equal to the free amount fit.
 */

export interface FitInput {
  /** The pod's request, integers (no `pods` entry). */
  request: ReadonlyMap<string, bigint>;
  allocatable: ReadonlyMap<string, bigint>;
  /** What the other pods take; a zero entry is as good as none (the resource is not listed for it). */
  used: ReadonlyMap<string, bigint>;
  podCount: number;
  /** False: skip the ephemeral-storage check (the node's disk is unknown, OPEN NA-1). */
  checkEphemeralStorage: boolean;
}

export interface FitResult {
  failures: InsufficientResource[];
  /** Every resource the check looked at or could have, in the check's order. */
  resources: ResourceFit[];
}

function at(m: ReadonlyMap<string, bigint>, name: string): bigint {
  return m.get(name) ?? 0n;
}

/** Any name but `pods` and the three the check names (cpu, memory, ephemeral-storage). */
function isScalar(name: string): boolean {
  return name !== CPU && name !== MEMORY && name !== EPHEMERAL_STORAGE && name !== PODS;
}

function pushScalarNames(list: ReadonlyMap<string, bigint>, names: string[]): void {
  for (const name of list.keys()) if (isScalar(name)) names.push(name);
}

function pushNonZeroScalarNames(list: ReadonlyMap<string, bigint>, names: string[]): void {
  for (const name of list.keys()) if (isScalar(name) && list.get(name) !== 0n) names.push(name);
}

/** The scalar names of the request, the allocatable and the used totals, ascending, each once. */
function scalarNames(
  request: ReadonlyMap<string, bigint>,
  allocatable: ReadonlyMap<string, bigint>,
  used: ReadonlyMap<string, bigint>,
): string[] {
  const names: string[] = [];
  pushScalarNames(request, names);
  pushScalarNames(allocatable, names);
  pushNonZeroScalarNames(used, names);
  return names.length === 0 ? names : sortedNames(names);
}

/** One resource's row, and its failure when it does not fit. */
function check(input: FitInput, anyRequest: boolean, name: string, enabled: boolean, out: FitResult): void {
  const r = at(input.request, name);
  const a = at(input.allocatable, name);
  const u = at(input.used, name);
  const free = a - u;
  const checked = anyRequest && enabled && r > 0n;
  const ok = !checked || r <= free;
  out.resources.push({
    resourceName: name,
    allocatable: a,
    used: u,
    requested: r,
    free,
    checked,
    fits: ok,
  });
  if (!ok)
    out.failures.push({
      kind: "InsufficientResource",
      resourceName: name,
      requested: r,
      used: u,
      capacity: a,
    });
}

export function fits(input: FitInput): FitResult {
  const { request, allocatable, used } = input;
  const failures: InsufficientResource[] = [];
  const resources: ResourceFit[] = [];

  const podsAllowed = at(allocatable, PODS);
  const podCount = BigInt(input.podCount);
  const podsFit = podCount + 1n <= podsAllowed;
  resources.push({
    resourceName: PODS,
    allocatable: podsAllowed,
    used: podCount,
    requested: 1n,
    free: podsAllowed - podCount,
    checked: true,
    fits: podsFit,
  });
  if (!podsFit)
    failures.push({
      kind: "InsufficientResource",
      resourceName: PODS,
      requested: 1n,
      used: podCount,
      capacity: podsAllowed,
    });

  // A pod with no request at all (a zero-valued scalar entry counts as one) stops here.
  let anyRequest =
    at(request, CPU) !== 0n || at(request, MEMORY) !== 0n || at(request, EPHEMERAL_STORAGE) !== 0n;
  if (!anyRequest) for (const name of request.keys()) if (isScalar(name)) anyRequest = true;
  // Resources the pod does not request are listed too (never checked), so reports can show them.
  const scalars = scalarNames(request, allocatable, used);
  const out: FitResult = { failures, resources };
  check(input, anyRequest, CPU, true, out);
  check(input, anyRequest, MEMORY, true, out);
  check(input, anyRequest, EPHEMERAL_STORAGE, input.checkEphemeralStorage, out);
  // Go walks the scalar map in random order; podpin takes ascending names (spec README "Determinism").
  for (const name of scalars) check(input, anyRequest, name, true, out);
  return out;
}
