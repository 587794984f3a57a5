// The simulator's own reading of the contract (api-contract.md §4, §5): how the *server*
// validates and prices. Written independently of the Rust core on purpose, so the two can
// be checked against each other rather than agreeing by construction.

const IMG = "image", VID = "video", AUD = "audio";
const str = (o = {}) => ({ type: "string", ...o });
// filterMode appeared for t2v/i2v/lv only (contract §4), never for the v3 models.
const filterMode = (v1) => (v1 ? { filterMode: str({ enum: ["strict", "custom"] }) } : {});
const t2vBase = (durations, v1) => ({
  prompt: str({ required: true, nonEmpty: true }),
  aspectRatio: str({ required: true, enum: ["16:9", "9:16", "1:1"] }),
  duration: str({ required: true, enum: durations }),
  ...filterMode(v1),
});
const i2vBase = (durations, v1) => ({
  image: str({ required: true, media: IMG }),
  prompt: str({ nullable: true }),
  duration: str({ required: true, enum: durations }),
  ...filterMode(v1),
});

export const MODELS = {
  t2v: { fields: t2vBase(["5", "8"], true), seconds: 390 },
  i2v: { fields: i2vBase(["5", "8"], true), seconds: 390 },
  lv: {
    fields: {
      image: str({ required: true, media: IMG }),
      prompt: { type: "array", required: true, minItems: 1, maxItems: 6, items: str({ nonEmpty: true }) },
      filterMode: str({ enum: ["strict", "custom"] }),
    },
    seconds: 600,
  },
  t2v_v3: { fields: t2vBase(["5", "10", "15", "20"], false), seconds: 780 },
  i2v_v3: { fields: i2vBase(["5", "10", "15", "20"], false), seconds: 780 },
  minimax: {
    fields: {
      content: str({ required: true, nonEmpty: true }),
      duration: { type: "integer", min: 5, max: 20 },
      resolution: str({ enum: ["720p", "1080p"] }),
      tier: str({ enum: ["turbo", "base"] }),
      aspectRatio: str({ enum: ["auto", "21:9", "16:9", "4:3", "1:1", "3:4", "9:16"] }),
      imageUrl: str({ nullable: true, media: IMG }),
      lastFrameUrl: str({ nullable: true, media: IMG }),
      referenceImageUrls: { type: "array", maxItems: 4, items: str({ media: IMG }) },
      referenceVideoUrl: str({ nullable: true, media: VID }),
      referenceAudioUrls: { type: "array", maxItems: 2, items: str({ media: AUD }) },
    },
    seconds: 300,
  },
  seedance20: {
    fields: {
      prompt: str({ nullable: true }),
      image: str({ nullable: true, media: IMG }),
      video: str({ nullable: true, media: VID }),
      audio: str({ nullable: true, media: AUD }),
      duration: { type: "number", required: true, min: 4, max: 15 },
      resolution: { type: "number", required: true, enum: [480, 720] },
      ratio: str({ required: true, enum: ["16:9", "9:16", "1:1"] }),
    },
    seconds: 210,
  },
  wan27: {
    fields: {
      prompt: str({ required: true }),
      image: str({ nullable: true, media: IMG }),
      duration: str({ required: true, enum: ["5", "10", "15"] }),
      resolution: str({ required: true, enum: ["720P", "1080P"] }),
      ratio: str({ required: true, enum: ["16:9", "9:16", "1:1", "4:3", "3:4"] }),
      promptExtend: { type: "boolean" },
    },
    seconds: 300,
  },
  happyhorse: {
    fields: {
      prompt: str({ required: true }),
      image: { type: "image-or-list", nullable: true },
      duration: { type: "number", required: true, min: 3, max: 15 },
      resolution: str({ required: true, enum: ["720P", "1080P"] }),
      ratio: str({ nullable: true, enum: ["16:9", "9:16", "3:4", "4:3", "1:1"] }),
    },
    seconds: 300,
  },
};

/** What `/account` lists (Sept 2026: `lv` is gone from the list but still accepted). */
export const SUPPORTED_MODELS = Object.keys(MODELS).filter((m) => m !== "lv");

function mediaOk(kind, v) {
  if (typeof v !== "string") return false;
  if (/^https?:\/\/[^\s/@]+/i.test(v)) return true;
  return kind === IMG && /^data:image\/[a-z0-9.+-]+;base64,[A-Za-z0-9+/]+={0,2}$/i.test(v);
}

