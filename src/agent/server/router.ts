import type { IncomingMessage } from "node:http";
import { HttpError, type Reply } from "./reply.js";

export type RouteParams = Readonly<Record<string, string>>;
export type RouteHandler = (req: IncomingMessage, params: RouteParams) => Promise<Reply>;

/** A path template (`/v1/pods/{uid}`) and its handler per method. */
export interface Route {
  path: string;
  methods: Readonly<Partial<Record<string, RouteHandler>>>;
}

export interface RouteMatch {
  route: Route;
  handler: RouteHandler;
  params: RouteParams;
}

function segments(path: string): string[] {
  return path.split("/").slice(1);
}

/** Decoded path parameters, or null when the path has another shape. */
function matchTemplate(template: readonly string[], parts: readonly string[]): Record<string, string> | null {
  if (template.length !== parts.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < template.length; i++) {
    const t = template[i];
    if (t.startsWith("{") && t.endsWith("}")) {
      if (parts[i] === "") return null;
      try {
        params[t.slice(1, -1)] = decodeURIComponent(parts[i]);
      } catch {
        throw new HttpError(400, `${parts[i]}: not a valid percent-encoded path segment`);
      }
    } else if (t !== parts[i]) return null;
  }
  return params;
}

/** Finds the handler of a request: unknown path 404, known path with another method 405 with Allow. */
export class Router {
  private readonly templates: { route: Route; parts: string[] }[];

  constructor(routes: readonly Route[]) {
    this.templates = routes.map((route) => ({ route, parts: segments(route.path) }));
  }

  resolve(method: string, pathname: string): RouteMatch {
    const parts = segments(pathname);
    for (const { route, parts: template } of this.templates) {
      const params = matchTemplate(template, parts);
      if (!params) continue;
      const handler = route.methods[method];
      if (!handler) {
        const allow = Object.keys(route.methods).sort().join(", ");
        throw new HttpError(405, `${method} ${pathname}: method not allowed (allowed: ${allow})`, {
          Allow: allow,
        });
      }
      return { route, handler, params };
    }
    throw new HttpError(
      404,
      `${pathname}: no such endpoint (see GET / for the node, /v1/pods, /v1/node, /metrics)`,
    );
  }
}
