// Who is calling: short-lived JWTs minted by the app's backend (`mintProxyToken`), checked by
// `jwtAuthorizer` (HS256 with a shared secret, or RS256/ES256 against a JWKS), and callers
// identified per client IP in anonymous mode. Owns: the token format and its claims (the
// per-user limits in them). Must not: meter, route or read the upstream.
import { jwtVerify, SignJWT, createRemoteJWKSet, createLocalJWKSet } from "./jose.js";
import { __isLoopbackHost } from "../aivideo.js";
import { ProxySetupError } from "./settings.js";
import { USER_LIMITS } from "./quota.js";

const TOKEN_AUDIENCE = "aivideo-proxy";
const enc = new TextEncoder();

function secretBytes(secret, name) {
  if (typeof secret !== "string" || secret.length < 32) {
    throw new ProxySetupError(`${name} is not set or shorter than 32 characters`);
  }
  return enc.encode(secret);
}

/**
 * For the app's backend: a token for one signed-in user, sent by the page as
 * `Authorization: Bearer <token>`. HS256 with the secret the proxy also holds.
 */
/** @param {import("../proxy.d.ts").MintOptions} options @returns {Promise<string>} */
export async function mintProxyToken({ secret, userId, expiresIn = "15m", admin = false, limits = {}, audience = TOKEN_AUDIENCE, issuer } = {}) {
  let key;
  try {
    key = secretBytes(secret, "secret");
  } catch (e) {
    throw new TypeError(`mintProxyToken: ${e.message}`);
  }
  if (typeof userId !== "string" || !userId || userId.length > 256) throw new TypeError("mintProxyToken: userId must be a non-empty string of at most 256 characters");
  const claims = {};
  for (const k of USER_LIMITS) {
    if (limits[k] !== undefined) {
      if (!(Number.isFinite(limits[k]) && limits[k] >= 0)) throw new TypeError(`mintProxyToken: limits.${k} must be a number of at least 0`);
      claims[k] = limits[k];
    }
  }
  if (admin) claims.admin = true;
  const jwt = new SignJWT({ aivideo: claims }).setProtectedHeader({ alg: "HS256", typ: "JWT" }).setSubject(userId).setIssuedAt().setExpirationTime(expiresIn).setAudience(audience);
  if (issuer) jwt.setIssuer(issuer);
  return jwt.sign(key);
}

/**
 * An `authorize` that accepts `Authorization: Bearer <jwt>`: HS256 with a shared secret
 * (default env.AIVIDEO_TOKEN_SECRET), or RS256/ES256 against a JWKS (`jwksUrl`, or `jwks` given
 * inline). The token must carry `sub` (the user), `exp` and `iat`, the audience, and be at most
 * `maxTokenAge` old. Its `aivideo` claim may carry `admin` and per-user limits.
 */
/** @param {import("../proxy.d.ts").JwtAuthorizerOptions} [options] @returns {import("../proxy.d.ts").Authorize} */
export function jwtAuthorizer({ secret, secretEnv = "AIVIDEO_TOKEN_SECRET", jwksUrl, jwks, audience = TOKEN_AUDIENCE, issuer, algorithms, maxTokenAge = "1h", clockTolerance = 30 } = {}) {
  let keyFor = null;
  if (jwksUrl || jwks) {
    if (jwksUrl && jwks) throw new TypeError("jwtAuthorizer: pass jwksUrl or jwks, not both");
    let url;
    if (jwksUrl) {
      try {
        url = new URL(jwksUrl);
      } catch {
        throw new TypeError("jwtAuthorizer: jwksUrl is not a URL");
      }
      if (url.protocol !== "https:" && !__isLoopbackHost(url.hostname)) throw new TypeError("jwtAuthorizer: jwksUrl must be https");
    }
    const set = jwksUrl ? createRemoteJWKSet(url) : createLocalJWKSet(jwks);
    keyFor = () => set;
    algorithms ??= ["RS256", "ES256"];
  } else {
    let cached = null;
    keyFor = (env) => {
      const value = secret ?? env?.[secretEnv];
      if (cached && cached.value === value) return cached.key;
      cached = { value, key: secretBytes(value, secret !== undefined ? "jwtAuthorizer's secret" : secretEnv) };
      return cached.key;
    };
    algorithms ??= ["HS256"];
  }
  return async function authorize(request, env) {
    const key = keyFor(env); // a setup problem throws (a 500 naming the setting) even without a token
    const header = request.headers.get("authorization") || "";
    const m = /^Bearer ([A-Za-z0-9_\-.]{1,8192})$/.exec(header);
    if (!m) return null;
    let payload;
    try {
      ({ payload } = await jwtVerify(m[1], key, { audience, issuer, algorithms, maxTokenAge, clockTolerance, requiredClaims: ["sub", "exp", "iat"] }));
    } catch {
      return null;
    }
    const claims = payload.aivideo && typeof payload.aivideo === "object" ? payload.aivideo : {};
    const caller = { userId: payload.sub, admin: claims.admin === true };
    for (const k of USER_LIMITS) if (typeof claims[k] === "number") caller[k] = claims[k];
    return caller;
  };
}

/** The /64 of an IPv6 address (any spelling: `::` compressed, mixed case, a zone, an
 * embedded IPv4 tail) or the IPv4 address itself; null for what is neither. */
export function addressKey(raw) {
  const ip = raw.trim().toLowerCase().replace(/%.*$/, "");
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(ip)) return ip;
  if (!/^[0-9a-f:.]{2,45}$/.test(ip)) return null;
  const halves = ip.split("::");
  if (halves.length > 2) return null;
  // An embedded IPv4 tail counts as the last two groups (it is in the last 64 bits).
  const groups = (part) => (part ? part.split(":").flatMap((g) => (g.includes(".") ? ["0", "0"] : [g])) : []);
  const head = groups(halves[0]);
  const tail = halves.length === 2 ? groups(halves[1]) : [];
  const fill = halves.length === 2 ? 8 - head.length - tail.length : 0;
  const all = [...head, ...Array(Math.max(0, fill)).fill("0"), ...tail];
  if (all.length !== 8 || fill < 0 || (halves.length === 2 && fill === 0) || all.some((g) => !/^[0-9a-f]{1,4}$/.test(g))) return null;
  return `${all.slice(0, 4).map((g) => g.replace(/^0+(?=.)/, "")).join(":")}::/64`;
}

/**
 * Anonymous mode: the caller is its client address, read only from a source the operator
 * trusts: Cloudflare's CF-Connecting-IP when the request came through Cloudflare's edge
 * (`request.cf` is present there; a client cannot forge the header), or the header named by
 * `clientIpHeader` (a proxy in front that sets it), or `ctx.clientAddress`: the peer's address
 * as the server saw it, which the node:http adapter passes, as an Astro endpoint can
 * (`{ clientAddress }`); no request can set it. Anywhere else every anonymous caller is
 * one caller, sharing one set of quotas. IPv6 callers count per /64 (one host usually holds a
 * whole /64). Null when the address is missing or not an address.
 */
export function anonymousCaller(request, clientIpHeader, peer) {
  const header = clientIpHeader || (request.cf ? "cf-connecting-ip" : null);
  if (!header && typeof peer !== "string") return { userId: "ip:untrusted", admin: false };
  const raw = (header ? request.headers.get(header) : peer.replace(/^::ffff:(?=\d+\.)/, "")) || "";
  const key = raw.length <= 64 ? addressKey(raw) : null;
  return key ? { userId: `ip:${key}`, admin: false } : null;
}
