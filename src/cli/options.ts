import { type Command, Option } from "commander";

/**
 * The option conventions every command follows: `--help` shows each option's default (its value,
 * or what applies without it), an option that takes one value may be given once, and the few
 * list options (`-f`, `--kubelet-flags-file`) accumulate.
 */

/** Options that accumulate when given again; every other option that takes a value may appear once. */
const REPEATABLE = new WeakSet<Option>();

/**
 * An option taking a value. `dflt` is its default: `{ value }` when Commander fills one in, or
 * `{ without }`, the words for what applies when it is not given (shown in `--help` only).
 */
export function valueOption(
  flags: string,
  description: string,
  dflt: { value: string } | { without: string },
): Option {
  const option = new Option(flags, description);
  return "value" in dflt ? option.default(dflt.value) : option.default(undefined, dflt.without);
}

/** A yes/no flag, off unless given. */
export function flagOption(flags: string, description: string): Option {
  return new Option(flags, description).default(false);
}

/** An option that may be given several times; its values accumulate in order. */
export function repeatableOption(flags: string, description: string, without: string): Option {
  const option = new Option(flags, description)
    .argParser((value: string, previous: string[] | undefined) => [...(previous ?? []), value])
    .default(undefined, without);
  REPEATABLE.add(option);
  return option;
}

/** `-o, --output table|json|yaml`, table unless given. */
export function outputOption(what = "output format"): Option {
  return new Option("-o, --output <format>", what).choices(["table", "json", "yaml"]).default("table");
}

/** `-m/--machine`, or `--html`: how messages name an option. */
export function optionLabel(option: Option): string {
  return [option.short, option.long].filter((f) => f !== undefined).join("/");
}

/**
 * `--help`'s text for an option: its description, then its choices and its default, Commander's
 * layout, with the words of a default that is not a value (`{ without }`) shown too.
 */
export function optionDescription(option: Option): string {
  const extra: string[] = [];
  if (REPEATABLE.has(option)) extra.push("repeatable");
  if (option.argChoices) extra.push(`choices: ${option.argChoices.map((c) => JSON.stringify(c)).join(", ")}`);
  const shown =
    option.defaultValueDescription ??
    (option.defaultValue === undefined ? undefined : JSON.stringify(option.defaultValue));
  if (shown !== undefined) extra.push(`default: ${shown}`);
  // An option that must be given has no default to show.
  else if (option.mandatory) extra.push("required");
  return extra.length === 0 ? option.description : `${option.description} (${extra.join(", ")})`;
}

/**
 * Makes a second occurrence of a single-value option a usage error (`option -m/--machine given
 * twice`): Commander would keep the last one silently, and a command line that says two things
 * is a mistake. Call it once the command (and its subcommands, which it covers too) has all its
 * options.
 */
export function refuseRepeatedOptions(cmd: Command): void {
  for (const sub of cmd.commands) refuseRepeatedOptions(sub);
  for (const option of cmd.options) {
    if (REPEATABLE.has(option) || !(option.required || option.optional)) continue;
    let given = false;
    cmd.on(`option:${option.name()}`, () => {
      if (given)
        cmd.error(`option ${optionLabel(option)} given twice`, {
          exitCode: 2,
          code: "podpin.repeatedOption",
        });
      given = true;
    });
  }
}
