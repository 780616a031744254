/**
 * The command-line conventions every podpin command follows, as kubectl users expect them:
 * `-f/--filename` (repeatable; files, directories, `-`) with `-R`, positional files still read;
 * every option's default in `--help`; one `podpin: ` prefix for every error; nothing on stdout
 * when the exit code is 2; a single-value option given twice refused; a missing file and an empty
 * input said the same way everywhere; the table's column key in `--help` and the README.
 * Most cases run the command's main() in this process; what only a process shows (standard
 * input, `--help` of each command, exit codes) runs child processes.
 */
import assert from "node:assert/strict";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { SimulationDoc } from "../report/index.js";
import { type InProcessRun, runInProcess } from "./cli-in-process.test-support.js";
import { podpin, type Run } from "./cli.process.test-support.js";
import { SIMULATE_COLUMN_KEY } from "./column-key.js";
import {
  CONTAINER_SCOPE_CONFIG,
  DATABASE_POD,
  EXAMPLES,
  type Fixtures,
  ML_POD,
  POD_SCOPE_CONFIG,
  ROOT,
  writeFixtures,
} from "./cli.test-support.js";

/** Exit code 2, nothing on stdout, one `podpin: ` line on stderr, no stack trace. */
function assertBadInput(r: InProcessRun | Run, expected: string | RegExp): void {
  assert.equal(r.code, 2, `exit code 2, got ${r.code}; stderr: ${r.stderr}`);
  assert.equal(r.stdout, "", "nothing on stdout");
  const lines = r.stderr.split("\n").filter((l) => l !== "");
  assert.equal(lines.length, 1, `one line on stderr, got:\n${r.stderr}`);
  assert.match(lines[0], /^podpin: /);
  assert.doesNotMatch(r.stderr, /\n\s+at |internal error/);
  if (typeof expected === "string") assert.equal(lines[0], `podpin: ${expected}`);
  else assert.match(lines[0], expected);
}

function podNames(r: InProcessRun | Run): string[] {
  assert.equal(r.code, 0, r.stderr);
  const doc = JSON.parse(r.stdout) as SimulationDoc;
  return doc.steps.flatMap((s) => (s.op === "admit" ? [s.pod.name] : []));
}

let fx: Fixtures;
before(() => {
  fx = writeFixtures();
});
after(() => rmSync(fx.dir, { recursive: true, force: true }));

describe("-f/--filename, -R and positional files", () => {
  it("-f is repeatable; its files come first, then the arguments, in the order given", async () => {
    const both = await runInProcess([
      "simulate",
      "-c",
      POD_SCOPE_CONFIG,
      "-f",
      DATABASE_POD,
      "-f",
      ML_POD,
      "-o",
      "json",
    ]);
    assert.deepEqual(podNames(both), ["tightly-coupled-database", "ml-workload"]);
    const mixed = await runInProcess([
      "simulate",
      "-c",
      POD_SCOPE_CONFIG,
      DATABASE_POD,
      "--filename",
      ML_POD,
      "-o",
      "json",
    ]);
    assert.deepEqual(podNames(mixed), ["ml-workload", "tightly-coupled-database"]);
  });

  it("-f DIR reads a directory's pod files; -R walks its subdirectories in name order", async () => {
    assert.deepEqual(
      podNames(await runInProcess(["simulate", "-c", POD_SCOPE_CONFIG, "-f", fx.blogDir, "-o", "json"])),
      ["tightly-coupled-database", "ml-workload"],
    );
    const tree = join(fx.dir, "tree");
    mkdirSync(join(tree, "a-db"), { recursive: true });
    mkdirSync(join(tree, "b-ml", "deeper"), { recursive: true });
    writeFileSync(join(tree, "a-db", "pod.yaml"), readFileSync(DATABASE_POD));
    writeFileSync(join(tree, "b-ml", "deeper", "pod.json.yaml"), readFileSync(ML_POD));
    assertBadInput(
      await runInProcess(["simulate", "-c", POD_SCOPE_CONFIG, "-f", tree]),
      `no pods in ${tree}: it holds no .yaml, .yml or .json file (-R reads its subdirectories too)`,
    );
    const walked = await runInProcess(["simulate", "-c", POD_SCOPE_CONFIG, "-R", "-f", tree, "-o", "json"]);
    assert.deepEqual(podNames(walked), ["tightly-coupled-database", "ml-workload"]);
    const recursive = await runInProcess([
      "simulate",
      "-c",
      POD_SCOPE_CONFIG,
      "--recursive",
      tree,
      "-o",
      "json",
    ]);
    assert.deepEqual(podNames(recursive), ["tightly-coupled-database", "ml-workload"]);
  });

  it("-f - reads standard input (a child process)", async () => {
    const r = await podpin(
      ["simulate", "-c", CONTAINER_SCOPE_CONFIG, "-f", "-", "-o", "json"],
      ROOT,
      readFileSync(ML_POD, "utf8"),
    );
    assert.deepEqual(podNames(r), ["ml-workload"]);
  });

  it("explain takes its one pod from -f or the argument, not both", async () => {
    const r = await runInProcess(["explain", "-c", CONTAINER_SCOPE_CONFIG, "-f", ML_POD]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^ADMITTED {2}default\/ml-workload /);
    assertBadInput(
      await runInProcess(["explain", "-c", CONTAINER_SCOPE_CONFIG, "-f", ML_POD, DATABASE_POD]),
      "explain takes one pod: give one file, directory or - (as the argument or with -f), got 2",
    );
  });
});

