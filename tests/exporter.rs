//! The exporter's metric contract (SPEC section 6) against the simulator over loopback,
//! through the real AWS SDK: every family and label, state-sets, counters that exist at 0,
//! and series that follow the fleet as peers go down and VIFs are deleted.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::{BTreeMap, BTreeSet};

use common::*;
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_metric_family_and_label_of_the_spec_is_present_on_a_realistic_fleet() {
    let sim = start_simulator(fleet()).await;
    let app = start_exporter(
        &sim,
        &format!("{TWO_ACCOUNTS}tag_labels: [Name, env]\n"),
        &[],
    )
    .await;
    wait_ready(&app).await;
    let samples = parse(&scrape(&app).await);

    let expect: &[(&str, &[&str])] = &[
        (
            "virtual_interface_info",
            &[
                "aws_account_id",
                "aws_region",
                "virtual_interface_id",
                "virtual_interface_name",
                "virtual_interface_type",
                "connection_id",
                "owner_account",
                "location",
                "vlan",
                "asn",
                "amazon_side_asn",
                "address_family",
                "direct_connect_gateway_id",
                "virtual_gateway_id",
                "aws_logical_device_id",
                "jumbo_frame_capable",
                "site_link_enabled",
                "tag_Name",
                "tag_env",
            ],
        ),
        (
            "virtual_interface_state",
            &[
                "aws_account_id",
                "aws_region",
                "virtual_interface_id",
                "state",
            ],
        ),
        (
            "virtual_interface_mtu_bytes",
            &["aws_account_id", "aws_region", "virtual_interface_id"],
        ),
        (
            "bgp_peer_up",
            &[
                "aws_account_id",
                "aws_region",
                "virtual_interface_id",
                "bgp_peer_id",
                "asn",
                "address_family",
            ],
        ),
        (
            "bgp_peer_status",
            &[
                "aws_account_id",
                "aws_region",
                "virtual_interface_id",
                "bgp_peer_id",
                "asn",
                "address_family",
                "status",
            ],
        ),
        (
            "bgp_peer_state",
            &[
                "aws_account_id",
                "aws_region",
                "virtual_interface_id",
                "bgp_peer_id",
                "asn",
                "address_family",
                "state",
            ],
        ),
        (
            "bgp_peer_info",
            &[
                "aws_account_id",
                "aws_region",
                "virtual_interface_id",
                "bgp_peer_id",
                "asn",
                "address_family",
                "amazon_address",
                "customer_address",
                "aws_logical_device_id",
            ],
        ),
        (
            "bgp_peer_status_changes_total",
            &[
                "aws_account_id",
                "aws_region",
                "virtual_interface_id",
                "bgp_peer_id",
                "asn",
                "address_family",
            ],
        ),
        (
            "connection_info",
            &[
                "aws_account_id",
                "aws_region",
                "connection_id",
                "connection_name",
                "location",
                "bandwidth",
                "partner_name",
                "provider_name",
                "lag_id",
                "aws_logical_device_id",
                "has_logical_redundancy",
                "encryption_mode",
                "mac_sec_capable",
                "jumbo_frame_capable",
                "tag_Name",
                "tag_env",
            ],
        ),
        (
            "connection_state",
            &["aws_account_id", "aws_region", "connection_id", "state"],
        ),
        (
            "connection_bandwidth_bytes_per_second",
            &["aws_account_id", "aws_region", "connection_id"],
        ),
        (
            "lag_info",
            &[
                "aws_account_id",
                "aws_region",
                "lag_id",
                "lag_name",
                "location",
                "connections_bandwidth",
                "aws_logical_device_id",
                "has_logical_redundancy",
                "tag_Name",
                "tag_env",
            ],
        ),
        (
            "lag_state",
            &["aws_account_id", "aws_region", "lag_id", "state"],
        ),
        (
            "lag_minimum_links",
            &["aws_account_id", "aws_region", "lag_id"],
        ),
        (
            "lag_connections",
            &["aws_account_id", "aws_region", "lag_id"],
        ),
        (
            "lag_connections_available",
            &["aws_account_id", "aws_region", "lag_id"],
        ),
        (
            "gateway_info",
            &[
                "aws_account_id",
                "direct_connect_gateway_id",
                "direct_connect_gateway_name",
                "amazon_side_asn",
                "owner_account",
            ],
        ),
        (
            "gateway_state",
            &["aws_account_id", "direct_connect_gateway_id", "state"],
        ),
        (
            "gateway_attachment_state",
            &[
                "aws_account_id",
                "direct_connect_gateway_id",
                "virtual_interface_id",
                "state",
            ],
        ),
        (
            "gateway_association_state",
            &[
                "aws_account_id",
                "direct_connect_gateway_id",
                "association_id",
                "associated_gateway_id",
                "associated_gateway_type",
                "state",
            ],
        ),
        (
            "collector_success",
            &["aws_account_id", "aws_region", "collector"],
        ),
        (
            "collector_duration_seconds",
            &["aws_account_id", "aws_region", "collector"],
        ),
        (
            "collector_last_success_timestamp_seconds",
            &["aws_account_id", "aws_region", "collector"],
        ),
        (
            "collector_interval_seconds",
            &["aws_account_id", "aws_region", "collector"],
        ),
        (
            "collector_panics_total",
            &["aws_account_id", "aws_region", "collector"],
        ),
        (
            "api_requests_total",
            &["aws_account_id", "aws_region", "operation", "result"],
        ),
        ("exporter_build_info", &["version", "revision"]),
    ];
    for (metric, labels) in expect {
        let found = select(&samples, &name(metric), &[]);
        assert!(!found.is_empty(), "{metric} missing");
        let want: BTreeSet<&str> = labels.iter().copied().collect();
        for s in found {
            let have: BTreeSet<&str> = s.labels.keys().map(String::as_str).collect();
            assert_eq!(have, want, "{metric} labels");
        }
    }
    let vif = select(
        &samples,
        &name("virtual_interface_info"),
        &[("virtual_interface_id", "dxvif-test0001")],
    );
    assert_eq!(vif.len(), 1);
    assert_eq!(vif[0].labels["tag_Name"], "prod-vpc");
    assert_eq!(vif[0].labels["virtual_interface_type"], "private");
    let bw = select(
        &samples,
        &name("connection_bandwidth_bytes_per_second"),
        &[("connection_id", "dxcon-test0101")],
    );
    // 500Mbps is 62.5 million bytes per second.
    assert_eq!(bw[0].value, 500e6 / 8.0);
    let lag = select(
        &samples,
        &name("lag_connections"),
        &[("lag_id", "dxlag-test0001")],
    );
    assert_eq!(lag[0].value, 2.0);
    app.stop().await;
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_state_set_has_exactly_one_active_state() {
    let sim = start_simulator(fleet()).await;
    let app = start_exporter(&sim, TWO_ACCOUNTS, &[]).await;
    wait_ready(&app).await;
    let samples = parse(&scrape(&app).await);
    let sets: &[(&str, &str, usize)] = &[
        ("virtual_interface_state", "state", 10),
        ("bgp_peer_status", "status", 3),
        ("bgp_peer_state", "state", 6),
        ("connection_state", "state", 9),
        ("lag_state", "state", 7),
        ("gateway_state", "state", 5),
        ("gateway_attachment_state", "state", 5),
        ("gateway_association_state", "state", 6),
    ];
    for (metric, key, n_states) in sets {
        let mut groups: BTreeMap<Vec<(String, String)>, (usize, f64)> = BTreeMap::new();
        for s in select(&samples, &name(metric), &[]) {
            let id: Vec<(String, String)> = s
                .labels
                .iter()
                .filter(|(k, _)| k != key)
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect();
            let e = groups.entry(id).or_default();
            e.0 += 1;
            e.1 += s.value;
        }
        assert!(!groups.is_empty(), "{metric} has no series");
        for (id, (count, sum)) in groups {
            assert_eq!(count, *n_states, "{metric} {id:?} series per resource");
            assert_eq!(sum, 1.0, "{metric} {id:?} active states");
        }
    }
    app.stop().await;
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn api_request_counters_exist_at_zero_before_the_first_error() {
    let sim = start_simulator(fleet()).await;
    let app = start_exporter(
        &sim,
        "interval: 5s\ntargets:\n  - regions: [us-east-1]\n",
        &[],
    )
    .await;
    wait_ready(&app).await;
    let s = parse(&scrape(&app).await);
    for op in [
        "DescribeVirtualInterfaces",
        "DescribeConnections",
        "DescribeLags",
        "DescribeDirectConnectGateways",
    ] {
        for result in [
            "success",
            "throttled",
            "client_error",
            "server_error",
            "timeout",
            "transport_error",
        ] {
            let found = select(
                &s,
                &name("api_requests_total"),
                &[
                    ("operation", op),
                    ("result", result),
                    ("aws_account_id", "111111111111"),
                ],
            );
            assert_eq!(found.len(), 1, "{op} {result}");
        }
    }
    let sts = select(
        &s,
        &name("api_requests_total"),
        &[("operation", "GetCallerIdentity"), ("result", "success")],
    );
    assert_eq!(sts[0].labels["aws_account_id"], "unknown");
    app.stop().await;
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn peer_going_down_sets_bgp_peer_up_to_zero_and_counts_the_change() {
    let sim = start_simulator(fleet()).await;
    let app = start_exporter(&sim, TWO_ACCOUNTS, &[]).await;
    wait_ready(&app).await;
    let sel = [
        ("virtual_interface_id", "dxvif-test0001"),
        ("address_family", "ipv4"),
    ];
    let before = parse(&scrape(&app).await);
    assert_eq!(select(&before, &name("bgp_peer_up"), &sel)[0].value, 1.0);
    assert_eq!(
        select(&before, &name("bgp_peer_status_changes_total"), &sel)[0].value,
        0.0
    );

    let status = control(&sim, "/_sim/peer", json!({"virtual_interface_id": "dxvif-test0001", "address_family": "ipv4", "bgp_status": "down"})).await;
    assert_eq!(status, 200);
    // One interval is 500ms here; allow generously for a loaded machine.
    let after = scrape_until(&app, "peer down", |s| {
        select(s, &name("bgp_peer_up"), &sel)
            .first()
            .map(|x| x.value)
            == Some(0.0)
    })
    .await;
    assert_eq!(
        select(&after, &name("bgp_peer_status_changes_total"), &sel)[0].value,
        1.0
    );
    let down = select(
        &after,
        &name("bgp_peer_status"),
        &[sel[0], sel[1], ("status", "down")],
    );
    assert_eq!(down[0].value, 1.0);
    let asn = &select(&after, &name("bgp_peer_up"), &sel)[0].labels["asn"];
    assert_eq!(asn, "4200000000", "4-byte ASN from asnLong");

    control(&sim, "/_sim/peer", json!({"virtual_interface_id": "dxvif-test0001", "address_family": "ipv4", "bgp_status": "up"})).await;
    let back = scrape_until(&app, "peer up again", |s| {
        select(s, &name("bgp_peer_up"), &sel)
            .first()
            .map(|x| x.value)
            == Some(1.0)
    })
    .await;
    assert_eq!(
        select(&back, &name("bgp_peer_status_changes_total"), &sel)[0].value,
        2.0
    );
    app.stop().await;
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deleted_vifs_series_disappear() {
    let sim = start_simulator(fleet()).await;
    let app = start_exporter(&sim, TWO_ACCOUNTS, &[]).await;
    wait_ready(&app).await;
    let client = sdk_client(&sim, "us-east-1").await;
    client
        .delete_virtual_interface()
        .virtual_interface_id("dxvif-test0002")
        .send()
        .await
        .expect("DeleteVirtualInterface");
    let id = [("virtual_interface_id", "dxvif-test0002")];
    scrape_until(&app, "VIF shown as deleted", |s| {
        select(
            s,
            &name("virtual_interface_state"),
            &[id[0], ("state", "deleted")],
        )
        .first()
        .map(|x| x.value)
            == Some(1.0)
    })
    .await;
    // Deleted VIFs stay listed for 15 minutes of simulated time, then vanish.
    assert_eq!(
        control(&sim, "/_sim/clock/advance", json!({"seconds": 16 * 60})).await,
        200
    );
    let gone = scrape_until(&app, "VIF gone", |s| {
        select(s, &name("virtual_interface_info"), &id).is_empty()
    })
    .await;
    for metric in [
        "virtual_interface_state",
        "bgp_peer_up",
        "bgp_peer_status_changes_total",
        "bgp_peer_info",
    ] {
        assert!(
            select(&gone, &name(metric), &id).is_empty(),
            "{metric} still has the deleted VIF"
        );
    }
    app.stop().await;
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_fleet_loses_a_peer_within_two_minutes_and_gets_it_back() {
    use directconnect_exporter::simulator::Scenario;
    let sim = start_simulator(Scenario::demo()).await;
    let app = start_exporter(
        &sim,
        "interval: 500ms\ntargets:\n  - regions: [us-east-1]\n",
        &[],
    )
    .await;
    wait_ready(&app).await;
    let sel = [
        ("virtual_interface_id", "dxvif-ffhhk8ho"),
        ("address_family", "ipv4"),
    ];
    let start = parse(&scrape(&app).await);
    assert_eq!(
        select(&start, &name("bgp_peer_up"), &sel)[0].value,
        1.0,
        "healthy at t=0"
    );

    // Simulated time: the demo takes this peer down at 45s and back up at 1m45s.
    control(&sim, "/_sim/clock/advance", json!({"seconds": 50})).await;
    let down = scrape_until(&app, "demo peer down", |s| {
        select(s, &name("bgp_peer_up"), &sel)
            .first()
            .map(|x| x.value)
            == Some(0.0)
    })
    .await;
    assert_eq!(
        select(&down, &name("bgp_peer_status_changes_total"), &sel)[0].value,
        1.0
    );
    control(&sim, "/_sim/clock/advance", json!({"seconds": 60})).await;
    let up = scrape_until(&app, "demo peer back", |s| {
        select(s, &name("bgp_peer_up"), &sel)
            .first()
            .map(|x| x.value)
            == Some(1.0)
    })
    .await;
    assert_eq!(
        select(&up, &name("bgp_peer_status_changes_total"), &sel)[0].value,
        2.0
    );
    app.stop().await;
    sim.shutdown().await;
}
