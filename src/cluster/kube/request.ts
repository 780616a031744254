import { request as httpRequest, type IncomingMessage, type RequestOptions } from "node:http";
import { request as httpsRequest } from "node:https";
import type { KubeConfig } from "@kubernetes/client-node";
import { ClusterSetupError, KubeApiError, statusMessage, statusReason } from "./errors.js";

export interface KubeRequest {
  method: "GET" | "POST" | "PATCH" | "PUT" | "DELETE";
  /** Path and query, from the server's root (`/api/v1/pods?limit=500`). */
  path: string;
  body?: unknown;
  contentType?: string;
  /** Give up after this long (default 30 s). */
  timeoutMs?: number;
}

export type KubeRequester = <T>(req: KubeRequest) => Promise<T>;

/**
 * JSON requests to the API server with the kubeconfig's credentials and TLS settings (the
 * client-node library fills in the agent, CA and Authorization header), on node:http(s), so every
 * status code reaches the caller as it is.
 */
export function kubeRequester(kc: KubeConfig): KubeRequester {
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new ClusterSetupError("the kubeconfig has no current cluster");
  const base = new URL(cluster.server);
  return async <T>(req: KubeRequest): Promise<T> => {
    const opts: RequestOptions = {};
    await kc.applyToHTTPSOptions(opts);
    const url = new URL(base.pathname.replace(/\/$/, "") + req.path, base);
    const payload = req.body === undefined ? undefined : JSON.stringify(req.body);
    const headers: Record<string, string> = {
      ...(opts.headers as Record<string, string> | undefined),
      Accept: "application/json",
    };
    if (payload !== undefined) headers["Content-Type"] = req.contentType ?? "application/json";
    if (opts.auth) headers.Authorization = `Basic ${Buffer.from(opts.auth).toString("base64")}`;
    const send = url.protocol === "https:" ? httpsRequest : httpRequest;
    const res = await new Promise<{ status: number; text: string }>((resolve, reject) => {
      const r = send(
        url,
        { method: req.method, headers, agent: opts.agent, timeout: req.timeoutMs ?? 30_000 },
        (answer: IncomingMessage) => {
          const chunks: Buffer[] = [];
          answer.on("data", (c: Buffer) => chunks.push(c));
          answer.on("end", () =>
            resolve({ status: answer.statusCode ?? 0, text: Buffer.concat(chunks).toString("utf8") }),
          );
          answer.on("error", reject);
        },
      );
      r.on("timeout", () => r.destroy(new Error(`no answer within ${req.timeoutMs ?? 30_000} ms`)));
      r.on("error", reject);
      r.end(payload);
    });
    let body: unknown = null;
    try {
      body = res.text ? JSON.parse(res.text) : null;
    } catch {
      body = null;
    }
    const where = req.path.split("?")[0];
    if (res.status < 200 || res.status > 299)
      throw new KubeApiError(
        req.method,
        where,
        res.status,
        statusReason(body),
        statusMessage(body, res.text),
      );
    if (body === null && res.text)
      throw new KubeApiError(req.method, where, res.status, "", "the answer is not JSON");
    return body as T;
  };
}
