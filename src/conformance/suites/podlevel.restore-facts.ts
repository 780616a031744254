import type { CPUSet } from "../../core/index.js";
import type { MemoryBlock } from "../../managers/memory/index.js";

/**
 * The property vocabulary of `podlevel/restore.json` (its README, section "restore.json"): each
 * name, the op family that can answer it, and how it is computed from what the run observed. The
 * README asks a runner to know every name, including those no case of the shipped file uses; the
 * hidden cases may use any of them.
 */

/** The CPU Manager's assignments at one moment, per pod in case order. */
export interface CPUSnapshot {
  defaultSet: CPUSet;
  pods: { bubble: CPUSet | undefined; sets: ReadonlyMap<string, CPUSet> }[];
}

/** What a CPU restart (and, for `cpuManagerRestartAndReadmit`, re-admission) observed. */
export interface CPURun {
  all: CPUSet;
  /** After the first admission, before the restart. */
  before: CPUSnapshot;
  /** Right after the restart from the checkpoint. */
  restored: CPUSnapshot;
  /** After re-admission; the restored snapshot when the op does not re-admit. */
  after: CPUSnapshot;
  /** The first re-admission error, or null. */
  readmissionError: Error | null;
}

/** What a memory restart observed, per pod in case order. */
export interface MemoryRun {
  pods: {
    before: readonly MemoryBlock[] | null;
    after: readonly MemoryBlock[] | null;
    containerBlocksAfter: boolean;
  }[];
}

const sameSet = (a: CPUSet | undefined, b: CPUSet | undefined): boolean =>
  a === undefined || b === undefined ? a === b : a.equals(b);

function sameSets(a: ReadonlyMap<string, CPUSet>, b: ReadonlyMap<string, CPUSet>): boolean {
  return a.size === b.size && [...a].every(([name, set]) => sameSet(set, b.get(name)));
}

const bubblesOf = (s: CPUSnapshot): CPUSet[] =>
  s.pods.map((p) => p.bubble).filter((b): b is CPUSet => b !== undefined);

/** Default set ∪ every pod's pod-level set = every CPU. */
const coversAll = (s: CPUSnapshot, all: CPUSet): boolean => s.defaultSet.union(...bubblesOf(s)).equals(all);

/** The container sets of pods without a pod-level set (container-scope pods). */
const containerScopeSets = (s: CPUSnapshot): CPUSet[] =>
  s.pods.filter((p) => p.bubble === undefined).flatMap((p) => [...p.sets.values()]);

function pairwiseDisjoint(parts: CPUSet[]): boolean {
  for (let i = 0; i < parts.length; i++)
    for (let j = i + 1; j < parts.length; j++) if (parts[i].intersects(parts[j])) return false;
  return true;
}

function unchanged(a: CPUSnapshot, b: CPUSnapshot): boolean {
  return (
    a.defaultSet.equals(b.defaultSet) &&
    a.pods.every((p, i) => sameSet(p.bubble, b.pods[i].bubble) && sameSets(p.sets, b.pods[i].sets))
  );
}

/** `readmissionError` compared in the form the case gives: null, the message, or `{type?, message?}`. */
function errorAs(expected: unknown, err: Error | null): unknown {
  if (err === null || expected === null || typeof expected === "string") return err?.message ?? null;
  const shape = expected as { type?: unknown; message?: unknown };
  const reason = (err as { reason?: string | null }).reason;
  return {
    ...("type" in shape ? { type: reason ?? "UnexpectedAdmissionError" } : {}),
    ...("message" in shape ? { message: err.message } : {}),
  };
}

type CPUFact = (r: CPURun, expected: unknown) => unknown;

export const CPU_FACTS: Readonly<Record<string, CPUFact>> = {
  // Restart: the state read back from the checkpoint, compared with before.
  podCpuSetPresentBeforeAndAfterRestart: (r) =>
    r.before.pods.every((p, i) => p.bubble !== undefined && r.restored.pods[i].bubble !== undefined),
  podCpuSetEqualAfterRestart: (r) =>
    r.before.pods.every(
      (p, i) =>
        p.bubble !== undefined &&
        r.restored.pods[i].bubble !== undefined &&
        sameSet(p.bubble, r.restored.pods[i].bubble),
    ),
  containerCpuSetPresentAfterRestart: (r) => r.restored.pods.every((p) => p.sets.size > 0),
  // Restart and re-admission, one pod (each holds for every pod when there are several).
  readmissionError: (r, expected) => errorAs(expected, r.readmissionError),
  podCpuSetUnchanged: (r) => r.before.pods.every((p, i) => sameSet(p.bubble, r.after.pods[i].bubble)),
  containerCpuSetsUnchanged: (r) => r.before.pods.every((p, i) => sameSets(p.sets, r.after.pods[i].sets)),
  defaultCpuSetUnchanged: (r) => r.before.defaultSet.equals(r.after.defaultSet),
  podCpuSetUnionDefaultEqualsAllCPUs: (r) => coversAll(r.after, r.all),
  containerSetsSubsetOfPodSet: (r) =>
    r.after.pods.every(
      (p) => p.bubble === undefined || [...p.sets.values()].every((s) => s.isSubsetOf(p.bubble!)),
    ),
  // Restart and re-admission, several pods.
  podCpuSetsUnchanged: (r) => r.before.pods.every((p, i) => sameSet(p.bubble, r.after.pods[i].bubble)),
  defaultUnionPodSetsEqualsAllCPUsBeforeAndAfter: (r) =>
    coversAll(r.before, r.all) && coversAll(r.after, r.all),
  allAssignmentsUnchanged: (r) => unchanged(r.before, r.after),
  defaultUnionPodSetUnionContainerScopeSetEqualsAllCPUs: (r) =>
    r.after.defaultSet.union(...bubblesOf(r.after), ...containerScopeSets(r.after)).equals(r.all),
  pairwiseDisjoint: (r) =>
    pairwiseDisjoint([r.after.defaultSet, ...bubblesOf(r.after), ...containerScopeSets(r.after)]),
};

type MemoryFact = (r: MemoryRun) => unknown;

export const MEMORY_FACTS: Readonly<Record<string, MemoryFact>> = {
  podBlocksPresentBeforeAndAfter: (r) => r.pods.every((p) => p.before !== null && p.after !== null),
  podBlockCountEqualAfterRestart: (r) =>
    r.pods.every((p) => p.before !== null && p.after !== null && p.before.length === p.after.length),
  containerBlocksPresentAfterRestart: (r) => r.pods.every((p) => p.containerBlocksAfter),
};

/** Prose that accompanies the expectations; never compared. */
export const NOTE_KEYS: ReadonlySet<string> = new Set(["note"]);

/**
 * The facts named by `expected`, from `facts`; a name of the other family or no family at all is
 * an error naming it, so a case never passes by comparing nothing.
 */
export function factsFor<R>(
  expected: Record<string, unknown>,
  facts: Readonly<Record<string, (r: R, expected: unknown) => unknown>>,
  run: R,
  op: string,
): Record<string, unknown> {
  const actual: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(expected)) {
    if (NOTE_KEYS.has(key)) continue;
    const fact = facts[key];
    if (!fact) {
      const known = key in CPU_FACTS || key in MEMORY_FACTS;
      throw new Error(
        known
          ? `expected.${key}: a property of the other manager's restart, not of op ${op}`
          : `expected.${key}: unknown property (not in the restore.json vocabulary)`,
      );
    }
    actual[key] = fact(run, value);
  }
  return actual;
}
