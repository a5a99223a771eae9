//! How the exporter collects (SPEC section 5), against the simulator over loopback through
//! the real AWS SDK: pagination, gateways once per account, accounts kept apart, throttling
//! and server errors, values outside the API enums, and secrets dropped at the boundary.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::BTreeSet;

use common::*;
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pagination_is_followed_across_many_pages() {
    use directconnect_exporter::simulator::{GenerateSpec, Scenario};
    let spec = GenerateSpec {
        accounts: 1,
        regions: 1,
        vifs_per_region: 345,
        ..GenerateSpec::default()
    };
    let sim = start_simulator(Scenario::generate(&spec)).await;
    let region = Scenario::generate(&spec).regions()[0].clone();
    let cfg = format!("interval: 2s\ntargets:\n  - regions: [{region}]\n");
    let app = start_exporter(&sim, &cfg, &[]).await;
    wait_ready(&app).await;
    let samples = parse(&scrape(&app).await);
    let ids: BTreeSet<&String> = select(&samples, &name("virtual_interface_info"), &[])
        .iter()
        .map(|s| &s.labels["virtual_interface_id"])
        .collect();
    assert_eq!(ids.len(), 345);
    let pages = select(
        &samples,
        &name("api_requests_total"),
        &[
            ("operation", "DescribeVirtualInterfaces"),
            ("result", "success"),
        ],
    );
    assert!(
        pages[0].value >= 4.0,
        "at least 4 pages of 100: {}",
        pages[0].value
    );
    app.stop().await;
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn gateways_are_collected_once_per_account_not_per_region() {
    let sim = start_simulator(fleet()).await;
    let app = start_exporter(&sim, TWO_ACCOUNTS, &[]).await;
    wait_ready(&app).await;
    let samples = parse(&scrape(&app).await);
    let gw = select(&samples, &name("gateway_info"), &[]);
    assert_eq!(gw.len(), 1, "{gw:?}");
    assert!(!gw[0].labels.contains_key("aws_region"));
    let attachments = select(
        &samples,
        &name("gateway_attachment_state"),
        &[("state", "attached")],
    );
    assert_eq!(
        attachments.len(),
        3,
        "one per attached VIF, across regions: {attachments:?}"
    );
    let calls = select(
        &samples,
        &name("api_requests_total"),
        &[("operation", "DescribeDirectConnectGateways")],
    );
    let regions: BTreeSet<&String> = calls.iter().map(|s| &s.labels["aws_region"]).collect();
    assert_eq!(
        regions.len(),
        1,
        "gateways asked in one region only: {calls:?}"
    );
    app.stop().await;
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn accounts_are_labelled_apart_and_a_denied_role_does_not_affect_the_others() {
    let sim = start_simulator(fleet()).await;
    let cfg = format!(
        "{TWO_ACCOUNTS}  - role_arn: arn:aws:iam::333333333333:role/dx-read\n    regions: [us-east-1]\n"
    );
    let app = start_exporter(&sim, &cfg, &[]).await;
    wait_ready(&app).await;
    let samples = parse(&scrape(&app).await);
    let other = select(
        &samples,
        &name("virtual_interface_info"),
        &[("virtual_interface_id", "dxvif-test0201")],
    );
    assert_eq!(other.len(), 1);
    assert_eq!(other[0].labels["aws_account_id"], "222222222222");
    let mine = select(
        &samples,
        &name("virtual_interface_info"),
        &[("virtual_interface_id", "dxvif-test0001")],
    );
    assert_eq!(mine[0].labels["aws_account_id"], "111111111111");
    for s in select(&samples, &name("collector_success"), &[]) {
        let denied = s.labels["aws_account_id"] == "333333333333";
        assert_eq!(s.value, if denied { 0.0 } else { 1.0 }, "{s:?}");
    }
    assert!(
        select(
            &samples,
            &name("connection_info"),
            &[("connection_id", "dxcon-test0301")]
        )
        .is_empty()
    );
    app.stop().await;
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unknown_future_enum_value_becomes_unknown() {
    let sim = start_simulator(fleet()).await;
    let app = start_exporter(&sim, TWO_ACCOUNTS, &[]).await;
    wait_ready(&app).await;
    control(
        &sim,
        "/_sim/virtual-interface",
        json!({"virtual_interface_id": "dxvif-test0101", "state": "hibernating"}),
    )
    .await;
    control(&sim, "/_sim/peer", json!({"virtual_interface_id": "dxvif-test0101", "address_family": "ipv4", "bgp_status": "flux", "bgp_peer_state": "dreaming"})).await;
    let id = ("virtual_interface_id", "dxvif-test0101");
    let s = scrape_until(&app, "unknown states", |s| {
        select(
            s,
            &name("virtual_interface_state"),
            &[id, ("state", "unknown")],
        )
        .first()
        .map(|x| x.value)
            == Some(1.0)
    })
    .await;
    assert_eq!(
        select(&s, &name("bgp_peer_status"), &[id, ("status", "unknown")])[0].value,
        1.0
    );
    assert_eq!(
        select(&s, &name("bgp_peer_state"), &[id, ("state", "unknown")])[0].value,
        1.0
    );
    assert_eq!(select(&s, &name("bgp_peer_up"), &[id])[0].value, 0.0);
    assert!(
        select(
            &s,
            &name("virtual_interface_state"),
            &[("state", "hibernating")]
        )
        .is_empty()
    );
    app.stop().await;
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn throttled_target_keeps_last_good_data_then_drops_it_after_max_staleness() {
    let sim = start_simulator(fleet()).await;
    let cfg =
        "interval: 500ms\ntimeout: 1s\nmax_staleness: 4s\ntargets:\n  - regions: [eu-west-1]\n";
    let app = start_exporter(&sim, cfg, &[]).await;
    wait_ready(&app).await;
    let id = [("virtual_interface_id", "dxvif-test0101")];
    assert_eq!(
        select(
            &parse(&scrape(&app).await),
            &name("virtual_interface_info"),
            &id
        )
        .len(),
        1
    );
    let st = control(
        &sim,
        "/_sim/faults",
        json!({"kind": "throttle", "operation": "DescribeVirtualInterfaces"}),
    )
    .await;
    assert_eq!(st, 200);
    let failing = scrape_until(&app, "collector failing", |s| {
        select(
            s,
            &name("collector_success"),
            &[("collector", "virtual_interfaces")],
        )
        .first()
        .map(|x| x.value)
            == Some(0.0)
    })
    .await;
    assert_eq!(
        select(&failing, &name("virtual_interface_info"), &id).len(),
        1,
        "last good data kept"
    );
    let throttled = select(
        &failing,
        &name("api_requests_total"),
        &[
            ("operation", "DescribeVirtualInterfaces"),
            ("result", "throttled"),
        ],
    );
    assert!(throttled[0].value >= 1.0);
    // Other collectors of the same target are unaffected.
    assert_eq!(
        select(
            &failing,
            &name("collector_success"),
            &[("collector", "connections")]
        )[0]
        .value,
        1.0
    );
    scrape_until(&app, "stale data dropped", |s| {
        select(s, &name("virtual_interface_info"), &id).is_empty()
    })
    .await;
    let http = reqwest::Client::new();
    assert_eq!(
        http.delete(format!("{}/_sim/faults", sim.endpoint_url()))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    scrape_until(&app, "recovered", |s| {
        select(s, &name("virtual_interface_info"), &id).len() == 1
    })
    .await;
    app.stop().await;
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_errors_are_retried_and_counted() {
    let sim = start_simulator(fleet()).await;
    control(
        &sim,
        "/_sim/faults",
        json!({"kind": "server_error", "operation": "DescribeLags", "count": 2}),
    )
    .await;
    let cfg = "interval: 5s\ntargets:\n  - regions: [us-east-1]\n";
    let app = start_exporter(&sim, cfg, &[]).await;
    wait_ready(&app).await;
    let s = parse(&scrape(&app).await);
    let lags = ("operation", "DescribeLags");
    assert_eq!(
        select(
            &s,
            &name("api_requests_total"),
            &[lags, ("result", "server_error")]
        )[0]
        .value,
        2.0
    );
    assert_eq!(
        select(
            &s,
            &name("api_requests_total"),
            &[lags, ("result", "success")]
        )[0]
        .value,
        1.0
    );
    assert_eq!(
        select(&s, &name("collector_success"), &[("collector", "lags")])[0].value,
        1.0
    );
    app.stop().await;
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn secrets_from_the_api_appear_nowhere_in_metrics_the_status_page_or_its_json() {
    let sim = start_simulator(fleet()).await;
    let app = start_exporter(&sim, TWO_ACCOUNTS, &[]).await;
    wait_ready(&app).await;
    let secrets = known_secrets(&sim).await;
    assert!(
        !secrets.is_empty(),
        "the simulator hands out secrets to check against"
    );
    let metrics = scrape(&app).await;
    let page = http()
        .get(base_url(&app))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("dxvif-test0001"), "landing page lists VIFs");
    let status = http()
        .get(format!("{}/api/v1/status", base_url(&app)))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        secrets.iter().any(|s| s.contains("secretsmanager")),
        "MACsec key ARNs are among the secrets checked"
    );
    assert!(
        metrics.contains("aws_directconnect_connection_macsec_keys{"),
        "MACsec keys are counted"
    );
    for secret in &secrets {
        assert!(!metrics.contains(secret.as_str()), "secret in /metrics");
        assert!(!page.contains(secret.as_str()), "secret on /");
        assert!(
            !status.contains(secret.as_str()),
            "secret in /api/v1/status"
        );
    }
    app.stop().await;
    sim.shutdown().await;
}
