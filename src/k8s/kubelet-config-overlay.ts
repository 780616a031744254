import { type FieldPath, InputError, type InputLocation } from "./input-error.js";
import type { FlagOrigin, KubeletFlagSettings } from "./kubelet-flags.js";
import type { KubernetesVersion } from "./types.js";
import type { SourceDocument } from "./yaml-source.js";

/**
 * What the kubelet's command line and podpin's own overrides change in a KubeletConfiguration,
 * applied the kubelet's way: a flag replaces the file's field (maps and lists included), feature
 * gates merge one gate at a time. Errors about a field a flag set name the flag, not the file.
 */

export interface KubeletConfigOverrides {
  /** The kubelet's command line (`--kubelet-flags`, `--kubelet-flags-file`). */
  flags?: KubeletFlagSettings;
  /** podpin's `--feature-gates`, applied after the kubelet's flags. */
  featureGates?: { values: Readonly<Record<string, boolean>>; source: string };
  /** podpin's `--kubernetes-version`: behave as this kubelet. */
  kubernetesVersion?: KubernetesVersion;
}

export interface Overlay {
  data: Record<string, unknown>;
  doc: SourceDocument;
  /** The flag behind a field path, when a flag (not the file) set it. */
  originOf(path: FieldPath): FlagOrigin | undefined;
  /** Where a feature gate was set, for errors. */
  gateLocation(name: string, fileLocation: InputLocation): { where: InputLocation; path: string };
  /** An error the reader raised about the file, moved to the flag that set the field. */
  relocate(err: InputError, file: string): InputError;
}

/** `map[key]` when it is the map's own entry: a field named `toString` is not a prototype's method. */
const own = <T>(map: Readonly<Record<string, T>>, key: string): T | undefined =>
  Object.hasOwn(map, key) ? map[key] : undefined;

const TOP_KEY = /^[A-Za-z_][A-Za-z0-9_-]*/;

export function overlay(
  data: Record<string, unknown>,
  doc: SourceDocument,
  overrides: KubeletConfigOverrides,
): Overlay {
  const flags = overrides.flags;
  const merged: Record<string, unknown> = { ...data, ...(flags?.fields ?? {}) };
  const gateOrigins: Record<string, FlagOrigin> = { ...(flags?.featureGateOrigins ?? {}) };
  const fileGates = (data.featureGates ?? {}) as Record<string, unknown>;
  let gates: Record<string, unknown> = { ...fileGates, ...(flags?.featureGates ?? {}) };
  if (overrides.featureGates) {
    const { values, source } = overrides.featureGates;
    gates = { ...gates, ...values };
    for (const name of Object.keys(values)) gateOrigins[name] = { flag: "", where: { file: source } };
  }
  if (Object.keys(gates).length > 0 || data.featureGates !== undefined) merged.featureGates = gates;
  const fieldOrigins = flags?.origins ?? {};
  const originOf = (path: FieldPath): FlagOrigin | undefined => {
    const top = String(path[0] ?? "");
    if (top === "featureGates" && path.length > 1) return own(gateOrigins, String(path[1]));
    return own(fieldOrigins, top);
  };
  const wrapped: SourceDocument = {
    data: merged,
    lineOf: (path) => (originOf(path) ? undefined : doc.lineOf(path)),
    rawScalar: (path) => (originOf(path) ? undefined : doc.rawScalar(path)),
  };
  return {
    data: merged,
    doc: wrapped,
    originOf,
    gateLocation(name, fileLocation) {
      const o = own(gateOrigins, name);
      if (!o) return { where: fileLocation, path: `featureGates.${name}` };
      return { where: o.where, path: o.flag };
    },
    relocate(err, file) {
      if (err.file !== file) return err;
      const top = TOP_KEY.exec(err.field)?.[0];
      const o = top ? own(fieldOrigins, top) : undefined;
      return o ? new InputError(o.where, o.flag, err.detail) : err;
    },
  };
}
