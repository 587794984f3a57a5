// The MCP server's tools: validate_payload, create_generation, get_status, get_task,
// cancel_task, wait_for_task, list_models, get_account, quote. Owns: each tool's name, words
// and input schema (the payload schemas are the core's, from jsonSchema(), never written
// here), and turning a client's envelope into a tool result (the envelope as structured
// content, one line of text, a tool error when it is not ok). Must not: speak the protocol
// (server.js) or decide anything the client decides (money rules, retries, polling).
import { __envelope as envelope, __isTerminal as isTerminal } from "../aivideo.js";
import { describeModels, jsonSchema, validatePayload } from "../api.js";

/** What every tool returns as structured content: the package's envelope. */
const ENVELOPE_SCHEMA = {
  type: "object",
  properties: {
    ok: { type: "boolean" },
    status: { type: ["string", "null"] },
    taskId: { type: ["string", "null"] },
    data: {},
    errorCode: { type: ["string", "null"] },
    errorMessage: { type: ["string", "null"] },
    retryAfter: { type: ["number", "null"] },
    httpStatus: { type: ["integer", "null"] },
    suggestions: { type: "array", items: { type: "string" } },
  },
  required: ["ok"],
};

const TASK_ID = { type: "string", minLength: 1, maxLength: 256, description: "The task's id, as create_generation returned it (taskId)." };

/** An object schema over `properties`, closed. */
const closed = (properties, required = []) => ({ type: "object", properties, required, additionalProperties: false });

/** The core's generation schema ({model, payload}, a oneOf branch per model) with `extra` fields. */
function generationInput(extra) {
  const { $schema, properties, required, oneOf, $defs } = jsonSchema();
  return { $schema, type: "object", properties: { ...properties, ...extra }, required, oneOf, $defs };
}

/** A validatePayload result as the package's envelope (this tool and the command line's
 * `--action validate`): the estimate and media, or every issue. Not the payload again: the
 * caller has it, and it may be megabytes. */
export function validationEnvelope(r) {
  return r.ok
    ? envelope(null, null, { model: r.model, estimate: r.estimate, media: r.media })
    : envelope(r.errorCode, r.errorMessage, { issues: r.issues, details: r.details });
}

/** One line for people and models: what happened, and for a refused payload each field's problem. */
export function summary(env) {
  if (env.ok) {
    const d = env.data || {};
    const url = d.output && d.output.url ? `: ${d.output.url}` : "";
    return `ok${env.status ? ` ${env.status}` : ""}${env.taskId ? ` task ${env.taskId}` : ""}${url}`;
  }
  const issues = env.data && Array.isArray(env.data.issues) ? env.data.issues : [];
  const lines = issues.slice(0, 20).map((i) => `- ${i.path}: ${i.message}`);
  // A refused payload's lines say each fix; otherwise the first suggestion does.
  const hint = !lines.length && env.suggestions && env.suggestions[0] ? ` ${env.suggestions[0]}` : "";
  return [`${env.errorCode}: ${env.errorMessage}${hint}`, ...lines].join("\n");
}

/** A tool result carrying `env`. */
export function toolResult(env) {
  return { content: [{ type: "text", text: summary(env) }], structuredContent: env, isError: !env.ok };
}

/**
 * The tools over `client()`: a function giving the client, or an envelope saying why there is
 * none (no key). `journal(model, payload, opts)` (optional) wraps a create as the command
 * line's journal does (it may set `opts.idempotencyKey` and `opts.handle`): `{ settle(envelope) }`.
 * `waitDefaults` (`maxWaitMs`, `timeScale`) apply to every wait_for_task.
 */
