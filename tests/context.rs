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
    // The status view says the same, and nothing for a connection without MACsec.
    let view = status_json(&app).await;
    let connection = |id: &str| {
        view["connections"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["id"] == id)
            .unwrap()
            .clone()
    };
    assert_eq!(connection("dxcon-test0001")["encryption"], "down");
    assert!(connection("dxcon-test0002")["encryption"].is_null());
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

/// One account, one region, the core collectors and `failover_tests`.
const WITH_FAILOVER_TESTS: &str = "interval: 500ms\ntimeout: 2s\nfailover_tests_interval: 500ms\n\
collectors: [virtual_interfaces, connections, lags, gateways, failover_tests]\n\
targets:\n  - regions: [us-east-1]\n";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failover_tests_give_each_vif_its_count_newest_time_and_status() {
    let sim = start_simulator(fleet()).await;
    let app = start_exporter(&sim, WITH_FAILOVER_TESTS, &[]).await;
    wait_ready(&app).await;
    let s = scrape_until(&app, "failover tests collected", |s| {
        !select(s, &format!("{P}virtual_interface_failover_tests"), &[]).is_empty()
    })
    .await;
    let vif = |id| [("virtual_interface_id", id)];
    let count = |id| value(&s, "virtual_interface_failover_tests", &vif(id));
    assert_eq!(count("dxvif-test0001"), Some(2.0));
    assert_eq!(
        count("dxvif-test0002"),
        Some(0.0),
        "never tested is 0, not absent"
    );
    assert_eq!(count("dxvif-test0003"), Some(1.0));
    let status = |id, st| {
        value(
            &s,
            "virtual_interface_failover_test_last_status",
            &[("virtual_interface_id", id), ("status", st)],
        )
    };
    assert_eq!(
        status("dxvif-test0001", "completed"),
        Some(1.0),
        "the newest, not the failed one"
    );
    assert_eq!(status("dxvif-test0001", "failed"), Some(0.0));
    assert_eq!(status("dxvif-test0003", "in_progress"), Some(1.0));
    assert_eq!(
        status("dxvif-test0002", "unknown"),
        None,
        "no status when never tested"
    );
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs_f64();
    let last = |id| {
        value(
            &s,
            "virtual_interface_failover_test_last_timestamp_seconds",
            &vif(id),
        )
    };
    // Ten days ago plus its five minutes: the end of the newest test.
    let age = now - last("dxvif-test0001").unwrap();
    assert!((age - (10.0 * 86400.0 - 300.0)).abs() < 120.0, "{age}");
    // A running test counts from its start, two minutes ago.
    let age = now - last("dxvif-test0003").unwrap();
    assert!((age - 120.0).abs() < 60.0, "{age}");
    assert_eq!(last("dxvif-test0002"), None);
    // Another account's VIFs are not listed, and the inventory of the region is complete.
    assert_eq!(count("dxvif-test0201"), None);
    let calls = value(
        &s,
        "api_requests_total",
        &[
            ("operation", "ListVirtualInterfaceTestHistory"),
            ("result", "success"),
        ],
    );
    assert!(calls.unwrap_or(0.0) >= 1.0, "{calls:?}");
    app.stop().await;
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_test_history_pages_through_the_real_sdk_and_a_timeline_test_runs_and_completes() {
    let yaml = "accounts:\n  - id: \"111111111111\"\n    regions:\n      us-east-1:\n        connections: [{id: dxcon-a}]\n        virtual_interfaces:\n          - id: dxvif-a\n            connection: dxcon-a\n            vlan: 5\n            failover_tests: [{ago: 3d}, {ago: 2d}, {ago: 1d, status: failed}]\ntimeline:\n  - {at: 10m, failover_test: {virtual_interface_id: dxvif-a, for: 2m}}\n";
    let sim = start_simulator(
        directconnect_exporter::simulator::Scenario::from_yaml(yaml, "test").unwrap(),
    )
    .await;
    let c = sdk_client(&sim, "us-east-1").await;
    let first = c
        .list_virtual_interface_test_history()
        .max_results(2)
        .send()
        .await
        .unwrap();
    assert_eq!(first.virtual_interface_test_history().len(), 2);
    let rest = c
        .list_virtual_interface_test_history()
        .max_results(2)
        .set_next_token(first.next_token().map(str::to_owned))
        .send()
        .await
        .unwrap();
    assert_eq!(rest.virtual_interface_test_history().len(), 1);
    assert!(rest.next_token().is_none());
    let t = &rest.virtual_interface_test_history()[0];
    assert_eq!(t.status(), Some("failed"));
    assert_eq!(t.virtual_interface_id(), Some("dxvif-a"));
    assert_eq!(t.test_duration_in_minutes(), Some(5));
    let (start, end) = (t.start_time().unwrap(), t.end_time().unwrap());
    assert_eq!(end.secs() - start.secs(), 300);

    advance_clock(&sim, 600.0).await;
    let running = c
        .list_virtual_interface_test_history()
        .virtual_interface_id("dxvif-a")
        .status("in_progress")
        .send()
        .await
        .unwrap();
    assert_eq!(running.virtual_interface_test_history().len(), 1);
    assert!(
        running.virtual_interface_test_history()[0]
            .end_time()
            .is_none()
    );
    let vif = c.describe_virtual_interfaces().send().await.unwrap();
    let v = &vif.virtual_interfaces()[0];
    assert_eq!(
        v.virtual_interface_state().map(|s| s.as_str()),
        Some("testing")
    );
    assert_eq!(
        v.bgp_peers()[0].bgp_status().map(|s| s.as_str()),
        Some("down")
    );

    advance_clock(&sim, 121.0).await;
    let all = c
        .list_virtual_interface_test_history()
        .send()
        .await
        .unwrap();
    assert!(
        all.virtual_interface_test_history()
            .iter()
            .all(|t| t.status() != Some("in_progress"))
    );
    let vif = c.describe_virtual_interfaces().send().await.unwrap();
    assert_eq!(
        vif.virtual_interfaces()[0]
            .virtual_interface_state()
            .map(|s| s.as_str()),
        Some("available")
    );
    let err = c
        .list_virtual_interface_test_history()
        .virtual_interface_id("dxvif-nope")
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        error_code(&err).as_deref(),
        Some("DirectConnectClientException")
    );
    sim.shutdown().await;
}

