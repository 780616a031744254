import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { KubePodObject } from "../types.js";

/*
 * A stand-in API server, in process, speaking enough of the Kubernetes REST and watch protocol
 * for the real client-node code: pods (list with fieldSelector spec.nodeName, limit/continue,
 * watch from a resourceVersion with bookmarks and "410 Gone" once compacted), events (create,
 * patch, list), nodes (get) and the NodeResourceTopology custom resource (server-side apply with
 * field managers and conflicts). Tests steer it: pods added, changed and deleted, history
 * compacted, watches dropped, conflicts injected.
 */

type Json = Record<string, unknown>;
type PodEventType = "ADDED" | "MODIFIED" | "DELETED";

interface HistoryEntry {
  rv: number;
  type: PodEventType;
  object: KubePodObject;
  /** The object before this change (null when created). */
  previous: KubePodObject | null;
}

interface Watcher {
  res: ServerResponse;
  socket: Socket;
  nodeName: string | null;
  bookmarks: boolean;
}

export interface RecordedEvent extends Json {
  metadata: { name: string; namespace: string; resourceVersion: string };
  involvedObject: { name: string; namespace: string; uid: string };
  reason: string;
  message: string;
  type: string;
  count: number;
}

export interface FakeApiServer {
  readonly url: string;
  /** A kubeconfig file (http, token auth) pointing here. */
  readonly kubeconfigPath: string;
  readonly token: string;
  /** The current resourceVersion (of the last change). */
  readonly resourceVersion: number;
  /** Creates a pod (uid, creationTimestamp and resourceVersion filled in when missing). */
  addPod(pod: PodSpecInput): KubePodObject;
  /** Replaces a pod's object with what `change` returns (given a copy). */
  modifyPod(namespace: string, name: string, change: (pod: KubePodObject) => KubePodObject): KubePodObject;
  deletePod(namespace: string, name: string): void;
  pods(nodeName?: string): KubePodObject[];
  /** Forgets the watch history: a watch from an older resourceVersion gets "410 Gone". */
  compact(): void;
  /** Ends every open watch abruptly (the socket is destroyed mid-stream). */
  dropWatches(): void;
  /** The next pod watch is answered with an HTTP 410 status instead of an ERROR event. */
  goneAsHttpStatusNext(): void;
  /** Refuses the next `n` requests (list or watch) with 500. */
  failNext(n: number): void;
  /** Sends a BOOKMARK with the current resourceVersion to every watch that allows them. */
  bookmark(): void;
  readonly openWatches: number;
  /** Pod requests served, by kind (for tests of the reflector's behaviour). */
  readonly requests: { list: number; watch: number };
  /** Registers a Node (labels and taints as given); a Node of that name is replaced. */
  addNode(name: string, init?: { labels?: Record<string, string>; taints?: Json[] }): Json;
  /** Refuses the next `n` Node reads with 500 (or the status given). */
  failNodeReadsNext(n: number, code?: number): void;
  /** Node reads served. */
  readonly nodeReads: number;
  events(namespace?: string): RecordedEvent[];
  /** Deletes an Event (as its TTL or a person would): a PATCH of it then gets 404. */
  deleteEvent(namespace: string, name: string): void;
  /** The namespace is being deleted: creating an Event in it is forbidden, as the API server does. */
  terminateNamespace(namespace: string): void;
  nrt(name: string): Json | undefined;
  /** Makes `manager` own the NRT object's `field` (top level), so a non-forced apply conflicts. */
  injectNrtConflict(name: string, manager: string, field?: string): void;
  /** The NRT object's field owners: manager → top-level fields. */
  nrtManagers(name: string): Record<string, string[]>;
  close(): Promise<void>;
}

export interface PodSpecInput {
  name: string;
  namespace?: string;
  uid?: string;
  nodeName?: string;
  creationTimestamp?: string;
  spec?: Json;
  status?: Json;
  metadata?: Json;
}

