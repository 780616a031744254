import type { IncomingMessage } from "node:http";
import { HttpError } from "./reply.js";

/** The media types a pod may be sent as (YAML under its registered and its common names). */
const POD_MEDIA_TYPES = ["application/json", "application/yaml", "application/x-yaml", "text/yaml"];

/** Refuses, with 415, a body whose Content-Type is not JSON or YAML. */
export function assertPodContentType(req: IncomingMessage): void {
  const type = (req.headers["content-type"] ?? "").split(";")[0].trim().toLowerCase();
  if (!POD_MEDIA_TYPES.includes(type))
    throw new HttpError(
      415,
      `Content-Type ${type === "" ? "missing" : JSON.stringify(type)}: send the pod as application/json or application/yaml`,
    );
}

/**
 * The request body as UTF-8 text, at most `maxBytes`: a larger declared Content-Length is refused
 * before anything is read, a body that grows past the limit as soon as it does (413).
 */
export function readBody(req: IncomingMessage, maxBytes: number): Promise<string> {
  const declared = req.headers["content-length"];
  if (declared !== undefined && Number(declared) > maxBytes)
    return Promise.reject(tooLarge(maxBytes, `Content-Length ${declared}`));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        req.off("data", onData);
        reject(tooLarge(maxBytes, `more than ${maxBytes} bytes`));
        return;
      }
      chunks.push(chunk);
    };
    req.on("data", onData);
    req.once("end", () => {
      try {
        resolve(new TextDecoder("utf-8", { fatal: true }).decode(Buffer.concat(chunks)));
      } catch {
        reject(new HttpError(400, "request body: not valid UTF-8 text"));
      }
    });
    req.once("error", (err) => reject(new HttpError(400, `request body: ${err.message}`)));
  });
}

function tooLarge(maxBytes: number, what: string): HttpError {
  return new HttpError(413, `request body too large: ${what} (at most ${maxBytes} bytes)`);
}
