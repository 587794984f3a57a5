//! The validation contract as data: one table per model (contract §4, §5).
//!
//! Owns: the types a model table is made of (`ModelSpec`, `Field`, `Rule`, `Pricing`) and the
//! lookup of a model by name. Must not: hold validation logic (that is `crate::validate`,
//! which walks these tables) or per-model `match` arms; adding a model is adding an entry
//! in `models.rs`.

mod models;

pub use models::MODELS;

use crate::value::Value;

/// What a media field accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MediaKind {
    /// An http(s) URL or a `data:image/<type>;base64,` URI.
    Image,
    /// An http(s) URL only.
    Video,
    /// An http(s) URL only.
    Audio,
}

impl MediaKind {
    pub fn as_str(self) -> &'static str {
        match self {
            MediaKind::Image => "image",
            MediaKind::Video => "video",
            MediaKind::Audio => "audio",
        }
    }
}

/// The JSON shape a field takes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Type {
    String,
    /// A JSON number with no fractional part.
    Integer,
    Number,
    Boolean,
    /// An array of non-empty strings.
    StringList,
    Media(MediaKind),
    MediaList(MediaKind),
    /// One media string, or a list of them.
    MediaOrList(MediaKind),
}

impl Type {
    pub fn name(self) -> &'static str {
        match self {
            Type::String | Type::Media(_) => "string",
            Type::Integer => "integer",
            Type::Number => "number",
            Type::Boolean => "boolean",
            Type::StringList | Type::MediaList(_) => "string[]",
            Type::MediaOrList(_) => "string | string[]",
        }
    }
}

/// A value written in a model table (a field's default), typed so that every reader
/// agrees on it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Literal {
    Str(&'static str),
    Number(f64),
    Bool(bool),
}

impl Literal {
    pub fn to_value(self) -> Value {
        match self {
            Literal::Str(s) => Value::str(s),
            Literal::Number(n) => Value::Number(n),
            Literal::Bool(b) => Value::Bool(b),
        }
    }
}

/// One field of a model's payload.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Field {
    pub name: &'static str,
    pub ty: Type,
    pub required: bool,
    /// `null` is accepted and means "not given".
    pub nullable: bool,
    /// Strings must hold something other than whitespace; lists need an item.
    pub non_empty: bool,
    /// The only strings accepted (empty = any).
    pub one_of: &'static [&'static str],
    /// The only numbers accepted (empty = any).
    pub one_of_numbers: &'static [f64],
    /// Inclusive numeric range.
    pub range: Option<(f64, f64)>,
    /// Inclusive list length bounds.
    pub items: Option<(usize, usize)>,
    /// The server's default, when the field is optional.
    pub default: Option<Literal>,
    pub doc: &'static str,
}

impl Field {
    pub const fn new(name: &'static str, ty: Type) -> Field {
        Field {
            name,
            ty,
            required: false,
            nullable: false,
            non_empty: false,
            one_of: &[],
            one_of_numbers: &[],
            range: None,
            items: None,
            default: None,
            doc: "",
        }
    }
    pub const fn required(mut self) -> Field {
        self.required = true;
        self
    }
    pub const fn nullable(mut self) -> Field {
        self.nullable = true;
        self
    }
    pub const fn non_empty(mut self) -> Field {
        self.non_empty = true;
        self
    }
    pub const fn one_of(mut self, values: &'static [&'static str]) -> Field {
        self.one_of = values;
        self
    }
    pub const fn one_of_numbers(mut self, values: &'static [f64]) -> Field {
        self.one_of_numbers = values;
        self
    }
    pub const fn range(mut self, min: f64, max: f64) -> Field {
        self.range = Some((min, max));
        self
    }
    pub const fn items(mut self, min: usize, max: usize) -> Field {
        self.items = Some((min, max));
        self
    }
    pub const fn default(mut self, value: Literal) -> Field {
        self.default = Some(value);
        self
    }
    pub const fn doc(mut self, doc: &'static str) -> Field {
        self.doc = doc;
        self
    }
}

/// A rule across fields.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Rule {
    /// No field of `a` may be given together with a field of `b`.
    Exclusive { a: &'static [&'static str], b: &'static [&'static str] },
    /// At least one of these must be given.
    AtLeastOne(&'static [&'static str]),
    /// `field` may be given only together with one of `with`.
    NotAlone { field: &'static str, with: &'static [&'static str] },
}

/// How the price in credits is computed (1 credit = US$0.01).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Pricing {
    /// `duration × rate`, with the rate picked by the values of `keys` (defaults applied).
    PerSecond { keys: &'static [&'static str], rates: &'static [(&'static [&'static str], u32)] },
    /// `items in field × rate`.
    PerItem { field: &'static str, rate: u32 },
    /// Priced by the server only: use `quote`.
    ServerOnly,
}

/// One model: its fields, cross-field rules, price and expected run time.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ModelSpec {
    pub name: &'static str,
    pub title: &'static str,
    pub fields: &'static [Field],
    pub rules: &'static [Rule],
    pub pricing: Pricing,
    /// Measured or estimated run time of a 5-second clip, in seconds (contract §3).
    pub expected_seconds: u32,
    /// Wrong field names users carry over from other models, and the right one here.
    pub renames: &'static [(&'static str, &'static str)],
}

impl ModelSpec {
    pub fn field(&self, name: &str) -> Option<&'static Field> {
        self.fields.iter().find(|f| f.name == name)
    }
}

pub fn model(name: &str) -> Option<&'static ModelSpec> {
    MODELS.iter().find(|m| m.name == name)
}

pub fn model_names() -> impl Iterator<Item = &'static str> {
    MODELS.iter().map(|m| m.name)
}
