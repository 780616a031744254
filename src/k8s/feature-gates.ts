import { FEATURE_GATE_TABLE, REMOVED_RESOURCE_MANAGER_GATES } from "./feature-gates-data.js";
import { closestName, InputError, type InputLocation } from "./input-error.js";
import {
  DEFAULT_FEATURE_GATES,
  DEFAULT_KUBERNETES_VERSION,
  type FeatureGates,
  type KubernetesVersion,
} from "./types.js";

/**
 * Feature gates as the kubelet has them (component-base `featuregate`, `SetFromMap`): every name
 * the kubelet registers is accepted, a name it does not know is refused with its
 * `unrecognized feature gate: <name>`, and a gate locked to its default cannot be set to the other
 * value. The gates that change resource-manager behaviour are typed (`FeatureGates`); every other
 * known gate is kept aside as given.
 */

export type GateStage = "Alpha" | "Beta" | "GA" | "Deprecated" | "Special";

export interface GateSpec {
  stage: GateStage;
  default: boolean;
  locked: boolean;
}

const STAGES: Record<string, GateStage> = { A: "Alpha", B: "Beta", G: "GA", D: "Deprecated", S: "Special" };
const VERSIONS: readonly KubernetesVersion[] = ["1.36", "1.37"];

function parseSpec(code: string): GateSpec | null {
  if (code === ".") return null;
  const m = /^([ABGDS])([+-])(!?)$/.exec(code);
  if (!m) throw new Error(`feature-gates-data: bad code ${JSON.stringify(code)}`);
  return { stage: STAGES[m[1]], default: m[2] === "+", locked: m[3] === "!" };
}

/** version -> gate name -> spec, built once from the data table. */
const SPECS: ReadonlyMap<KubernetesVersion, ReadonlyMap<string, GateSpec>> = (() => {
  const byVersion = new Map<KubernetesVersion, Map<string, GateSpec>>(VERSIONS.map((v) => [v, new Map()]));
  for (const line of FEATURE_GATE_TABLE.split("\n")) {
    const cols = line.trim().split(/\s+/);
    if (cols.length !== 3) continue;
    VERSIONS.forEach((v, i) => {
      const spec = parseSpec(cols[i + 1]);
      if (spec) byVersion.get(v)?.set(cols[0], spec);
    });
  }
  return byVersion;
})();

function specsOf(version: KubernetesVersion): ReadonlyMap<string, GateSpec> {
  return SPECS.get(version) ?? new Map();
}

/** The gate as the given kubelet version registers it, or undefined when it has no such gate. */
export function featureGateSpec(name: string, version: KubernetesVersion): GateSpec | undefined {
  return specsOf(version).get(name);
}

/** Every gate name the given kubelet version knows, sorted. */
export function knownFeatureGates(version: KubernetesVersion): string[] {
  return [...specsOf(version).keys()].sort();
}

export const MODELLED_FEATURE_GATES: readonly (keyof FeatureGates)[] = Object.keys(
  DEFAULT_FEATURE_GATES,
) as (keyof FeatureGates)[];

const isModelled = (name: string): name is keyof FeatureGates =>
  (MODELLED_FEATURE_GATES as readonly string[]).includes(name);

/** The modelled gates at the kubelet's defaults for `version` (the same in 1.36 and 1.37 today). */
export function defaultFeatureGates(version: KubernetesVersion = DEFAULT_KUBERNETES_VERSION): FeatureGates {
  const gates: FeatureGates = { ...DEFAULT_FEATURE_GATES };
  for (const name of MODELLED_FEATURE_GATES) gates[name] = featureGateSpec(name, version)?.default ?? false;
  return gates;
}

export interface FeatureGateSettings {
  /** The modelled gates, given values merged over the base (the version's defaults). */
  featureGates: FeatureGates;
  /** Known gates podpin does not model, as given. */
  otherFeatureGates: Record<string, boolean>;
}

/** Whether a gate podpin does not model is on: as given, else the version's default. */
export function otherGateEnabled(
  name: string,
  settings: Pick<FeatureGateSettings, "otherFeatureGates">,
  version: KubernetesVersion,
): boolean {
  const other = Object.hasOwn(settings.otherFeatureGates, name)
    ? settings.otherFeatureGates[name]
    : undefined;
  return other ?? featureGateSpec(name, version)?.default ?? false;
}

