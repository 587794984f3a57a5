//! The offline exports (no client, no key): the validation contract's `validatePayload`, `estimateCredits`,
//! `modelNames` (`describeModels` and `jsonSchema` are written at build time: examples/schema.rs).
//! Sync, need no client or key, and never throw.

use super::convert::{from_js, js_number, to_js, to_js_via_json};
use crate::contract;
use crate::credits::estimate;
use crate::validate::{find_model, validation_report_json};
use crate::value::Value;
use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const TS_CONTRACT: &'static str = r#"
/** A data URI (`data:image/png;base64,…`) or an http(s) URL. */
export type ImageInput = string;
type FilterMode = "strict" | "custom";
export interface T2vPayload { prompt: string; aspectRatio: "16:9" | "9:16" | "1:1"; duration: "5" | "8"; filterMode?: FilterMode; }
export interface I2vPayload { image: ImageInput; prompt?: string | null; duration: "5" | "8"; filterMode?: FilterMode; }
export interface LvPayload { image: ImageInput; prompt: [string, ...string[]]; filterMode?: FilterMode; }
export interface T2vV3Payload { prompt: string; aspectRatio: "16:9" | "9:16" | "1:1"; duration: "5" | "10" | "15" | "20"; }
export interface I2vV3Payload { image: ImageInput; prompt?: string | null; duration: "5" | "10" | "15" | "20"; }
export type MinimaxPayload = {
  content: string; duration?: number; resolution?: "720p" | "1080p"; tier?: "turbo" | "base";
  aspectRatio?: "auto" | "21:9" | "16:9" | "4:3" | "1:1" | "3:4" | "9:16";
} & (
  | { imageUrl?: ImageInput | null; lastFrameUrl?: ImageInput | null; referenceImageUrls?: never; referenceVideoUrl?: never; referenceAudioUrls?: never }
  | { imageUrl?: null; lastFrameUrl?: null; referenceImageUrls?: ImageInput[]; referenceVideoUrl?: string | null; referenceAudioUrls?: string[] }
);
export interface Seedance20Payload {
  prompt?: string | null; image?: ImageInput | null; video?: string | null; audio?: string | null;
  duration: number; resolution: 480 | 720; ratio: "16:9" | "9:16" | "1:1";
}
export interface Wan27Payload {
  prompt: string; image?: ImageInput | null; duration: "5" | "10" | "15"; resolution: "720P" | "1080P";
  ratio: "16:9" | "9:16" | "1:1" | "4:3" | "3:4"; promptExtend?: boolean;
}
export interface HappyhorsePayload {
  prompt: string; image?: ImageInput | ImageInput[] | null; duration: number; resolution: "720P" | "1080P";
  ratio?: "16:9" | "9:16" | "3:4" | "4:3" | "1:1" | null;
}
/** Each model's payload, keyed by model name. */
export interface Payloads {
  t2v: T2vPayload; i2v: I2vPayload; lv: LvPayload; t2v_v3: T2vV3Payload; i2v_v3: I2vV3Payload;
  minimax: MinimaxPayload; seedance20: Seedance20Payload; wan27: Wan27Payload; happyhorse: HappyhorsePayload;
}
export type Model = keyof Payloads;

export type IssueCode = "required" | "wrong_type" | "not_allowed" | "out_of_range" | "too_many" | "empty" | "unknown_field" | "bad_media" | "conflict";
export interface Issue { path: string; code: IssueCode; expected: string; actual: string; message: string; }
export interface CreditEstimate { model: string; credits: number | null; usd: number | null; basis: string; reason: string | null; }
/** A media input that passed; for a data URI, its decoded size (measured, not decoded). */
export interface MediaInfo { path: string; kind: "image" | "video" | "audio"; source: "url" | "dataUri"; mimeType: string | null; bytes: number | null; }
/** The short form of an issue; `actual` is the value as given (strings over 200 characters
 * clipped, a data URI as its start; null when nothing was given). */
export interface IssueDetail { field: string; expected: string; actual: unknown; }
/** A payload that passed, typed as its model's payload. Pass it straight to
 * `createGeneration(checked)`, `quote(checked)` or `runWorkflow(checked)`. */
