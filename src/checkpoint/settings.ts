/** What selects the checkpoint versions read and written (README.md version table, checkpoints.md §3.5, §4.4). */
import type { FeatureGates, KubernetesVersion } from "../k8s/index.js";
import type { JSONNode } from "./gojson-parse.js";
import { GoJSONSyntaxError, parseGoJSON } from "./gojson-parse.js";

export interface CheckpointSettings {
  version: KubernetesVersion;
  gates: Pick<FeatureGates, "PodLevelResourceManagers">;
}

export interface ReadOptions extends CheckpointSettings {
  /** The policy the kubelet is configured with (`static` / `none`, `Static` / `None`). */
  configuredPolicy: string;
  /** The file, for error messages; defaults to the file in `/var/lib/kubelet`. */
  path?: string;
  /**
   * Accept files whose checksum does not verify, with a warning instead of an error (OPEN CK-1,
   * checkpoints.md §8: only under an explicit option of the checkpoint command).
   */
  ignoreChecksums?: boolean;
}

/** A checkpoint file parsed once and decoded by each version in turn, as the kubelet re-reads it. */
export type ParsedText = { node: JSONNode } | { syntaxError: string };

export function parseOnce(text: string): ParsedText {
  try {
    return { node: parseGoJSON(text) };
  } catch (err) {
    if (err instanceof GoJSONSyntaxError) return { syntaxError: err.message };
    throw err;
  }
}