/** The option entries of a `--help` text: each option's lines joined. */
function optionEntries(help: string): string[] {
  const section = help.split(/^Options:\n/m)[1]?.split(/\n\n/)[0] ?? "";
  const entries: string[] = [];
  for (const line of section.split("\n")) {
    if (/^ {2}-/.test(line)) entries.push(line.trim());
    else if (entries.length > 0) entries[entries.length - 1] += ` ${line.trim()}`;
  }
  return entries;
}

/** The subcommands a `--help` text lists (`help` aside). */
function subcommandsOf(help: string): string[] {
  const listing = help.split(/^Commands:\n/m)[1]?.split(/\n\n/)[0] ?? "";
  return [...listing.matchAll(/^ {2}([a-z][a-z-]*)\b/gm)].map((m) => m[1]).filter((c) => c !== "help");
}

describe("--help: every option with its default", { concurrency: 4 }, () => {
  let commands: string[] = [];
  before(async () => {
    const r = await podpin(["--help"]);
    assert.equal(r.code, 0, r.stderr);
    commands = subcommandsOf(r.stdout);
    assert.ok(commands.length >= 7, `the command listing: ${r.stdout}`);
  });

  it("each command's and subcommand's --help shows a default for every option (help itself aside)", async () => {
    const helps = new Map<string, string>();
    let pending = commands.map((c) => [c]);
    while (pending.length > 0) {
      const runs = await Promise.all(pending.map((words) => podpin([...words, "--help"])));
      const next: string[][] = [];
      pending.forEach((words, i) => {
        const r = runs[i];
        const command = words.join(" ");
        assert.equal(r.code, 0, `${command} --help: ${r.stderr}`);
        assert.match(r.stdout, new RegExp(`^Usage: podpin ${command} `));
        helps.set(command, r.stdout);
        for (const sub of subcommandsOf(r.stdout)) next.push([...words, sub]);
      });
      pending = next;
    }
    for (const [command, help] of helps) {
      const entries = optionEntries(help).filter((e) => !e.startsWith("-h, --help"));
      assert.ok(entries.length > 0, `${command} has options`);
      // A mandatory option has no default; it says it is required instead.
      for (const e of entries) assert.match(e, /\(.*\b(default: [^)]|required\))/, `${command}: ${e}`);
    }
  });

  it("podpin --help lists the commands without loading them; help <command> is <command> --help", async () => {
    const [listing, viaHelp, direct] = await Promise.all([
      podpin(["--help"]),
      podpin(["help", "simulate"]),
      podpin(["simulate", "--help"]),
    ]);
    assert.match(listing.stdout, /^Usage: podpin <command> \[options\]/);
    assert.equal(viaHelp.stdout, direct.stdout);
    assert.match(direct.stdout, /--machine <machine> .*\(default: "worked-example"\)/s);
  });
});

