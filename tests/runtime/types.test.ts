// Type test: only type-checked (tsc --noEmit), never run. Lines marked @ts-expect-error
// must fail to compile; if one compiles, tsc reports the unused directive and the test fails.
import {
  createClient, clientFromEnv, validatePayload, estimateCredits, describeModels,
  type Envelope, type Task, type ErrorCode, type Payloads, type Model, type ValidationResult,
  type Generation, type T2vPayload, type Wan27Payload,
} from "aivideo";
import { createProxyHandler, jwtAuthorizer, mintProxyToken, memoryStore, type ProxyCaller } from "aivideo/proxy";

const client = createClient({ apiKey: "ak_x", baseUrl: "http://127.0.0.1:1", timeoutMs: 1000 });
clientFromEnv({ AIVIDEO_API_KEY: "ak_x" });
// @ts-expect-error unknown option
createClient({ apiKey: "ak_x", timeout: 5 });
// @ts-expect-error wrong option type
createClient({ maxRetries: "3" });
createClient({ baseUrl: "/api/aivideo", token: async () => "jwt" });
createClient({ baseUrl: "/api/aivideo", token: () => "jwt" });
// @ts-expect-error the token comes from a function (kept and renewed by the client)
createClient({ baseUrl: "/api/aivideo", token: "jwt" });
createClient({ baseUrl: "/api/aivideo" });

// A model chosen at run time (a <select>) ties model and payload only in the object form.
declare const chosen: Model;
declare const t2vPayload: T2vPayload;
declare const wan27Payload: Wan27Payload;
declare const formInput: Record<string, unknown>;
async function variableModel() {
  // @ts-expect-error a Model variable cannot take the positional form (any model's payload would fit)
  await client.createGeneration(chosen, t2vPayload);
  // @ts-expect-error a t2v payload is not a wan27 generation
  const wrong: Generation = { model: "wan27", payload: t2vPayload };
  const right: Generation = { model: "wan27", payload: wan27Payload };
  await client.createGeneration(right, { maxCredits: 50 });
  await client.runWorkflow(right);
  await client.quote(right);
  // validatePayload narrows: its success is the payload typed for its model, ready to send.
  const checked = validatePayload(chosen, formInput);
  if (checked.ok) {
    await client.createGeneration(checked);
    if (checked.model === "t2v") { const d: "5" | "8" = checked.payload.duration; void d; }
  }
  const literal = validatePayload("wan27", formInput);
  if (literal.ok) { const r: "720P" | "1080P" = literal.payload.resolution; void r; }
  void wrong;
}
void variableModel;

// Failure data is typed by the error code.
async function failureData() {
  const r = await client.createGeneration("t2v", t2vPayload, { maxCredits: 1 });
  if (!r.ok) {
    if (r.errorCode === "BUDGET_EXCEEDED" && r.data && "maxCredits" in r.data) { const n: number = r.data.maxCredits; void n; }
    // @ts-expect-error a server's 422 carries what it said, not the local price
    if (r.errorCode === "BUDGET_EXCEEDED" && r.data) r.data.maxCredits;
    // What an error answer said: its body and the field problems it named.
    if (r.errorCode === "INVALID_PAYLOAD" && r.data?.body !== undefined) r.data.details?.map((d) => d.field);
    if (r.errorCode === "AUTH_FAILED" && r.data) { const said: unknown = r.data.body; void said; }
    if (r.errorCode === "NETWORK_ERROR" && r.data) { const k: string = r.data.idempotencyKey; void k; }
    if (r.errorCode === "INVALID_PAYLOAD" && r.data?.issues) r.data.issues.map((i) => i.path);
    // @ts-expect-error AUTH_FAILED's data is what the server said, or null
    if (r.errorCode === "AUTH_FAILED") r.data.anything;
  }
  const w = await client.runWorkflow("t2v", t2vPayload);
  if (!w.ok && w.errorCode === "POLL_TIMEOUT") { const polls: number = w.data.polls; void polls; }
  if (!w.ok && w.errorCode === "GENERATION_FAILED" && w.data && "status" in w.data) w.data.status;
  if (w.ok) { const id: string = w.data.submitted.taskId; const url: string | undefined = w.data.output?.url; void id; void url; }
}
void failureData;

