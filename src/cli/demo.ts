import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { Command } from "commander";
import { runCommand } from "./errors.js";
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

/**
 * The built-in example (`npm start`): the two pods of the Kubernetes v1.36 pod-level resource
 * managers blog post on the worked-example machine (2 sockets x 8 cores x 2 threads, 64Gi per
 * NUMA node, 2 CPUs reserved, static CPU and Memory Managers, single-numa-node), each with its
 * HTML report; then the second pod as a 1.36 kubelet would see it.
 */
async function demo(outDir: string): Promise<number> {
  mkdirSync(outDir, { recursive: true });
  const written: string[] = [];
  for (const c of CASES) {
    process.stdout.write(
      `=== ${c.title}\n    podpin simulate --config examples/${c.config} examples/${c.pod}\n\n`,
    );
    const html = join(outDir, c.html);
    const run = await simulate([join(EXAMPLES, c.pod)], {
      config: join(EXAMPLES, c.config),
      machine: "worked-example",
      output: "table",
      html,
    });
    process.stdout.write(`${run.stdout}\n`);
    if (run.html) {
      writeFileSync(html, run.html);
      written.push(html);
    }
  }
  process.stdout.write(
    "=== The same ml-workload pod on a Kubernetes 1.36 kubelet (Memory Manager Static)\n    podpin simulate --kubernetes-version 1.36 ...\n\n",
  );
  const old = await simulate([join(EXAMPLES, "ml-workload.yaml")], {
    config: join(EXAMPLES, "kubelet-container-scope.yaml"),
    machine: "worked-example",
    kubernetesVersion: "1.36",
    output: "table",
  });
  process.stdout.write(
    `${old.stdout.split("\n\nNODE")[0]}\n\n` +
      "    1.36 sends the sidecar, which asks for no exclusive memory, through the Memory Manager with an\n" +
      "    empty request; 1.37 skips such containers (kubernetes/kubernetes#138770).\n\n",
  );
  for (const file of written) process.stdout.write(`HTML report: ${relative(process.cwd(), file) || file}\n`);
  return 0;
}

export function registerDemo(program: Command): void {
  program
    .command("demo")
    .description(
      "Run the built-in example: the two pods of the v1.36 blog post on the worked-example machine",
    )
    .option("--out <dir>", "where to write the HTML reports", "out")
    .action((opts: { out: string }) => runCommand(() => demo(resolve(opts.out))));
}
