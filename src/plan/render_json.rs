//! The machine-readable view: a versioned JSON document drawn from the same model as the text.
//!
//! Its shape is an API (users parse it in CI): fields are only ever added within a version.

use super::{ApplyResult, FORMAT_VERSION, Plan, apply_summary};
use serde_json::{Value, json};

/// `diff --output json`.
pub fn plan(command: &str, plan: &Plan) -> Value {
    json!({
        "version": FORMAT_VERSION,
        "command": command,
        "region": plan.region,
        "differences": plan.has_differences(),
        "summary": plan.summary(),
        "connections": plan.entries,
    })
}

/// `apply --output json`: the plan it executed and what happened to each connection.
pub fn apply(plan_model: &Plan, results: &[ApplyResult]) -> Value {
    let mut document = plan("apply", plan_model);
    document["results"] = json!(results);
    document["applySummary"] = json!(apply_summary(results));
    document
}
