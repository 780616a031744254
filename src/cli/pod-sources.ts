import { type Dirent, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { type PodInput, type PodInputOptions, readPodInputs } from "../k8s/index.js";
import { UsageError } from "./errors.js";
import { readFailureReason, readInputFile } from "./read-input.js";

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

/**
 * The .yaml/.yml/.json files of a directory, in name order, as `kubectl apply -f DIR` takes them:
 * subdirectories are not descended into (whatever their name, `sub.yaml/` included), a symbolic
 * link counts as what it points to, and an entry that cannot be examined is an error.
 */
function podFilesIn(dir: string): string[] {
  let entries: Dirent[];
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch (err) {
    throw new UsageError(`cannot read ${dir}: ${readFailureReason(err)}`);
  }
  const files: string[] = [];
  for (const entry of entries) {
    if (!/\.(ya?ml|json)$/i.test(entry.name)) continue;
    const path = join(dir, entry.name);
    let isDir = entry.isDirectory();
    if (entry.isSymbolicLink()) {
      try {
        isDir = statSync(path).isDirectory();
      } catch (err) {
        throw new UsageError(`cannot read ${path}: ${readFailureReason(err)}`);
      }
    }
    if (!isDir) files.push(entry.name);
  }
  return files.sort().map((f) => join(dir, f));
}

/** Every pod of `sources` (files, directories of .yaml/.yml/.json files in name order, `-`). */
export function loadPodInputs(sources: readonly string[], options: PodInputOptions = {}): PodInput[] {
  const out: PodInput[] = [];
  for (const source of sources) {
    if (source === "-") {
      out.push(...readPodInputs(readStdin(), "<stdin>", options));
      continue;
    }
    let isDir: boolean;
    try {
      isDir = statSync(source).isDirectory();
    } catch {
      throw new UsageError(`${source}: no such file or directory`);
    }
    const files = isDir ? podFilesIn(source) : [source];
    for (const file of files) out.push(...readPodInputs(readInputFile(file, "pod file"), file, options));
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