async function actions() {
  // Payloads are checked against their model.
  await client.createGeneration("t2v", { prompt: "a", aspectRatio: "16:9", duration: "5" });
  await client.createGeneration("minimax", { content: "a", duration: 10, resolution: "1080p" });
  await client.createGeneration("seedance20", { prompt: "a", duration: 5, resolution: 720, ratio: "16:9" });
  await client.createGeneration("wan27", { prompt: "a", duration: "5", resolution: "720P", ratio: "4:3" });
  await client.createGeneration("happyhorse", { prompt: "a", image: ["https://x/1.png", "https://x/2.png"], duration: 5, resolution: "720P" });
  await client.createGeneration("lv", { image: "https://x/a.png", prompt: ["one", "two"] }, { idempotencyKey: "k-12345678", maxCredits: 200 });
  // @ts-expect-error duration is a string for t2v
  await client.createGeneration("t2v", { prompt: "a", aspectRatio: "16:9", duration: 5 });
  // @ts-expect-error minimax takes content, not prompt
  await client.createGeneration("minimax", { prompt: "a" });
  // @ts-expect-error seedance20 takes ratio, not aspectRatio
  await client.createGeneration("seedance20", { prompt: "a", duration: 5, resolution: 720, aspectRatio: "16:9" });
  // @ts-expect-error wan27 wants upper-case 720P
  await client.createGeneration("wan27", { prompt: "a", duration: "5", resolution: "720p", ratio: "16:9" });
  // @ts-expect-error seedance20 resolution is a number
  await client.createGeneration("seedance20", { prompt: "a", duration: 5, resolution: "720", ratio: "16:9" });
  // @ts-expect-error minimax frame inputs and reference assets are exclusive
  await client.createGeneration("minimax", { content: "a", imageUrl: "https://x/a.png", referenceImageUrls: ["https://x/b.png"] });
  // @ts-expect-error lv needs at least one prompt
  await client.createGeneration("lv", { image: "https://x/a.png", prompt: [] });
  // @ts-expect-error unknown model
  await client.createGeneration("sora", { prompt: "a" });

  // The envelope is a union on ok.
  const r: Envelope<Task> = await client.getTask("t1", { timeoutMs: 500, signal: new AbortController().signal });
  if (r.ok) {
    const url: string | undefined = r.data.output?.url;
    const expires: string | null = r.data.expiresAt;
    // @ts-expect-error errorCode is null on success
    const code: ErrorCode = r.errorCode;
    void url; void expires; void code;
  } else {
    const code: ErrorCode = r.errorCode;
    const msg: string = r.errorMessage;
    const next: string[] = r.suggestions;
    void code; void msg; void next;
  }
  const s = await client.getStatus("t1");
  if (s.ok) s.data.status.toUpperCase();
  const c = await client.cancelTask("t1");
  if (c.ok) { const st: "CANCEL" = c.data.status; void st; }
  const l = await client.listTasks();
  if (l.ok) l.data.tasks.map((t) => t.id);
  const a = await client.getAccount();
  if (a.ok) a.data.supportedModels.includes("t2v");
  const q = await client.quote("t2v", { prompt: "a", aspectRatio: "16:9", duration: "8" });
  if (q.ok) { const credits: number = q.data.credits; void credits; }
  // @ts-expect-error taskId is a string
  await client.getStatus(42);

  // Waiting: by id or by a stored handle; the workflow in one call.
  const created = await client.createGeneration("t2v", { prompt: "a", aspectRatio: "16:9", duration: "5" }, { idempotencyScope: "user-1", quoteFirst: true });
  if (created.ok) {
    const stored = JSON.stringify(created.data.handle);
    const w = await client.waitForTask(JSON.parse(stored), { maxWaitMs: 0, cancelOnAbort: true, onProgress: (e) => {
      const left: number = e.remainingMs + e.expectedMs;
      const why: "stale" | "too_large" | "refused" | null = e.listSkipped;
      // @ts-expect-error source is one of three looks
      const bad: "poll" = e.source;
      void left; void why; void bad;
      return e.nextPollInMs;
    } });
    if (w.ok) w.data.output?.url;
  }
  const wf = await client.runWorkflow("wan27", { prompt: "a", duration: "5", resolution: "720P", ratio: "1:1" }, { maxCredits: 100, intervalMs: 5000 });
  if (!wf.ok) { const id: string | null = wf.taskId; void id; }
  const spent: number = client.spentCredits;
  void spent;
  // @ts-expect-error waitForTask options are checked
  await client.waitForTask("t1", { pollEvery: 5 });
  // @ts-expect-error the workflow payload is checked against its model
  await client.runWorkflow("wan27", { prompt: "a", duration: 5, resolution: "720P", ratio: "1:1" });
}
void actions;