export function mcpTools({ client, journal = null, waitDefaults = {} }) {
  const withClient = (fn) => async (args, call) => {
    const c = client();
    if (!c || typeof c.getStatus !== "function") return toolResult(c);
    return toolResult(await fn(c, args, call));
  };
  const need = (args, name) => (typeof args[name] === "string" && args[name] ? null : envelope("INVALID_ARGUMENT", `${name} is required (a non-empty string)`, null));
  const byTask = (method) => withClient((c, args, { signal }) => need(args, "taskId") ?? c[method](args.taskId, { signal }));
  // Every tool answers with the envelope as structured content: one output schema for all.
  const tools = [
    {
      name: "validate_payload",
      title: "Validate a payload",
      description: "Check a model's payload offline (no key, no charge): every problem at once, each with its field and how to fix it, and the credit estimate (1 credit = US$0.01).",
      inputSchema: generationInput({}),
      annotations: { readOnlyHint: true, openWorldHint: false },
      run: async (args) => toolResult(validationEnvelope(validatePayload(args.model, args.payload))),
    },
    {
      name: "create_generation",
      title: "Create a video generation (paid)",
      description: "Validate, then create a generation task (charges credits). Idempotent: the key is derived from model + payload (+ idempotencyScope), so calling again after a lost answer returns the same task instead of paying twice; pass a new idempotencyScope for a deliberate second, identical generation. Returns the task id: follow it with wait_for_task or get_status.",
      inputSchema: generationInput({
        maxCredits: { type: "number", minimum: 0, description: "Refuse (BUDGET_EXCEEDED, nothing sent) when the price is higher." },
        idempotencyScope: { type: "string", maxLength: 200, description: "Mixed into the derived key: a new scope is a new generation." },
      }),
      annotations: { destructiveHint: false, idempotentHint: true, openWorldHint: true },
      run: withClient(async (c, args, { signal }) => {
        const opts = { signal, idempotencyKey: "derived", ...(typeof args.idempotencyScope === "string" && args.idempotencyScope ? { idempotencyScope: args.idempotencyScope } : {}), ...(typeof args.maxCredits === "number" ? { maxCredits: args.maxCredits } : {}) };
        // The journal (stdio) notes the key before sending, and adds the earlier attempt's handle.
        const sent = journal ? journal(args.model, args.payload, opts) : null;
        const out = await c.createGeneration(args.model, args.payload, opts);
        return sent ? sent.settle(out) : out;
      }),
    },
    { name: "get_status", title: "A task's status", description: "Read a task's status (SUBMITTED, COMPLETED, FAILED, CANCEL).", inputSchema: closed({ taskId: TASK_ID }, ["taskId"]), annotations: { readOnlyHint: true, openWorldHint: true }, run: byTask("getStatus") },
    { name: "get_task", title: "A task in full", description: "Read a task: its status, input, charge and, once COMPLETED, the video's URL (kept 24 hours).", inputSchema: closed({ taskId: TASK_ID }, ["taskId"]), annotations: { readOnlyHint: true, openWorldHint: true }, run: byTask("getTask") },
    { name: "cancel_task", title: "Cancel a task", description: "Cancel a task that is still SUBMITTED (its credits are refunded); a task already running or ended cannot be cancelled.", inputSchema: closed({ taskId: TASK_ID }, ["taskId"]), annotations: { destructiveHint: true, idempotentHint: true, openWorldHint: true }, run: byTask("cancelTask") },
    {
      name: "wait_for_task",
      title: "Wait for a task to end",
      description: "Wait until a task ends (COMPLETED with the video's URL, FAILED or CANCEL), with progress notifications carrying the expected run time and an estimate of what is left. Cancelling the call stops the wait, never the task.",
      inputSchema: closed({ taskId: TASK_ID, maxWaitMs: { type: "integer", minimum: 1, description: "Give up waiting after this many ms (POLL_TIMEOUT; the task keeps running). Default: 4× the model's expected time, at least 30 minutes." } }, ["taskId"]),
      annotations: { readOnlyHint: true, openWorldHint: true },
      run: withClient(async (c, args, { signal, progress }) => {
        const missing = need(args, "taskId");
        if (missing) return missing;
        let last = 0;
        const onProgress = (e) => {
          last = Math.max(last + 1, Math.round(e.elapsedMs));
          const left = typeof e.status === "string" && isTerminal(e.status) ? "" : e.remainingMs > 0 ? `, about ${Math.round(e.remainingMs / 1000)} s left (expected ${Math.round(e.expectedMs / 1000)} s)` : `, past the expected ${Math.round(e.expectedMs / 1000)} s`;
          progress(last, e.expectedMs > last ? e.expectedMs : undefined, `${e.status ?? "…"} after ${Math.round(e.elapsedMs / 1000)} s${left}`);
        };
        // The caller's maxWaitMs, within the operator's (mcpWaitOptions: a request time limit).
        const asked = Number.isInteger(args.maxWaitMs) && args.maxWaitMs > 0 ? args.maxWaitMs : undefined;
        const cap = waitDefaults.maxWaitMs;
        const maxWaitMs = asked === undefined ? cap : cap === undefined ? asked : Math.min(asked, cap);
        return c.waitForTask(args.taskId, { ...waitDefaults, signal, onProgress, ...(maxWaitMs === undefined ? {} : { maxWaitMs }) });
      }),
    },
    {
      name: "list_models",
      title: "The models",
      description: "Every model with its fields (type, required, allowed values, ranges, defaults), cross-field rules, pricing and expected run time. Offline.",
      inputSchema: closed({}),
      annotations: { readOnlyHint: true, openWorldHint: false },
      run: async () => toolResult(envelope(null, null, { models: describeModels() })),
    },
    { name: "get_account", title: "The account", description: "The account's credit balance and plan.", inputSchema: closed({}), annotations: { readOnlyHint: true, openWorldHint: true }, run: withClient((c, _args, { signal }) => c.getAccount({ signal })) },
    {
      name: "quote",
      title: "The server's price",
      description: "Ask the server what a payload would cost (free, nothing is created).",
      inputSchema: generationInput({}),
      annotations: { readOnlyHint: true, openWorldHint: true },
      run: withClient((c, args, { signal }) => c.quote(args.model, args.payload, { signal })),
    },
  ];
  return tools.map((tool) => ({ ...tool, outputSchema: ENVELOPE_SCHEMA }));
}
