//! The simulator's defences: a control endpoint for local JSON clients only, and limits on connections, slow bodies and the fault list.

use std::time::Duration;

use directconnect_exporter::simulator::{Limits, Scenario, Simulator, SimulatorHandle};
use reqwest::Method;
use serde_json::json;

use super::*;
use crate::common::*;

/// A body that would take the demo's transit IPv4 peer down.
fn peer_down() -> String {
    json!({"virtual_interface_id": TRANSIT_A, "address_family": "ipv4", "bgp_status": "down"})
        .to_string()
}

/// The transit IPv4 peer's status as the state dump shows it.
async fn transit_status(h: &directconnect_exporter::simulator::SimulatorHandle) -> String {
    let (_, state) = control_call(h, Method::GET, "/_sim/state", None).await;
    let vifs = &state["accounts"]["111111111111"]["regions"]["us-east-1"]["virtual_interfaces"];
    let transit = vifs
        .as_array()
        .and_then(|v| v.iter().find(|v| v["virtualInterfaceId"] == TRANSIT_A))
        .expect("the transit VIF");
    let peers = transit["bgpPeers"].as_array().expect("peers");
    let v4 = peers
        .iter()
        .find(|p| p["addressFamily"] == "ipv4")
        .expect("an IPv4 peer");
    v4["bgpStatus"].as_str().unwrap_or_default().to_owned()
}

#[tokio::test]
async fn a_control_post_without_a_json_content_type_is_refused_with_415() {
    let h = start_simulator(Scenario::demo()).await;
    let url = format!("{}/_sim/peer", h.endpoint_url());
    // What a web page can send cross-origin without a preflight.
    for content_type in [
        Some("text/plain"),
        Some("application/x-www-form-urlencoded"),
        None,
    ] {
        let mut req = http().post(&url).body(peer_down());
        if let Some(ct) = content_type {
            req = req.header("content-type", ct);
        }
        let resp = bounded(req.send()).await.unwrap();
        assert_eq!(resp.status().as_u16(), 415, "{content_type:?}");
        let body: serde_json::Value = bounded(resp.json()).await.unwrap();
        assert!(
            body["error"]
                .as_str()
                .is_some_and(|e| e.contains("application/json"))
        );
    }
    assert_eq!(transit_status(&h).await, "up", "nothing changed");
    let json_utf8 = http()
        .post(&url)
        .header("content-type", "Application/JSON; charset=utf-8")
        .body(peer_down());
    let resp = bounded(json_utf8.send()).await.unwrap();
    assert_eq!(resp.status().as_u16(), 200);
    assert_eq!(transit_status(&h).await, "down");
}

#[tokio::test]
async fn a_control_request_naming_another_host_is_refused_with_403() {
    let h = start_simulator(Scenario::demo()).await;
    let port = h.local_addr().port();
    // A DNS-rebinding page reaches the port under its own name.
    for host in [
        "attacker.example",
        "attacker.example:80",
        "127.0.0.1.nip.io",
        "",
    ] {
        let request = format!(
            "POST /_sim/peer HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{}",
            peer_down().len(),
            peer_down()
        );
        let (status, body) = raw_http(h.local_addr(), &request).await;
        assert_eq!(status, 403, "Host {host:?}: {body}");
    }
    let (status, _) = raw_http(
        h.local_addr(),
        "GET /_sim/state HTTP/1.1\r\nHost: evil.example\r\nConnection: close\r\n\r\n",
    )
    .await;
    assert_eq!(status, 403, "reads too");
    assert_eq!(transit_status(&h).await, "up", "nothing changed");
    for host in [
        format!("localhost:{port}"),
        format!("127.0.0.1:{port}"),
        "127.0.0.2".to_owned(),
        format!("[::1]:{port}"),
        "LocalHost".to_owned(),
    ] {
        let request =
            format!("GET /_sim/health HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n");
        let (status, body) = raw_http(h.local_addr(), &request).await;
        assert_eq!(status, 200, "Host {host:?}: {body}");
    }
}

#[tokio::test]
async fn a_control_request_from_another_origin_is_refused_with_403() {
    let h = start_simulator(Scenario::demo()).await;
    let url = format!("{}/_sim/peer", h.endpoint_url());
    for origin in [
        "https://attacker.example",
        "http://localhost.attacker.example",
        "null",
    ] {
        let req = http()
            .post(&url)
            .header("origin", origin)
            .header("content-type", "application/json")
            .body(peer_down());
        let resp = bounded(req.send()).await.unwrap();
        assert_eq!(resp.status().as_u16(), 403, "Origin {origin}");
    }
    assert_eq!(transit_status(&h).await, "up", "nothing changed");
    let port = h.local_addr().port();
    let local = http()
        .post(&url)
        .header("origin", format!("http://localhost:{port}"))
        .header("content-type", "application/json")
        .body(peer_down());
    assert_eq!(bounded(local.send()).await.unwrap().status().as_u16(), 200);
}