/// Account 1111… in two regions and 2222… (no support plan for AWS Health) through
/// AssumeRole, with the core collectors and `maintenance`.
const WITH_MAINTENANCE: &str = "interval: 500ms\ntimeout: 2s\nmaintenance_interval: 500ms\n\
collectors: [virtual_interfaces, connections, lags, gateways, maintenance]\n\
targets:\n  - regions: [eu-west-1, us-east-1]\n  - role_arn: arn:aws:iam::222222222222:role/dx-read\n    regions: [us-east-1]\n";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn maintenance_events_name_the_affected_connection_or_vif_and_their_window() {
    let sim = start_simulator(fleet()).await;
    let app = start_exporter(&sim, WITH_MAINTENANCE, &[]).await;
    wait_ready(&app).await;
    let s = scrape_until(&app, "maintenance collected", |s| {
        !select(s, &format!("{P}maintenance_event_info"), &[]).is_empty()
    })
    .await;
    let info = select(&s, &format!("{P}maintenance_event_info"), &[]);
    assert_eq!(
        info.len(),
        3,
        "one series per event and affected resource: {info:?}"
    );
    let upcoming = "arn:aws:health:us-east-1::event/DIRECTCONNECT/AWS_DIRECTCONNECT_MAINTENANCE_SCHEDULED/EVENT_UPCOMING";
    let conn = select(
        &s,
        &format!("{P}maintenance_event_info"),
        &[("connection_id", "dxcon-test0001")],
    );
    assert_eq!(conn.len(), 1);
    let c = &conn[0].labels;
    assert_eq!(c["event_arn"], upcoming);
    assert_eq!(c["event_type"], "AWS_DIRECTCONNECT_MAINTENANCE_SCHEDULED");
    assert_eq!(c["status"], "upcoming");
    assert_eq!(c["aws_region"], "us-east-1");
    assert_eq!(c["aws_account_id"], "111111111111");
    assert_eq!(
        c.get("virtual_interface_id").map(String::as_str),
        Some(""),
        "{c:?}"
    );
    let vif = select(
        &s,
        &format!("{P}maintenance_event_info"),
        &[("virtual_interface_id", "dxvif-test0101")],
    );
    assert_eq!(vif[0].labels["status"], "open");
    assert_eq!(
        vif[0].labels["aws_region"], "eu-west-1",
        "the event's region"
    );
    let window = |name, id_label, id| value(&s, name, &[("event_arn", upcoming), (id_label, id)]);
    let start = window(
        "maintenance_event_start_timestamp_seconds",
        "connection_id",
        "dxcon-test0001",
    )
    .unwrap();
    let end = window(
        "maintenance_event_end_timestamp_seconds",
        "virtual_interface_id",
        "dxvif-test0003",
    )
    .unwrap();
    assert_eq!(end - start, 4.0 * 3600.0);
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs_f64();
    assert!(
        (start - now - 30.0 * 3600.0).abs() < 120.0,
        "starts in 30h: {}",
        start - now
    );
    // One collector per account (Health is global), not one per region.
    let tasks = select(
        &s,
        &format!("{P}collector_success"),
        &[
            ("collector", "maintenance"),
            ("aws_account_id", "111111111111"),
        ],
    );
    assert_eq!(tasks.len(), 1, "{tasks:?}");
    assert_eq!(tasks[0].value, 1.0);
    // The status view lists the same three, the open one first, and the page shows them.
    let view = status_json(&app).await;
    let events = view["maintenance"].as_array().unwrap();
    assert_eq!(events.len(), 3, "{events:?}");
    assert_eq!(events[0]["status"], "open");
    let conn = events
        .iter()
        .find(|e| e["resource_id"] == "dxcon-test0001")
        .unwrap();
    assert_eq!(conn["event_arn"], upcoming);
    assert_eq!(conn["resource_type"], "connection");
    let starts_in = conn["starts_in_seconds"].as_i64().unwrap();
    assert!((starts_in - 30 * 3600).abs() < 120, "{starts_in}");
    let page = status_page(&app).await;
    assert!(page.contains("id=\"maintenance\""));
    assert!(page.contains("connection <code>dxcon-test0001</code>"));
    app.stop().await;
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_support_plan_the_maintenance_collector_fails_once_and_backs_off() {
    let sim = start_simulator(fleet()).await;
    let app = start_exporter(&sim, WITH_MAINTENANCE, &[]).await;
    wait_ready(&app).await;
    let second = [("aws_account_id", "222222222222")];
    scrape_until(&app, "the maintenance collector of 2222… failed", |s| {
        value(
            s,
            "collector_success",
            &[second[0], ("collector", "maintenance")],
        ) == Some(0.0)
    })
    .await;
    // Several intervals of 500 ms later: still the one attempt, no retry of it.
    tokio::time::sleep(Duration::from_secs(3)).await;
    let s = parse(&scrape(&app).await);
    let attempts = |result| {
        value(
            &s,
            "api_requests_total",
            &[
                second[0],
                ("operation", "DescribeEvents"),
                ("result", result),
            ],
        )
    };
    assert_eq!(attempts("client_error"), Some(1.0));
    assert_eq!(attempts("success"), Some(0.0));
    assert_eq!(
        value(
            &s,
            "collector_success",
            &[second[0], ("collector", "maintenance")]
        ),
        Some(0.0)
    );
    assert!(select(&s, &format!("{P}maintenance_event_info"), &second).is_empty());
    // The other account's maintenance and every core collector are unaffected.
    assert_eq!(
        value(
            &s,
            "collector_success",
            &[
                ("aws_account_id", "111111111111"),
                ("collector", "maintenance")
            ]
        ),
        Some(1.0)
    );
    assert_eq!(
        value(
            &s,
            "collector_success",
            &[second[0], ("collector", "virtual_interfaces")]
        ),
        Some(1.0)
    );
    let status = status_json(&app).await;
    let failing = status["collectors"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["collector"] == "maintenance" && c["account_id"] == "222222222222")
        .unwrap();
    let error = failing["last_error"].as_str().unwrap();
    assert!(
        error.contains("SubscriptionRequiredException") && error.contains("Business"),
        "{error}"
    );
    app.stop().await;
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_simulator_answers_aws_health_over_cbor_through_the_real_sdk() {
    use aws_sdk_health::types::{EntityFilter, EventFilter, EventStatusCode};
    let sim = start_simulator(fleet()).await;
    let health = |account: &'static str| {
        let sdk = sim_sdk(&sim).account(account);
        async move { aws_sdk_health::Client::new(&sdk.config().await) }
    };
    let c = health("111111111111").await;
    let upcoming = c
        .describe_events()
        .filter(
            EventFilter::builder()
                .services("DIRECTCONNECT")
                .event_status_codes(EventStatusCode::Upcoming)
                .build(),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(upcoming.events().len(), 1);
    let e = &upcoming.events()[0];
    assert_eq!(e.region(), Some("us-east-1"));
    assert_eq!(e.status_code(), Some(&EventStatusCode::Upcoming));
    let (start, end) = (e.start_time().unwrap(), e.end_time().unwrap());
    assert_eq!(
        end.secs() - start.secs(),
        4 * 3600,
        "timestamps arrive as CBOR tag 1"
    );
    let all = c.describe_events().max_results(10).send().await.unwrap();
    assert_eq!(all.events().len(), 2);
    let entities = c
        .describe_affected_entities()
        .filter(
            EntityFilter::builder()
                .event_arns(e.arn().unwrap())
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    let values: Vec<&str> = entities
        .entities()
        .iter()
        .filter_map(|x| x.entity_value())
        .collect();
    assert_eq!(values, ["dxcon-test0001", "dxvif-test0003"]);

    let err = health("222222222222")
        .await
        .describe_events()
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        aws_sdk_health::error::ProvideErrorMetadata::code(&err),
        Some("SubscriptionRequiredException")
    );
    sim.shutdown().await;
}
