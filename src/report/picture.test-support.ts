/**
 * Inputs shared by the picture tests: a set of varied pods to fill a big machine with (real
 * engine admissions, not hand-made state), and the command and caption of the README's picture.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const NAMESPACES = ["shop", "batch", "ml", "search"];

/**
 * The YAML of pod `i` of a mixed set: pod-level budgets with a sidecar in the pod shared pool,
 * Guaranteed single containers, pod-level budgets split between two exclusive containers (leaving
 * part of the bubble unused), and Guaranteed pods of two containers.
 */
export function mixedPodYaml(i: number): string {
  const id = String(i).padStart(2, "0");
  const meta = `metadata: {name: pod-${id}, namespace: ${NAMESPACES[i % NAMESPACES.length]}, uid: uid-mixed-${id}}`;
  const res = (cpu: number): string =>
    `resources: {requests: {cpu: "${cpu}", memory: ${cpu}Gi}, limits: {cpu: "${cpu}", memory: ${cpu}Gi}}`;
  switch (i % 4) {
    case 0:
      return `apiVersion: v1
kind: Pod
${meta}
spec:
  ${res(6)}
  initContainers:
    - {name: proxy, image: busybox, restartPolicy: Always}
  containers:
    - {name: main, image: busybox, ${res(4)}}
`;
    case 1:
      return `apiVersion: v1
kind: Pod
${meta}
spec:
  containers:
    - {name: server, image: busybox, ${res(3 + (i % 3))}}
`;
    case 2:
      return `apiVersion: v1
kind: Pod
${meta}
spec:
  ${res(6)}
  containers:
    - {name: stage-1, image: busybox, ${res(3)}}
    - {name: stage-2, image: busybox, ${res(2)}}
`;
    default:
      return `apiVersion: v1
kind: Pod
${meta}
spec:
  containers:
    - {name: web, image: busybox, ${res(2)}}
    - {name: cache, image: busybox, ${res(2)}}
`;
  }
}

/** Writes `count` mixed pods into `dir`; returns their paths in admission order. */
export function writeMixedPods(dir: string, count: number): string[] {
  mkdirSync(dir, { recursive: true });
  return Array.from({ length: count }, (_, i) => {
    const file = join(dir, `pod-${String(i).padStart(2, "0")}.yaml`);
    writeFileSync(file, mixedPodYaml(i));
    return file;
  });
}

export interface ReadmePicture {
  /** The `podpin` arguments of the command shown above the picture. */
  args: string[];
  /** The `--html` file the text says draws it. */
  htmlFile: string;
  /** The image's alt text and the caption line under it. */
  alt: string;
  caption: string;
}

/**
 * The README's picture: the last `$ podpin …` command before `docs/picture.png`, the `--html` file
 * named between the two, and the alt text and caption line of the image.
 */
export function readmePicture(readme: string): ReadmePicture {
  const lines = readme.split("\n");
  const at = lines.findIndex((l) => /^!\[[^\]]*\]\(docs\/picture\.png\)/.test(l));
  if (at < 0) throw new Error("README.md: no docs/picture.png image");
  let cmd = at - 1;
  while (cmd >= 0 && !lines[cmd].startsWith("$ podpin ")) cmd--;
  if (cmd < 0) throw new Error("README.md: no `$ podpin` command before the picture");
  const between = lines.slice(cmd + 1, at).join("\n");
  const html = /`--html ([^`\s]+)`/.exec(between);
  if (!html) throw new Error("README.md: the text before the picture names no `--html <file>`");
  const alt = /^!\[([^\]]*)\]/.exec(lines[at])![1];
  const caption = lines.slice(at + 1).find((l) => l.trim() !== "") ?? "";
  return {
    args: lines[cmd].slice("$ podpin ".length).trim().split(/\s+/),
    htmlFile: html[1],
    alt,
    caption,
  };
}
