import assert from "node:assert/strict";
import { test } from "node:test";
import { AgentSetupError } from "../errors.js";
import { isLoopback, parseListenAddress } from "./listen-address.js";

test("unix and tcp listen addresses", () => {
  assert.deepEqual(parseListenAddress("unix:///run/podpin/agent.sock"), {
    kind: "unix",
    path: "/run/podpin/agent.sock",
  });
  assert.deepEqual(parseListenAddress("tcp://127.0.0.1:10260"), {
    kind: "tcp",
    host: "127.0.0.1",
    port: 10260,
  });
  assert.deepEqual(parseListenAddress("tcp://[::1]:0"), { kind: "tcp", host: "::1", port: 0 });
  assert.deepEqual(parseListenAddress("tcp://localhost:8080"), {
    kind: "tcp",
    host: "localhost",
    port: 8080,
  });
});

test("bad listen addresses are one-line setup errors naming the flag and the expected forms", () => {
  for (const [spec, why] of [
    ["unix://run/agent.sock", /must be absolute/],
    [`unix:///${"x".repeat(120)}`, /longer than 107 bytes/],
    ["tcp://127.0.0.1", /expected HOST:PORT/],
    ["tcp://127.0.0.1:70000", /out of range/],
    ["tcp://example.com:80", /not an IP address or localhost/],
    ["http://127.0.0.1:80", /unknown scheme/],
    ["/run/agent.sock", /unknown scheme/],
  ] as const) {
    assert.throws(
      () => parseListenAddress(spec),
      (err: Error) =>
        err instanceof AgentSetupError &&
        err.message.startsWith(`--listen ${spec}: `) &&
        why.test(err.message) &&
        !err.message.includes("\n"),
      spec,
    );
  }
});

test("loopback hosts", () => {
  assert.deepEqual(
    ["127.0.0.1", "127.1.2.3", "::1", "localhost", "0.0.0.0", "10.0.0.1", "::"].map(isLoopback),
    [true, true, true, true, false, false, false],
  );
});