describe("errors: one prefix, one line, exit 2 and nothing on stdout", () => {
  it("a report that cannot be written leaves no table on stdout (simulate, topology, demo)", async () => {
    const html = join(fx.dir, "no-such-dir", "report.html");
    const why = `cannot write the report (ENOENT: no such file or directory)`;
    assertBadInput(
      await runInProcess(["simulate", "-c", POD_SCOPE_CONFIG, DATABASE_POD, "--html", html]),
      `--html ${html}: ${why}`,
    );
    assertBadInput(
      await runInProcess(["topology", "-m", "worked-example", "--html", html]),
      `--html ${html}: ${why}`,
    );
    const file = join(fx.dir, "a-file");
    writeFileSync(file, "");
    assertBadInput(
      await runInProcess(["demo", "--out", join(file, "out")]),
      `--out ${join(file, "out")}: cannot create the directory (a path component is not a directory)`,
    );
    assert.ok(!existsSync(html));
  });

  it("every command: bad input, unknown options and commands start with podpin:", async () => {
    const cases: [string[], RegExp][] = [
      [["simulate", fx.badYaml], /^podpin: .*bad\.yaml:4: invalid YAML: /],
      [["explain", fx.unknownField], /unknown field "resourcez"/],
      [["topology", "-m", "no-such-preset"], /^podpin: no-such-preset: unknown machine/],
      [
        ["presets", "-o", "xml"],
        /^podpin: --output: argument 'xml' is invalid\. Allowed choices are table, json, yaml\.$/,
      ],
      [["checkpoint", join(fx.dir, "no-state")], /^podpin: /],
      [["conformance", join(fx.dir, "no-vectors")], /^podpin: cannot read .*no-vectors: no such file$/],
      [["simulate", "--no-such-option"], /^podpin: unknown option '--no-such-option'$/],
      [["simulat"], /^podpin: unknown command 'simulat' \(Did you mean simulate\?\)$/],
      [["simulate", "-o"], /^podpin: --output: argument missing$/],
    ];
    for (const [args, expected] of cases) assertBadInput(await runInProcess(args), expected);
  });

  it("as a process: exit code 2 and the one line", async () => {
    const r = await podpin([
      "simulate",
      "-c",
      POD_SCOPE_CONFIG,
      DATABASE_POD,
      "--html",
      join(fx.dir, "nope", "r.html"),
    ]);
    assertBadInput(r, /^podpin: --html .*r\.html: cannot write the report/);
  });
});

