import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { type PodInput, type PodInputOptions, readPodInputs } from "../k8s/index.js";
import { UsageError } from "./errors.js";

/**
 * The pods of the files, directories and standard input a command is given: Pods, workloads
 * (made into the pods their controllers create), `kind: List` dumps, kubectl dumps, multi-document
 * YAML or JSON — each validated as the API server would and, unless they are static pods, with the
 * API server's canonical quantities.
 */

function readStdin(): string {
  try {
    return readFileSync(0, "utf8");
  } catch {
    throw new UsageError("-: cannot read pods from standard input");
  }
}

function podFilesIn(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => /\.(ya?ml|json)$/i.test(f))
    .sort()
    .map((f) => join(dir, f));
}

/** Every pod of `sources` (files, directories of .yaml/.yml/.json files in name order, `-`). */
export function loadPodInputs(sources: readonly string[], options: PodInputOptions = {}): PodInput[] {
  const out: PodInput[] = [];
  for (const source of sources) {
    if (source === "-") {
      out.push(...readPodInputs(readStdin(), "<stdin>", options));
      continue;
    }
    let files: string[];
    try {
      files = statSync(source).isDirectory() ? podFilesIn(source) : [source];
    } catch {
      throw new UsageError(`${source}: no such file or directory`);
    }
    for (const file of files) out.push(...readPodInputs(readFileSync(file, "utf8"), file, options));
  }
  const seen = new Map<string, string>();
  for (const { pod } of out) {
    const other = seen.get(pod.uid);
    if (other)
      throw new UsageError(`pods ${other} and ${pod.namespace}/${pod.name} have the same uid ${pod.uid}`);
    seen.set(pod.uid, `${pod.namespace}/${pod.name}`);
  }
  return out;
}
