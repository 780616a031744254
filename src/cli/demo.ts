import { mkdirSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { Command } from "commander";
import { type CommandOutput, type OutputFile, runCommand, UsageError } from "./errors.js";
import { valueOption } from "./options.js";
import { readFailureReason } from "./read-input.js";
import { simulate } from "./simulate.js";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const EXAMPLES = join(ROOT, "examples");

interface DemoCase {
  title: string;
  config: string;
  pod: string;
  html: string;
}

const CASES: DemoCase[] = [
  {
    title: "Blog example 1: tightly-coupled-database, Topology Manager scope pod",
    config: "kubelet-pod-scope.yaml",
    pod: "tightly-coupled-database.yaml",
    html: "example-pod-scope.html",
  },
  {
    title: "Blog example 2: ml-workload, Topology Manager scope container",
    config: "kubelet-container-scope.yaml",
    pod: "ml-workload.yaml",
    html: "example-container-scope.html",
  },
];

/** Makes the reports' directory; one that cannot be made is bad input. */
function makeOutDir(outDir: string): void {
  try {
    mkdirSync(outDir, { recursive: true });
  } catch (err) {
    throw new UsageError(`--out ${outDir}: cannot create the directory (${readFailureReason(err)})`);
  }
}

/**
 * The built-in example (`npm start`): the two pods of the Kubernetes v1.36 pod-level resource
 * managers blog post on the worked-example machine (2 sockets x 8 cores x 2 threads, 64Gi per
 * NUMA node, 2 CPUs reserved, static CPU and Memory Managers, single-numa-node), each with its
 * HTML report; then the second pod as a 1.36 kubelet would see it.
 */
async function demo(outDir: string): Promise<CommandOutput> {
  let stdout = "";
  const files: OutputFile[] = [];
  for (const c of CASES) {
    stdout += `=== ${c.title}\n    podpin simulate --config examples/${c.config} examples/${c.pod}\n\n`;
    const html = join(outDir, c.html);
    const run = await simulate([join(EXAMPLES, c.pod)], {
      config: join(EXAMPLES, c.config),
      machine: "worked-example",
      output: "table",
      html,
    });
    stdout += `${run.stdout}\n`;
    if (run.html) files.push({ option: "--out", path: html, content: run.html, announce: false });
  }
  stdout +=
    "=== The same ml-workload pod on a Kubernetes 1.36 kubelet (Memory Manager Static)\n    podpin simulate --kubernetes-version 1.36 ...\n\n";
  const old = await simulate([join(EXAMPLES, "ml-workload.yaml")], {
    config: join(EXAMPLES, "kubelet-container-scope.yaml"),
    machine: "worked-example",
    kubernetesVersion: "1.36",
    output: "table",
  });
  stdout +=
    `${old.stdout.split("\n\nNODE")[0]}\n\n` +
    "    1.36 sends the sidecar, which asks for no exclusive memory, through the Memory Manager with an\n" +
    "    empty request; 1.37 skips such containers (kubernetes/kubernetes#138770).\n\n";
  for (const { path } of files) stdout += `HTML report: ${relative(process.cwd(), path) || path}\n`;
  makeOutDir(outDir);
  return { exitCode: 0, stdout, files };
}

export function registerDemo(program: Command): void {
  program
    .command("demo")
    .description(
      "Run the built-in example: the two pods of the v1.36 blog post on the worked-example machine",
    )
    .addOption(valueOption("--out <dir>", "where to write the HTML reports", { value: "out" }))
    .action((opts: { out: string }) => runCommand(() => demo(resolve(opts.out))));
}