export type ValidationSuccess<M extends Model = Model> = M extends Model
  ? { ok: true; model: M; payload: Payloads[M]; estimate: CreditEstimate; media: MediaInfo[] }
  : never;
export interface ValidationFailure {
  ok: false; model: string; errorCode: "INVALID_MODEL" | "INVALID_PAYLOAD"; errorMessage: string;
  /** The first 100 issues (every problem at once, within reason); `omittedIssues` counts the rest. */
  issues: Issue[]; details: IssueDetail[]; omittedIssues: number;
}
/** Narrow on `ok`: a success carries the payload typed for the model. */
export type ValidationResult<M extends Model = Model> = ValidationSuccess<M> | ValidationFailure;
/** A model and its payload, tied: `{ model: "t2v"; payload: T2vPayload } | …`. The form to use
 * when the model is a variable (a `<select>`): a payload of another model does not compile. */
export type Generation<M extends Model = Model> = M extends Model ? { model: M; payload: Payloads[M] } : never;
export interface FieldDescription {
  name: string; type: "string" | "integer" | "number" | "boolean" | "string[]" | "string | string[]";
  required: boolean; nullable: boolean; default: string | number | boolean | null;
  allowed: (string | number)[] | null; min: number | null; max: number | null; maxItems: number | null;
  media: "image" | "video" | "audio" | null; acceptsDataUri: boolean; description: string;
  /** For people: a label and one line of help. */
  label: string; help: string;
  /** The largest decoded image a data URI may carry (image fields), else null. */
  maxDataUriBytes: number | null;
}
export interface ModelDescription {
  model: Model; title: string; fields: FieldDescription[]; rules: string[]; pricing: string;
  serverPricedOnly: boolean; expectedSeconds: number;
}
"#;

/// `validatePayload` (`api.js`), member by member: the payload read from the JS object
/// itself (what the fast path declines: options, getters, `toJSON`, non-integers, long strings
/// other than data URIs…). Never throws; the result as JSON text, as `__validateJson`'s.
#[wasm_bindgen(js_name = __validateMembers, skip_typescript)]
pub fn validate_members(model: JsValue, payload: JsValue, opts: JsValue) -> String {
    let name = model.as_string().unwrap_or_else(|| format!("({})", from_js(&model).type_name()));
    let opts = crate::options::read_validate_lenient(&from_js(&opts));
    validation_report_json(&name, &from_js(&payload), &opts, false, &js_number)
}

/// `validatePayload`'s fast path (`api.js`): the payload as the JSON text `JSON.stringify`
/// wrote, the result as JSON text: one crossing each way instead of one per member. `None`
/// when the text holds something `crate::json` does not read exactly; the caller then takes
/// `__validateMembers`.
#[wasm_bindgen(js_name = __validateJson, skip_typescript)]
pub fn validate_json(model: &str, json: &str) -> Option<String> {
    let payload = crate::json::parse(json)?;
    Some(validation_report_json(model, &payload, &crate::validate::ValidateOptions::default(), false, &js_number))
}

/// The local credit estimate (1 credit = US$0.01): `{ model, credits, usd, basis, reason }`.
/// `credits` is null, with the reason, when only the server prices the payload (seedance20)
/// or the pricing inputs are missing. A pre-check only: `quote` is the truth.
#[wasm_bindgen(js_name = estimateCredits, unchecked_return_type = "CreditEstimate")]
pub fn estimate_credits_js(
    #[wasm_bindgen(unchecked_param_type = "Model | (string & {})")] model: JsValue,
    #[wasm_bindgen(unchecked_param_type = "unknown")] payload: JsValue,
) -> JsValue {
    let name = model.as_string().unwrap_or_default();
    let v = match find_model(&name) {
        Ok(spec) => return to_js_via_json(&estimate(spec, &from_js(&payload)).to_value()),
        Err(rej) => Value::object(vec![
            ("model", Value::str(name)),
            ("credits", Value::Null),
            ("usd", Value::Null),
            ("basis", Value::str("")),
            ("reason", Value::str(rej.message)),
        ]),
    };
    to_js(&v)
}

/// The names of the models this client knows.
#[wasm_bindgen(js_name = modelNames, unchecked_return_type = "Model[]")]
pub fn model_names_js() -> JsValue {
    to_js(&Value::Array(contract::model_names().map(Value::str).collect()))
}
