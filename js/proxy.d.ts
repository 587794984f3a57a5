// aivideo/proxy: the edge proxy (Cloudflare Workers, Node, Deno). Server-side only.
import type { ClientOptions } from "./aivideo.js";

/** Who is calling, as `authorize` vouches for it. Limits here replace the proxy's defaults for this caller. */
export interface ProxyCaller {
  /** Stable id of the user: tasks, quotas and idempotency keys are bound to it. At most 256 characters. */
  userId: string;
  /** May read the account and the whole task list, and any task. Default false. */
  admin?: boolean | undefined;
  requestsPerMinute?: number | undefined;
  creditsPerDay?: number | undefined;
  readsPerMinute?: number | undefined;
  createsPerMinute?: number | undefined;
  /** Can only lower the proxy's `maxCreditsPerTask`. */
  maxCreditsPerTask?: number | undefined;
}

/** Decides who is calling: a caller, `null` (answered 401), or a `Response` of your own (sent as is, with CORS). */
export type Authorize = (request: Request, env: Record<string, unknown>, ctx?: unknown) => ProxyCaller | null | Response | Promise<ProxyCaller | null | Response>;

/** Counters behind the quotas, in fixed windows. `memoryStore()` (per isolate) is the default. */
export interface ProxyStore {
  /** Adds `amount` to `key`'s counter for the window holding `now` if it stays within `limit`. */
  take(key: string, amount: number, limit: number, windowMs: number, now: number): Promise<{ ok: boolean; used: number; resetAt: number }>;
  /** Gives `amount` back (a refused create, or one cheaper than reserved). */
  give(key: string, amount: number, windowMs: number, now: number): Promise<void>;
}

interface ProxyCommonOptions {
  /** Default: env.AIVIDEO_API_KEY. Never sent to a caller. */
  apiKey?: string | undefined;
  /** Upstream, default env.AIVIDEO_BASE_URL or the live API. */
  baseUrl?: string | undefined;
  /** Exact origins allowed to call from a browser (CORS), together with env.ALLOWED_ORIGINS (comma-separated; both lists are used, so .dev.vars can add a local page); "*" allows any but never `null`. */
  allowedOrigins?: string[] | undefined;
  /** Default: every model the client knows (env.ALLOWED_MODELS). */
  allowedModels?: string[] | undefined;
  /** Required (env.MAX_CREDITS_PER_TASK): creates priced above this are refused before anything goes
   * upstream. The proxy fails closed (500 naming the setting) unless a number or "unlimited"/Infinity is given. */
  maxCreditsPerTask?: number | "unlimited" | undefined;
  /** Per caller, default 60 (env.REQUESTS_PER_MINUTE). Over it: 429 + Retry-After at once. */
  requestsPerMinute?: number | "unlimited" | undefined;
  /** Per caller per UTC day, default 500 (env.CREDITS_PER_DAY). Over it: 429 BUDGET_EXCEEDED + Retry-After. */
  creditsPerDay?: number | "unlimited" | undefined;
  /** Per caller, default 30 (env.READS_PER_MINUTE): without the coordinator, a caller's share of the
   * isolate's upstream reads (status, task, list, account), so one caller cannot starve the others. */
  readsPerMinute?: number | "unlimited" | undefined;
  /** Per caller, default 10 (env.CREATES_PER_MINUTE): a caller's share of the key's 30 creates a minute. */
  createsPerMinute?: number | "unlimited" | undefined;
  /** Concurrent upstream requests per caller (per isolate), default 4 (env.MAX_IN_FLIGHT): one caller's backlog cannot starve others. */
  maxInFlight?: number | undefined;
  /** Request bodies larger than this are refused with 413 (env.MAX_BODY_BYTES), default 12 MiB. */
  maxBodyBytes?: number | undefined;
  /** Accept requests with no Origin header (server-to-server callers, still authenticated), default false (env.ALLOW_SERVER_REQUESTS). */
  allowServerRequests?: boolean | undefined;
  /** Where the proxy is mounted on a site, e.g. "/api/aivideo" (env.BASE_PATH). */
  basePath?: string | undefined;
  /** Binds task ids and idempotency keys to callers (env.PROXY_SECRET); default: derived from the API key. */
  secret?: string | undefined;
  /** Counters for the quotas; default: the coordinator's when bound, else `memoryStore()` (per isolate). */
  store?: ProxyStore | undefined;
  /** The env binding of the `AivideoCoordinator` Durable Object namespace, default "AIVIDEO_COORDINATOR";
   * when bound, upstream calls, quotas, task records and long polls go through it. `false`: never. */
  coordinator?: string | false | undefined;
  /** The proxy's public URL (e.g. "https://app.example/api/aivideo"; env.AIVIDEO_WEBHOOK_URL), turning on
   * webhook hints: each create asks the service to call back `<webhookUrl>/hooks/<opaque>`, and a
   * callback moves that task to the front of the coordinator's reads (only a hint: its body is
   * never read, the task's own status stays the authority). Off by default; needs the coordinator. */
  webhookUrl?: string | undefined;
  timeoutMs?: number | undefined;
  /** Upstream retries, default 0: the browser's client retries, with the same idempotency key. */
  maxRetries?: number | undefined;
  /** More options for the proxy's own client (e.g. `rateLimitPerMinute`: the key's upstream rate). */
  clientOptions?: Omit<ClientOptions, "apiKey" | "baseUrl"> | undefined;
  fetch?: ((input: string, init?: RequestInit) => Promise<Response>) | undefined;
  /** The MCP endpoint at `{basePath}/mcp` for agents (default true): signed-in callers only,
   * and, unlike the API routes, requests without an Origin pass there (agents run on servers).
   * `false`: no such route. */
  mcp?: boolean | undefined;
  /** Defaults for the MCP endpoint's (`{basePath}/mcp`) wait_for_task: `maxWaitMs` (e.g. under
   * your platform's request time limit; the task goes on), `timeScale` (simulators). */
  mcpWaitOptions?: { maxWaitMs?: number | undefined; timeScale?: number | undefined } | undefined;
}