const clone = <T>(v: T): T => structuredClone(v);

function status(code: number, reason: string, message: string): Json {
  return { kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message, reason, code };
}

function send(res: ServerResponse, code: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(code, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(text) });
  res.end(text);
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

function nodeOfSelector(selector: string | null): string | null {
  if (!selector) return null;
  const m = /^spec\.nodeName=(.*)$/.exec(selector);
  if (!m) throw new Error(`unsupported fieldSelector ${selector}`);
  return m[1];
}

const NRT_PREFIX = "/apis/topology.node.k8s.io/v1alpha2/noderesourcetopologies/";

export async function startFakeApiServer(): Promise<FakeApiServer> {
  const token = `fake-${randomUUID()}`;
  const pods = new Map<string, KubePodObject>();
  let history: HistoryEntry[] = [];
  let compactedAt = 0;
  let rv = 1;
  const watchers = new Set<Watcher>();
  const snapshots = new Map<string, KubePodObject[]>();
  const nodes = new Map<string, Json>();
  const events = new Map<string, RecordedEvent>();
  const nrts = new Map<string, { object: Json; managers: Map<string, Set<string>> }>();
  const requests = { list: 0, watch: 0 };
  let goneAsStatus = false;
  let failures = 0;
  let nodeFailures = { n: 0, code: 500 };
  let nodeReads = 0;
  const terminating = new Set<string>();
  const sockets = new Set<Socket>();

  const key = (ns: string, name: string) => `${ns}/${name}`;
  const matches = (pod: KubePodObject | null, nodeName: string | null) =>
    pod !== null && (nodeName === null || pod.spec.nodeName === nodeName);

  function watchEventFor(e: HistoryEntry, nodeName: string | null): { type: string; object: unknown } | null {
    const now = matches(e.object, nodeName);
    const before = matches(e.previous, nodeName);
    if (e.type === "DELETED") return before ? { type: "DELETED", object: e.object } : null;
    if (now && before) return { type: "MODIFIED", object: e.object };
    if (now) return { type: "ADDED", object: e.object };
    if (before) return { type: "DELETED", object: e.object };
    return null;
  }

  function writeEvent(w: Watcher, event: unknown): void {
    if (!w.res.writableEnded) w.res.write(`${JSON.stringify(event)}\n`);
  }

  function record(type: PodEventType, object: KubePodObject, previous: KubePodObject | null): void {
    const entry = { rv, type, object: clone(object), previous: previous && clone(previous) };
    history.push(entry);
    for (const w of watchers) {
      const ev = watchEventFor(entry, w.nodeName);
      if (ev) writeEvent(w, ev);
    }
  }

  function listPods(url: URL, res: ServerResponse) {
    requests.list++;
    const nodeName = nodeOfSelector(url.searchParams.get("fieldSelector"));
    const limit = Number(url.searchParams.get("limit") ?? "0");
    const token = url.searchParams.get("continue");
    let items: KubePodObject[];
    let listRv: string;
    let offset = 0;
    if (token) {
      const [snapRv, start] = Buffer.from(token, "base64url").toString().split(":");
      const snap = snapshots.get(token);
      if (!snap || Number(snapRv) < compactedAt)
        return send(res, 410, status(410, "Expired", "The provided continue parameter is too old"));
      items = snap;
      listRv = snapRv;
      offset = Number(start);
    } else {
      items = [...pods.values()]
        .filter((p) => matches(p, nodeName))
        .sort((a, b) =>
          key(a.metadata.namespace, a.metadata.name).localeCompare(
            key(b.metadata.namespace, b.metadata.name),
          ),
        )
        .map(clone);
      listRv = String(rv);
    }
    const page = limit > 0 ? items.slice(offset, offset + limit) : items.slice(offset);
    let next = "";
    if (limit > 0 && offset + limit < items.length) {
      next = Buffer.from(`${listRv}:${offset + limit}:${randomUUID()}`).toString("base64url");
      snapshots.set(next, items);
    }
    send(res, 200, {
      kind: "PodList",
      apiVersion: "v1",
      metadata: { resourceVersion: listRv, ...(next ? { continue: next } : {}) },
      items: page,
    });
  }

  function watchPods(url: URL, req: IncomingMessage, res: ServerResponse) {
    requests.watch++;
    const nodeName = nodeOfSelector(url.searchParams.get("fieldSelector"));
    const from = url.searchParams.get("resourceVersion");
    const start = from && from !== "0" ? Number(from) : rv;
    if (start < compactedAt && goneAsStatus) {
      goneAsStatus = false;
      return send(res, 410, status(410, "Gone", `too old resource version: ${start} (${compactedAt})`));
    }
    res.writeHead(200, { "Content-Type": "application/json", "Transfer-Encoding": "chunked" });
    res.flushHeaders();
    const w: Watcher = {
      res,
      socket: req.socket,
      nodeName,
      bookmarks: url.searchParams.get("allowWatchBookmarks") === "true",
    };
    if (start < compactedAt) {
      writeEvent(w, {
        type: "ERROR",
        object: status(410, "Expired", `too old resource version: ${start} (${compactedAt})`),
      });
      res.end();
      return;
    }
    for (const e of history) {
      if (e.rv <= start) continue;
      const ev = watchEventFor(e, nodeName);
      if (ev) writeEvent(w, ev);
    }
    watchers.add(w);
    const timeout = Number(url.searchParams.get("timeoutSeconds") ?? "0");
    const timer = timeout > 0 ? setTimeout(() => res.end(), timeout * 1000) : null;
    res.on("close", () => {
      if (timer) clearTimeout(timer);
      watchers.delete(w);
    });
  }

  function patchEvent(ns: string, name: string, body: string, res: ServerResponse) {
    const ev = events.get(key(ns, name));
    if (!ev) return send(res, 404, status(404, "NotFound", `events "${name}" not found`));
    Object.assign(ev, JSON.parse(body) as Json);
    ev.metadata.resourceVersion = String(++rv);
    send(res, 200, ev);
  }

  function applyNrt(name: string, url: URL, req: IncomingMessage, body: string, res: ServerResponse) {
    if (req.headers["content-type"] !== "application/apply-patch+yaml")
      return send(
        res,
        415,
        status(415, "UnsupportedMediaType", `unsupported patch type ${req.headers["content-type"]}`),
      );
    const manager = url.searchParams.get("fieldManager");
    if (!manager)
      return send(res, 400, status(400, "BadRequest", "fieldManager is required for apply requests"));
    const applied = JSON.parse(body) as Json;
    const fields = Object.keys(applied).filter((k) => !["apiVersion", "kind", "metadata"].includes(k));
    const existed = nrts.get(name)?.object.metadata !== undefined;
    const entry = nrts.get(name) ?? { object: {}, managers: new Map<string, Set<string>>() };
    const conflicts: string[] = [];
    for (const [other, owned] of entry.managers)
      if (other !== manager) for (const f of fields) if (owned.has(f)) conflicts.push(`.${f} (${other})`);
    const force = url.searchParams.get("force") === "true";
    if (conflicts.length > 0 && !force)
      return send(
        res,
        409,
        status(409, "Conflict", `Apply failed with ${conflicts.length} conflict: ${conflicts.join(", ")}`),
      );
    for (const [other, owned] of entry.managers)
      if (other !== manager) for (const f of fields) owned.delete(f);
    const mine = entry.managers.get(manager) ?? new Set<string>();
    // Fields this manager applied before and no longer sets are dropped, as apply does.
    for (const f of mine) if (!fields.includes(f)) delete entry.object[f];
    entry.managers.set(manager, new Set(fields));
    const meta = (entry.object.metadata as Json | undefined) ?? { name, uid: randomUUID() };
    entry.object = {
      ...entry.object,
      ...applied,
      metadata: { ...meta, ...(applied.metadata as Json), name, resourceVersion: String(++rv) },
    };
    nrts.set(name, entry);
    send(res, existed ? 200 : 201, entry.object);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.headers.authorization !== `Bearer ${token}`)
      return send(res, 401, status(401, "Unauthorized", "Unauthorized"));
    const url = new URL(req.url ?? "/", "http://fake");
    const path = url.pathname;
    const body = req.method === "GET" ? "" : await readBody(req);
    if (path === "/api/v1/pods" && req.method === "GET") {
      if (failures > 0) {
        failures--;
        return send(res, 500, status(500, "InternalError", "injected failure"));
      }
      return url.searchParams.get("watch") === "true" ? watchPods(url, req, res) : listPods(url, res);
    }
    let m = /^\/api\/v1\/namespaces\/([^/]+)\/events(?:\/([^/]+))?$/.exec(path);
    if (m) {
      const ns = decodeURIComponent(m[1]);
      if (req.method === "POST" && !m[2]) {
        if (terminating.has(ns))
          return send(
            res,
            403,
            status(
              403,
              "Forbidden",
              `events is forbidden: unable to create new content in namespace ${ns} because it is being terminated`,
            ),
          );
        const ev = JSON.parse(body) as RecordedEvent;
        if (events.has(key(ns, ev.metadata.name)))
          return send(res, 409, status(409, "AlreadyExists", `events "${ev.metadata.name}" already exists`));
        ev.metadata.resourceVersion = String(++rv);
        events.set(key(ns, ev.metadata.name), ev);
        return send(res, 201, ev);
      }
      if (req.method === "PATCH" && m[2]) {
        if (req.headers["content-type"] !== "application/strategic-merge-patch+json")
          return send(res, 415, status(415, "UnsupportedMediaType", "expected a strategic merge patch"));
        return patchEvent(ns, decodeURIComponent(m[2]), body, res);
      }
      if (req.method === "GET" && !m[2])
        return send(res, 200, { kind: "EventList", apiVersion: "v1", metadata: {}, items: api.events(ns) });
    }
    m = /^\/api\/v1\/nodes\/([^/]+)$/.exec(path);
    if (m && req.method === "GET") {
      nodeReads++;
      if (nodeFailures.n > 0) {
        nodeFailures.n--;
        return send(res, nodeFailures.code, status(nodeFailures.code, "InternalError", "injected failure"));
      }
      const n = nodes.get(decodeURIComponent(m[1]));
      return n ? send(res, 200, n) : send(res, 404, status(404, "NotFound", `nodes "${m[1]}" not found`));
    }
    if (path.startsWith(NRT_PREFIX)) {
      const name = decodeURIComponent(path.slice(NRT_PREFIX.length));
      if (req.method === "PATCH") return applyNrt(name, url, req, body, res);
      if (req.method === "GET") {
        const n = nrts.get(name);
        return n
          ? send(res, 200, n.object)
          : send(res, 404, status(404, "NotFound", `noderesourcetopologies "${name}" not found`));
      }
    }
    send(res, 404, status(404, "NotFound", `the stand-in API server has no ${req.method} ${path}`));
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err: Error) => {
      if (!res.headersSent) send(res, 500, status(500, "InternalError", err.message));
      else res.destroy();
    });
  });
  server.on("connection", (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const dir = mkdtempSync(join(tmpdir(), "podpin-fake-apiserver-"));
  const kubeconfigPath = join(dir, "kubeconfig");
  writeFileSync(
    kubeconfigPath,
    `apiVersion: v1
kind: Config
clusters:
  - name: fake
    cluster: {server: "${url}", insecure-skip-tls-verify: true}
users:
  - name: podpin
    user: {token: "${token}"}
contexts:
  - name: fake
    context: {cluster: fake, user: podpin}
current-context: fake
`,
  );

  const api: FakeApiServer = {
    url,
    kubeconfigPath,
    token,
    get resourceVersion() {
      return rv;
    },
    addPod(input) {
      const namespace = input.namespace ?? "default";
      if (pods.has(key(namespace, input.name))) throw new Error(`pod ${namespace}/${input.name} exists`);
      rv++;
      const pod: KubePodObject = {
        apiVersion: "v1",
        kind: "Pod",
        metadata: {
          ...input.metadata,
          name: input.name,
          namespace,
          uid: input.uid ?? randomUUID(),
          creationTimestamp: input.creationTimestamp ?? new Date().toISOString().replace(/\.\d+Z$/, "Z"),
          resourceVersion: String(rv),
        },
        spec: { ...input.spec, ...(input.nodeName ? { nodeName: input.nodeName } : {}) },
        status: input.status ?? { phase: "Pending" },
      };
      pods.set(key(namespace, input.name), pod);
      record("ADDED", pod, null);
      return clone(pod);
    },
    modifyPod(namespace, name, change) {
      const before = pods.get(key(namespace, name));
      if (!before) throw new Error(`no pod ${namespace}/${name}`);
      rv++;
      const after = change(clone(before));
      after.metadata.resourceVersion = String(rv);
      pods.set(key(namespace, name), after);
      record("MODIFIED", after, before);
      return clone(after);
    },
    deletePod(namespace, name) {
      const before = pods.get(key(namespace, name));
      if (!before) throw new Error(`no pod ${namespace}/${name}`);
      rv++;
      pods.delete(key(namespace, name));
      const gone = clone(before);
      gone.metadata.resourceVersion = String(rv);
      record("DELETED", gone, before);
    },
    pods: (nodeName) => [...pods.values()].filter((p) => matches(p, nodeName ?? null)).map(clone),
    compact() {
      compactedAt = rv;
      history = [];
      snapshots.clear();
    },
    dropWatches() {
      for (const w of watchers) w.socket.destroy();
      watchers.clear();
    },
    goneAsHttpStatusNext() {
      goneAsStatus = true;
    },
    failNext(n) {
      failures = n;
    },
    bookmark() {
      for (const w of watchers)
        if (w.bookmarks)
          writeEvent(w, {
            type: "BOOKMARK",
            object: { kind: "Pod", apiVersion: "v1", metadata: { resourceVersion: String(rv) } },
          });
    },
    get openWatches() {
      return watchers.size;
    },
    requests,
    addNode(name, init = {}) {
      const node = {
        apiVersion: "v1",
        kind: "Node",
        metadata: {
          name,
          uid: randomUUID(),
          resourceVersion: String(++rv),
          ...(init.labels ? { labels: { ...init.labels } } : {}),
        },
        spec: init.taints ? { taints: clone(init.taints) } : {},
      };
      nodes.set(name, node);
      return clone(node);
    },
    failNodeReadsNext(n, code = 500) {
      nodeFailures = { n, code };
    },
    get nodeReads() {
      return nodeReads;
    },
    deleteEvent(namespace, name) {
      if (!events.delete(key(namespace, name))) throw new Error(`no event ${namespace}/${name}`);
    },
    terminateNamespace(namespace) {
      terminating.add(namespace);
    },
    events: (namespace) =>
      [...events.values()]
        .filter((e) => namespace === undefined || e.metadata.namespace === namespace)
        .map(clone),
    nrt: (name) => (nrts.has(name) ? clone(nrts.get(name)?.object) : undefined),
    injectNrtConflict(name, manager, field = "zones") {
      const entry = nrts.get(name) ?? {
        object: { metadata: { name, uid: randomUUID() } },
        managers: new Map(),
      };
      entry.managers.set(manager, new Set([...(entry.managers.get(manager) ?? []), field]));
      nrts.set(name, entry);
    },
    nrtManagers(name) {
      const out: Record<string, string[]> = {};
      for (const [m, f] of nrts.get(name)?.managers ?? []) out[m] = [...f].sort();
      return out;
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return api;
}
