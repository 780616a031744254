import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** The shared conformance folder beside the checkout (`../shared/conformance`), or `PODPIN_CONFORMANCE_DIR`. */
export const CONFORMANCE_DIR =
  process.env.PODPIN_CONFORMANCE_DIR ??
  resolve(join(dirname(fileURLToPath(import.meta.url)), "../../../shared/conformance"));