describe("an option that takes one value may be given once", () => {
  it("-m twice, --machine and -m, -o twice, --html twice, --state twice: option ... given twice", async () => {
    const cases: [string[], string][] = [
      [
        ["simulate", "-m", "worked-example", "-m", "nvidia-dgx-h100", DATABASE_POD],
        "option -m/--machine given twice",
      ],
      [
        ["simulate", "--machine", "worked-example", "-m", "worked-example", DATABASE_POD],
        "option -m/--machine given twice",
      ],
      [["simulate", "-o", "json", "-o", "yaml", DATABASE_POD], "option -o/--output given twice"],
      [["topology", "--html", "a.html", "--html", "b.html"], "option --html given twice"],
      [["explain", "--state", "a", "--state", "b", ML_POD], "option --state given twice"],
      [
        ["simulate", "-c", POD_SCOPE_CONFIG, "--config", POD_SCOPE_CONFIG, DATABASE_POD],
        "option -c/--config given twice",
      ],
    ];
    for (const [args, message] of cases) assertBadInput(await runInProcess(args), message);
  });

  it("list options accumulate: -f twice, --kubelet-flags-file twice", async () => {
    const one = join(fx.dir, "flags-1.env");
    const two = join(fx.dir, "flags-2.env");
    writeFileSync(one, 'KUBELET_KUBEADM_ARGS="--topology-manager-policy=best-effort"\n');
    writeFileSync(two, "--topology-manager-scope=pod\n");
    const r = await runInProcess([
      "explain",
      "--kubelet-flags-file",
      one,
      "--kubelet-flags-file",
      two,
      "-f",
      ML_POD,
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /topologyManagerPolicy best-effort, scope pod\b/);
  });
});

describe("a missing file: cannot read <path>: no such file", () => {
  it("pod files, -f, -c, -m, --steps, --kubelet-flags-file, explain and its --state, conformance", async () => {
    const missing = join(fx.dir, "missing.yaml");
    const cases: [string[], string][] = [
      [["simulate", missing], `cannot read ${missing}: no such file`],
      [["simulate", "-f", missing], `cannot read ${missing}: no such file`],
      [["simulate", "-c", missing, DATABASE_POD], `cannot read ${missing}: no such file`],
      [["simulate", "-m", missing, DATABASE_POD], `cannot read ${missing}: no such file`],
      [["simulate", "--steps", missing], `cannot read ${missing}: no such file`],
      [
        ["simulate", "--kubelet-flags-file", missing, DATABASE_POD],
        `--kubelet-flags-file: cannot read ${missing}: no such file`,
      ],
      [["explain", missing], `cannot read ${missing}: no such file`],
      [["explain", "--state", missing, "-f", ML_POD], `--state: cannot read ${missing}: no such file`],
      [["topology", "-m", missing], `cannot read ${missing}: no such file`],
      [["conformance", missing], `cannot read ${missing}: no such file`],
    ];
    for (const [args, message] of cases) assertBadInput(await runInProcess(args), message);
  });
});

describe("an empty input: exit 2, no pods in ...", () => {
  it("an empty file, a file of comments, an empty directory, a directory of empty files", async () => {
    const empty = join(fx.dir, "empty.yaml");
    const comments = join(fx.dir, "comments.yaml");
    const emptyDir = join(fx.dir, "empty-dir");
    const blankDir = join(fx.dir, "blank-dir");
    writeFileSync(empty, "");
    writeFileSync(comments, "# a pod will go here\n---\n# and another\n...\n");
    mkdirSync(emptyDir);
    mkdirSync(blankDir);
    writeFileSync(join(blankDir, "a.yaml"), "\n\n");
    writeFileSync(join(blankDir, "b.yaml"), "# nothing yet\n");
    const cases: [string[], string][] = [
      [["simulate", empty], `no pods in ${empty}: it is empty`],
      [["simulate", "-f", comments], `no pods in ${comments}: it holds only comments`],
      [["simulate", "-R", emptyDir], `no pods in ${emptyDir}: it holds no .yaml, .yml or .json file`],
      [["simulate", blankDir], `no pods in ${blankDir}: its files are empty or hold only comments`],
      [["explain", empty], `no pods in ${empty}: it is empty`],
    ];
    for (const [args, message] of cases) assertBadInput(await runInProcess(args), message);
  });

  it("empty standard input (a child process)", async () => {
    assertBadInput(await podpin(["simulate", "-"], ROOT, ""), "no pods in standard input: it is empty");
  });

  it("a workload scaled to 0 replicas is not an empty input", async () => {
    const deployment = join(fx.dir, "scaled-down.yaml");
    writeFileSync(
      deployment,
      "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: default}\nspec:\n  replicas: 0\n  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n    spec:\n      containers: [{name: app, image: nginx}]\n",
    );
    const r = await runInProcess(["simulate", "-c", POD_SCOPE_CONFIG, deployment, "-o", "json"]);
    assert.deepEqual(podNames(r), []);
  });
});

/** The names the key explains: each key line's first words, up to two spaces. */
function keyTerms(key: string): string[] {
  return [...key.matchAll(/^ {2}(\S+(?: \S+)*?) {2,}/gm)].map((m) => m[1]);
}

describe("the column key of simulate's table", () => {
  it("explains every column and pod line simulate prints, in --help and in the README", async () => {
    const gpu = await runInProcess([
      "simulate",
      "-m",
      "nvidia-dgx-h100",
      "-c",
      CONTAINER_SCOPE_CONFIG,
      join(EXAMPLES, "ml-workload-gpu.yaml"),
    ]);
    const pod = await runInProcess(["simulate", "-c", POD_SCOPE_CONFIG, DATABASE_POD]);
    const printed = new Set<string>();
    for (const out of [gpu.stdout, pod.stdout]) {
      const header = out.split("\n").find((l) => l.trim().startsWith("CONTAINER "));
      assert.ok(header, out);
      for (const column of header.trim().split(/ {2,}/)) printed.add(column);
      for (const m of out.matchAll(/^ {2}(pod [a-z ]+):/gm)) printed.add(m[1]);
    }
    printed.delete("CONTAINER");
    for (const expected of ["MEMS", "CFS QUOTA", "DEVICES", "pod bubble", "pod shared pool"])
      assert.ok(printed.has(expected), `simulate prints ${expected}`);
    const help = (await runInProcess(["simulate", "--help"])).stdout;
    assert.ok(help.includes(SIMULATE_COLUMN_KEY.trim()), "simulate --help holds the column key");
    const readme = readFileSync(join(ROOT, "README.md"), "utf8");
    const readmeKey = readme.split(/^### Reading the table$/m)[1]?.split(/^#/m)[0] ?? "";
    for (const term of printed) {
      assert.ok(keyTerms(SIMULATE_COLUMN_KEY).includes(term), `--help explains ${term}`);
      assert.ok(new RegExp(`^\\| \`${term}\` \\|`, "m").test(readmeKey), `the README explains ${term}`);
    }
    for (const notation of ["@0", "max (-1)", "(node shared pool)", "- (empty)"]) {
      assert.ok(SIMULATE_COLUMN_KEY.includes(notation), `--help explains ${notation}`);
      assert.ok(readmeKey.includes(notation), `the README explains ${notation}`);
    }
  });
});

describe("the README's picture", () => {
  it("its caption names the command shown above it, and that command gives what the caption says", async () => {
    const readme = readFileSync(join(ROOT, "README.md"), "utf8");
    const image = readme.indexOf("](docs/picture.png)");
    assert.ok(image > 0, "the README shows docs/picture.png");
    const alt = readme.slice(readme.lastIndexOf("![", image) + 2, image);
    const after = readme.slice(image).split("\n\n")[1] ?? "";
    const captioned = /^\*`(podpin simulate [^`]+)`/.exec(after)?.[1];
    assert.ok(captioned, `a caption naming the command under the picture: ${after}`);
    const shown = [...readme.slice(0, image).matchAll(/^\$ (podpin simulate .*)$/gm)].at(-1)?.[1];
    assert.ok(shown, "a podpin simulate command above the picture");
    assert.equal(captioned.replace(/ --html \S+/, ""), shown, "the caption's command is the one shown above");
    const args = captioned.split(" ").slice(1);
    const html = args.indexOf("--html");
    args[html + 1] = join(fx.dir, "readme.html");
    const r = await podpin(args, ROOT);
    assert.equal(r.code, 0, r.stderr);
    const admitted = [...r.stdout.matchAll(/^ADMITTED {2}\S+\/(\S+)/gm)].map((m) => m[1]);
    assert.ok(admitted.length > 0);
    for (const name of admitted) assert.ok(alt.includes(name), `the caption names ${name}`);
    for (const other of ["tightly-coupled-database", "ml-workload"].filter((n) => !admitted.includes(n)))
      assert.ok(!alt.includes(other), `the caption does not name ${other}, which the command does not admit`);
    for (const m of r.stdout.matchAll(/^ {2}pod bubble: +(\S+)$/gm))
      assert.ok(alt.includes(m[1]), `the caption's bubble is ${m[1]}`);
  });
});
