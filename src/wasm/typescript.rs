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
  | "INVALID_ARGUMENT" | "GENERATION_FAILED" | "CANCELLED" | "POLL_TIMEOUT" | "TASK_NOT_CANCELLABLE";

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
export interface Failure extends EnvelopeBase { ok: false; data: any; errorCode: ErrorCode; errorMessage: string; }
/** What every action resolves to. Narrow on `ok`. */
export type Envelope<T> = Success<T> | Failure;

export interface ClientOptions {
  /** The raw `ak_…` key. Omit it only behind a proxy that adds it. */
  apiKey?: string;
  /** Default `https://aivideomaker.ai`; plain `http` only for loopback hosts. */
  baseUrl?: string;
  /** Per attempt, default 30000. */
  timeoutMs?: number;
  /** Retries of safe requests on 429, 5xx and network errors, default 3. */
  maxRetries?: number;
  /** A longer Retry-After than this is not waited for, default 60000. */
  maxRetryAfterMs?: number;
  /** A fetch to use instead of the global one (called unbound). */
  fetch?: (input: string, init?: RequestInit) => Promise<Response>;
  /** Receives one redacted line per request and retry (the key is masked). */
  onLog?: (line: string) => void;
  /** The shared query budget (status, task, list, account calls and all waits), default 60/min. */
  rateLimitPerMinute?: number;
  /** The window the limit applies to, default 60000 ms (shorter for simulators with compressed time). */
  rateLimitWindowMs?: number;
  /** Default budget for every create, in credits (a per-call maxCredits can only lower it). */
  maxCredits?: number;
}
export interface CallOptions { signal?: AbortSignal; timeoutMs?: number; }
export interface ValidateOptions {
  /** Largest decoded size of an image data URI, default 20 MiB. */
  maxDataUriBytes?: number;
}
export interface QuoteOptions extends CallOptions, ValidateOptions {
  /** `false` skips local validation (for models added upstream later). */
  validate?: boolean;
}
export interface CreateOptions extends CallOptions, ValidateOptions {
  /** 8–128 characters. Default: derived from model + payload + idempotencyScope. */
  idempotencyKey?: string;
  /** Mixed into the derived key: two deliberate identical generations need different scopes. */
  idempotencyScope?: string;
  /** Refuse (BUDGET_EXCEEDED, nothing sent) when the price is higher; also sent as X-Max-Credits. */
  maxCredits?: number;
  /** Ask the server's free quote before creating (always done for server-priced models under a budget). */
  quoteFirst?: boolean;
  webhookUrl?: string;
  /** `false` sends the payload without local validation (for models added upstream later). */
  validate?: boolean;
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
}
export interface WaitOptions extends CallOptions {
  /** Fixed poll interval instead of the adaptive schedule. */
  intervalMs?: number;
  maxIntervalMs?: number;
  /** Default: 4× the model's expected time, at least 30 minutes. 0 = no deadline. */
  maxWaitMs?: number;
  onProgress?: (event: ProgressEvent) => void;
  /** Cancel (and refund) the task when aborted while it is still SUBMITTED. */
  cancelOnAbort?: boolean;
  /** For simulators with compressed time: multiplies every delay of the schedule. */
  timeScale?: number;
  /** Override the expected run time used by the schedule, in ms. */
  expectedMs?: number;
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
