//! The client's TypeScript types, emitted into the package's `.d.ts` (the contract's types
//! are beside the contract exports in `contract.rs`). Types only: no code.

use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const TS_TYPES: &'static str = r#"
/** Stable error codes: branch on these strings. */
export type ErrorCode =
  | "INVALID_MODEL" | "INVALID_PAYLOAD" | "AUTH_FAILED" | "INSUFFICIENT_CREDITS"
  | "TASK_NOT_FOUND" | "IDEMPOTENCY_CONFLICT" | "BUDGET_EXCEEDED" | "CONTENT_REJECTED"
  | "RATE_LIMITED" | "UPSTREAM_ERROR" | "NETWORK_ERROR" | "UNKNOWN_ERROR" | "ABORTED"
  | "INVALID_ARGUMENT" | "GENERATION_FAILED" | "CANCELLED" | "POLL_TIMEOUT" | "TASK_NOT_CANCELLABLE"
  | "RESULT_UNAVAILABLE" | "UNSUPPORTED_BY_SERVER";

/** Task statuses; any other string the server sends is passed through and never means success. */
export type TaskStatus = "SUBMITTED" | "PROGRESS" | "COMPLETED" | "FAILED" | "CANCEL" | (string & {});

interface EnvelopeBase {
  status: TaskStatus | null;
  taskId: string | null;
  /** Seconds the server asked to wait (Retry-After), when it did. */
  retryAfter: number | null;
  httpStatus: number | null;
  /** Next steps in plain words; empty on success. */
  suggestions: string[];
}
export interface Success<T> extends EnvelopeBase { ok: true; data: T; errorCode: null; errorMessage: null; }
/** A create whose answers were all lost: resend the same payload with this key to get the
 * task back (if the server made it) without a second charge. */
/** A create that may have made a task nothing could confirm: create again with this key, or
 * pass `handle` as the `handle` create option, to get that task back or make it once. */
export interface MaybeCreated {
  idempotencyKey: string; maybeCreated: true;
  handle?: Omit<TaskHandle, "taskId"> & { taskId: null };
}
/** A field problem as a server named it (zod's issues, tRPC's fieldErrors): the path as the
 * validator writes paths, the values as the server sent them. */
export interface ServerDetail { field: string; expected: unknown; actual: unknown; message: string; }
/** What an HTTP error answer said: its body (bounded: 200 values, strings clipped; the key
 * redacted) and the field problems it named. */
export interface ServerSaid { body: unknown; details?: ServerDetail[]; }
/** What a failure's `data` holds, per error code. */
export interface FailureData {
  /** Refused offline (`issues`, `details`) or by the server (`details`, `body`). */
  INVALID_MODEL: { issues?: Issue[]; details?: IssueDetail[] | ServerDetail[]; omittedIssues?: number; body?: unknown } | null;
  INVALID_PAYLOAD: { issues?: Issue[]; details?: IssueDetail[] | ServerDetail[]; omittedIssues?: number; body?: unknown } | null;
  AUTH_FAILED: ServerSaid | null;
  /** `quote` when the free quote said the balance cannot pay. */
  INSUFFICIENT_CREDITS: { quote: Quote } | ServerSaid | null;
  TASK_NOT_FOUND: ServerSaid | null;
  IDEMPOTENCY_CONFLICT: ServerSaid | null;
  /** Refused before sending: the price, the budget and where the price came from. */
  BUDGET_EXCEEDED: { credits: number; maxCredits: number; source: "local estimate" | "quote" } | ServerSaid | null;
  CONTENT_REJECTED: ServerSaid | null;
  RATE_LIMITED: MaybeCreated | ServerSaid | null;
  UPSTREAM_ERROR: MaybeCreated | ServerSaid | null;
  NETWORK_ERROR: MaybeCreated | null;
  UNKNOWN_ERROR: unknown;
  /** From a wait: the last status seen, and whether `cancelOnAbort` cancelled the task; from
   * a create aborted after an answer was lost: how to get the task back. */
  ABORTED: { lastStatus: TaskStatus | null; cancelled?: boolean } | MaybeCreated | null;
  INVALID_ARGUMENT: null;
  /** The task as the server reported it. */
  GENERATION_FAILED: Task | null;
  CANCELLED: Task | null;
  POLL_TIMEOUT: { lastStatus: TaskStatus | null; polls: number; elapsedMs: number };
  /** The status the task had when the cancel was refused, when the server said. */
  TASK_NOT_CANCELLABLE: { status: TaskStatus } | ServerSaid | null;
  /** The task COMPLETED but reading it failed after retries: what to read it with later. */
  RESULT_UNAVAILABLE: { taskId: string; handle: TaskHandle | null; lastError: { errorCode: ErrorCode; errorMessage: string } };
  UNSUPPORTED_BY_SERVER: ServerSaid | null;
}
/** A failure with a given code: `data` is typed by the code. */
export interface FailureOf<C extends ErrorCode> extends EnvelopeBase { ok: false; errorCode: C; errorMessage: string; data: FailureData[C]; }
/** Every failure: narrow on `errorCode` to type `data`. */
export type Failure = { [C in ErrorCode]: FailureOf<C> }[ErrorCode];
/** What every action resolves to. Narrow on `ok`. */
export type Envelope<T> = Success<T> | Failure;
/** runWorkflow's failures after the create also carry the submitted task in `data.submitted`. */
type WithSubmitted<D> = null extends D
  ? (NonNullable<D> & { submitted?: SubmittedTask }) | { submitted: SubmittedTask } | null
  : D & { submitted?: SubmittedTask };
