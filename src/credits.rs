//! The local credit estimate (contract §5). A pre-check only: `quote` and `creditsCharged`
//! are the truth.
//!
//! Owns: reading a model's `Pricing` entry over a payload, with field defaults applied.
//! Must not: validate (callers validate first) or know models by name.

use crate::contract::{ModelSpec, Pricing};
use crate::value::Value;

/// `credits` is `None` when only the server can price the payload; `reason` then says why.
#[derive(Debug, Clone, PartialEq)]
pub struct Estimate {
    pub model: &'static str,
    pub credits: Option<u64>,
    pub basis: String,
    pub reason: Option<String>,
}

impl Estimate {
    pub fn to_value(&self) -> Value {
        Value::object(vec![
            ("model", Value::str(self.model)),
            ("credits", self.credits.map_or(Value::Null, |c| Value::Number(c as f64))),
            ("usd", self.credits.map_or(Value::Null, |c| Value::Number(c as f64 / 100.0))),
            ("basis", Value::str(self.basis.clone())),
            ("reason", Value::opt_str(self.reason.clone())),
        ])
    }
}

/// A field's value from the payload, or its default from the table.
fn field_value(spec: &ModelSpec, payload: &Value, name: &str) -> Option<Value> {
    match payload.get(name) {
        Some(v) if !v.is_null() => Some(v.clone()),
        _ => spec.field(name)?.default.map(|d| d.to_value()),
    }
}

fn as_seconds(v: &Value) -> Option<f64> {
    let n = match v {
        Value::Number(n) => *n,
        Value::String(s) => crate::value::parse_decimal(s)?,
        _ => return None,
    };
    (n.is_finite() && n >= 0.0).then_some(n)
}

pub fn estimate(spec: &ModelSpec, payload: &Value) -> Estimate {
    let unpriced =
        |reason: String| Estimate { model: spec.name, credits: None, basis: String::new(), reason: Some(reason) };
    match spec.pricing {
        Pricing::ServerOnly => {
            unpriced(format!("{} is priced by the server only: call quote() for the exact price", spec.name))
        }
        Pricing::PerItem { field, rate } => match payload.get(field) {
            Some(Value::Array(items)) => Estimate {
                model: spec.name,
                credits: Some(items.len() as u64 * u64::from(rate)),
                basis: format!("{} × {rate} credits per {field} item", items.len()),
                reason: None,
            },
            _ => unpriced(format!("{field} must be a list to price this payload")),
        },
        Pricing::PerSecond { keys, rates } => {
            let Some(seconds) = field_value(spec, payload, "duration").as_ref().and_then(as_seconds) else {
                return unpriced("duration is missing or not a number of seconds".into());
            };
            let values: Vec<String> = keys
                .iter()
                .map(|k| field_value(spec, payload, k).and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default())
                .collect();
            let row =
                rates.iter().find(|(sel, _)| sel.iter().zip(&values).all(|(a, b)| a == b) && sel.len() == values.len());
            match row {
                Some((_, rate)) => {
                    let credits = (seconds * f64::from(*rate)).round() as u64;
                    let by = if keys.is_empty() { String::new() } else { format!(" ({})", values.join(" ")) };
                    Estimate {
                        model: spec.name,
                        credits: Some(credits),
                        basis: format!("{} s × {rate} credits per second{by}", crate::value::format_number(seconds)),
                        reason: None,
                    }
                }
                None => unpriced(format!("no price for {}", values.join(" "))),
            }
        }
    }
}

/// How a create's price is known before it is sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PriceCheck {
    /// No budget and no quote asked for: nothing to check.
    Skip,
    /// The local estimate is the price to compare.
    Local(u64),
    /// Ask the server's free quote first (server-priced model, or `quoteFirst`).
    Quote,
}

/// Decides the pre-create check from the budget, `quoteFirst` and the local estimate.
pub fn price_check(max_credits: Option<u64>, quote_first: bool, local: Option<u64>) -> PriceCheck {
    match (max_credits, quote_first, local) {
        (None, false, _) => PriceCheck::Skip,
        (_, true, _) | (Some(_), false, None) => PriceCheck::Quote,
        (Some(_), false, Some(price)) => PriceCheck::Local(price),
    }
}

/// The refusal message when `credits` exceeds the caller's budget, else `None`.
pub fn over_budget(credits: u64, max_credits: u64, source: &str) -> Option<String> {
    (credits > max_credits).then(|| {
        format!(
            "this generation costs {credits} credits ({source}), above maxCredits {max_credits}: nothing was sent or charged"
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_quote_is_asked_only_when_needed() {
        assert_eq!(price_check(None, false, Some(15)), PriceCheck::Skip);
        assert_eq!(price_check(None, false, None), PriceCheck::Skip);
        assert_eq!(price_check(Some(20), false, Some(15)), PriceCheck::Local(15));
        assert_eq!(price_check(Some(200), false, None), PriceCheck::Quote, "server-priced model");
        assert_eq!(price_check(None, true, Some(15)), PriceCheck::Quote);
        assert_eq!(price_check(Some(20), true, Some(15)), PriceCheck::Quote);
    }

    #[test]
    fn budget_is_inclusive() {
        assert_eq!(over_budget(15, 15, "estimate"), None);
        assert!(over_budget(16, 15, "quote").is_some_and(|m| m.contains("16 credits (quote)")));
    }
}
