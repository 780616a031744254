import { createHash, timingSafeEqual } from "node:crypto";
import { readFile } from "node:fs/promises";
import { AgentSetupError } from "../errors.js";

function digest(text: string): Buffer {
  return createHash("sha256").update(text, "utf8").digest();
}

/**
 * A check of `Authorization: Bearer <token>` headers. Both sides are hashed first so the
 * comparison is constant-time over equal-length digests whatever the length a client sends.
 */
export function bearerTokenCheck(token: string): (authorization: string | undefined) => boolean {
  const expected = digest(token);
  return (authorization) => {
    const m = /^Bearer +(\S+) *$/i.exec(authorization ?? "");
    // Hash something even without a token, so a missing header takes the same path as a wrong one.
    return timingSafeEqual(digest(m ? m[1] : ""), expected) && m !== null;
  };
}

/** The shortest token accepted: 128 bits as hex (`openssl rand -hex 16`). */
export const MIN_TOKEN_LENGTH = 32;

/** The token of a `--token-file`: its first line, without surrounding whitespace. */
export async function readTokenFile(path: string): Promise<string> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (err) {
    throw new AgentSetupError(
      `--token-file ${path}: cannot read the file (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`,
    );
  }
  const token = text.split("\n")[0].trim();
  if (token.length < MIN_TOKEN_LENGTH || /\s/.test(token))
    throw new AgentSetupError(
      `--token-file ${path}: expected one token of at least ${MIN_TOKEN_LENGTH} characters without spaces on the first line (e.g. from "openssl rand -hex 32")`,
    );
  return token;
}
