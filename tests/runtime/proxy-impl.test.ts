// Type test (tsc -p tsconfig.proxy.json, never run): aivideo/proxy's declarations against its
// code. Each public export, as the implementation types it (its JSDoc and defaults, read with
// allowJs), must be assignable to what proxy.d.ts declares: a renamed or missing export, a
// changed arity or an option the code no longer takes fails here.
import type * as Declared from "aivideo/proxy";
import { createProxyHandler } from "./node_modules/aivideo/proxy/handler.js";
import { jwtAuthorizer, mintProxyToken } from "./node_modules/aivideo/proxy/auth.js";
import { memoryStore } from "./node_modules/aivideo/proxy/store.js";
import { AivideoCoordinator } from "./node_modules/aivideo/coordinator/object.js";
export const checks: [
  typeof Declared.createProxyHandler, typeof Declared.jwtAuthorizer, typeof Declared.mintProxyToken,
  typeof Declared.memoryStore, typeof Declared.AivideoCoordinator,
] = [createProxyHandler, jwtAuthorizer, mintProxyToken, memoryStore, AivideoCoordinator];