// Validation is for unknown input: any payload, any model name.
const v: ValidationResult = validatePayload("t2v", JSON.parse("{}"));
if (v.ok) { const n: number | null = v.estimate.credits; void n; }
else { v.issues.forEach((i) => i.code === "unknown_field" && i.path.length); v.details.map((d) => d.field); }
validatePayload("a-future-model", {}, { maxDataUriBytes: 1024 });
const e = estimateCredits("seedance20", {});
const reason: string | null = e.reason;
void reason;
const m: Model = describeModels()[0].model;
const p: Payloads["t2v"] = { prompt: "a", aspectRatio: "1:1", duration: "8" };
void m; void p;
// @ts-expect-error validatePayload returns a union; estimate exists only when ok
validatePayload("t2v", {}).estimate;

// aivideo/proxy: authentication is required by the types too.
createProxyHandler({ authorize: jwtAuthorizer(), maxCreditsPerTask: 100 });
createProxyHandler({ authorize: async (): Promise<ProxyCaller | null> => ({ userId: "u1", creditsPerDay: 50 }), maxCreditsPerTask: "unlimited", store: memoryStore() });
createProxyHandler({ allowAnonymous: true, maxCreditsPerTask: 10 });
createProxyHandler({ authorize: jwtAuthorizer(), maxCreditsPerTask: 10, webhookUrl: "https://app.example/api/aivideo" });
// @ts-expect-error webhookUrl is a URL string
createProxyHandler({ authorize: jwtAuthorizer(), maxCreditsPerTask: 10, webhookUrl: true });
// @ts-expect-error neither authorize nor allowAnonymous
createProxyHandler({ maxCreditsPerTask: 100 });
// @ts-expect-error both
createProxyHandler({ authorize: () => null, allowAnonymous: true });
const minted: Promise<string> = mintProxyToken({ secret: "s".repeat(32), userId: "u1", limits: { creditsPerDay: 100 } });
// @ts-expect-error a token needs its user
void mintProxyToken({ secret: "s".repeat(32) });
void minted;
// The proxy is not in the main entry.
// @ts-expect-error moved to aivideo/proxy
import("aivideo").then((m) => m.createProxyHandler);

// A create that may have made a task: its handle recovers it, from this client or another.
async function recoverMaybeCreated() {
  const r = await client.createGeneration("t2v", t2vPayload);
  if (!r.ok && (r.errorCode === "NETWORK_ERROR" || r.errorCode === "UPSTREAM_ERROR") && r.data && "maybeCreated" in r.data && r.data.maybeCreated) {
    const key: string = r.data.idempotencyKey;
    const again = await createClient({ apiKey: "ak_x" }).createGeneration("t2v", t2vPayload, { handle: r.data.handle, serverDeduplicates: false });
    if (again.ok) { const replayed: boolean = again.data.idempotentReplay; void replayed; }
    void key;
  }
  // @ts-expect-error a handle needs its key and first-send time
  await client.createGeneration("t2v", t2vPayload, { handle: { taskId: "t1" } });
}
void recoverMaybeCreated;
