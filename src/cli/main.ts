import { Command } from "commander";
import { registerConformance } from "./conformance.js";

const program = new Command();
program
  .name("podpin")
  .description("The kubelet's Topology, CPU and Memory Managers with Pod-Level Resource Managers (KEP-5526)")
  .showHelpAfterError();

registerConformance(program);

await program.parseAsync(process.argv);
