//! The nine model tables (contract §4 fields, §5 prices, §3 durations). Data only.

use super::{Field, Literal, MediaKind, ModelSpec, Pricing, Rule, Type};

const IMAGE: Type = Type::Media(MediaKind::Image);
const RATIOS_3: &[&str] = &["16:9", "9:16", "1:1"];
const FILTER_MODE: Field = Field::new("filterMode", Type::String)
    .one_of(&["strict", "custom"])
    .doc("Content filter mode from an early API version; accepted, never required.");
const PROMPT: Field = Field::new("prompt", Type::String).required().non_empty().doc("What the video shows.");
const ASPECT_RATIO: Field = Field::new("aspectRatio", Type::String).required().one_of(RATIOS_3);
const IMAGE_REQUIRED: Field =
    Field::new("image", IMAGE).required().doc("First frame: an http(s) URL or an image data URI.");
const PROMPT_OPTIONAL: Field = Field::new("prompt", Type::String).nullable().doc("Optional guidance for the motion.");

/// The text-to-video family (t2v, t2v_v3): the same fields, different durations.
const fn text_to_video(durations: &'static [&'static str]) -> [Field; 3] {
    [
        PROMPT,
        ASPECT_RATIO,
        Field::new("duration", Type::String).required().one_of(durations).doc("Seconds, as a string."),
    ]
}

/// The image-to-video family (i2v, i2v_v3): the same fields, different durations.
const fn image_to_video(durations: &'static [&'static str]) -> [Field; 3] {
    [
        IMAGE_REQUIRED,
        PROMPT_OPTIONAL,
        Field::new("duration", Type::String).required().one_of(durations).doc("Seconds, as a string."),
    ]
}

/// The v1 models also take `filterMode` (contract §4: it appeared for t2v/i2v/lv only).
const fn with_filter_mode(f: [Field; 3]) -> [Field; 4] {
    [f[0], f[1], f[2], FILTER_MODE]
}

const DURATIONS_V1: &[&str] = &["5", "8"];
const DURATIONS_V3: &[&str] = &["5", "10", "15", "20"];
const T2V_FIELDS: [Field; 4] = with_filter_mode(text_to_video(DURATIONS_V1));
const T2V_V3_FIELDS: [Field; 3] = text_to_video(DURATIONS_V3);
const I2V_FIELDS: [Field; 4] = with_filter_mode(image_to_video(DURATIONS_V1));
const I2V_V3_FIELDS: [Field; 3] = image_to_video(DURATIONS_V3);

/// Names that belong to other models, mapped to this model's name for the same thing.
const TO_RATIO: &[(&str, &str)] =
    &[("aspectRatio", "ratio"), ("aspect_ratio", "ratio"), ("content", "prompt"), ("imageUrl", "image")];
const TO_ASPECT_RATIO: &[(&str, &str)] =
    &[("ratio", "aspectRatio"), ("aspect_ratio", "aspectRatio"), ("content", "prompt"), ("imageUrl", "image")];

