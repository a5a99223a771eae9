//! Capacity and headroom: prefix pools, rate limiters and route allocations from the
//! Describe responses, and the opt-in `routes` collector (ListVirtualInterfaceRoutes),
//! through the real SDK against the simulator over loopback.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use serde_json::json;

const P: &str = "aws_directconnect_";

/// One account, one region, every collector including `routes`, on short intervals.
const WITH_ROUTES: &str = "interval: 500ms\ntimeout: 2s\nroutes_interval: 500ms\n\
collectors: [virtual_interfaces, connections, lags, gateways, routes]\n\
targets:\n  - regions: [us-east-1]\n";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn prefix_pools_rate_limiters_and_allocations_come_from_the_describe_calls() {
    let sim = start_simulator(fleet()).await;
    let app = start_exporter(&sim, TWO_ACCOUNTS, &[]).await;
    wait_ready(&app).await;
    let s = parse(&scrape(&app).await);
    let conn = |af| [("connection_id", "dxcon-test0001"), ("address_family", af)];
    assert_eq!(
        value(&s, "connection_prefix_pool_size", &conn("ipv4")),
        Some(500.0)
    );
    assert_eq!(
        value(&s, "connection_prefix_pool_size", &conn("ipv6")),
        Some(100.0)
    );
    // prod-vpc (400 IPv4) and public-s3 (none) are on the connection.
    assert_eq!(
        value(&s, "connection_prefix_pool_unallocated", &conn("ipv4")),
        Some(100.0)
    );
    assert_eq!(
        value(&s, "connection_prefix_pool_unallocated", &conn("ipv6")),
        Some(100.0)
    );
    let one = [("connection_id", "dxcon-test0001")];
    assert_eq!(value(&s, "connection_rate_limiters_max", &one), Some(2.0));
    assert_eq!(
        value(&s, "connection_rate_limiters_in_use", &one),
        Some(1.0)
    );
    let lag = [("lag_id", "dxlag-test0001"), ("address_family", "ipv4")];
    assert_eq!(value(&s, "lag_prefix_pool_size", &lag), Some(300.0));
    assert_eq!(value(&s, "lag_prefix_pool_unallocated", &lag), Some(300.0));
    assert_eq!(
        value(&s, "lag_rate_limiters_max", &[("lag_id", "dxlag-test0001")]),
        Some(1.0)
    );
    let vif = [("virtual_interface_id", "dxvif-test0001")];
    assert_eq!(
        value(
            &s,
            "virtual_interface_prefix_pool_allocated",
            &[vif[0], ("address_family", "ipv4")]
        ),
        Some(400.0)
    );
    // 500Mbps in bytes per second.
    assert_eq!(
        value(&s, "virtual_interface_rate_limit_bytes_per_second", &vif),
        Some(62.5e6)
    );
    assert_eq!(
        value(
            &s,
            "gateway_prefix_pool_allocations",
            &[(
                "direct_connect_gateway_id",
                "11111111-aaaa-4000-8000-000000000001"
            )]
        ),
        Some(400.0)
    );
    // Nothing reported, no series: no rate limit on the public VIF, no IPv6 pool on the LAG.
    assert_eq!(
        value(
            &s,
            "virtual_interface_rate_limit_bytes_per_second",
            &[("virtual_interface_id", "dxvif-test0002")]
        ),
        None
    );
    assert_eq!(
        value(
            &s,
            "lag_prefix_pool_size",
            &[("lag_id", "dxlag-test0001"), ("address_family", "ipv6")]
        ),
        None
    );
    // The routes collector is opt-in: not listed, not run.
    assert!(select(&s, &format!("{P}bgp_routes"), &[]).is_empty());
    assert!(
        select(
            &s,
            &format!("{P}collector_success"),
            &[("collector", "routes")]
        )
        .is_empty()
    );
    app.stop().await;
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_routes_collector_counts_every_page_per_family_and_direction() {
    let sim = start_simulator(fleet()).await;
    let app = start_exporter(&sim, WITH_ROUTES, &[]).await;
    wait_ready(&app).await;
    let s = scrape_until(&app, "routes collected", |s| {
        !select(s, &format!("{P}bgp_routes"), &[]).is_empty()
    })
    .await;
    let routes = |vif, af, dir| {
        value(
            &s,
            "bgp_routes",
            &[
                ("virtual_interface_id", vif),
                ("address_family", af),
                ("direction", dir),
            ],
        )
    };
    // 250 + 7 + 12 + 3 routes: three pages of 100.
    assert_eq!(routes("dxvif-test0001", "ipv4", "accepted"), Some(250.0));
    assert_eq!(routes("dxvif-test0001", "ipv4", "advertised"), Some(7.0));
    assert_eq!(routes("dxvif-test0001", "ipv6", "accepted"), Some(12.0));
    assert_eq!(routes("dxvif-test0001", "ipv6", "advertised"), Some(3.0));
    assert_eq!(routes("dxvif-test0002", "ipv4", "advertised"), Some(130.0));
    // A family with a peer and no routes has zeros, not a gap.
    assert_eq!(routes("dxvif-test0003", "ipv6", "accepted"), Some(0.0));
    let limit = |vif, af| {
        value(
            &s,
            "bgp_route_limit",
            &[("virtual_interface_id", vif), ("address_family", af)],
        )
    };
    assert_eq!(
        limit("dxvif-test0001", "ipv4"),
        Some(400.0),
        "the allocation"
    );
    assert_eq!(
        limit("dxvif-test0001", "ipv6"),
        Some(100.0),
        "private default"
    );
    assert_eq!(limit("dxvif-test0002", "ipv4"), Some(1000.0), "public");
    let labels: Vec<&str> = select(&s, &format!("{P}bgp_routes"), &[])[0]
        .labels
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        labels,
        [
            "address_family",
            "aws_account_id",
            "aws_region",
            "direction",
            "virtual_interface_id"
        ]
    );
    let interval = value(
        &s,
        "collector_interval_seconds",
        &[("collector", "routes"), ("aws_region", "us-east-1")],
    );
    assert_eq!(interval, Some(0.5));
    let calls = value(
        &s,
        "api_requests_total",
        &[
            ("operation", "ListVirtualInterfaceRoutes"),
            ("result", "success"),
        ],
    );
    assert!(calls.unwrap_or(0.0) >= 3.0 + 2.0 + 1.0, "{calls:?}");
    app.stop().await;
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn accepted_routes_over_the_limit_take_the_session_down() {
    let sim = start_simulator(fleet()).await;
    let app = start_exporter(&sim, WITH_ROUTES, &[]).await;
    wait_ready(&app).await;
    let up = [
        ("virtual_interface_id", "dxvif-test0001"),
        ("address_family", "ipv6"),
    ];
    let s = parse(&scrape(&app).await);
    assert_eq!(value(&s, "bgp_peer_up", &up), Some(1.0));
    control_ok(
        &sim,
        "/_sim/routes",
        json!({"virtual_interface_id": "dxvif-test0001", "address_family": "ipv6", "accepted": 101}),
    )
    .await;
    let s = scrape_until(&app, "the IPv6 session down over its limit", |s| {
        value(s, "bgp_peer_up", &up) == Some(0.0)
            && value(s, "bgp_routes", &[up[0], up[1], ("direction", "accepted")]) == Some(101.0)
    })
    .await;
    // The other family is unaffected.
    assert_eq!(
        value(&s, "bgp_peer_up", &[up[0], ("address_family", "ipv4")]),
        Some(1.0)
    );
    app.stop().await;
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_denied_routes_collector_fails_alone_and_readiness_does_not_wait_for_it() {
    let sim = start_simulator(fleet()).await;
    inject_fault(
        &sim,
        json!({"kind": "access_denied", "operation": "ListVirtualInterfaceRoutes"}),
    )
    .await;
    let app = start_exporter(&sim, WITH_ROUTES, &[]).await;
    wait_ready(&app).await;
    let s = scrape_until_it_fails_alone(&app, "routes").await;
    assert!(select(&s, &format!("{P}bgp_routes"), &[]).is_empty());
    let denied = value(
        &s,
        "api_requests_total",
        &[
            ("operation", "ListVirtualInterfaceRoutes"),
            ("result", "client_error"),
        ],
    );
    assert!(denied.unwrap_or(0.0) >= 1.0);
    app.stop().await;
    sim.shutdown().await;
}
