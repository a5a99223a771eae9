//! AWS scheduled maintenance in the status view: each upcoming or open event per affected
//! connection or VIF, from the opt-in `maintenance` collector's data.

use std::time::SystemTime;

use serde::Serialize;

use crate::model::{AffectedKind, CollectorData, CollectorKind, MaintenanceEvent, Snapshot};
use crate::timefmt::rfc3339;

/// One maintenance event as it affects one resource.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MaintenanceStatus {
    /// The account whose AWS Health reported it.
    pub account_id: String,
    /// The event's region (`global` for global events).
    pub region: String,
    /// The event's ARN.
    pub event_arn: String,
    /// `eventTypeCode`, e.g. `AWS_DIRECTCONNECT_MAINTENANCE_SCHEDULED`.
    pub event_type: String,
    /// `upcoming` or `open`.
    pub status: String,
    /// `connection` (a connection or LAG) or `virtual_interface`.
    pub resource_type: &'static str,
    /// The affected resource's id.
    pub resource_id: String,
    /// RFC 3339 start of the window, when AWS gives one.
    pub start: Option<String>,
    /// RFC 3339 end of the window, when AWS gives one.
    pub end: Option<String>,
    /// Seconds from the view's `generated_at` to the start; negative once it has begun.
    pub starts_in_seconds: Option<i64>,
}

/// Every event of every `maintenance` collector, open ones first, then by start; `None`
/// when no `maintenance` collector runs (the page then says nothing about maintenance).
pub fn maintenance(snapshot: &Snapshot, now: SystemTime) -> Option<Vec<MaintenanceStatus>> {
    let running = snapshot
        .collectors
        .iter()
        .any(|c| c.key.kind == CollectorKind::Maintenance);
    let mut out = Vec::new();
    for c in &snapshot.collectors {
        if let Some(CollectorData::Maintenance(events)) = &c.data {
            out.extend(events.iter().map(|e| status(&c.key.account_id, e, now)));
        }
    }
    out.sort_by(|a, b| {
        (a.status != "open", a.starts_in_seconds, &a.resource_id).cmp(&(
            b.status != "open",
            b.starts_in_seconds,
            &b.resource_id,
        ))
    });
    out.dedup();
    running.then_some(out)
}

fn status(account_id: &str, e: &MaintenanceEvent, now: SystemTime) -> MaintenanceStatus {
    MaintenanceStatus {
        account_id: account_id.to_owned(),
        region: e.region.clone(),
        event_arn: e.event_arn.clone(),
        event_type: e.event_type.clone(),
        status: e.status.clone(),
        resource_type: match e.kind {
            AffectedKind::Connection => "connection",
            AffectedKind::VirtualInterface => "virtual_interface",
        },
        resource_id: e.resource_id.clone(),
        start: e.start.map(rfc3339),
        end: e.end.map(rfc3339),
        starts_in_seconds: e.start.map(|s| seconds_between(now, s)),
    }
}

/// `to - from` in whole seconds, negative when `to` is earlier.
fn seconds_between(from: SystemTime, to: SystemTime) -> i64 {
    match to.duration_since(from) {
        Ok(d) => i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
        Err(e) => -i64::try_from(e.duration().as_secs()).unwrap_or(i64::MAX),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn seconds_between_is_signed() {
        let t = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000);
        assert_eq!(seconds_between(t, t + Duration::from_secs(90)), 90);
        assert_eq!(seconds_between(t, t - Duration::from_secs(90)), -90);
    }
}
