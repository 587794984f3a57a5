// The command line's client: the key from the environment, or a proxy's token
// (AIVIDEO_PROXY_TOKEN) sent to the proxy's origin only; flags override the environment.
// Owns: that choice and its usage errors. Shared by the one-shot commands and `aivideo mcp`.
import { clientFromEnv } from "../node.js";
import { __isLoopbackHost } from "../aivideo.js";
import { UsageError, number } from "./args.js";

/** The client for `env` and the parsed flags `args`; throws a UsageError saying what is missing. */
export function cliClient(env, args) {
  // The command line holds its own key, or a proxy's token (AIVIDEO_PROXY_TOKEN, with the
  // proxy as --base-url): the token goes in an Authorization header to the proxy's origin only,
  // and the key, if set too, is not sent at all.
  const proxyToken = (env.AIVIDEO_PROXY_TOKEN || "").trim();
  if (!proxyToken && (!env.AIVIDEO_API_KEY || !env.AIVIDEO_API_KEY.trim())) throw new UsageError("AIVIDEO_API_KEY is not set (or AIVIDEO_PROXY_TOKEN, to go through an aivideo proxy)");
  const proxyUrl = args.baseUrl ?? env.AIVIDEO_BASE_URL;
  if (proxyToken && !proxyUrl) throw new UsageError("AIVIDEO_PROXY_TOKEN needs the proxy's URL: --base-url or AIVIDEO_BASE_URL");
  let proxyOrigin = null;
  if (proxyToken) {
    let url;
    try {
      url = new URL(proxyUrl);
    } catch {
      throw new UsageError("--base-url is not a URL");
    }
    // The token is a credential: over plain http only to this machine.
    if (url.protocol !== "https:" && !__isLoopbackHost(url.hostname)) {
      throw new UsageError("AIVIDEO_PROXY_TOKEN is only sent over https (or plain http to localhost): use an https --base-url");
    }
    proxyOrigin = url.origin;
  }
  const viaProxy = proxyToken
    ? { apiKey: "", fetch: (url, init = {}) => fetch(url, new URL(url).origin === proxyOrigin ? { ...init, headers: { ...init.headers, authorization: `Bearer ${proxyToken}` } } : init) }
    : {};
  const debug = Boolean(args.debug);
  try {
    // The environment is read by the library (clientFromEnv); flags override it.
    return clientFromEnv(env, {
      ...viaProxy,
      ...(args.baseUrl !== undefined ? { baseUrl: args.baseUrl } : {}),
      ...(args.timeoutMs !== undefined ? { timeoutMs: number("timeout-ms", args.timeoutMs) } : {}),
      ...(args.maxRetries !== undefined ? { maxRetries: number("max-retries", args.maxRetries) } : {}),
      // A compressed simulator's minute is shorter: so is the client's rate budget window.
      ...(args.timeScale !== undefined ? { rateLimitWindowMs: Math.max(1, 60000 * number("time-scale", args.timeScale)) } : {}),
      ...(debug ? { onLog: (line) => process.stderr.write(`[aivideo] ${line}\n`) } : {}),
    });
  } catch (e) {
    // The library's messages never contain the key; its prefix is ours too.
    throw new UsageError(String(e.message).replace(/^aivideo: /, ""));
  }

}
