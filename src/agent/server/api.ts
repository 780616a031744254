import type { IncomingMessage } from "node:http";
import { explainAdmission, metricsText } from "../../node/index.js";
import { admitStepDoc, explainDoc, nodeDoc } from "../../report/index.js";
import { nodeInfoDoc, podDoc, podListDoc, removeContainerDoc, removeStepDoc } from "../docs.js";
import type { AgentEngine } from "../engine.js";
import { podFromRequest, type PodRequest } from "../pod-request.js";
import { assertPodContentType, readBody } from "./body.js";
import { livePage as livePageOf } from "./page.js";
import { HttpError, jsonReply, type Reply, textReply } from "./reply.js";
import type { Route } from "./router.js";

export interface ApiContext {
  engine: AgentEngine;
  /** The state is loaded and every listener is up. */
  ready: () => boolean;
  maxBodyBytes: number;
  /** How often the HTML picture at `/` reloads itself. */
  pageRefreshSeconds: number;
  /** The add-ons' own metric families, appended after the node's (default none). */
  extraMetrics?: () => string[];
}

/** The Prometheus text exposition format's content type. */
export const METRICS_TYPE = "text/plain; version=0.0.4; charset=utf-8";

async function podBody(req: IncomingMessage, ctx: ApiContext): Promise<PodRequest> {
  assertPodContentType(req);
  return podFromRequest(await readBody(req, ctx.maxBodyBytes));
}

function podFields(r: { pod: { namespace: string; name: string; uid: string } }) {
  return { pod: `${r.pod.namespace}/${r.pod.name}`, uid: r.pod.uid };
}

/** The agent's HTTP API (README, "Agent"). */
export function apiRoutes(ctx: ApiContext): Route[] {
  const { engine } = ctx;
  return [
    {
      path: "/v1/pods",
      methods: {
        GET: async () => jsonReply(200, await engine.read(podListDoc), { op: "list" }),
        POST: async (req) => {
          const request = await podBody(req, ctx);
          const result = await engine.admit(request);
          // A rejection is answered 200 with `admitted: false`, like an admission: the node decided,
          // and the decision was committed (it can leave state behind and it moved the metrics).
          // A 4xx means the node refused to decide and nothing changed (invalid pod 400, uid already
          // admitted 409), so a client can tell "fix or retry the request" from "the node said no".
          return jsonReply(200, admitStepDoc(result), {
            op: "admit",
            ...podFields(result),
            admitted: result.admitted,
            reason: result.reason ?? undefined,
          });
        },
      },
    },
    {
      path: "/v1/pods/{uid}",
      methods: {
        GET: async (_req, { uid }) => {
          const doc = await engine.read((node, state) => podDoc(node, state, uid));
          if (!doc) throw new HttpError(404, `pod uid ${uid} is not admitted on this node`);
          return jsonReply(200, doc, { op: "get", uid });
        },
        DELETE: async (_req, { uid }) => {
          const step = await engine.remove(uid);
          return jsonReply(200, removeStepDoc(step), { op: "remove", ...podFields(step.result) });
        },
      },
    },
    {
      path: "/v1/pods/{uid}/containers/{name}",
      methods: {
        DELETE: async (_req, { uid, name }) => {
          const r = await engine.removeContainer(uid, name);
          return jsonReply(200, removeContainerDoc(r), {
            op: "removeContainer",
            ...podFields(r),
            container: name,
          });
        },
      },
    },
    {
      path: "/v1/node",
      methods: { GET: async () => jsonReply(200, await engine.read(nodeInfoDoc), { op: "node" }) },
    },
    {
      path: "/v1/explain",
      methods: {
        POST: async (req) => {
          const { pod } = await podBody(req, ctx);
          // Against a copy of the node: neither the state nor the metrics move.
          const doc = await engine.read((node) => {
            const cfg = node.config;
            return explainDoc(explainAdmission(node, pod), {
              policy: cfg.topologyManagerPolicy,
              scope: cfg.topologyManagerScope,
              version: cfg.kubernetesVersion,
              node: nodeDoc(node),
            });
          });
          return jsonReply(200, doc, {
            op: "explain",
            pod: `${pod.namespace}/${pod.name}`,
            uid: pod.uid,
            admitted: doc.decision.admitted,
          });
        },
      },
    },
    {
      path: "/metrics",
      methods: {
        GET: async () => {
          const text = await engine.read((node) => metricsText(node.metrics, node.config.kubernetesVersion));
          const extra = ctx.extraMetrics?.() ?? [];
          return textReply(200, [text, ...extra].join(""), METRICS_TYPE);
        },
      },
    },
    { path: "/healthz", methods: { GET: async () => textReply(200, "ok\n") } },
    {
      path: "/readyz",
      methods: {
        GET: async (): Promise<Reply> => {
          if (ctx.ready() && engine.available) return textReply(200, "ok\n");
          const why = engine.unavailableReason ?? "starting: the listeners are not all up yet";
          return { ...textReply(503, `not ready: ${why}\n`), log: { error: why } };
        },
      },
    },
    {
      path: "/",
      methods: {
        GET: async () => {
          const html = await engine.read((node) => livePageOf(node, ctx.pageRefreshSeconds));
          return {
            ...textReply(200, html, "text/html; charset=utf-8"),
            // The page is self-contained: inline style and script, no other origin.
            headers: {
              "Content-Type": "text/html; charset=utf-8",
              "Content-Security-Policy":
                "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:",
            },
          };
        },
      },
    },
  ];
}
