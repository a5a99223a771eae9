//! AWS Health (over Smithy RPC v2 CBOR): DescribeEvents and DescribeAffectedEntities of
//! the caller's account's Direct Connect maintenance, whose status follows the clock.

use serde_json::{Value, json};

use super::paging::{Listing, paginate};
use super::{MaintenanceSpec, State};
use crate::simulator::protocol::cbor::timestamp;
use crate::simulator::protocol::{ApiError, Caller, OpResult};

/// Support plans without access to the AWS Health API.
const NO_HEALTH_PLANS: [&str; 2] = ["basic", "developer"];

impl State {
    /// `SubscriptionRequiredException` unless the caller's account has a support plan
    /// with the AWS Health API.
    fn health_access(&self, caller: &Caller) -> Result<&[MaintenanceSpec], ApiError> {
        let account = self.account_of(caller);
        if NO_HEALTH_PLANS.contains(&account.support_plan.as_str()) {
            return Err(ApiError::new(
                400,
                "SubscriptionRequiredException",
                "The AWS Support plan of this account does not include the AWS Health API",
            ));
        }
        Ok(&account.maintenance)
    }

    /// `(start, end)` of a window in Unix seconds, and its status now.
    fn window(&self, m: &MaintenanceSpec) -> (f64, f64, &'static str) {
        let start_ms = i64::try_from(m.starts_in.0.as_millis()).unwrap_or(i64::MAX);
        let end_ms = start_ms.saturating_add(i64::try_from(m.duration.0.as_millis()).unwrap_or(0));
        let now = i64::try_from(self.now_ms()).unwrap_or(i64::MAX);
        let status = if now < start_ms {
            "upcoming"
        } else if now < end_ms {
            "open"
        } else {
            "closed"
        };
        (
            self.unix_seconds(start_ms),
            self.unix_seconds(end_ms),
            status,
        )
    }

    /// DescribeEvents: the account's maintenance events matching `filter` (services,
    /// eventTypeCategories, eventStatusCodes, regions, eventArns), by ARN.
    pub(crate) fn describe_health_events(&self, caller: &Caller, input: &Value) -> OpResult {
        let events = self.health_access(caller)?;
        let filter = input.get("filter").cloned().unwrap_or(Value::Null);
        let allows = |member: &str, value: &str| {
            filter
                .get(member)
                .and_then(Value::as_array)
                .is_none_or(|list| list.iter().any(|v| v.as_str() == Some(value)))
        };
        let mut found: Vec<(String, Value)> = events
            .iter()
            .filter_map(|m| {
                let (start, end, status) = self.window(m);
                let arn = m.arn();
                let keep = allows("services", "DIRECTCONNECT")
                    && allows("eventTypeCategories", "scheduledChange")
                    && allows("eventStatusCodes", status)
                    && allows("regions", &m.region)
                    && allows("eventArns", &arn)
                    && allows("eventTypeCodes", &m.event_type);
                let event = json!({
                    "arn": arn,
                    "service": "DIRECTCONNECT",
                    "eventTypeCode": m.event_type,
                    "eventTypeCategory": "scheduledChange",
                    "region": m.region,
                    "startTime": timestamp(start),
                    "endTime": timestamp(end),
                    "lastUpdatedTime": timestamp(self.unix_seconds(0)),
                    "statusCode": status,
                    "eventScopeCode": "ACCOUNT_SPECIFIC",
                });
                keep.then_some((arn, event))
            })
            .collect();
        found.sort_by(|a, b| a.0.cmp(&b.0));
        let page = paginate(found.into_iter(), input, Listing::HealthEvents).map_err(bad_token)?;
        Ok(page.into_json(Listing::HealthEvents, |e| e))
    }

    /// DescribeAffectedEntities: the resources of the events named in `filter.eventArns`
    /// (1 to 10), by event and resource.
    pub(crate) fn describe_affected_entities(&self, caller: &Caller, input: &Value) -> OpResult {
        let events = self.health_access(caller)?;
        let arns: Vec<&str> = input
            .get("filter")
            .and_then(|f| f.get("eventArns"))
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        if arns.is_empty() || arns.len() > 10 {
            return Err(ApiError::new(
                400,
                "ValidationException",
                "filter.eventArns needs 1 to 10 event ARNs",
            ));
        }
        let mut found: Vec<(String, Value)> = Vec::new();
        for m in events {
            let arn = m.arn();
            if !arns.contains(&arn.as_str()) {
                continue;
            }
            for r in &m.resources {
                found.push((
                    format!("{arn}|{r}"),
                    json!({
                        "entityArn": format!("arn:aws:health:{}:{}:entity/{r}", m.region, caller.account),
                        "eventArn": arn,
                        "entityValue": r,
                        "awsAccountId": caller.account,
                        "lastUpdatedTime": timestamp(self.unix_seconds(0)),
                        "statusCode": "IMPAIRED",
                    }),
                ));
            }
        }
        found.sort_by(|a, b| a.0.cmp(&b.0));
        let page =
            paginate(found.into_iter(), input, Listing::AffectedEntities).map_err(bad_token)?;
        Ok(page.into_json(Listing::AffectedEntities, |e| e))
    }
}

/// A paging error in AWS Health's terms.
fn bad_token(e: ApiError) -> ApiError {
    ApiError::new(400, "InvalidPaginationToken", e.message)
}
