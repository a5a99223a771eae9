//! The view built from a hand-made published snapshot: health as the rules see it, the
//! order of the VIFs, since-times and changes from the history, API calls by result.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use super::*;
use crate::history::ChangeKind;
use crate::history::History;
use crate::model::{
    ApiRequestKey, CollectorKey, CollectorSnapshot, Gateway, GatewayData, Snapshot,
};

fn t(secs: u64) -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000 + secs)
}

fn peer(family: &str, status: &str) -> BgpPeer {
    BgpPeer {
        bgp_peer_id: format!("dxpeer-{family}"),
        address_family: family.into(),
        status: status.into(),
        state: "available".into(),
        asn: 65000,
        ..BgpPeer::default()
    }
}

/// A VIF `id` (named after it) in `state` with one peer per status (ipv4, ipv6, ...).
fn vif(id: &str, state: &str, statuses: &[&str]) -> VirtualInterface {
    let families = ["ipv4", "ipv6", "ipv4b", "ipv6b"];
    VirtualInterface {
        id: id.into(),
        name: format!("name-{id}"),
        state: state.into(),
        bgp_peers: statuses
            .iter()
            .zip(families)
            .map(|(s, f)| peer(f, s))
            .collect(),
        ..VirtualInterface::default()
    }
}

fn collector(account: &str, region: &str, data: CollectorData) -> CollectorSnapshot {
    let kind = data.kind();
    CollectorSnapshot {
        key: CollectorKey {
            account_id: account.into(),
            region: region.into(),
            kind,
        },
        success: true,
        duration: Duration::from_millis(200),
        interval: Duration::from_secs(60),
        panics: 0,
        last_success: Some(t(0)),
        data: Some(data),
        last_error: None,
        peer_status_changes: Default::default(),
    }
}

fn published(collectors: Vec<CollectorSnapshot>, history: &History) -> Published {
    Published {
        snapshot: Arc::new(Snapshot {
            collectors: collectors.into_iter().map(Arc::new).collect(),
            ..Snapshot::default()
        }),
        ready: true,
        history: history.view(),
        ..Published::default()
    }
}

#[test]
fn vif_health_follows_the_alert_rules() {
    assert_eq!(
        vif_health(&vif("a", "available", &["up", "up"])),
        Health::Ok
    );
    assert_eq!(
        vif_health(&vif("a", "available", &["up", "down"])),
        Health::Degraded
    );
    assert_eq!(
        vif_health(&vif("a", "available", &["down", "down"])),
        Health::Down
    );
    assert_eq!(vif_health(&vif("a", "down", &["up"])), Health::Down);
    // The peers of a down VIF are down too; those of a VIF in testing are not alerting.
    let down = vif("a", "down", &["down"]);
    assert_eq!(peer_health(&down, &down.bgp_peers[0]), Health::Down);
    let testing = vif("a", "testing", &["down"]);
    assert_eq!(
        peer_health(&testing, &testing.bgp_peers[0]),
        Health::Transition
    );
    // Failover testing and provisioning never page, whatever the peers say.
    for state in [
        "testing",
        "pending",
        "confirming",
        "verifying",
        "deleting",
        "deleted",
        "rejected",
        "flux",
    ] {
        assert_eq!(
            vif_health(&vif("a", state, &["down"])),
            Health::Transition,
            "{state}"
        );
    }
    // A peer still being provisioned is not a peer down.
    let mut v = vif("a", "available", &["up", "down"]);
    v.bgp_peers[1].state = "pending".into();
    assert_eq!(vif_health(&v), Health::Transition);
    assert_eq!(peer_health(&v, &v.bgp_peers[1]), Health::Transition);
    assert_eq!(vif_health(&vif("a", "available", &[])), Health::Transition);
}

#[test]
fn a_down_vif_is_listed_first_then_degraded_then_transition_then_the_rest_by_account_and_region() {
    let vifs = vec![
        vif("ok-b", "available", &["up"]),
        vif("testing", "testing", &["down"]),
        vif("degraded", "available", &["up", "down"]),
        vif("down", "available", &["down"]),
    ];
    let other = vec![vif("ok-a", "available", &["up"])];
    let mut h = History::default();
    let cs = vec![
        collector(
            "222222222222",
            "us-east-1",
            CollectorData::VirtualInterfaces(other),
        ),
        collector(
            "111111111111",
            "us-east-1",
            CollectorData::VirtualInterfaces(vifs),
        ),
    ];
    for c in &cs {
        h.record(c);
    }
    let status = Status::build(&published(cs, &h), t(30));
    let order: Vec<_> = status
        .virtual_interfaces
        .iter()
        .map(|v| (v.id.as_str(), v.health))
        .collect();
    assert_eq!(
        order,
        vec![
            ("down", Health::Down),
            ("degraded", Health::Degraded),
            ("testing", Health::Transition),
            ("ok-b", Health::Ok),
            ("ok-a", Health::Ok),
        ]
    );
    assert_eq!(status.virtual_interfaces[3].account_id, "111111111111");
    let s = &status.summary;
    assert_eq!(
        (
            s.virtual_interfaces,
            s.virtual_interfaces_down,
            s.virtual_interfaces_degraded,
            s.virtual_interfaces_in_transition,
            s.bgp_peers,
            s.bgp_peers_up
        ),
        (5, 1, 1, 1, 6, 3)
    );
}