function checkField(name, spec, v, problems) {
  const bad = (message) => problems.push({ field: name, message });
  if (v === null) return spec.nullable || bad(`${name} must not be null`);
  switch (spec.type) {
    case "string":
      if (typeof v !== "string") return bad(`${name} must be a string`);
      if (spec.nonEmpty && !v.trim()) return bad(`${name} must not be empty`);
      break;
    case "integer":
      if (!Number.isInteger(v)) return bad(`${name} must be an integer`);
      break;
    case "number":
      if (typeof v !== "number" || !Number.isFinite(v)) return bad(`${name} must be a number`);
      break;
    case "boolean":
      if (typeof v !== "boolean") return bad(`${name} must be a boolean`);
      break;
    case "array":
      if (!Array.isArray(v)) return bad(`${name} must be an array`);
      if (spec.minItems && v.length < spec.minItems) return bad(`${name} needs at least ${spec.minItems} item(s)`);
      if (spec.maxItems != null && v.length > spec.maxItems) return bad(`${name} allows at most ${spec.maxItems} item(s)`);
      v.forEach((item, i) => checkField(`${name}[${i}]`, spec.items, item, problems));
      return;
    case "image-or-list":
      if (typeof v === "string") return mediaOk(IMG, v) || bad(`${name} must be an image URL or data URI`);
      if (!Array.isArray(v) || v.length === 0) return bad(`${name} must be an image or a list of images`);
      v.forEach((item, i) => mediaOk(IMG, item) || bad(`${name}[${i}] must be an image URL or data URI`));
      return;
  }
  if (spec.enum && !spec.enum.includes(v)) return bad(`${name} must be one of ${spec.enum.map((e) => JSON.stringify(e)).join(", ")}`);
  if (spec.min != null && (v < spec.min || v > spec.max)) return bad(`${name} must be between ${spec.min} and ${spec.max}`);
  if (spec.media && !mediaOk(spec.media, v)) return bad(`${name} must be ${spec.media === IMG ? "an http(s) URL or image data URI" : "an http(s) URL"}`);
}

/** Server-side validation: a list of `{field, message}` hints, empty when valid. */
export function validate(model, body) {
  const spec = MODELS[model];
  if (!spec) return null;
  const problems = [];
  if (body === null || typeof body !== "object" || Array.isArray(body)) return [{ field: "", message: "body must be a JSON object" }];
  for (const [name, f] of Object.entries(spec.fields)) {
    if (!(name in body) || body[name] === undefined) {
      if (f.required) problems.push({ field: name, message: `${name} is required` });
      continue;
    }
    checkField(name, f, body[name], problems);
  }
  for (const k of Object.keys(body)) if (!(k in spec.fields)) problems.push({ field: k, message: `unknown field ${k}` });
  const has = (k) => body[k] != null && !(Array.isArray(body[k]) && body[k].length === 0);
  if (model === "minimax" && (has("imageUrl") || has("lastFrameUrl")) && (has("referenceImageUrls") || has("referenceVideoUrl") || has("referenceAudioUrls")))
    problems.push({ field: "imageUrl", message: "frame inputs and reference assets are mutually exclusive" });
  if (model === "seedance20") {
    if (!has("prompt") && !has("image") && !has("video")) problems.push({ field: "prompt", message: "one of prompt, image or video is required" });
  }
  return problems;
}

/** The server's price in credits (1 credit = US$0.01). */
export function price(model, b) {
  const d = Number(b.duration);
  switch (model) {
    case "t2v": case "i2v": return d * 3;
    case "t2v_v3": case "i2v_v3": return d * 4;
    case "lv": return b.prompt.length * 75;
    case "minimax": {
      const dur = b.duration ?? 5, res = b.resolution ?? "720p", tier = b.tier ?? "turbo";
      const rate = res === "720p" ? (tier === "turbo" ? 3 : 4) : tier === "turbo" ? 4 : 5;
      return dur * rate;
    }
    case "seedance20": return b.resolution === 720 ? Math.round(d * 22) : Math.round(d * 10.25);
    case "wan27": return d * (b.resolution === "1080P" ? 15 : 10);
    case "happyhorse": return Math.round(d * (b.resolution === "1080P" ? 50 : 25));
  }
  return 0;
}

/** Nominal run time in simulated seconds (contract §3: t2v 5 s ≈ 6.5 min, seedance 720 ≈ 3.5 min, i2v_v3 ≈ 13 min). */
export function nominalSeconds(model, b) {
  const base = MODELS[model]?.seconds ?? 300;
  const d = Number(b?.duration) || 5;
  return base * (0.6 + 0.4 * (d / 5));
}
