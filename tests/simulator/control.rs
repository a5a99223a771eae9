//! The control endpoint: state changes, errors, the request log and the state dump.

use directconnect_exporter::simulator::Scenario;
use reqwest::Method;
use serde_json::json;

use super::*;
use crate::common::*;

#[tokio::test]
async fn control_states_outside_the_enums_parse_as_unknown_variants() {
    let (h, c) = demo().await;
    control_ok(
        &h,
        "/_sim/peer",
        json!({"virtual_interface_id": TRANSIT_A, "address_family": "ipv4", "bgp_status": "flux", "bgp_peer_state": "flux"}),
    )
    .await;
    control_ok(
        &h,
        "/_sim/virtual-interface",
        json!({"virtual_interface_id": PUBLIC_VIF, "state": "flux"}),
    )
    .await;
    control_ok(
        &h,
        "/_sim/connection",
        json!({"connection_id": NYC_PRIMARY, "state": "flux"}),
    )
    .await;
    control_ok(&h, "/_sim/lag", json!({"lag_id": NYC_LAG, "state": "flux"})).await;

    let p = peer(&vif(&c, TRANSIT_A).await, "ipv4");
    // The SDK keeps values outside its enum as unknown variants (not Up/Down).
    assert!(!matches!(
        p.bgp_status(),
        Some(dx::types::BgpStatus::Up | dx::types::BgpStatus::Down)
    ));
    assert_eq!(p.bgp_status().map(|s| s.as_str()), Some("flux"));
    assert_eq!(p.bgp_peer_state().map(|s| s.as_str()), Some("flux"));
    let v = vif(&c, PUBLIC_VIF).await;
    assert!(
        v.virtual_interface_state()
            .is_some_and(|s| !dx::types::VirtualInterfaceState::values().contains(&s.as_str()))
    );
    let conns = bounded(c.describe_connections().connection_id(NYC_PRIMARY).send())
        .await
        .unwrap();
    assert_eq!(
        conns.connections()[0]
            .connection_state()
            .map(|s| s.as_str()),
        Some("flux")
    );
    let lags = bounded(c.describe_lags().lag_id(NYC_LAG).send())
        .await
        .unwrap();
    assert_eq!(lags.lags()[0].lag_state().map(|s| s.as_str()), Some("flux"));

    // Setting a peer by id, back to a known value.
    control_ok(
        &h,
        "/_sim/peer",
        json!({"virtual_interface_id": TRANSIT_A, "bgp_peer_id": p.bgp_peer_id().unwrap(), "bgp_status": "down"}),
    )
    .await;
    assert_eq!(status(&peer(&vif(&c, TRANSIT_A).await, "ipv4")), "down");
}

#[tokio::test]
async fn unknown_control_ids_are_404_and_bad_bodies_400() {
    let h = start_simulator(Scenario::demo()).await;
    let (s, v) = control_call(&h, Method::POST,
        "/_sim/peer",
        Some(json!({"virtual_interface_id": "dxvif-nope", "address_family": "ipv4", "bgp_status": "down"})),
    )
    .await;
    assert_eq!(s, 404);
    assert!(v["error"].is_string());
    let (s, _) = control_call(
        &h,
        Method::POST,
        "/_sim/faults",
        Some(json!({"kind": "earthquake"})),
    )
    .await;
    assert_eq!(s, 400);
    let (s, v) = control_call(&h, Method::GET, "/_sim/health", None).await;
    assert_eq!((s, v["status"].as_str()), (200, Some("ok")));
}

#[tokio::test]
async fn the_request_log_records_operations_and_errors() {
    let (h, c) = demo().await;
    bounded(c.describe_virtual_interfaces().send())
        .await
        .unwrap();
    inject_fault(&h, json!({"kind": "throttle", "count": 1})).await;
    let _ = bounded(c.describe_lags().send()).await;
    let (_, log) = control_call(&h, Method::GET, "/_sim/requests", None).await;
    let log = log.as_array().unwrap();
    assert_eq!(log.len(), 2);
    assert_eq!(log[0]["operation"], "DescribeVirtualInterfaces");
    assert_eq!(log[0]["account"], "111111111111");
    assert_eq!(log[0]["region"], "us-east-1");
    assert_eq!(log[0]["status"], 200);
    assert!(log[0]["error_code"].is_null());
    assert_eq!(log[1]["error_code"], "ThrottlingException");
    assert!(log[1]["seq"].as_u64() > log[0]["seq"].as_u64());
    control_call(&h, Method::DELETE, "/_sim/requests", None).await;
    let (_, log) = control_call(&h, Method::GET, "/_sim/requests", None).await;
    assert!(log.as_array().unwrap().is_empty());
}

#[tokio::test]
async fn the_state_dump_shows_every_account_and_the_clock() {
    let h = start_simulator(Scenario::demo()).await;
    advance_clock(&h, 10.0).await;
    let (s, v) = control_call(&h, Method::GET, "/_sim/state", None).await;
    assert_eq!(s, 200);
    assert!(v["now_seconds"].as_f64().unwrap() >= 10.0);
    let acc = &v["accounts"]["111111111111"];
    assert_eq!(
        acc["regions"]["us-east-1"]["virtual_interfaces"]
            .as_array()
            .unwrap()
            .len(),
        4
    );
    assert_eq!(acc["gateways"][0]["directConnectGatewayId"], CORE_GW);
    assert!(v["accounts"]["222222222222"].is_object());
}
