//! GetMetricData over the series: one datapoint per period with the query's statistic, published a delay after the period ends, newest first, in pages resumed by `NextToken`.

use serde_json::{Map, Value, json};

use super::input::{Query, invalid, period_of, queries, statistic, time_field};
use super::series::SAMPLE_SECONDS;
use crate::simulator::protocol::cbor::timestamp;
use crate::simulator::protocol::{ApiError, Caller, OpResult};
use crate::simulator::state::{RegionState, State};

/// Seconds after the end of a period before its datapoint is published.
pub const PUBLICATION_DELAY_SECONDS: i64 = 120;
/// Results per page. AWS pages by datapoints only; the simulator also cuts pages at this
/// many results so that clients' `NextToken` handling is exercised.
pub const MAX_METRIC_RESULTS_PAGE: usize = 100;
/// Values per page when the request sets no `MaxDatapoints` (AWS's default).
const DEFAULT_MAX_DATAPOINTS: usize = 100_800;
/// Prefix of the simulator's `NextToken` values.
const TOKEN_PREFIX: &str = "dxsim-cw-";

impl State {
    /// GetMetricData: `MetricStat` queries over the caller's account and region, between
    /// `StartTime` and `EndTime`, per `Period`, newest first unless `ScanBy` is
    /// `TimestampAscending`; paginated by `NextToken`.
    pub(crate) fn get_metric_data(&mut self, caller: &Caller, input: &Value) -> OpResult {
        self.tick();
        let queries = queries(input)?;
        let start = time_field(input, "StartTime")?;
        let end = time_field(input, "EndTime")?;
        if end <= start {
            return Err(invalid("EndTime must be after StartTime"));
        }
        let ascending = input.get("ScanBy").and_then(Value::as_str) == Some("TimestampAscending");
        let max_points = input
            .get("MaxDatapoints")
            .and_then(Value::as_u64)
            .map_or(DEFAULT_MAX_DATAPOINTS, |n| n.max(1) as usize);
        let first = match input.get("NextToken").and_then(Value::as_str) {
            None => 0,
            Some(token) => token
                .strip_prefix(TOKEN_PREFIX)
                .and_then(|n| n.parse::<usize>().ok())
                .filter(|n| *n < queries.len())
                .ok_or_else(|| {
                    ApiError::new(
                        400,
                        "InvalidNextToken",
                        "The service couldn't process the token.",
                    )
                })?,
        };
        let published = self.clock.now_epoch_seconds() as i64 - PUBLICATION_DELAY_SECONDS;
        let region = self.region_of(caller);
        let mut results = Vec::new();
        let mut points = 0;
        let mut next = None;
        for (i, q) in queries.iter().enumerate().skip(first) {
            if !q.return_data {
                continue;
            }
            let (timestamps, values) = self.series(region, q, (start, end), published)?;
            let full = results.len() >= MAX_METRIC_RESULTS_PAGE
                || (!results.is_empty() && points + values.len() > max_points);
            if full {
                next = Some(format!("{TOKEN_PREFIX}{i}"));
                break;
            }
            points += values.len();
            let (mut timestamps, mut values) = (timestamps, values);
            if ascending {
                timestamps.reverse();
                values.reverse();
            }
            results.push(json!({
                "Id": q.id,
                "Label": q.label,
                "Timestamps": timestamps.into_iter().map(|t| timestamp(t as f64)).collect::<Vec<_>>(),
                "Values": values,
                "StatusCode": "Complete",
            }));
        }
        let mut out = Map::new();
        out.insert("MetricDataResults".into(), Value::Array(results));
        out.insert("Messages".into(), json!([]));
        if let Some(token) = next {
            out.insert("NextToken".into(), Value::String(token));
        }
        Ok(Value::Object(out))
    }

    /// The published datapoints of query `q` in `[start, end)`, newest first: period
    /// starts and the statistic over each period's samples.
    fn series(
        &self,
        region: &RegionState,
        q: &Query,
        (start, end): (f64, f64),
        published: i64,
    ) -> Result<(Vec<i64>, Vec<Value>), ApiError> {
        let period = period_of(q)?;
        let aggregate = statistic(&q.stat)?;
        let Some(sample) = self.sampler(region, q) else {
            return Ok((Vec::new(), Vec::new()));
        };
        let mut p = (start as i64).div_euclid(period) * period;
        let mut points = Vec::new();
        while (p as f64) < end && p + period <= published {
            let samples: Vec<f64> = (0..period / SAMPLE_SECONDS)
                .filter_map(|k| sample(p + k * SAMPLE_SECONDS))
                .collect();
            if !samples.is_empty() {
                points.push((p, aggregate(&samples)));
            }
            p += period;
        }
        points.reverse();
        Ok(points.into_iter().map(|(t, v)| (t, json!(v))).unzip())
    }
}
