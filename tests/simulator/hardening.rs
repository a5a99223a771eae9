//! The control endpoint's defences: JSON-only POSTs and loopback-only Host and Origin, so a web page cannot drive it.

use directconnect_exporter::simulator::Scenario;
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
