// The parts of jose (JWT verification, signing, JWKS, base64url) the proxy and the coordinator
// use. The package's build replaces this file with them bundled (pkg-build/jose.mjs, from the
// pinned jose dev dependency), so installing aivideo installs no dependency at all: a page
// that never mounts the proxy does not pull jose's 536 KB in.
export { jwtVerify, SignJWT, createRemoteJWKSet, createLocalJWKSet, base64url } from "jose";
