import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { AgentSetupError } from "../errors.js";
import { bearerTokenCheck, readTokenFile } from "./auth.js";

const TOKEN = "4f1e0c8b9a7d6e5f4f1e0c8b9a7d6e5f";

test("only the exact bearer token is accepted", () => {
  const check = bearerTokenCheck(TOKEN);
  assert.equal(check(`Bearer ${TOKEN}`), true);
  assert.equal(check(`bearer ${TOKEN}`), true);
  for (const h of [
    undefined,
    "",
    "Bearer",
    "Bearer ",
    `Bearer ${TOKEN}0`,
    `Bearer ${TOKEN.slice(1)}`,
    `Basic ${TOKEN}`,
    TOKEN,
    `Bearer ${TOKEN} extra`,
  ])
    assert.equal(check(h), false, String(h));
});

test("token files: the first line, trimmed; short, spaced or unreadable ones are refused", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "podpin-token-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = (name: string, text: string) => {
    const p = join(dir, name);
    writeFileSync(p, text);
    return p;
  };
  assert.equal(await readTokenFile(file("ok", `  ${TOKEN}  \nignored\n`)), TOKEN);
  for (const [name, text] of [
    ["short", "abc\n"],
    ["empty", ""],
    ["spaced", `${TOKEN} ${TOKEN}\n`],
  ])
    await assert.rejects(
      readTokenFile(file(name, text)),
      (err: Error) => err instanceof AgentSetupError && /at least 32 characters/.test(err.message),
    );
  await assert.rejects(readTokenFile(join(dir, "missing")), /cannot read the file \(ENOENT\)/);
});
