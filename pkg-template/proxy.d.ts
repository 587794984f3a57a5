export interface ProxyOptions {
  /** Default: env.AIVIDEO_API_KEY. Never sent to the browser. */
  apiKey?: string;
  /** Upstream, default env.AIVIDEO_BASE_URL or the live API. */
  baseUrl?: string;
  /** Exact origins allowed to call (CORS), default env.ALLOWED_ORIGINS (comma-separated); "*" allows any. */
  allowedOrigins?: string[];
  /** Default: every model the client knows (env.ALLOWED_MODELS). */
  allowedModels?: string[];
  /** Creates priced above this are refused before anything goes upstream (env.MAX_CREDITS_PER_TASK). */
  maxCreditsPerTask?: number;
  /** Accept requests with no Origin header (server-to-server), default false. */
  allowServerRequests?: boolean;
  timeoutMs?: number;
  /** Upstream retries, default 0: the browser's client retries, with the same idempotency key. */
  maxRetries?: number;
  fetch?: (input: string, init?: RequestInit) => Promise<Response>;
}
/** A Worker `fetch` handler: `export default { fetch: createProxyHandler({...}) }`. */
export declare function createProxyHandler(options?: ProxyOptions): (request: Request, env?: Record<string, string | undefined>) => Promise<Response>;
