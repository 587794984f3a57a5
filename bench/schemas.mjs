// The same contract written as peers would write it, for the validation benchmark: one JSON
// Schema per model (compiled by ajv) and one zod schema per model. Cross-field rules are
// included so all three validators do the same work.

const URL_RE = "^https?://[^\\s/@]+";
const IMAGE_RE = "^(https?://[^\\s/@]+.*|data:image/[a-zA-Z0-9.+-]+;base64,[A-Za-z0-9+/]+={0,2})$";
const str = (extra = {}) => ({ type: "string", ...extra });
const image = { type: "string", pattern: IMAGE_RE };
const nullable = (s) => ({ anyOf: [s, { type: "null" }] });
const filterMode = { enum: ["strict", "custom"] };
const obj = (properties, required, extra = {}) => ({ type: "object", properties, required, additionalProperties: false, ...extra });

export const jsonSchemas = {
  t2v: obj({ prompt: str({ minLength: 1, pattern: "\\S" }), aspectRatio: { enum: ["16:9", "9:16", "1:1"] }, duration: { enum: ["5", "8"] }, filterMode }, ["prompt", "aspectRatio", "duration"]),
  i2v: obj({ image, prompt: nullable(str()), duration: { enum: ["5", "8"] }, filterMode }, ["image", "duration"]),
  lv: obj({ image, prompt: { type: "array", minItems: 1, maxItems: 6, items: str({ pattern: "\\S" }) }, filterMode }, ["image", "prompt"]),
  t2v_v3: obj({ prompt: str({ minLength: 1, pattern: "\\S" }), aspectRatio: { enum: ["16:9", "9:16", "1:1"] }, duration: { enum: ["5", "10", "15", "20"] }, filterMode }, ["prompt", "aspectRatio", "duration"]),
  i2v_v3: obj({ image, prompt: nullable(str()), duration: { enum: ["5", "10", "15", "20"] }, filterMode }, ["image", "duration"]),
  minimax: obj({
    content: str({ pattern: "\\S" }), duration: { type: "integer", minimum: 5, maximum: 20 }, resolution: { enum: ["720p", "1080p"] },
    tier: { enum: ["turbo", "base"] }, aspectRatio: { enum: ["auto", "21:9", "16:9", "4:3", "1:1", "3:4", "9:16"] },
    imageUrl: nullable(image), lastFrameUrl: nullable(image), referenceImageUrls: { type: "array", maxItems: 4, items: image },
    referenceVideoUrl: nullable(str({ pattern: URL_RE })), referenceAudioUrls: { type: "array", maxItems: 2, items: str({ pattern: URL_RE }) },
  }, ["content"], {
    not: { allOf: [
      { anyOf: [{ required: ["imageUrl"], properties: { imageUrl: { type: "string" } } }, { required: ["lastFrameUrl"], properties: { lastFrameUrl: { type: "string" } } }] },
      { anyOf: [{ required: ["referenceImageUrls"], properties: { referenceImageUrls: { minItems: 1 } } }, { required: ["referenceVideoUrl"], properties: { referenceVideoUrl: { type: "string" } } }, { required: ["referenceAudioUrls"], properties: { referenceAudioUrls: { minItems: 1 } } }] },
    ] },
  }),
  seedance20: obj({
    prompt: nullable(str()), image: nullable(image), video: nullable(str({ pattern: URL_RE })), audio: nullable(str({ pattern: URL_RE })),
    duration: { type: "number", minimum: 4, maximum: 15 }, resolution: { enum: [480, 720] }, ratio: { enum: ["16:9", "9:16", "1:1"] },
  }, ["duration", "resolution", "ratio"], {
    anyOf: [{ required: ["prompt"], properties: { prompt: { type: "string" } } }, { required: ["image"], properties: { image: { type: "string" } } }, { required: ["video"], properties: { video: { type: "string" } } }],
  }),
  wan27: obj({ prompt: str(), image: nullable(image), duration: { enum: ["5", "10", "15"] }, resolution: { enum: ["720P", "1080P"] }, ratio: { enum: ["16:9", "9:16", "1:1", "4:3", "3:4"] }, promptExtend: { type: "boolean" } }, ["prompt", "duration", "resolution", "ratio"]),
  happyhorse: obj({ prompt: str(), image: { anyOf: [image, { type: "array", minItems: 1, items: image }, { type: "null" }] }, duration: { type: "number", minimum: 3, maximum: 15 }, resolution: { enum: ["720P", "1080P"] }, ratio: nullable({ enum: ["16:9", "9:16", "3:4", "4:3", "1:1"] }) }, ["prompt", "duration", "resolution"]),
};