#[test]
fn since_times_and_changes_come_from_the_history() {
    let mut h = History::default();
    let key_of = |c: &CollectorSnapshot| c.key.clone();
    let first = collector(
        "111111111111",
        "us-east-1",
        CollectorData::VirtualInterfaces(vec![vif("a", "available", &["up"])]),
    );
    h.record(&first);
    let mut second = collector(
        "111111111111",
        "us-east-1",
        CollectorData::VirtualInterfaces(vec![vif("a", "available", &["down"])]),
    );
    second.last_success = Some(t(60));
    h.record(&second);
    assert!(h.view().since(&key_of(&second)).is_some());
    let status = Status::build(&published(vec![second], &h), t(90));
    let v = &status.virtual_interfaces[0];
    let vif_since = v.since.as_ref().unwrap();
    assert!(vif_since.first_seen);
    assert_eq!(vif_since.age_seconds, 90);
    let peer_since = v.bgp_peers[0].since.as_ref().unwrap();
    assert!(!peer_since.first_seen);
    assert_eq!(peer_since.age_seconds, 30);
    assert_eq!(peer_since.time, "2023-11-14T22:14:20Z");
    let c = &status.recent_changes[0];
    assert_eq!(
        (
            c.change.kind,
            c.change.from.as_str(),
            c.change.to.as_str(),
            c.age_seconds
        ),
        (ChangeKind::BgpPeerStatus, "up", "down", 30)
    );
    let json: serde_json::Value = serde_json::from_slice(&status.to_json()).unwrap();
    assert_eq!(json["recent_changes"][0]["kind"], "bgp_peer_status");
    assert_eq!(json["virtual_interfaces"][0]["health"], "down");
    assert_eq!(
        json["virtual_interfaces"][0]["bgp_peers"][0]["since"]["first_seen"],
        false
    );
}

#[test]
fn api_calls_are_grouped_by_operation_with_every_result() {
    let mut p = published(vec![], &History::default());
    let key = |result| ApiRequestKey {
        account_id: "111111111111".into(),
        region: "us-east-1".into(),
        operation: "DescribeLags",
        result,
    };
    Arc::make_mut(&mut p.snapshot).api_requests = [
        (key(CallResult::Success), 7),
        (key(CallResult::Throttled), 2),
    ]
    .into();
    let status = Status::build(&p, t(0));
    assert_eq!(status.api_requests.len(), 1);
    let a = &status.api_requests[0];
    assert_eq!(a.total, 9);
    assert_eq!(a.results.len(), CallResult::ALL.len());
    assert_eq!(a.results["throttled"], 2);
    assert_eq!(a.results["timeout"], 0);
}

#[test]
fn gateways_reached_by_two_targets_are_listed_once_and_name_their_paths() {
    let gw = Gateway {
        id: "gw-1".into(),
        name: "core".into(),
        state: "available".into(),
        ..Gateway::default()
    };
    let data = || {
        CollectorData::Gateways(GatewayData {
            gateways: vec![gw.clone()],
            ..GatewayData::default()
        })
    };
    let mut v = vif("a", "available", &["up"]);
    v.direct_connect_gateway_id = "gw-1".into();
    let cs = vec![
        collector("111111111111", "us-east-1", data()),
        collector("111111111111", "eu-west-1", data()),
        collector(
            "111111111111",
            "us-east-1",
            CollectorData::VirtualInterfaces(vec![v]),
        ),
    ];
    let status = Status::build(&published(cs, &History::default()), t(0));
    assert_eq!(status.gateways.len(), 1);
    assert_eq!(status.redundancy.len(), 1);
    assert_eq!(status.redundancy[0].name, "core");
    assert_eq!(status.redundancy[0].status, Redundancy::SinglePath);
}

#[test]
fn failing_collectors_come_first_with_their_error() {
    let mut bad = collector("111111111111", "us-east-1", CollectorData::Lags(vec![]));
    bad.success = false;
    bad.last_error = Some("DescribeLags: throttled: Rate exceeded".into());
    let good = collector(
        "000000000000",
        "us-east-1",
        CollectorData::Connections(vec![]),
    );
    let status = Status::build(&published(vec![good, bad], &History::default()), t(5));
    assert!(!status.collectors[0].success);
    assert_eq!(
        status.collectors[0].last_error.as_deref(),
        Some("DescribeLags: throttled: Rate exceeded")
    );
    assert_eq!(status.collectors[1].last_success_age_seconds, Some(5));
    assert_eq!(status.summary.collectors_failing, 1);
}

#[test]
fn a_lag_below_its_minimum_links_is_down() {
    let lag = Lag {
        id: "dxlag-1".into(),
        state: "available".into(),
        minimum_links: 2,
        connections: 2,
        connections_available: 1,
        ..Lag::default()
    };
    assert_eq!(lag_health(&lag), Health::Down);
    let full = Lag {
        connections_available: 2,
        ..lag
    };
    assert_eq!(lag_health(&full), Health::Ok);
}

