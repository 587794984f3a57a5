// The public types. The generated aivideo.d.ts types each export loosely (model: string);
// this file narrows the client so a payload is checked against its model at compile time.
import type {
  CallOptions, CancelData, ClientOptions, CreateOptions, Envelope, Model, Payloads, Quote,
  QuoteOptions, StatusData, SubmittedTask, Task, TaskList, Account, TaskHandle, WaitOptions,
  WorkflowOptions,
} from "./aivideo.js";

export * from "./aivideo.js";

/** The client returned by `createClient`; every method resolves to an envelope and never rejects. */
export interface AivideoClient {
  createGeneration<M extends Model>(model: M, payload: Payloads[M], opts?: CreateOptions): Promise<Envelope<SubmittedTask>>;
  getStatus(taskId: string, opts?: CallOptions): Promise<Envelope<StatusData>>;
  getTask(taskId: string, opts?: CallOptions): Promise<Envelope<Task>>;
  cancelTask(taskId: string, opts?: CallOptions): Promise<Envelope<CancelData>>;
  listTasks(opts?: CallOptions): Promise<Envelope<TaskList>>;
  getAccount(opts?: CallOptions): Promise<Envelope<Account>>;
  quote<M extends Model>(model: M, payload: Payloads[M], opts?: QuoteOptions): Promise<Envelope<Quote>>;
  /** Polls until the task ends; takes a taskId or a stored handle. */
  waitForTask(task: string | TaskHandle, opts?: WaitOptions): Promise<Envelope<Task>>;
  /** validate → (quote) → create → wait, in one call. */
  runWorkflow<M extends Model>(model: M, payload: Payloads[M], opts?: WorkflowOptions): Promise<Envelope<Task & { submitted?: SubmittedTask }>>;
  /** Credits charged by this client's creates (replays are not counted twice). */
  readonly spentCredits: number;
  /** Releases the wasm-side state now instead of at garbage collection. */
  free(): void;
}

export declare function createClient(options?: ClientOptions): AivideoClient;
export declare function clientFromEnv(env: Record<string, string | undefined>, overrides?: ClientOptions): AivideoClient;

import type { ValidateOptions, ValidationResult, CreditEstimate, ModelDescription } from "./aivideo.js";
/** Checks a payload offline and reports every problem at once. Sync; never throws. */
export declare function validatePayload(model: Model | (string & {}), payload: unknown, opts?: ValidateOptions): ValidationResult;
/** The local credit estimate; `credits` is null with a reason when only the server prices it. */
export declare function estimateCredits(model: Model | (string & {}), payload: unknown): CreditEstimate;
/** The contract as plain data, for rendering forms. */
export declare function describeModels(): ModelDescription[];
export declare function modelNames(): Model[];
export { createProxyHandler, type ProxyOptions } from "./proxy.js";