export type WorkflowFailure = {
  [C in ErrorCode]: Omit<FailureOf<C>, "data"> & { data: WithSubmitted<FailureData[C]> }
}[ErrorCode];
export type WorkflowEnvelope = Success<Task & { submitted: SubmittedTask }> | WorkflowFailure;

export interface ClientOptions {
  /** The raw `ak_…` key. Required unless `baseUrl` points at a proxy that adds it: a client
   * with neither throws a TypeError at construction. */
  apiKey?: string | undefined;
  /** Default `https://aivideomaker.ai`. With a key: https (plain http only for localhost and
   * 127.x.x.x). Without a key (behind a proxy): any http(s) URL or a same-origin path such as
   * `"/api/aivideo"`. */
  baseUrl?: string | undefined;
  /** Per attempt, default 30000. */
  timeoutMs?: number | undefined;
  /** Retries of safe requests on 429, 5xx and network errors, default 3. */
  maxRetries?: number | undefined;
  /** A longer Retry-After than this is not waited for, default 60000. */
  maxRetryAfterMs?: number | undefined;
  /** A fetch to use instead of the global one (called unbound). `init.body` is a JSON string,
   * or a Blob when the payload holds a data URI over 64 Ki characters: pass `init` on as is. */
  fetch?: ((input: string, init?: RequestInit) => Promise<Response>) | undefined;
  /** Receives one redacted line per request and retry (the key is masked). */
  onLog?: ((line: string) => void) | undefined;
  /** The shared query budget (status, task, list, account calls and all waits), default 60/min. */
  rateLimitPerMinute?: number | undefined;
  /** The window the limit applies to, default 60000 ms (shorter for simulators with compressed time). */
  rateLimitWindowMs?: number | undefined;
  /** Default budget for every create, in credits (a per-call maxCredits can only lower it). */
  maxCredits?: number | undefined;
  /** The largest response body read, default 8 MiB; a larger one is UPSTREAM_ERROR. */
  maxResponseBytes?: number | undefined;
  /** For a client of an aivideo proxy (with `baseUrl`, without `apiKey`): gives the proxy's
   * token. Called once and kept until a minute before the JWT's `exp`, one call for concurrent
   * requests; asked again once when the proxy answers 401. Sent only to `baseUrl`'s origin. */
  token?: (() => string | Promise<string>) | undefined;
}
export interface CallOptions { signal?: AbortSignal | undefined; timeoutMs?: number | undefined; }
export interface ValidateOptions {
  /** Largest decoded size of an image data URI, default 20 MiB. */
  maxDataUriBytes?: number | undefined;
}
export interface QuoteOptions extends CallOptions, ValidateOptions {
  /** `false` skips local validation (for models added upstream later). */
  validate?: boolean | undefined;
}
export interface CreateOptions extends CallOptions, ValidateOptions {
  /** 8–128 visible ASCII characters, or "derived" for the key derived from model + payload +
   * idempotencyScope (the same request is the same generation, even from another process).
   * Default: a fresh random key per call, reused by that call's retries. */
  idempotencyKey?: "derived" | (string & {}) | undefined;
  /** Mixed into the derived key (with idempotencyKey: "derived"). */
  idempotencyScope?: string | undefined;
  /** Refuse (BUDGET_EXCEEDED, nothing sent) when the price is higher; also sent as X-Max-Credits. */
  maxCredits?: number | undefined;
  /** Ask the server's free quote before creating (always done for server-priced models under a budget). */
  quoteFirst?: boolean | undefined;
  webhookUrl?: string | undefined;
  /** `false` sends the payload without local validation (for models added upstream later). */
  validate?: boolean | undefined;
  /** Look for the task in GET /tasks when a key this client sent before is sent again, and
   * after a lost answer (default true). Off, a lost answer ends the create with maybeCreated
   * (unless the server deduplicates keys). */
  reconcile?: boolean | undefined;
  /** Declare that the server deduplicates Idempotency-Key: a lost answer is sent again under
   * the same key without reading the task list first. Default false (the live API does not). */
  serverDeduplicates?: boolean | undefined;
  /** An earlier attempt of this create: the `data.handle` of its envelope (a `maybeCreated`
   * failure's, or a success's), from this process or another. Its key is reused, and the task
   * it may have made is looked for (created since `createdAt`, the same model and input) and
   * returned instead of being paid for again. */
  handle?: Pick<TaskHandle, "idempotencyKey" | "createdAt"> & { taskId?: string | null } | undefined;
}
export interface StatusData { status: TaskStatus; }
export interface TaskOutput { url?: string; msg?: string; error?: string; }
export interface Task {
  id: string; createdAt?: string; model: string; input: Record<string, unknown>;
  output: TaskOutput | null; status: TaskStatus; creditsCharged: number; creditsRefunded: number;
  listValueCents: number; idempotencyKey?: string | null; completedAt?: string | null;
  /** completedAt + 24 h: the video is deleted after this. */
  expiresAt: string | null;
}
export interface SubmittedTask {
  status: TaskStatus; taskId: string; creditsCharged: number; idempotentReplay: boolean;
  /** The create's answer was lost and the task was found in the task list instead of being created again. */
  reconciled?: boolean;
  responseUrl: string; statusUrl: string; cancelUrl: string;
  /** JSON-serializable: store it and pass it to waitForTask to resume after a restart. */
  handle: TaskHandle;
}
export interface TaskHandle {
  taskId: string; model: string; idempotencyKey: string | null; createdAt: string;
  estimate: CreditEstimate | null; expectedMs?: number;
}
export interface ProgressEvent {
  taskId: string; status: TaskStatus | null; elapsedMs: number; polls: number;
  nextPollInMs: number | null; changed: boolean;
  /** The model's expected run time for this task, and what is left of it (an estimate). */
  expectedMs: number; remainingMs: number;
  /** How this look was made: the task's own status, the shared task list, a held long poll. */
  source: "status" | "list" | "long-poll";
  /** Why concurrent waits are not using the task list (null when they are, or wait alone). */
  listSkipped: "stale" | "too_large" | "refused" | null;
}
export interface WaitOptions extends CallOptions {
  /** Fixed poll interval instead of the adaptive schedule. */
  intervalMs?: number | undefined;
  /** Floor on every delay of the schedule (the vendor script's --pollMinMs). */
  minIntervalMs?: number | undefined;
  /** The vendor script's schedule instead of the adaptive one: the first delay, each next one
   * 1.5× the last, capped by maxIntervalMs (the script's --pollMinMs and --pollMaxMs). */
  firstIntervalMs?: number | undefined;
  /** Cap on every delay of the schedule (the vendor script's --pollMaxMs). */
  maxIntervalMs?: number | undefined;
  /** Default: 4× the model's expected time, at least 30 minutes. 0 = no deadline. */
  maxWaitMs?: number | undefined;
  onProgress?: ((event: ProgressEvent) => void) | undefined;
  /** Cancel (and refund) the task when aborted while it is still SUBMITTED. */
  cancelOnAbort?: boolean | undefined;
  /** For simulators with compressed time: multiplies every delay of the schedule. */
  timeScale?: number | undefined;
  /** Override the expected run time used by the schedule, in ms. */
  expectedMs?: number | undefined;
}
export interface WorkflowOptions extends CreateOptions, WaitOptions {}
export interface CancelData { status: "CANCEL"; taskId: string; }
export interface TaskList { tasks: Task[]; }
export interface Account {
  ok: boolean; apiVersion: string; skillVersion: string; currentBalance: number;
  supportedModels: string[]; dailyCreditLimit?: number; generationRequestsPerMinute?: number;
  creditWarningAt?: number;
}
export interface Quote {
  model: string; credits: number; listPriceUsd: number; usdPerCredit: number;
  currentBalance: number; affordable: boolean; billable: false;
}
"#;
