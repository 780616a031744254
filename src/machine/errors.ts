/**
 * An error in a machine description: a sysfs file, a machine file or a preset. `path` names the
 * file (and, for structured files, the line and field) so that the one-line message says where to
 * look; the rest of the message says what was expected there.
 */
export class MachineError extends Error {
  override name = "MachineError";
  readonly path: string;
  constructor(path: string, detail: string) {
    super(`${path}: ${detail}`);
    this.path = path;
  }
}
