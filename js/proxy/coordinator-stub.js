// The handler's side of the Durable Object coordinator: a named stub that sends the
// coordinator one operation per call (quota counters, an API call on a caller's behalf, a
// long poll, a user's own tasks), with the proxy's resolved upstream settings, so the object
// calls the same upstream with the same key as the handler would. Owns: the object's name
// (one per API key) and the operations' wire shape. Must not: meter or decide anything.
import { base64url } from "./jose.js";
import { failEnvelope } from "../coordinator/envelopes.js";

const enc = new TextEncoder();

export class CoordinatorStub {
  /** The coordinator for this request when its binding is configured, else null. A stub is
   * an I/O object of the request that made it: one per request; only the name is kept. */
  static async connect(env, settings, isolate) {
    const ns = settings.coordinatorBinding && env ? env[settings.coordinatorBinding] : null;
    if (!ns || typeof ns.idFromName !== "function") return null;
    isolate.coordinatorName ??= base64url.encode(new Uint8Array(await crypto.subtle.digest("SHA-256", enc.encode(`aivideo coordinator\n${settings.upstream.apiKey ?? ""}`))));
    return new CoordinatorStub(ns.get(ns.idFromName(isolate.coordinatorName)), settings.upstream);
  }

  constructor(stub, upstream) {
    this.stub = stub;
    this.upstream = upstream;
  }

  async op(what, body) {
    try {
      const r = await this.stub.fetch(`https://coordinator/${what}`, { method: "POST", body: JSON.stringify({ ...body, upstream: this.upstream }) });
      return await r.json();
    } catch (e) {
      console.error(`aivideo proxy: coordinator unreachable: ${e && e.message}`);
      const out = failEnvelope("UPSTREAM_ERROR", "the coordinator is unreachable; retry with the same Idempotency-Key", 503);
      // A create may have gone through before the answer was lost.
      if (what === "call" && body.method === "createGeneration") out.data = { maybeCreated: true };
      return out;
    }
  }

  /** The quota store, in the object (durable, shared by every isolate). */
  get store() {
    return {
      // arch-allow: params (the public ProxyStore interface, proxy.d.ts)
      take: (key, amount, limit, windowMs, now) => this.op("take", { key, amount, limit: limit === Infinity ? null : limit, windowMs, now }),
      give: (key, amount, windowMs, now) => this.op("give", { key, amount, windowMs, now }),
    };
  }

  /** A client whose calls run in the object on `caller`'s behalf. The owner is proven
   * (HMAC-bound id, or the create itself) only for ordinary callers. */
  client(caller) {
    const call = (method, args) => this.op("call", { method, args, owner: caller && caller.admin !== true ? caller.userId : null, admin: Boolean(caller && caller.admin === true) });
    return {
      getStatus: (id) => call("getStatus", [id]),
      getTask: (id) => call("getTask", [id]),
      cancelTask: (id) => call("cancelTask", [id]),
      listTasks: () => call("listTasks", []),
      getAccount: () => call("getAccount", []),
      quote: (m, p) => call("quote", [m, p]),
      createGeneration: (m, p, o = {}) => call("createGeneration", [m, p, o]),
    };
  }
}