#[tokio::test]
async fn the_aws_api_answers_whatever_host_it_is_reached_by() {
    let h = start_simulator(Scenario::demo()).await;
    let request = "POST / HTTP/1.1\r\nHost: dx.example\r\nX-Amz-Target: OvertureService.DescribeLags\r\nContent-Type: application/x-amz-json-1.1\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}";
    let (status, body) = raw_http(h.local_addr(), request).await;
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("\"lags\""), "{body}");
}

/// The demo fleet on 127.0.0.1:0 with `limits`.
async fn start_with(limits: Limits) -> SimulatorHandle {
    let addr = "127.0.0.1:0".parse().expect("an address");
    bounded(Simulator::start_with_limits(addr, Scenario::demo(), limits))
        .await
        .expect("simulator starts")
}

#[tokio::test]
async fn a_full_fault_list_refuses_new_faults_with_409_until_cleared() {
    let h = start_with(Limits {
        max_faults: 3,
        ..Limits::default()
    })
    .await;
    let fault = json!({"kind": "throttle", "operation": "DescribeLags"});
    for _ in 0..3 {
        inject_fault(&h, fault.clone()).await;
    }
    let (status, body) = control_call(&h, Method::POST, "/_sim/faults", Some(fault.clone())).await;
    assert_eq!(status, 409, "{body}");
    assert!(
        body["error"].as_str().is_some_and(|e| e.contains("full")),
        "{body}"
    );
    let (_, listed) = control_call(&h, Method::GET, "/_sim/faults", None).await;
    assert_eq!(listed.as_array().map(Vec::len), Some(3));
    let (_, cleared) = control_call(&h, Method::DELETE, "/_sim/faults", None).await;
    assert_eq!(cleared["cleared"], 3);
    inject_fault(&h, fault).await;
}

#[tokio::test]
async fn connections_past_the_cap_wait_until_one_closes() {
    use tokio::io::AsyncWriteExt;
    let h = start_with(Limits {
        max_connections: 2,
        ..Limits::default()
    })
    .await;
    let mut held = Vec::new();
    for _ in 0..2 {
        let mut idle = bounded(tokio::net::TcpStream::connect(h.local_addr()))
            .await
            .unwrap();
        // Headers that never end hold the connection open.
        bounded(idle.write_all(b"GET /_sim/health HTTP/1.1\r\nHost: localhost\r\n"))
            .await
            .unwrap();
        held.push(idle);
    }
    let url = format!("{}/_sim/health", h.endpoint_url());
    let mut third = tokio::spawn(async move { http().get(url).send().await.map(|r| r.status()) });
    let waited = tokio::time::timeout(Duration::from_millis(500), &mut third).await;
    assert!(
        waited.is_err(),
        "a third connection is served only once one of two closes"
    );
    held.pop();
    let status = bounded(third).await.expect("task").expect("answered");
    assert_eq!(status.as_u16(), 200);
}

#[tokio::test]
async fn a_body_that_stops_arriving_is_answered_408() {
    let h = start_with(Limits {
        body_read_timeout: Duration::from_millis(300),
        ..Limits::default()
    })
    .await;
    for path in ["/_sim/faults", "/"] {
        // Content-Length promises 100 bytes; 12 arrive.
        let request = format!(
            "POST {path} HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nX-Amz-Target: OvertureService.DescribeLags\r\nContent-Length: 100\r\n\r\n{{\"kind\": \"th"
        );
        let (status, body) = raw_http(h.local_addr(), &request).await;
        assert_eq!(status, 408, "{path}: {body}");
    }
    let (status, _) = control_call(&h, Method::GET, "/_sim/health", None).await;
    assert_eq!(status, 200, "still serving");
}

#[test]
fn the_default_limits_bound_every_resource() {
    let limits = Limits::default();
    assert!(limits.max_connections > 0 && limits.max_connections <= 1024);
    assert!(limits.header_read_timeout <= Duration::from_secs(30));
    assert!(limits.body_read_timeout <= Duration::from_secs(30));
    assert!(limits.max_body_bytes <= 16 * 1024 * 1024);
    assert!(limits.max_faults > 0 && limits.max_faults <= 10_000);
}
