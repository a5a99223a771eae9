//! Maintenance families (the opt-in `maintenance` collector): AWS Health scheduled changes
//! of Direct Connect, one series per event and affected resource. The resource's own id
//! label is set (`connection_id` for connections and LAGs, `virtual_interface_id` for
//! VIFs) and the other is empty, which Prometheus stores as absent; `aws_region` is the
//! event's region.

use super::{Family, Samples};
use crate::model::{AffectedKind, CollectorKey, MaintenanceEvent};

pub static INFO: Family = Family::info(
    "maintenance_event",
    "An upcoming or open AWS Health scheduled change of Direct Connect and a connection, LAG (connection_id) or VIF (virtual_interface_id) it affects; aws_region is the event's region.",
    &[
        "aws_account_id",
        "aws_region",
        "event_arn",
        "event_type",
        "status",
        "connection_id",
        "virtual_interface_id",
    ],
);

const WINDOW: &[&str] = &[
    "aws_account_id",
    "aws_region",
    "event_arn",
    "connection_id",
    "virtual_interface_id",
];

pub static START: Family = Family::gauge(
    "maintenance_event_start_timestamp_seconds",
    "Start of the maintenance window, in Unix seconds.",
    WINDOW,
);
pub static END: Family = Family::gauge(
    "maintenance_event_end_timestamp_seconds",
    "End of the maintenance window, in Unix seconds; absent when AWS gives none.",
    WINDOW,
);

/// This domain's families, in exposition order.
pub static FAMILIES: &[&Family] = &[&INFO, &START, &END];

/// `(connection_id, virtual_interface_id)` label values of an affected resource.
fn ids(e: &MaintenanceEvent) -> [&str; 2] {
    match e.kind {
        AffectedKind::Connection => [&e.resource_id, ""],
        AffectedKind::VirtualInterface => ["", &e.resource_id],
    }
}

/// Writes the samples of one maintenance collector.
pub fn write(key: &CollectorKey, events: &[MaintenanceEvent], out: &mut Samples<'_>) {
    let acct = key.account_id.as_str();
    let mut info = out.family(&INFO);
    for e in events {
        let [conn, vif] = ids(e);
        info.sample(
            &[
                acct,
                &e.region,
                &e.event_arn,
                &e.event_type,
                &e.status,
                conn,
                vif,
            ],
            1.0,
        );
    }
    for (family, pick) in [
        (
            &START,
            (|e: &MaintenanceEvent| e.start) as fn(&MaintenanceEvent) -> _,
        ),
        (&END, |e| e.end),
    ] {
        let mut w = out.family(family);
        for e in events {
            if let Some(t) = pick(e) {
                let [conn, vif] = ids(e);
                w.sample(
                    &[acct, &e.region, &e.event_arn, conn, vif],
                    super::unix_seconds(t),
                );
            }
        }
    }
}
