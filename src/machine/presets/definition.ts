import type { Machine } from "../machine.js";

/** A named machine podpin ships; built on demand, since the large ones cost a few milliseconds. */
export interface PresetDefinition {
  name: string;
  aliases?: readonly string[];
  /** One line for `listPresets()`. */
  description: string;
  /** Where the shape comes from (URL), when it describes a real machine. */
  source?: string;
  build(): Machine;
}

/** The note that marks a value the cited source does not confirm (machines.md MX-1). */
export function unverified(what: string): string {
  return `(unverified) ${what} (filled in from the vendor specification, not measured)`;
}

/** The note that marks a modelling choice no source shows (how a plugin reports, placeholder ids). */
export function assumed(what: string): string {
  return `(unverified) ${what} (assumed: no cited source shows it)`;
}
