import { closestName, InputError, type InputLocation } from "./input-error.js";
import { DEFAULT_FEATURE_GATES, type FeatureGates } from "./types.js";

/**
 * Feature gates: the ones that change resource-manager behaviour are typed (`FeatureGates`); any
 * other gate name is kept aside and ignored, since the kubelet knows hundreds. A name that is a near
 * miss of a modelled gate (`PodLevelResourceManager`) is refused, as it is almost surely a typo.
 */
export const MODELLED_FEATURE_GATES: readonly (keyof FeatureGates)[] = Object.keys(
  DEFAULT_FEATURE_GATES,
) as (keyof FeatureGates)[];

const GATE_NAME = /^[A-Za-z][A-Za-z0-9]*$/;

export interface FeatureGateSettings {
  /** The modelled gates, given values merged over `DEFAULT_FEATURE_GATES`. */
  featureGates: FeatureGates;
  /** Gates podpin does not model, as given. */
  otherFeatureGates: Record<string, boolean>;
}

const isModelled = (name: string): name is keyof FeatureGates =>
  (MODELLED_FEATURE_GATES as readonly string[]).includes(name);

/** Merges `values` over `base`; `where(name)` locates a gate for error messages. */
export function mergeFeatureGates(
  values: Readonly<Record<string, boolean>>,
  where: (name: string) => InputLocation,
  pathOf: (name: string) => string,
  base: Readonly<FeatureGates> = DEFAULT_FEATURE_GATES,
): FeatureGateSettings {
  const featureGates: FeatureGates = { ...base };
  const otherFeatureGates: Record<string, boolean> = {};
  for (const [name, value] of Object.entries(values)) {
    if (isModelled(name)) {
      featureGates[name] = value;
      continue;
    }
    if (!GATE_NAME.test(name)) {
      throw new InputError(where(name), pathOf(name), `invalid feature gate name ${JSON.stringify(name)}`);
    }
    const hint = closestName(name, MODELLED_FEATURE_GATES);
    if (hint) {
      throw new InputError(
        where(name),
        pathOf(name),
        `unknown feature gate ${JSON.stringify(name)}; did you mean ${JSON.stringify(hint)}?`,
      );
    }
    otherFeatureGates[name] = value;
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
 * The command-line form `A=true,B=false` (the kubelet's `--feature-gates`), merged over `base`.
 * `what` names the source in errors (an option name or a file).
 */
export function parseFeatureGates(
  text: string,
  base: Readonly<FeatureGates> = DEFAULT_FEATURE_GATES,
  what = "--feature-gates",
): FeatureGateSettings {
  const values: Record<string, boolean> = {};
  for (const item of text.split(",")) {
    if (item.trim() === "") continue;
    const eq = item.indexOf("=");
    const name = (eq < 0 ? item : item.slice(0, eq)).trim();
    if (eq < 0) throw new InputError({ file: what }, "", `missing bool value for ${name}`);
    const raw = item.slice(eq + 1).trim();
    const value = parseGoBool(raw);
    if (value === null) {
      throw new InputError(
        { file: what },
        "",
        `invalid value of ${name}=${raw}: expected true or false (or 1, t, T, TRUE, True, 0, f, F, FALSE, False)`,
      );
    }
    values[name] = value;
  }
  return mergeFeatureGates(
    values,
    () => ({ file: what }),
    () => "",
    base,
  );
}
