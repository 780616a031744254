import { readFileSync } from "node:fs";
import { Command, CommanderError } from "commander";
import { registerCheckpoint } from "./checkpoint.js";
import { registerConformance } from "./conformance.js";
import { registerDemo } from "./demo.js";
import { registerExplain } from "./explain.js";
import { registerPresets } from "./presets.js";
import { registerSimulate } from "./simulate.js";
import { registerTopology } from "./topology.js";

/** Commander's message in podpin's `<where>: <what>` form, on one line. */
function oneLine(message: string): string {
  return message
    .replace(/^error: /, "")
    .replace(/^option '(?:-[^,\s]+, )?(--[^\s']+)[^']*' argument/, "$1: argument")
    .replace(/\n(?=.)/g, " ");
}

const { version } = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as {
  version: string;
};

const program = new Command();
program
  .name("podpin")
  .version(version)
  .description("The kubelet's Topology, CPU and Memory Managers with Pod-Level Resource Managers (KEP-5526)")
  // Command-line mistakes are bad input like any other: one `podpin: ...` line and exit code 2
  // (Commander's own default is the whole help text and exit code 1, which means "rejected" here).
  .exitOverride()
  .configureOutput({
    outputError: (message, write) => write(`podpin: ${oneLine(message)}`),
  })
  .showSuggestionAfterError();

registerSimulate(program);
registerExplain(program);
registerTopology(program);
registerPresets(program);
registerCheckpoint(program);
registerConformance(program);
registerDemo(program);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (!(err instanceof CommanderError)) throw err;
  // --help and --version end here with exit code 0; everything else is a usage error.
  process.exitCode = err.exitCode === 0 ? 0 : 2;
}
