//! Operational context: MACsec posture from the connection and LAG responses, gateway
//! state change errors, failover-test evidence (the opt-in `failover_tests` collector) and
//! AWS maintenance windows (the opt-in `maintenance` collector), through the real SDK
//! against the simulator over loopback.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::Duration;

use common::*;
use serde_json::json;

const P: &str = "aws_directconnect_";

fn value(samples: &[Sample], name: &str, with: &[(&str, &str)]) -> Option<f64> {
    let found = select(samples, &format!("{P}{name}"), with);
    assert!(found.len() <= 1, "{name} {with:?}: {found:?}");
    found.first().map(|s| s.value)
}

async fn scrape_until(
    app: &directconnect_exporter::app::App,
    what: &str,
    check: impl Fn(&[Sample]) -> bool,
) -> Vec<Sample> {
    eventually(Duration::from_secs(20), what, || async {
        let samples = parse(&scrape(app).await);
        check(&samples).then_some(samples)
    })
    .await
}

/// One account, one region, the core collectors on a short interval.
const CORE: &str = "interval: 500ms\ntimeout: 2s\ntargets:\n  - regions: [us-east-1]\n";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn macsec_status_and_keys_by_state_come_from_the_connection_and_lag_responses() {
    let sim = start_simulator(fleet()).await;
    let app = start_exporter(&sim, CORE, &[]).await;
    wait_ready(&app).await;
    let s = parse(&scrape(&app).await);
    let status = |conn, st| {
        value(
            &s,
            "connection_encryption_status",
            &[("connection_id", conn), ("status", st)],
        )
    };
    assert_eq!(status("dxcon-test0001", "up"), Some(1.0));
    assert_eq!(status("dxcon-test0001", "down"), Some(0.0));
    assert_eq!(status("dxcon-test0001", "unknown"), Some(0.0));
    // A connection without MACsec has no encryption series at all.
    assert_eq!(status("dxcon-test0002", "unknown"), None);
    let keys = |name, id_label, id, state| value(&s, name, &[(id_label, id), ("state", state)]);
    let conn = |state| {
        keys(
            "connection_macsec_keys",
            "connection_id",
            "dxcon-test0001",
            state,
        )
    };
    assert_eq!(conn("associated"), Some(1.0));
    assert_eq!(conn("disassociating"), Some(1.0));
    assert_eq!(conn("associating"), Some(0.0));
    assert_eq!(conn("unknown"), Some(0.0));
    let lag = |state| keys("lag_macsec_keys", "lag_id", "dxlag-test0001", state);
    assert_eq!(lag("associated"), Some(1.0), "a generated key on the LAG");
    assert_eq!(lag("disassociated"), Some(0.0));
    let labels: Vec<&str> = select(&s, &format!("{P}connection_macsec_keys"), &[])[0]
        .labels
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        labels,
        ["aws_account_id", "aws_region", "connection_id", "state"]
    );

    control_ok(
        &sim,
        "/_sim/connection",
        json!({"connection_id": "dxcon-test0001", "port_encryption_status": "Encryption Down"}),
    )
    .await;
    scrape_until(&app, "encryption down", |s| {
        value(
            s,
            "connection_encryption_status",
            &[("connection_id", "dxcon-test0001"), ("status", "down")],
        ) == Some(1.0)
    })
    .await;
    control_ok(
        &sim,
        "/_sim/connection",
        json!({"connection_id": "dxcon-test0001", "port_encryption_status": "Encryption Sideways"}),
    )
    .await;
    scrape_until(&app, "a status outside the known ones is unknown", |s| {
        value(
            s,
            "connection_encryption_status",
            &[("connection_id", "dxcon-test0001"), ("status", "unknown")],
        ) == Some(1.0)
    })
    .await;
    app.stop().await;
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_attachment_or_association_change_says_why_in_at_most_200_characters() {
    let sim = start_simulator(fleet()).await;
    let app = start_exporter(&sim, CORE, &[]).await;
    wait_ready(&app).await;
    let s = parse(&scrape(&app).await);
    let attachment = select(
        &s,
        &format!("{P}gateway_attachment_state_change_error_info"),
        &[],
    );
    assert_eq!(attachment.len(), 1, "{attachment:?}");
    let a = &attachment[0];
    assert_eq!(a.value, 1.0);
    assert_eq!(a.labels["virtual_interface_id"], "dxvif-test0003");
    assert_eq!(
        a.labels["direct_connect_gateway_id"],
        "11111111-aaaa-4000-8000-000000000001"
    );
    assert_eq!(
        a.labels["error"],
        "Virtual interface is not in a state to be attached"
    );
    assert!(!a.labels.contains_key("aws_region"), "gateways are global");

    let association = select(
        &s,
        &format!("{P}gateway_association_state_change_error_info"),
        &[],
    );
    assert_eq!(association.len(), 1, "only the association with an error");
    let e = &association[0];
    assert_eq!(
        e.labels["association_id"],
        "11111111-bbbb-4000-8000-000000000002"
    );
    assert_eq!(e.labels["associated_gateway_id"], "vgw-0a1b2c3d4e5f00002");
    assert_eq!(e.labels["associated_gateway_type"], "virtualPrivateGateway");
    let error = &e.labels["error"];
    assert_eq!(error.chars().count(), 200, "{error}");
    assert!(
        error.starts_with(
            "The allowed prefixes \"10.0.0.0/8\" overlap with an existing association’s"
        )
    );
    // The state metric of the same association is unchanged and carries no error label.
    assert_eq!(
        value(
            &s,
            "gateway_association_state",
            &[
                ("association_id", "11111111-bbbb-4000-8000-000000000002"),
                ("state", "disassociated")
            ]
        ),
        Some(1.0)
    );
    app.stop().await;
    sim.shutdown().await;
}
