import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AgentLog, LogFields } from "../log.js";
import { errorReplyFor, isExpectedError } from "./error-status.js";
import { HttpError, type Reply } from "./reply.js";
import type { Router } from "./router.js";

/** Bounds on what one client can make the agent hold (size) and wait for (slow clients). */
export interface HttpLimits {
  /** Largest request body (a pod): 1 MiB; the API server's own limit is 3 MiB per object. */
  maxBodyBytes: number;
  /** Time to receive the request headers (slowloris). */
  headersTimeoutMs: number;
  /** Time to receive the whole request, body included. */
  requestTimeoutMs: number;
  /** An idle keep-alive connection is closed after this. */
  keepAliveTimeoutMs: number;
  /**
   * A connection on which nothing moves for this long is closed (a client that never reads its
   * answer). Longer than the engine's queue takes to drain under a burst of admissions.
   */
  socketTimeoutMs: number;
  /** Open connections per listener; more are refused (file descriptors are finite). */
  maxConnections: number;
}

export const DEFAULT_HTTP_LIMITS: HttpLimits = {
  maxBodyBytes: 1024 * 1024,
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  keepAliveTimeoutMs: 5_000,
  socketTimeoutMs: 120_000,
  maxConnections: 4096,
};

export interface AgentHttpServerOptions {
  router: Router;
  limits: HttpLimits;
  log: AgentLog;
  /** The listener's name in log lines (`unix:///run/podpin/agent.sock`). */
  listener: () => string;
  /** Checks the Authorization header; absent: every request is let in (the unix socket's file mode guards it). */
  authorize?: (authorization: string | undefined) => boolean;
}

/** Node's parser and timeout errors, as the status line a client can still be sent. */
const CLIENT_ERRORS: Record<string, [number, string]> = {
  ERR_HTTP_REQUEST_TIMEOUT: [408, "Request Timeout"],
  HPE_HEADER_OVERFLOW: [431, "Request Header Fields Too Large"],
};

const COMMON_HEADERS = { "Cache-Control": "no-store", "X-Content-Type-Options": "nosniff" };

/**
 * After an early answer (401, 413, 415) the unread rest of the body is discarded, up to a bound,
 * and the connection closed: reading it lets the client see the answer instead of a reset, the
 * bound keeps a client from streaming forever.
 */
function discardBody(req: IncomingMessage, res: ServerResponse, maxBytes: number): void {
  if (req.complete) return;
  res.setHeader("Connection", "close");
  let drained = 0;
  req.on("data", (chunk: Buffer) => {
    drained += chunk.length;
    if (drained > 4 * maxBytes) req.destroy();
  });
  req.resume();
}

function send(req: IncomingMessage, res: ServerResponse, reply: Reply, maxBytes: number): void {
  discardBody(req, res, maxBytes);
  res.writeHead(reply.status, {
    ...COMMON_HEADERS,
    ...reply.headers,
    "Content-Length": Buffer.byteLength(reply.body),
  });
  res.end(reply.body);
}

/** An HTTP server that authorises (when asked), routes, answers and logs one line per request. */
export function createAgentHttpServer(opts: AgentHttpServerOptions): Server {
  const { router, limits, log } = opts;
  const server = createServer(
    {
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      keepAliveTimeout: limits.keepAliveTimeoutMs,
      // Node checks the two timeouts above only this often (30 s by default).
      connectionsCheckingInterval: Math.max(50, Math.min(1000, limits.headersTimeoutMs / 4)),
    },
    (req, res) => {
      const started = performance.now();
      const method = req.method ?? "GET";
      const path = (req.url ?? "/").split("?")[0];
      const answer = async (): Promise<Reply> => {
        if (opts.authorize && !opts.authorize(req.headers.authorization))
          throw new HttpError(401, "missing or wrong bearer token (send Authorization: Bearer <token>)", {
            "WWW-Authenticate": 'Bearer realm="podpin-agent"',
          });
        const { handler, params } = router.resolve(method, path);
        return handler(req, params);
      };
      answer()
        .catch((err: unknown): Reply => {
          if (!isExpectedError(err))
            log.error("request failed", {
              method,
              path,
              error: err instanceof Error ? err.message : String(err),
              stack: err instanceof Error ? err.stack?.split("\n").slice(1, 4).join(" | ").trim() : undefined,
            });
          return errorReplyFor(err);
        })
        .then((reply) => {
          try {
            if (!res.headersSent && !res.destroyed) send(req, res, reply, limits.maxBodyBytes);
          } catch (err) {
            // The client went away while its answer was being prepared: nothing left to tell it.
            res.destroy(err as Error);
          }
          const fields: LogFields = {
            listener: opts.listener(),
            method,
            path,
            status: reply.status,
            ms: Math.round((performance.now() - started) * 100) / 100,
            ...reply.log,
          };
          (reply.status >= 500 ? log.warn : log.info)("request", fields);
        });
    },
  );
  server.setTimeout(limits.socketTimeoutMs, (socket) => socket.destroy());
  server.maxConnections = limits.maxConnections;
  // A malformed request or a timed-out slow client: answer if the socket still can, never crash.
  server.on("clientError", (err: NodeJS.ErrnoException, socket) => {
    if (socket.writable && !socket.writableEnded) {
      const [status, text] = CLIENT_ERRORS[err.code ?? ""] ?? [400, "Bad Request"];
      socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    } else socket.destroy();
    log.info("client error", { listener: opts.listener(), error: err.code ?? err.message });
  });
  return server;
}
