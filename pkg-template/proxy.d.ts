export interface ProxyOptions {
  /** Default: env.AIVIDEO_API_KEY. Never sent to the browser. */
  apiKey?: string | undefined;
  /** Upstream, default env.AIVIDEO_BASE_URL or the live API. */
  baseUrl?: string | undefined;
  /** Exact origins allowed to call (CORS), default env.ALLOWED_ORIGINS (comma-separated); "*" allows any. */
  allowedOrigins?: string[] | undefined;
  /** Default: every model the client knows (env.ALLOWED_MODELS). */
  allowedModels?: string[] | undefined;
  /** Creates priced above this are refused before anything goes upstream (env.MAX_CREDITS_PER_TASK).
   * Required: the proxy fails closed (500 naming the setting) unless a number or "unlimited" is given. */
  maxCreditsPerTask?: number | "unlimited" | undefined;
  /** Request bodies larger than this are refused with 413 (env.MAX_BODY_BYTES), default 30 MiB. */
  maxBodyBytes?: number | undefined;
  /** Accept requests with no Origin header (server-to-server), default false. */
  allowServerRequests?: boolean | undefined;
  timeoutMs?: number | undefined;
  /** Upstream retries, default 0: the browser's client retries, with the same idempotency key. */
  maxRetries?: number | undefined;
  /** Where the proxy is mounted on a site, e.g. "/api/aivideo" (env.BASE_PATH); the browser's
   * client then uses `baseUrl: "/api/aivideo"`. Same-origin requests from that site are allowed. */
  basePath?: string | undefined;
  fetch?: ((input: string, init?: RequestInit) => Promise<Response>) | undefined;
}
/** A Worker `fetch` handler: `export default { fetch: createProxyHandler({...}) }`. */
export declare function createProxyHandler(options?: ProxyOptions): (request: Request, env?: Record<string, string | undefined>) => Promise<Response>;