/** Authentication is required: pass `authorize`, or (knowingly) `allowAnonymous: true`, limited per client IP. */
export type ProxyOptions =
  | (ProxyCommonOptions & { authorize: Authorize; allowAnonymous?: false | undefined; clientIpHeader?: undefined })
  | (ProxyCommonOptions & {
      allowAnonymous: true; authorize?: undefined;
      /** The header a proxy in front of this one sets to the caller's address (trusted as is).
       * Default: CF-Connecting-IP on Cloudflare (`request.cf` present), else no address is
       * trusted and every anonymous caller shares one set of quotas. */
      clientIpHeader?: string | undefined;
    });

/** A Worker `fetch` handler: `export default { fetch: createProxyHandler({...}) }`. Throws a TypeError when authentication is missing.
 * `ctx` is the runtime's context (a Worker's ExecutionContext), handed to `authorize`; its `clientAddress` (the peer's
 * address as your server saw it: Astro's `clientAddress`, SvelteKit's `getClientAddress()`) keys anonymous callers when no
 * `clientIpHeader` is set. */
export declare function createProxyHandler(options: ProxyOptions): (request: Request, env?: Record<string, unknown>, ctx?: unknown) => Promise<Response>;

export interface JwtAuthorizerOptions {
  /** HS256 secret (at least 32 characters); default env[secretEnv]. */
  secret?: string | undefined;
  /** Default "AIVIDEO_TOKEN_SECRET". */
  secretEnv?: string | undefined;
  /** RS256/ES256 keys of your identity provider (https). */
  jwksUrl?: string | undefined;
  /** The same, given inline. */
  jwks?: { keys: object[] } | undefined;
  /** Default "aivideo-proxy". */
  audience?: string | undefined;
  issuer?: string | undefined;
  algorithms?: string[] | undefined;
  /** Tokens older than this are refused even before `exp`, default "1h". */
  maxTokenAge?: string | number | undefined;
  /** Seconds, default 30. */
  clockTolerance?: number | undefined;
}
/** `Authorization: Bearer <jwt>` → a caller: `sub` is the user id; an `aivideo` claim may carry `admin` and limits. */
export declare function jwtAuthorizer(options?: JwtAuthorizerOptions): Authorize;

