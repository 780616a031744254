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

/** How sources are read: the pod reading options, and whether directories are walked (`-R`). */
export interface PodSourceOptions extends PodInputOptions {
  recursive?: boolean;
}

const STDIN = "<stdin>";
const POD_FILE = /\.(ya?ml|json)$/i;

function readStdin(): string {
  try {
    return readFileSync(0, "utf8");
  } catch {
    throw new UsageError("-: cannot read pods from standard input");
  }
}

function isDirectory(path: string, entry: Dirent): boolean {
  if (!entry.isSymbolicLink()) return entry.isDirectory();
  try {
    return statSync(path).isDirectory();
  } catch (err) {
    throw new UsageError(`cannot read ${path}: ${readFailureReason(err)}`);
  }
}

/**
 * The .yaml/.yml/.json files of a directory, in name order, as `kubectl apply -f DIR` takes them:
 * without `recursive` subdirectories are not descended into (whatever their name, `sub.yaml/`
 * included); with it, as `kubectl -R`, each is walked where its name sorts. A symbolic link counts
 * as what it points to, except that a linked directory is not walked (a link can make a cycle),
 * and an entry that cannot be examined is an error.
 */
function podFilesIn(dir: string, recursive: boolean): string[] {
  let entries: Dirent[];
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch (err) {
    throw new UsageError(`cannot read ${dir}: ${readFailureReason(err)}`);
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const files: string[] = [];
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (recursive && entry.isDirectory()) {
      files.push(...podFilesIn(path, true));
      continue;
    }
    if (POD_FILE.test(entry.name) && !isDirectory(path, entry)) files.push(path);
  }
  return files;
}

/** True when `text` has no YAML content: blank lines, comments and document markers only. */
function isBlank(text: string): boolean {
  return text.split("\n").every((line) => /^(?:---|\.\.\.)?(?:\s+#.*)?$|^#/.test(line.trim()));
}

function noPods(source: string, why: string): UsageError {
  return new UsageError(`no pods in ${source}: ${why}`);
}

/** The pods of one file (or standard input); refuses a file that holds nothing. */
function podsOfFile(text: string, file: string, options: PodSourceOptions): PodInput[] {
  const pods = readPodInputs(text, file, options);
  if (pods.length === 0 && isBlank(text))
    throw noPods(
      file === STDIN ? "standard input" : file,
      text.trim() === "" ? "it is empty" : "it holds only comments",
    );
  return pods;
}

/** The pods of one source: `-`, a file, or a directory. */
function podsOfSource(source: string, options: PodSourceOptions): PodInput[] {
  if (source === "-") return podsOfFile(readStdin(), STDIN, options);
  let isDir: boolean;
  try {
    isDir = statSync(source).isDirectory();
  } catch (err) {
    throw new UsageError(`cannot read ${source}: ${readFailureReason(err)}`);
  }
  if (!isDir) return podsOfFile(readInputFile(source, "pod file"), source, options);
  const files = podFilesIn(source, options.recursive === true);
  if (files.length === 0)
    throw noPods(
      source,
      `it holds no .yaml, .yml or .json file${options.recursive ? "" : " (-R reads its subdirectories too)"}`,
    );
  const pods: PodInput[] = [];
  let blank = true;
  for (const file of files) {
    const text = readInputFile(file, "pod file");
    blank &&= isBlank(text);
    pods.push(...readPodInputs(text, file, options));
  }
  if (pods.length === 0 && blank) throw noPods(source, "its files are empty or hold only comments");
  return pods;
}

/**
 * Every pod of `sources` in order (files, directories of .yaml/.yml/.json files in name order,
 * `-` for standard input). A source with nothing in it is a mistake, as for `kubectl apply`:
 * `no pods in <source>`. Workloads scaled to no pods are not (`--replicas 0` asks for that).
 */
export function loadPodInputs(sources: readonly string[], options: PodSourceOptions = {}): PodInput[] {
  if (sources.filter((s) => s === "-").length > 1)
    throw new UsageError("-: standard input given twice; it can be read once");
  const out: PodInput[] = [];
  for (const source of sources) out.push(...podsOfSource(source, options));
  const seen = new Map<string, string>();
  for (const { pod } of out) {
    const other = seen.get(pod.uid);
    if (other)
      throw new UsageError(`pods ${other} and ${pod.namespace}/${pod.name} have the same uid ${pod.uid}`);
    seen.set(pod.uid, `${pod.namespace}/${pod.name}`);
  }
  return out;
}