/** The kubelet's words for an unknown gate, with what podpin knows about the name. */
function unrecognized(name: string, version: KubernetesVersion): string {
  const text = `unrecognized feature gate: ${name}`;
  const removed = Object.hasOwn(REMOVED_RESOURCE_MANAGER_GATES, name)
    ? REMOVED_RESOURCE_MANAGER_GATES[name]
    : undefined;
  if (removed) return `${text} (${removed}, then removed from the kubelet: delete it)`;
  const other = VERSIONS.find((v) => v !== version && featureGateSpec(name, v));
  if (other) return `${text} (a Kubernetes ${other} gate; this is a ${version} kubelet)`;
  const hint = closestName(name, specsOf(version).keys());
  return hint ? `${text} (did you mean ${hint}?)` : text;
}

/** Go's `utilerrors.NewAggregate(...).Error()`: one message as is, several in brackets. */
function aggregate(messages: readonly string[]): string {
  return messages.length === 1 ? messages[0] : `[${messages.join(", ")}]`;
}

/**
 * `SetFromMap` for a kubelet of `version`: `values` merged over `base`; `where(name)` locates a
 * gate in errors and `pathOf(name)` names its field. The kubelet walks a Go map (random order);
 * podpin checks names in ascending order. Like the kubelet, a locked gate's error does not stop the
 * walk and an unknown gate does; the errors are reported together, at the first one's location.
 * `AllAlpha`/`AllBeta` set every alpha/beta gate not given explicitly.
 */
export function mergeFeatureGates(
  values: Readonly<Record<string, boolean>>,
  where: (name: string) => InputLocation,
  pathOf: (name: string) => string,
  base?: Readonly<FeatureGates>,
  version: KubernetesVersion = DEFAULT_KUBERNETES_VERSION,
): FeatureGateSettings {
  const featureGates: FeatureGates = { ...(base ?? defaultFeatureGates(version)) };
  const otherFeatureGates: Record<string, boolean> = {};
  const errors: { name: string; message: string }[] = [];
  const names = Object.keys(values).sort();
  for (const name of names) {
    const value = values[name];
    const spec = featureGateSpec(name, version);
    if (!spec) {
      errors.push({ name, message: unrecognized(name, version) });
      break;
    }
    if (spec.locked && spec.default !== value) {
      errors.push({
        name,
        message: `cannot set feature gate ${name} to ${value}, feature is locked to ${spec.default}`,
      });
      continue;
    }
    if (isModelled(name)) featureGates[name] = value;
    else otherFeatureGates[name] = value;
  }
  if (errors.length > 0) {
    const first = errors[0].name;
    throw new InputError(where(first), pathOf(first), aggregate(errors.map((e) => e.message)));
  }
  for (const [special, stage] of [
    ["AllAlpha", "Alpha"],
    ["AllBeta", "Beta"],
  ] as const) {
    const on = values[special];
    if (on === undefined) continue;
    for (const name of MODELLED_FEATURE_GATES) {
      if (name in values) continue;
      if (featureGateSpec(name, version)?.stage === stage) featureGates[name] = on;
    }
  }
  return { featureGates, otherFeatureGates };
}

const GO_TRUE = new Set(["1", "t", "T", "TRUE", "true", "True"]);
const GO_FALSE = new Set(["0", "f", "F", "FALSE", "false", "False"]);

/** Go's `strconv.ParseBool`, or null for anything else. */
export function parseGoBool(text: string): boolean | null {
  if (GO_TRUE.has(text)) return true;
  if (GO_FALSE.has(text)) return false;
  return null;
}

/**
 * The kubelet's `--feature-gates` value (component-base `MapStringBool`): `A=true,B=false`, items
 * trimmed, empty items skipped, the kubelet's parse errors. Only parses; `mergeFeatureGates`
 * decides which names are known. `what` names the source in errors.
 */
export function parseFeatureGateMap(text: string, what = "--feature-gates"): Record<string, boolean> {
  const values: Record<string, boolean> = {};
  for (const item of text.split(",")) {
    if (item === "") continue;
    const eq = item.indexOf("=");
    if (eq < 0) throw new InputError({ file: what }, "", "malformed pair, expect string=bool");
    const name = item.slice(0, eq).trim();
    const raw = item.slice(eq + 1).trim();
    const value = parseGoBool(raw);
    if (value === null) {
      throw new InputError(
        { file: what },
        "",
        `invalid value of ${name}: ${raw}, err: strconv.ParseBool: parsing ${JSON.stringify(raw)}: invalid syntax`,
      );
    }
    values[name] = value;
  }
  return values;
}

/** `--feature-gates` merged over `base` for a kubelet of `version`; `what` names the source. */
export function parseFeatureGates(
  text: string,
  base?: Readonly<FeatureGates>,
  what = "--feature-gates",
  version: KubernetesVersion = DEFAULT_KUBERNETES_VERSION,
): FeatureGateSettings {
  return mergeFeatureGates(
    parseFeatureGateMap(text, what),
    () => ({ file: what }),
    () => "",
    base,
    version,
  );
}