export interface MintOptions {
  secret: string;
  userId: string;
  /** Default "15m". */
  expiresIn?: string | number | undefined;
  admin?: boolean | undefined;
  limits?: { requestsPerMinute?: number; creditsPerDay?: number; readsPerMinute?: number; createsPerMinute?: number; maxCreditsPerTask?: number } | undefined;
  audience?: string | undefined;
  issuer?: string | undefined;
}
/** For your backend: a short-lived HS256 token for one signed-in user. */
export declare function mintProxyToken(options: MintOptions): Promise<string>;

/** The default quota store: fixed windows in this isolate's memory. */
export declare function memoryStore(options?: { maxKeys?: number }): ProxyStore;

export declare class ProxySetupError extends Error {}

export interface NodeHandlerOptions {
  /** The settings the handler reads (AIVIDEO_API_KEY, ALLOWED_ORIGINS, …). Default: process.env. */
  env?: Record<string, unknown> | undefined;
  /** Take the scheme and host from X-Forwarded-Proto and X-Forwarded-Host (behind your own reverse
   * proxy, like Express's `trust proxy`). Default false: the socket's scheme and the Host header. */
  trustProxy?: boolean | undefined;
}
/** The parts of node:http's IncomingMessage (and Express's and Fastify's raw request) the adapter reads. */
export interface NodeRequestLike extends AsyncIterable<unknown> {
  method?: string | undefined;
  url?: string | undefined;
  /** Express: the path before `app.use(path, …)` cut it. */
  originalUrl?: string | undefined;
  headers: Record<string, string | string[] | undefined>;
  socket?: { remoteAddress?: string | undefined } | null | undefined;
  /** What a body parser that ran first left (express.json(), text(), raw()). */
  body?: unknown;
}
/** The parts of node:http's ServerResponse the adapter writes. */
export interface NodeResponseLike {
  writeHead(statusCode: number, headers: Record<string, string | string[]>): unknown;
  write(chunk: Uint8Array): boolean;
  end(): unknown;
  on(event: "close", listener: () => void): unknown;
  once(event: "close" | "drain", listener: () => void): unknown;
  readonly headersSent: boolean;
  readonly writableFinished: boolean;
}
/** The proxy as a Node request listener: `http.createServer(listener)`, Express's
 * `app.use("/api/aivideo", listener)`, or Fastify's `reply.hijack(); return listener(request.raw, reply.raw)`.
 * In anonymous mode without `clientIpHeader`, the caller is the socket's peer address. */
export declare function toNodeHandler(
  handler: (request: Request, env?: Record<string, unknown>, ctx?: unknown) => Promise<Response>,
  options?: NodeHandlerOptions,
): (req: NodeRequestLike, res: NodeResponseLike, next?: (error?: unknown) => void) => Promise<void>;

/**
 * The coordinator Durable Object: `export { AivideoCoordinator } from "aivideo/proxy"` in the
 * Worker and bind it as AIVIDEO_COORDINATOR. One object per API key holds the key-wide rate
 * budget, the per-user quota counters, the task records and ownership index, and one poll loop
 * on its alarm; waiting browsers long-poll it through the proxy (`GET /api/v1/tasks/{id}/wait`).
 * Env: AIVIDEO_API_KEY, AIVIDEO_BASE_URL, UPSTREAM_REQUESTS_PER_MINUTE (60),
 * UPSTREAM_GENERATIONS_PER_MINUTE (30), UPSTREAM_WINDOW_MS (60000), UPSTREAM_MARGIN_MS (5 % of the window), POLL_INTERVAL_MS (5000).
 */
export declare class AivideoCoordinator {
  constructor(state: unknown, env: Record<string, unknown>);
  fetch(request: Request): Promise<Response>;
  alarm(): Promise<void>;
}
