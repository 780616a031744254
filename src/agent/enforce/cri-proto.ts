import { fileURLToPath } from "node:url";
import type { ServiceDefinition } from "@grpc/grpc-js";
import { loadSync, type Options } from "@grpc/proto-loader";

/*
 * The CRI .proto lives in the package's top-level proto/ folder: three levels up from this module
 * both in src/agent/enforce/ (tsx) and in dist/agent/enforce/ (tsc's output).
 */
export const CRI_PROTO_FILE = fileURLToPath(new URL("../../../proto/cri/v1/api.proto", import.meta.url));

/** Field names as in the proto, 64-bit integers read as decimal strings, enums by name, defaults filled. */
export const CRI_LOADER_OPTIONS: Options = {
  keepCase: true,
  longs: String,
  enums: String,
  defaults: true,
  arrays: true,
  objects: true,
  oneofs: true,
};

export const RUNTIME_SERVICE = "runtime.v1.RuntimeService";
export const IMAGE_SERVICE = "runtime.v1.ImageService";

export interface CriServices {
  runtime: ServiceDefinition;
  image: ServiceDefinition;
}

let loaded: CriServices | null = null;

/** Both CRI services' definitions (loaded once per process). */
export function criServices(): CriServices {
  if (loaded) return loaded;
  const definition = loadSync(CRI_PROTO_FILE, CRI_LOADER_OPTIONS);
  const runtime = definition[RUNTIME_SERVICE];
  const image = definition[IMAGE_SERVICE];
  if (!runtime || !("ListContainers" in runtime))
    throw new Error(`${CRI_PROTO_FILE}: no service ${RUNTIME_SERVICE}`);
  if (!image || !("ListImages" in image)) throw new Error(`${CRI_PROTO_FILE}: no service ${IMAGE_SERVICE}`);
  loaded = { runtime: runtime as ServiceDefinition, image: image as ServiceDefinition };
  return loaded;
}
