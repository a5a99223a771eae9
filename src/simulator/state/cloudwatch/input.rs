//! The GetMetricData input as CloudWatch checks it: its `MetricStat` queries (id, metric, dimensions, period, statistic) and timestamps, or `InvalidParameterValue`.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::simulator::protocol::ApiError;
use crate::simulator::protocol::cbor::epoch_seconds;

/// Queries one GetMetricData call may carry (AWS's limit).
const MAX_QUERIES: usize = 500;

/// One MetricDataQuery, as far as the simulator answers it.
pub(super) struct Query {
    pub(super) id: String,
    pub(super) label: String,
    pub(super) stat: String,
    pub(super) period: Option<i64>,
    pub(super) metric: String,
    pub(super) namespace: String,
    pub(super) dims: BTreeMap<String, String>,
    pub(super) return_data: bool,
}

/// The queries of a GetMetricData input.
pub(super) fn queries(input: &Value) -> Result<Vec<Query>, ApiError> {
    let list = input
        .get("MetricDataQueries")
        .and_then(Value::as_array)
        .filter(|l| !l.is_empty())
        .ok_or_else(|| invalid("MetricDataQueries is required"))?;
    if list.len() > MAX_QUERIES {
        return Err(invalid(format!(
            "The collection MetricDataQueries must not have a size greater than {MAX_QUERIES}."
        )));
    }
    let mut seen = std::collections::HashSet::new();
    list.iter()
        .map(|q| {
            let id = q.get("Id").and_then(Value::as_str).unwrap_or_default();
            let id_ok = id.starts_with(|c: char| c.is_ascii_lowercase())
                && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
            if !id_ok || !seen.insert(id.to_owned()) {
                return Err(invalid(format!("invalid or repeated query Id {id:?}")));
            }
            let stat = q.get("MetricStat").ok_or_else(|| {
                invalid(format!(
                    "query {id}: the simulator answers MetricStat queries only"
                ))
            })?;
            let metric = stat.get("Metric").cloned().unwrap_or(Value::Null);
            let text = |v: &Value, k: &str| {
                v.get(k)
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_owned()
            };
            let dims = metric
                .get("Dimensions")
                .and_then(Value::as_array)
                .map(|ds| {
                    ds.iter()
                        .map(|d| (text(d, "Name"), text(d, "Value")))
                        .collect::<BTreeMap<_, _>>()
                })
                .unwrap_or_default();
            let name = text(&metric, "MetricName");
            Ok(Query {
                id: id.to_owned(),
                label: q
                    .get("Label")
                    .and_then(Value::as_str)
                    .map_or_else(|| name.clone(), str::to_owned),
                stat: text(stat, "Stat"),
                period: stat.get("Period").and_then(Value::as_i64),
                metric: name,
                namespace: text(&metric, "Namespace"),
                dims,
                return_data: q.get("ReturnData").and_then(Value::as_bool).unwrap_or(true),
            })
        })
        .collect()
}

/// The period of a query, in seconds: a multiple of 60.
pub(super) fn period_of(q: &Query) -> Result<i64, ApiError> {
    let period = q
        .period
        .ok_or_else(|| invalid(format!("query {}: MetricStat.Period is required", q.id)))?;
    if period < 60 || period % 60 != 0 {
        return Err(invalid(format!(
            "query {}: the period must be a multiple of 60 seconds for AWS/DX, got {period}",
            q.id
        )));
    }
    Ok(period)
}

/// The aggregation a statistic names.
pub(super) fn statistic(stat: &str) -> Result<fn(&[f64]) -> f64, ApiError> {
    Ok(match stat {
        "Average" => |s| s.iter().sum::<f64>() / s.len() as f64,
        "Minimum" => |s| s.iter().copied().fold(f64::INFINITY, f64::min),
        "Maximum" => |s| s.iter().copied().fold(f64::NEG_INFINITY, f64::max),
        "Sum" => |s| s.iter().sum(),
        "SampleCount" => |s| s.len() as f64,
        other => {
            return Err(invalid(format!(
                "the simulator answers Average, Minimum, Maximum, Sum and SampleCount, not {other:?}"
            )));
        }
    })
}

/// A required timestamp member, in epoch seconds.
pub(super) fn time_field(input: &Value, key: &str) -> Result<f64, ApiError> {
    input
        .get(key)
        .and_then(epoch_seconds)
        .ok_or_else(|| invalid(format!("{key} is required")))
}

/// CloudWatch's `InvalidParameterValue` (400).
pub(super) fn invalid(message: impl Into<String>) -> ApiError {
    ApiError::new(400, "InvalidParameterValue", message)
}
