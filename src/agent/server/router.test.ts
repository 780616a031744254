import assert from "node:assert/strict";
import { test } from "node:test";
import { HttpError, textReply } from "./reply.js";
import { Router } from "./router.js";

const ok = async () => textReply(200, "ok");

const router = new Router([
  { path: "/v1/pods", methods: { GET: ok, POST: ok } },
  { path: "/v1/pods/{uid}", methods: { GET: ok, DELETE: ok } },
  { path: "/v1/pods/{uid}/containers/{name}", methods: { DELETE: ok } },
  { path: "/", methods: { GET: ok } },
]);

function refusal(method: string, path: string): HttpError {
  try {
    router.resolve(method, path);
  } catch (err) {
    assert.ok(err instanceof HttpError);
    return err;
  }
  assert.fail(`${method} ${path} was routed`);
}

test("paths match their template exactly and give decoded parameters", () => {
  assert.deepEqual(router.resolve("GET", "/v1/pods/abc").params, { uid: "abc" });
  assert.deepEqual(router.resolve("DELETE", "/v1/pods/a%20b/containers/c%2Fd").params, {
    uid: "a b",
    name: "c/d",
  });
  assert.equal(router.resolve("GET", "/").route.path, "/");
  for (const path of ["/v1/pods/", "/v1/pods//containers/x", "/v1/pods/a/b", "/v1", "/v1/podsx", "//"])
    assert.equal(refusal("GET", path).status, 404, path);
});

test("a known path with another method is 405 with the allowed methods", () => {
  const err = refusal("PATCH", "/v1/pods/x");
  assert.equal(err.status, 405);
  assert.deepEqual(err.headers, { Allow: "DELETE, GET" });
  assert.match(err.message, /PATCH \/v1\/pods\/x: method not allowed \(allowed: DELETE, GET\)/);
});

test("a malformed percent-encoding is 400", () => {
  assert.equal(refusal("GET", "/v1/pods/%E0%A4%A").status, 400);
});
