import { statSync } from "node:fs";
import { UsageError } from "./errors.js";

/** The DIR argument of `checkpoint verify` and `checkpoint migrate`: an existing directory, else bad input. */
export function assertStateDirectory(dir: string): void {
  let isDir = false;
  try {
    isDir = statSync(dir).isDirectory();
  } catch {
    throw new UsageError(`${dir}: no such directory`);
  }
  if (!isDir)
    throw new UsageError(`${dir}: not a directory (expected a kubelet or podpin agent state directory)`);
}

/** A directory that holds none of the files a kubelet or the podpin agent keeps: bad input. */
export function noStateFileError(dir: string): UsageError {
  return new UsageError(
    `${dir}: no cpu_manager_state, memory_manager_state, device-plugins/kubelet_internal_checkpoint or podpin_agent_state file in this directory`,
  );
}