/** zod is passed in: the bench resolves it from the test harness's node_modules. */
export function zodSchemas(z) {
const zImage = z.string().regex(new RegExp(IMAGE_RE));
const zUrl = z.string().regex(new RegExp(URL_RE));
const zFilter = z.enum(["strict", "custom"]).optional();
const nonBlank = z.string().regex(/\S/);
const given = (v) => v != null && !(Array.isArray(v) && v.length === 0);

return {
  t2v: z.strictObject({ prompt: nonBlank, aspectRatio: z.enum(["16:9", "9:16", "1:1"]), duration: z.enum(["5", "8"]), filterMode: zFilter }),
  i2v: z.strictObject({ image: zImage, prompt: z.string().nullish(), duration: z.enum(["5", "8"]), filterMode: zFilter }),
  lv: z.strictObject({ image: zImage, prompt: z.array(nonBlank).min(1).max(6), filterMode: zFilter }),
  t2v_v3: z.strictObject({ prompt: nonBlank, aspectRatio: z.enum(["16:9", "9:16", "1:1"]), duration: z.enum(["5", "10", "15", "20"]), filterMode: zFilter }),
  i2v_v3: z.strictObject({ image: zImage, prompt: z.string().nullish(), duration: z.enum(["5", "10", "15", "20"]), filterMode: zFilter }),
  minimax: z.strictObject({
    content: nonBlank, duration: z.number().int().min(5).max(20).optional(), resolution: z.enum(["720p", "1080p"]).optional(),
    tier: z.enum(["turbo", "base"]).optional(), aspectRatio: z.enum(["auto", "21:9", "16:9", "4:3", "1:1", "3:4", "9:16"]).optional(),
    imageUrl: zImage.nullish(), lastFrameUrl: zImage.nullish(), referenceImageUrls: z.array(zImage).max(4).optional(),
    referenceVideoUrl: zUrl.nullish(), referenceAudioUrls: z.array(zUrl).max(2).optional(),
  }).superRefine((v, ctx) => {
    if ((given(v.imageUrl) || given(v.lastFrameUrl)) && (given(v.referenceImageUrls) || given(v.referenceVideoUrl) || given(v.referenceAudioUrls)))
      ctx.addIssue({ code: "custom", message: "frame inputs and reference assets are mutually exclusive" });
  }),
  seedance20: z.strictObject({
    prompt: z.string().nullish(), image: zImage.nullish(), video: zUrl.nullish(), audio: zUrl.nullish(),
    duration: z.number().min(4).max(15), resolution: z.union([z.literal(480), z.literal(720)]), ratio: z.enum(["16:9", "9:16", "1:1"]),
  }).superRefine((v, ctx) => {
    if (!given(v.prompt) && !given(v.image) && !given(v.video)) ctx.addIssue({ code: "custom", message: "one of prompt, image, video" });
    if (given(v.audio) && !given(v.prompt) && !given(v.image) && !given(v.video)) ctx.addIssue({ code: "custom", message: "audio alone" });
  }),
  wan27: z.strictObject({ prompt: z.string(), image: zImage.nullish(), duration: z.enum(["5", "10", "15"]), resolution: z.enum(["720P", "1080P"]), ratio: z.enum(["16:9", "9:16", "1:1", "4:3", "3:4"]), promptExtend: z.boolean().optional() }),
  happyhorse: z.strictObject({ prompt: z.string(), image: z.union([zImage, z.array(zImage).min(1)]).nullish(), duration: z.number().min(3).max(15), resolution: z.enum(["720P", "1080P"]), ratio: z.enum(["16:9", "9:16", "3:4", "4:3", "1:1"]).nullish() }),
};
}
