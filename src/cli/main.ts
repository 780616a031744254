import { readFileSync, realpathSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { Command } from "commander";

/**
 * The `podpin` command line. Start-up is kept as quick as `node` itself: `--version` reads
 * package.json and loads nothing else, and a command's module (with the engine, Commander and the
 * renderers it needs) is imported only when that command runs. The listing in `--help` comes from
 * the table below, without importing any command module.
 */

interface CommandEntry {
  name: string;
  /** One line for the command listing; the command's own `--help` says more. */
  summary: string;
  /** The module's `register<Name>(program)`, imported only when the command runs. */
  load: () => Promise<(program: Command) => void>;
  /**
   * The command's modules find files beside their own code (suites, .proto files), so the
   * published command runs it from the compiled modules of dist/, not from the one-file bundle
   * that makes the other commands start quickly (scripts/bundle-cli.ts).
   */
  unbundled?: true;
}

// One line per command, in listing order.
const COMMANDS: readonly CommandEntry[] = [
  {
    name: "simulate",
    summary: "admit pods in order on a simulated node and show every decision",
    load: async () => (await import("./simulate.js")).registerSimulate,
  },
  {
    name: "explain",
    summary: "explain the kubelet's decision for one pod: hints, merge, verdict, what would fit",
    load: async () => (await import("./explain.js")).registerExplain,
  },
  {
    name: "topology",
    summary: "show a machine as the resource managers see it",
    load: async () => (await import("./topology.js")).registerTopology,
  },
  {
    name: "presets",
    summary: "list the built-in machines usable with --machine",
    load: async () => (await import("./presets.js")).registerPresets,
  },
  {
    name: "checkpoint",
    summary: "read a kubelet state directory as the configured kubelet would at start-up",
    load: async () => (await import("./checkpoint.js")).registerCheckpoint,
  },
  {
    name: "agent",
    summary: "run the node agent: the engine behind an HTTP API, with durable state and metrics",
    load: async () => (await import("./agent.js")).registerAgent,
    unbundled: true,
  },
  {
    name: "conformance",
    summary: "run kubelet-derived conformance vectors through the engine",
    load: async () => (await import("./conformance.js")).registerConformance,
    unbundled: true,
  },
  {
    name: "fleet",
    summary:
      "what-if for a cluster: scheduler placement and kubelet admission, with and without NUMA awareness",
    load: async () => (await import("./fleet.js")).registerFleet,
    // Its scenarios run in worker threads started from a module file beside its code.
    unbundled: true,
  },
  {
    name: "demo",
    summary: "run the built-in example: the two pods of the v1.36 blog post",
    load: async () => (await import("./demo.js")).registerDemo,
  },
];

const DESCRIPTION =
  "The kubelet's Topology, CPU and Memory Managers with Pod-Level Resource Managers (KEP-5526)";

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as {
    version: string;
  };
  return pkg.version;
}

/** Commander's message in podpin's `<where>: <what>` form, on one line. */
function oneLine(message: string): string {
  return message
    .replace(/^error: /, "")
    .replace(/^option '(?:-[^,\s]+, )?(--[^\s']+)[^']*' argument/, "$1: argument")
    .replace(/\n(?=.)/g, " ")
    .replace(/\n*$/, "\n");
}

async function runCommandLine(argv: readonly string[]): Promise<void> {
  const { Command: CommandClass, CommanderError } = await import("commander");
  const { optionDescription, refuseRepeatedOptions } = await import("./options.js");
  const program = new CommandClass()
    .name("podpin")
    .usage("<command> [options]")
    .version(version(), "-V, --version", "print the version")
    .helpOption("-h, --help", "show this help")
    .description(DESCRIPTION)
    // Command-line mistakes are bad input like any other: one `podpin: ...` line and exit code 2
    // (Commander's own default is the whole help text and exit code 1, which means "rejected" here).
    .exitOverride()
    .configureOutput({ outputError: (message, write) => write(`podpin: ${oneLine(message)}`) })
    .configureHelp({ optionDescription })
    .showSuggestionAfterError()
    .addHelpText("after", '\nRun "podpin <command> --help" for its options, defaults and exit codes.\n');
  const wanted = argv[0] === "help" ? argv[1] : argv[0];
  for (const entry of COMMANDS) {
    if (entry.name !== wanted) {
      // Listed and suggested, never run: the command that runs is the one registered in full.
      program.command(entry.name).description(entry.summary);
      continue;
    }
    (await entry.load())(program);
    const registered = program.commands[program.commands.length - 1];
    refuseRepeatedOptions(registered);
  }
  try {
    await program.parseAsync(argv, { from: "user" });
  } catch (err) {
    if (!(err instanceof CommanderError)) throw err;
    // --help and --version end here with exit code 0; everything else is a usage error.
    process.exitCode = err.exitCode === 0 ? 0 : 2;
  }
}

/** What runs the command line around it: the published bin, which bundles most commands. */
export interface CliHost {
  /** Runs the command line from the compiled modules of dist/ (commands marked `unbundled`). */
  runUnbundled(argv: readonly string[]): Promise<void>;
}

let stdoutWatched = false;

/** Runs `podpin <argv>`; the exit code is left in `process.exitCode`. */
export async function main(argv: readonly string[], host?: CliHost): Promise<void> {
  if (!stdoutWatched) {
    stdoutWatched = true;
    // A reader that stops early (`podpin ... | head`) is not an error of podpin's.
    process.stdout.on("error", (err: NodeJS.ErrnoException) => {
      if (err.code !== "EPIPE") throw err;
      process.exit(process.exitCode ?? 0);
    });
  }
  if (argv.length === 1 && (argv[0] === "--version" || argv[0] === "-V")) {
    process.stdout.write(`${version()}\n`);
    return;
  }
  // As kubectl: no command at all is a request for the listing.
  if (argv.length === 0) argv = ["--help"];
  const wanted = argv[0] === "help" ? argv[1] : argv[0];
  if (host && COMMANDS.some((c) => c.name === wanted && c.unbundled)) return host.runUnbundled(argv);
  try {
    await runCommandLine(argv);
  } catch (err) {
    const { reportFailure } = await import("./errors.js");
    reportFailure(err);
    process.exitCode = 2;
  }
}

/** True when this module is the program node was started with (`node src/cli/main.ts`). */
function isProcessEntry(): boolean {
  const script = process.argv[1];
  if (!script || !import.meta.url?.startsWith("file:")) return false;
  try {
    return realpathSync(script) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isProcessEntry()) void main(process.argv.slice(2));
