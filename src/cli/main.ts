import { Command } from "commander";
import { registerConformance } from "./conformance.js";
import { registerDemo } from "./demo.js";
import { registerExplain } from "./explain.js";
import { registerPresets } from "./presets.js";
import { registerSimulate } from "./simulate.js";
import { registerTopology } from "./topology.js";

const program = new Command();
program
  .name("podpin")
  .description("The kubelet's Topology, CPU and Memory Managers with Pod-Level Resource Managers (KEP-5526)")
  .showHelpAfterError();

registerSimulate(program);
registerExplain(program);
registerTopology(program);
registerPresets(program);
registerConformance(program);
registerDemo(program);

await program.parseAsync(process.argv);
