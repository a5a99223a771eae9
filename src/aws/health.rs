//! The maintenance collector: AWS Health scheduled changes of Direct Connect (upcoming
//! and open), each with the connections and VIFs it affects. Health is global: one
//! collector per target, always through the us-east-1 endpoint.

use std::collections::BTreeMap;
use std::time::{Instant, SystemTime};

use aws_sdk_health::types::{EntityFilter, EventFilter, EventStatusCode, EventTypeCategory};

use super::describe::paginate;
use super::{CallError, Session};
use crate::model::{AffectedKind, CallResult, CollectorKind, MaintenanceEvent};

/// The operations this collector calls, in order.
pub const OPERATIONS: [&str; 2] = ["DescribeEvents", "DescribeAffectedEntities"];
/// The Health service code of Direct Connect.
const SERVICE: &str = "DIRECTCONNECT";
/// Page size asked of both operations (their maximum).
const PAGE_SIZE: i32 = 100;
/// Event ARNs one DescribeAffectedEntities call may filter on (the API's maximum).
const ARNS_PER_CALL: usize = 10;

/// An event of the listing, before its affected entities are known.
#[derive(Debug, Clone)]
struct Event {
    arn: String,
    event_type: String,
    status: String,
    region: String,
    start: Option<SystemTime>,
    end: Option<SystemTime>,
}

/// Upcoming and open scheduled changes of Direct Connect, one entry per event and
/// affected connection, LAG or VIF, sorted by event and resource.
pub async fn collect_maintenance(
    session: &Session,
    deadline: Instant,
) -> Result<Vec<MaintenanceEvent>, CallError> {
    let region = CollectorKind::Maintenance
        .fixed_region()
        .unwrap_or("us-east-1");
    let client = session.health_client(region);
    let c = &client;
    let [describe_events, describe_entities] = OPERATIONS;
    let filter = EventFilter::builder()
        .services(SERVICE)
        .event_type_categories(EventTypeCategory::ScheduledChange)
        .event_status_codes(EventStatusCode::Upcoming)
        .event_status_codes(EventStatusCode::Open)
        .build();
    let filter = &filter;
    let events: Vec<Event> = paginate(describe_events, |token| async move {
        let out = session
            .call(describe_events, deadline, || {
                c.describe_events()
                    .filter(filter.clone())
                    .max_results(PAGE_SIZE)
                    .set_next_token(token.clone())
                    .send()
            })
            .await?;
        let page = out.events().iter().filter_map(event).collect();
        Ok((page, out.next_token().map(str::to_owned)))
    })
    .await?;
    let by_arn: BTreeMap<&str, &Event> = events.iter().map(|e| (e.arn.as_str(), e)).collect();
    let mut out = Vec::new();
    for chunk in events.chunks(ARNS_PER_CALL) {
        let entity_filter = EntityFilter::builder()
            .set_event_arns(Some(chunk.iter().map(|e| e.arn.clone()).collect()))
            .build()
            .map_err(|e| CallError::Api {
                operation: describe_entities,
                result: CallResult::ClientError,
                message: e.to_string(),
            })?;
        let entity_filter = &entity_filter;
        let entities: Vec<(String, String)> = paginate(describe_entities, |token| async move {
            let out = session
                .call(describe_entities, deadline, || {
                    c.describe_affected_entities()
                        .filter(entity_filter.clone())
                        .max_results(PAGE_SIZE)
                        .set_next_token(token.clone())
                        .send()
                })
                .await?;
            let page = out
                .entities()
                .iter()
                .map(|e| {
                    let arn = e.event_arn().unwrap_or_default().to_owned();
                    (arn, e.entity_value().unwrap_or_default().to_owned())
                })
                .collect();
            Ok((page, out.next_token().map(str::to_owned)))
        })
        .await?;
        for (arn, value) in entities {
            let Some(event) = by_arn.get(arn.as_str()) else {
                continue;
            };
            match affected(&value) {
                Some((kind, id)) => out.push(MaintenanceEvent {
                    event_arn: event.arn.clone(),
                    event_type: event.event_type.clone(),
                    status: event.status.clone(),
                    region: event.region.clone(),
                    kind,
                    resource_id: id.to_owned(),
                    start: event.start,
                    end: event.end,
                }),
                None => {
                    tracing::debug!(event_arn = %arn, entity = %value, "affected entity is not a connection, LAG or VIF; skipped")
                }
            }
        }
    }
    out.sort_by(|a, b| (&a.event_arn, &a.resource_id).cmp(&(&b.event_arn, &b.resource_id)));
    out.dedup_by(|a, b| a.event_arn == b.event_arn && a.resource_id == b.resource_id);
    Ok(out)
}

/// An event of the listing in the model's terms; `None` without an ARN.
fn event(e: &aws_sdk_health::types::Event) -> Option<Event> {
    let time =
        |d: Option<&aws_smithy_types::DateTime>| d.and_then(|d| SystemTime::try_from(*d).ok());
    Some(Event {
        arn: e.arn().filter(|a| !a.is_empty())?.to_owned(),
        event_type: e.event_type_code().unwrap_or_default().to_owned(),
        status: e
            .status_code()
            .map(|s| s.as_str().to_ascii_lowercase())
            .unwrap_or_default(),
        region: e.region().unwrap_or_default().to_owned(),
        start: time(e.start_time()),
        end: time(e.end_time()),
    })
}

/// The kind and id of an affected entity: a connection, LAG or VIF id, bare or at the
/// end of an ARN (`…:dxcon/dxcon-abc`); `None` for anything else.
fn affected(value: &str) -> Option<(AffectedKind, &str)> {
    let id = value.rsplit(['/', ':']).next()?.trim();
    if id.starts_with("dxvif-") {
        Some((AffectedKind::VirtualInterface, id))
    } else if id.starts_with("dxcon-") || id.starts_with("dxlag-") {
        Some((AffectedKind::Connection, id))
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn affected_entities_are_connections_lags_or_vifs_by_their_id() {
        assert_eq!(
            affected("dxcon-fgq3qnl2"),
            Some((AffectedKind::Connection, "dxcon-fgq3qnl2"))
        );
        assert_eq!(
            affected("dxlag-ffrz71kw"),
            Some((AffectedKind::Connection, "dxlag-ffrz71kw"))
        );
        assert_eq!(
            affected("arn:aws:directconnect:us-east-1:111111111111:dxvif/dxvif-ffhhk8ho"),
            Some((AffectedKind::VirtualInterface, "dxvif-ffhhk8ho"))
        );
        assert_eq!(affected("UNKNOWN"), None);
        assert_eq!(affected(""), None);
    }
}