#[test]
fn the_page_escapes_names_and_marks_every_status_in_words() {
    let evil = "<img src=x onerror=alert(1)>";
    let mut v = vif("dxvif-evil", "available", &["down", "up"]);
    v.name = evil.into();
    let cs = vec![collector(
        "111111111111",
        "us-east-1",
        CollectorData::VirtualInterfaces(vec![v]),
    )];
    let status = Status::build(&published(cs, &History::default()), t(0));
    let page = html::render(
        &status,
        &html::Links {
            telemetry_path: "/metrics",
            grafana_url: Some("https://grafana.example.com"),
        },
    );
    assert!(!page.contains(evil));
    assert!(page.contains("&lt;img src=x onerror=alert(1)&gt;"));
    assert!(page.contains("<span class=\"b degraded\">▲ degraded</span>"));
    assert!(page.contains("<span class=\"b down\">✖ down</span>"));
    assert!(page.contains("<span class=\"b ok\">✔ up</span>"));
    assert!(
        page.contains("https://grafana.example.com/d/directconnect-vif?var-account=111111111111")
    );
    assert!(
        !page.contains("style=\""),
        "inline style attributes would break the CSP"
    );
    assert!(!page.contains("<script"));
}

fn page(status: &Status) -> String {
    html::render(
        status,
        &html::Links {
            telemetry_path: "/metrics",
            grafana_url: None,
        },
    )
}

#[test]
fn a_must_encrypt_connection_with_macsec_down_reads_down_and_plain_ones_have_no_macsec() {
    let macsec = Connection {
        id: "dxcon-macsec".into(),
        state: "available".into(),
        encryption_mode: "must_encrypt".into(),
        mac_sec_capable: Some(true),
        port_encryption_status: "Encryption Down".into(),
        ..Connection::default()
    };
    let plain = Connection {
        id: "dxcon-plain".into(),
        state: "available".into(),
        ..Connection::default()
    };
    let cs = vec![collector(
        "111111111111",
        "us-east-1",
        CollectorData::Connections(vec![macsec, plain]),
    )];
    let status = Status::build(&published(cs, &History::default()), t(0));
    let by_id = |id: &str| status.connections.iter().find(|c| c.id == id).unwrap();
    assert_eq!(by_id("dxcon-macsec").encryption, Some("down"));
    assert_eq!(by_id("dxcon-macsec").encryption_mode, "must_encrypt");
    assert_eq!(by_id("dxcon-plain").encryption, None);
    assert!(page(&status).contains("<span class=\"b down\">✖ down (must_encrypt)</span>"));
    let json: serde_json::Value = serde_json::from_slice(&status.to_json()).unwrap();
    assert_eq!(json["connections"][0]["encryption"], "down");
    assert!(json["connections"][1]["encryption"].is_null());
    assert!(
        json["maintenance"].is_null(),
        "no maintenance collector runs"
    );
    assert!(!page(&status).contains("id=\"maintenance\""));
}

#[test]
fn maintenance_lists_open_events_first_then_by_start_with_their_window() {
    let event = |arn: &str, status: &str, id: &str, start: u64| crate::model::MaintenanceEvent {
        event_arn: arn.into(),
        event_type: "AWS_DIRECTCONNECT_MAINTENANCE_SCHEDULED".into(),
        status: status.into(),
        region: "us-east-1".into(),
        kind: crate::model::AffectedKind::Connection,
        resource_id: id.into(),
        start: Some(t(start)),
        end: Some(t(start + 3_600)),
    };
    let cs = vec![collector(
        "111111111111",
        "us-east-1",
        CollectorData::Maintenance(vec![
            event("arn:later", "upcoming", "dxcon-b", 7_200),
            event("arn:sooner", "upcoming", "dxcon-a", 600),
            event("arn:now", "open", "dxcon-c", 0),
        ]),
    )];
    let status = Status::build(&published(cs, &History::default()), t(300));
    let list = status.maintenance.as_deref().unwrap();
    let order: Vec<&str> = list.iter().map(|m| m.event_arn.as_str()).collect();
    assert_eq!(order, ["arn:now", "arn:sooner", "arn:later"]);
    assert_eq!(list[0].starts_in_seconds, Some(-300));
    assert_eq!(list[1].starts_in_seconds, Some(300));
    assert_eq!(list[1].resource_type, "connection");
    let html = page(&status);
    assert!(html.contains("id=\"maintenance\""));
    assert!(html.contains("upcoming — starts in 5m 0s"));
    assert!(html.contains("open — began 5m 0s ago"));
    assert!(html.contains("connection <code>dxcon-a</code>"));
}

#[test]
fn a_maintenance_collector_with_no_events_says_none_scheduled() {
    let cs = vec![collector(
        "111111111111",
        "us-east-1",
        CollectorData::Maintenance(Vec::new()),
    )];
    let status = Status::build(&published(cs, &History::default()), t(0));
    assert_eq!(status.maintenance.as_deref(), Some(&[][..]));
    assert!(page(&status).contains("None scheduled."));
}