pub static MODELS: &[ModelSpec] = &[
    ModelSpec {
        name: "t2v",
        title: "Text to video",
        fields: &T2V_FIELDS,
        rules: &[],
        pricing: Pricing::PerSecond { keys: &[], rates: &[(&[], 3)] },
        expected_seconds: 390,
        renames: TO_ASPECT_RATIO,
    },
    ModelSpec {
        name: "i2v",
        title: "Image to video",
        fields: &I2V_FIELDS,
        rules: &[],
        pricing: Pricing::PerSecond { keys: &[], rates: &[(&[], 3)] },
        expected_seconds: 390,
        renames: TO_ASPECT_RATIO,
    },
    ModelSpec {
        name: "lv",
        title: "Long video (5 s per prompt)",
        fields: &[
            IMAGE_REQUIRED,
            Field::new("prompt", Type::StringList)
                .required()
                .non_empty()
                .items(1, 6)
                .doc("1 to 6 prompts, one 5-second segment each."),
            FILTER_MODE,
        ],
        rules: &[],
        pricing: Pricing::PerItem { field: "prompt", rate: 75 },
        expected_seconds: 600,
        renames: TO_ASPECT_RATIO,
    },
    ModelSpec {
        name: "t2v_v3",
        title: "Text to video v3",
        fields: &T2V_V3_FIELDS,
        rules: &[],
        pricing: Pricing::PerSecond { keys: &[], rates: &[(&[], 4)] },
        expected_seconds: 780,
        renames: TO_ASPECT_RATIO,
    },
    ModelSpec {
        name: "i2v_v3",
        title: "Image to video v3",
        fields: &I2V_V3_FIELDS,
        rules: &[],
        pricing: Pricing::PerSecond { keys: &[], rates: &[(&[], 4)] },
        expected_seconds: 780,
        renames: TO_ASPECT_RATIO,
    },
    ModelSpec {
        name: "minimax",
        title: "MiniMax H3",
        fields: &[
            Field::new("content", Type::String).required().non_empty().doc("The prompt (this model calls it content)."),
            Field::new("duration", Type::Integer)
                .range(5.0, 20.0)
                .default(Literal::Number(5.0))
                .doc("Seconds, as an integer."),
            Field::new("resolution", Type::String).one_of(&["720p", "1080p"]).default(Literal::Str("720p")),
            Field::new("tier", Type::String).one_of(&["turbo", "base"]).default(Literal::Str("turbo")),
            Field::new("aspectRatio", Type::String)
                .one_of(&["auto", "21:9", "16:9", "4:3", "1:1", "3:4", "9:16"])
                .default(Literal::Str("16:9")),
            Field::new("imageUrl", IMAGE).nullable().doc("First frame."),
            Field::new("lastFrameUrl", IMAGE).nullable().doc("Last frame."),
            Field::new("referenceImageUrls", Type::MediaList(MediaKind::Image))
                .items(0, 4)
                .doc("Up to 4 reference images."),
            Field::new("referenceVideoUrl", Type::Media(MediaKind::Video)).nullable().doc("One reference video URL."),
            Field::new("referenceAudioUrls", Type::MediaList(MediaKind::Audio))
                .items(0, 2)
                .doc("Up to 2 reference audio URLs."),
        ],
        rules: &[Rule::Exclusive {
            a: &["imageUrl", "lastFrameUrl"],
            b: &["referenceImageUrls", "referenceVideoUrl", "referenceAudioUrls"],
        }],
        pricing: Pricing::PerSecond {
            keys: &["resolution", "tier"],
            rates: &[
                (&["720p", "turbo"], 3),
                (&["720p", "base"], 4),
                (&["1080p", "turbo"], 4),
                (&["1080p", "base"], 5),
            ],
        },
        expected_seconds: 300,
        renames: &[
            ("prompt", "content"),
            ("ratio", "aspectRatio"),
            ("aspect_ratio", "aspectRatio"),
            ("image", "imageUrl"),
        ],
    },
    ModelSpec {
        name: "seedance20",
        title: "Seedance 2.0",
        fields: &[
            Field::new("prompt", Type::String).nullable(),
            Field::new("image", IMAGE).nullable().doc("A single image."),
            Field::new("video", Type::Media(MediaKind::Video)).nullable().doc("A single http(s) video URL."),
            Field::new("audio", Type::Media(MediaKind::Audio))
                .nullable()
                .doc("One http(s) audio URL; never the only input."),
            Field::new("duration", Type::Number).required().range(4.0, 15.0).doc("Seconds, as a number."),
            Field::new("resolution", Type::Number)
                .required()
                .one_of_numbers(&[480.0, 720.0])
                .doc("480 or 720, as a number."),
            Field::new("ratio", Type::String).required().one_of(RATIOS_3),
        ],
        rules: &[
            Rule::AtLeastOne(&["prompt", "image", "video"]),
            Rule::NotAlone { field: "audio", with: &["prompt", "image", "video"] },
        ],
        pricing: Pricing::ServerOnly,
        expected_seconds: 210,
        renames: TO_RATIO,
    },
    ModelSpec {
        name: "wan27",
        title: "Wan 2.7",
        fields: &[
            Field::new("prompt", Type::String).required(),
            Field::new("image", IMAGE).nullable().doc("Given: image-to-video."),
            Field::new("duration", Type::String).required().one_of(&["5", "10", "15"]).doc("Seconds, as a string."),
            Field::new("resolution", Type::String).required().one_of(&["720P", "1080P"]).doc("Upper-case P."),
            Field::new("ratio", Type::String).required().one_of(&["16:9", "9:16", "1:1", "4:3", "3:4"]),
            Field::new("promptExtend", Type::Boolean).default(Literal::Bool(false)),
        ],
        rules: &[],
        pricing: Pricing::PerSecond { keys: &["resolution"], rates: &[(&["720P"], 10), (&["1080P"], 15)] },
        expected_seconds: 300,
        renames: TO_RATIO,
    },
    ModelSpec {
        name: "happyhorse",
        title: "HappyHorse",
        fields: &[
            Field::new("prompt", Type::String).required(),
            Field::new("image", Type::MediaOrList(MediaKind::Image))
                .nullable()
                .non_empty()
                .doc("One image: image-to-video; several: reference-to-video."),
            Field::new("duration", Type::Number).required().range(3.0, 15.0).doc("Seconds, as a number."),
            Field::new("resolution", Type::String).required().one_of(&["720P", "1080P"]).doc("Upper-case P."),
            Field::new("ratio", Type::String)
                .nullable()
                .one_of(&["16:9", "9:16", "3:4", "4:3", "1:1"])
                .default(Literal::Str("16:9"))
                .doc("Unused in image-to-video."),
        ],
        rules: &[],
        pricing: Pricing::PerSecond { keys: &["resolution"], rates: &[(&["720P"], 25), (&["1080P"], 50)] },
        expected_seconds: 300,
        renames: TO_RATIO,
    },
];
