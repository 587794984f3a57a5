// The public types. The generated aivideo.d.ts types each export loosely (model: string) and
// also declares the glue's private `Client` class and init functions; this file exports only
// the public API, and narrows the client so a payload is checked against its model.
import type {
  Account, CallOptions, CancelData, ClientOptions, CreateOptions, CreditEstimate, Envelope, Generation,
  Model, ModelDescription, Payloads, Quote, QuoteOptions, StatusData, SubmittedTask, Task, TaskHandle,
  TaskList, ValidateOptions, ValidationResult, WaitOptions, WorkflowEnvelope, WorkflowOptions,
} from "./aivideo.js";

export type {
  Account, CallOptions, CancelData, ClientOptions, CreateOptions, CreditEstimate, Envelope, ErrorCode,
  Failure, FailureData, FailureOf, FieldDescription, Generation, HappyhorsePayload, I2vPayload, I2vV3Payload,
  ImageInput, Issue, IssueCode, IssueDetail, LvPayload, MaybeCreated, MediaInfo, MinimaxPayload, Model,
  ModelDescription, Payloads, ProgressEvent, Quote, QuoteOptions, Seedance20Payload, ServerDetail, ServerSaid, StatusData,
  SubmittedTask, Success, T2vPayload, T2vV3Payload, Task, TaskHandle, TaskList, TaskOutput, TaskStatus,
  ValidateOptions, ValidationFailure, ValidationResult, ValidationSuccess, Wan27Payload, WaitOptions,
  WorkflowEnvelope, WorkflowFailure, WorkflowOptions,
} from "./aivideo.js";

type UnionToIntersection<U> = (U extends unknown ? (x: U) => void : never) extends (x: infer I) => void ? I : never;
/** The payload for one literal model. When `M` is a union (a `Model` variable), the positional
 * form cannot tie the payload to the model: this type then names the form that can. */
type PayloadOf<M extends Model> = [M] extends [UnionToIntersection<M>]
  ? Payloads[M]
  : "the model is not a literal: pass { model, payload } (a Generation, or validatePayload's result)";

/** The client returned by `createClient`; every method resolves to an envelope and never rejects. */
export interface AivideoClient {
  /** `POST /generate/{model}`: creates a task, billed at submit. */
  createGeneration<M extends Model>(model: M, payload: PayloadOf<M>, opts?: CreateOptions): Promise<Envelope<SubmittedTask>>;
  /** The same with model and payload tied together (a `Generation`, or `validatePayload`'s success). */
  createGeneration(request: Generation, opts?: CreateOptions): Promise<Envelope<SubmittedTask>>;
  getStatus(taskId: string, opts?: CallOptions): Promise<Envelope<StatusData>>;
  getTask(taskId: string, opts?: CallOptions): Promise<Envelope<Task>>;
  cancelTask(taskId: string, opts?: CallOptions): Promise<Envelope<CancelData>>;
  listTasks(opts?: CallOptions): Promise<Envelope<TaskList>>;
  getAccount(opts?: CallOptions): Promise<Envelope<Account>>;
  quote<M extends Model>(model: M, payload: PayloadOf<M>, opts?: QuoteOptions): Promise<Envelope<Quote>>;
  quote(request: Generation, opts?: QuoteOptions): Promise<Envelope<Quote>>;
  /** Polls until the task ends; takes a taskId or a stored handle. */
  waitForTask(task: string | TaskHandle, opts?: WaitOptions): Promise<Envelope<Task>>;
  /** validate → (quote) → create → wait, in one call. */
  runWorkflow<M extends Model>(model: M, payload: PayloadOf<M>, opts?: WorkflowOptions): Promise<WorkflowEnvelope>;
  runWorkflow(request: Generation, opts?: WorkflowOptions): Promise<WorkflowEnvelope>;
  /** Credits charged by this client's creates (replays are not counted twice). */
  readonly spentCredits: number;
  /** Releases the wasm-side state now instead of at garbage collection. */
  free(): void;
}

/** Throws a `TypeError` when an option is invalid, or when there is neither a key nor a proxy `baseUrl`. */
export declare function createClient(options?: ClientOptions): AivideoClient;
export declare function clientFromEnv(env: Record<string, string | undefined>, overrides?: ClientOptions): AivideoClient;

/** Checks a payload offline and reports every problem at once. Sync; never throws. */
export declare function validatePayload<M extends Model>(model: M, payload: unknown, opts?: ValidateOptions): ValidationResult<M>;
export declare function validatePayload(model: string, payload: unknown, opts?: ValidateOptions): ValidationResult;
/** The local credit estimate; `credits` is null with a reason when only the server prices it. */
export declare function estimateCredits(model: Model | (string & {}), payload: unknown): CreditEstimate;
/** The contract as plain data, for rendering forms. */
export declare function describeModels(): ModelDescription[];
export declare function modelNames(): Model[];
/** A JSON Schema (draft 2020-12) as a plain object. */
export type JsonSchema = { [keyword: string]: unknown };
/** The contract as JSON Schema (draft 2020-12), for form builders, OpenAPI and tool calling:
 * with no model, the schema of a generation `{ model, payload }` (one `oneOf` branch per model);
 * with a model, its payload's schema (`additionalProperties: false`, cross-field rules as
 * `allOf`); null for a name that is not a model. Every payload `validatePayload` accepts, the
 * schema accepts; URL syntax past the scheme, a data URI's base64 and its decoded size are
 * checked by `validatePayload` only. Sync; never throws. */
export declare function jsonSchema(): JsonSchema;
export declare function jsonSchema(model: Model): JsonSchema;
export declare function jsonSchema(model: string): JsonSchema | null;
