import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { simulate } from "./simulate.js";

/**
 * Writes into `dir` the CPU and Memory Manager checkpoints that `simulate` leaves after admitting
 * `pods` on the worked example with the kubelet configuration `config`: a state directory a
 * kubelet could have written.
 */
export async function writeSimulatedState(dir: string, pods: string[], config: string): Promise<void> {
  const run = await simulate(pods, { config, machine: "worked-example", output: "json" });
  const doc = JSON.parse(run.stdout) as {
    state: { cpuManagerCheckpoint: string; memoryManagerCheckpoint: string };
  };
  writeFileSync(join(dir, "cpu_manager_state"), doc.state.cpuManagerCheckpoint);
  writeFileSync(join(dir, "memory_manager_state"), doc.state.memoryManagerCheckpoint);
}
