//! The status page (`/`) and `/api/v1/status` through the real exporter against the
//! simulator, with state changed at run time through the simulator's control endpoint.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::Duration;

use common::*;
use directconnect_exporter::app::App;
use directconnect_exporter::simulator::Scenario;
use serde_json::{Value, json};

async fn get(app: &App, path: &str) -> reqwest::Response {
    http()
        .get(format!("{}{path}", base_url(app)))
        .send()
        .await
        .unwrap()
}

async fn status_json(app: &App) -> Value {
    get(app, "/api/v1/status").await.json().await.unwrap()
}

async fn page(app: &App) -> String {
    get(app, "/").await.text().await.unwrap()
}

/// Waits until the JSON view satisfies `check`.
async fn status_until(app: &App, what: &str, check: impl Fn(&Value) -> bool) -> Value {
    eventually(Duration::from_secs(20), what, || async {
        let s = status_json(app).await;
        check(&s).then_some(s)
    })
    .await
}

fn vif<'a>(status: &'a Value, id: &str) -> &'a Value {
    status["virtual_interfaces"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["id"] == id)
        .unwrap_or_else(|| panic!("{id} listed"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_down_peer_is_listed_first_marked_down_and_its_change_is_recorded() {
    let sim = start_simulator(fleet()).await;
    let app = start_exporter(&sim, TWO_ACCOUNTS, &[]).await;
    wait_ready(&app).await;
    let before = status_json(&app).await;
    assert_eq!(vif(&before, "dxvif-test0101")["health"], "ok");

    // The only peer of dxvif-test0101 goes down: the VIF carries no traffic.
    let code = control(
        &sim,
        "/_sim/peer",
        json!({"virtual_interface_id": "dxvif-test0101", "address_family": "ipv4", "bgp_status": "down"}),
    )
    .await;
    assert_eq!(code, 200);
    let after = status_until(&app, "dxvif-test0101 listed first", |s| {
        s["virtual_interfaces"][0]["id"] == "dxvif-test0101"
    })
    .await;
    let first = &after["virtual_interfaces"][0];
    assert_eq!(first["health"], "down");
    assert_eq!(first["state"], "available");
    assert_eq!(first["region"], "eu-west-1");
    assert_eq!(first["bgp_peers"][0]["status"], "down");
    assert_eq!(first["bgp_peers"][0]["health"], "down");
    assert_eq!(first["bgp_peers"][0]["since"]["first_seen"], false);
    // dxvif-test0003 has its IPv6 peer down from the start: a problem, after the down VIF.
    assert_eq!(after["virtual_interfaces"][1]["id"], "dxvif-test0003");
    assert_eq!(after["virtual_interfaces"][1]["health"], "degraded");
    assert_eq!(after["summary"]["virtual_interfaces_down"], 1);

    let change = after["recent_changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["virtual_interface_id"] == "dxvif-test0101")
        .expect("the change is in recent changes");
    assert_eq!(change["kind"], "bgp_peer_status");
    assert_eq!(change["address_family"], "ipv4");
    assert_eq!(
        (&change["from"], &change["to"]),
        (&json!("up"), &json!("down"))
    );
    assert_eq!(change["account_id"], "111111111111");

    // The same on the page: the first row of the problems table, marked down in words.
    let html = page(&app).await;
    let problems =
        &html[html.find("id=\"problems\"").unwrap()..html.find("id=\"redundancy\"").unwrap()];
    let first_row = &problems[problems.find("<tbody><tr>").unwrap()..];
    let first_row = &first_row[..first_row.find("</tr>").unwrap()];
    assert!(first_row.contains("dxvif-test0101"), "{first_row}");
    assert!(
        first_row.contains("<span class=\"b down\">✖ down</span>"),
        "{first_row}"
    );
    let changes = &html[html.find("id=\"changes\"").unwrap()..];
    let changes = &changes[..changes.find("</table>").unwrap()];
    assert!(changes.contains("dxvif-test0101"));
    assert!(
        changes.contains("<span class=\"v ok\">✔ up</span> → <span class=\"v down\">✖ down</span>"),
        "{changes}"
    );

    // A VIF state change is recorded too.
    control(
        &sim,
        "/_sim/virtual-interface",
        json!({"virtual_interface_id": "dxvif-test0002", "state": "testing"}),
    )
    .await;
    let testing = status_until(&app, "dxvif-test0002 in testing", |s| {
        vif(s, "dxvif-test0002")["state"] == "testing"
    })
    .await;
    assert_eq!(vif(&testing, "dxvif-test0002")["health"], "transition");
    let change = &testing["recent_changes"][0];
    assert_eq!(change["kind"], "virtual_interface_state");
    assert_eq!(
        (&change["from"], &change["to"]),
        (&json!("available"), &json!("testing"))
    );
    assert!(page(&app).await.contains("id=\"transition\""));
    app.stop().await;
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hostile_vif_name_is_text_on_the_page_and_intact_in_json() {
    let evil = "<img src=x onerror=alert(1)>";
    let yaml = format!(
        "accounts:\n  - id: \"111111111111\"\n    regions:\n      us-east-1:\n        connections:\n\
         \x20         - {{id: dxcon-x0000001, name: c, location: EqDC2, bandwidth: 1Gbps}}\n\
         \x20       virtual_interfaces:\n          - id: dxvif-x0000001\n            name: '{evil}'\n\
         \x20           type: private\n            connection: dxcon-x0000001\n            vlan: 100\n\
         \x20           asn: 65000\n            peers:\n              - {{family: ipv4, status: down}}\n"
    );
    let sim = start_simulator(Scenario::from_yaml(&yaml, "evil.yaml").unwrap()).await;
    let app = start_exporter(
        &sim,
        "interval: 500ms\ntargets:\n  - regions: [us-east-1]\n",
        &[],
    )
    .await;
    wait_ready(&app).await;
    let json = status_until(&app, "the VIF listed", |s| {
        s["virtual_interfaces"]
            .as_array()
            .is_some_and(|v| !v.is_empty())
    })
    .await;
    assert_eq!(json["virtual_interfaces"][0]["name"], evil);

    let resp = get(&app, "/").await;
    let csp = resp.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    let html = resp.text().await.unwrap();
    assert!(!html.contains(evil), "the name must not be markup");
    assert!(html.contains("&lt;img src=x onerror=alert(1)&gt;"));
    assert!(csp.starts_with("default-src 'none'"));
    assert!(!csp.contains("unsafe-inline") && !csp.contains("script-src"));
    app.stop().await;
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_json_view_has_its_documented_fields_and_content_type() {
    let sim = start_simulator(fleet()).await;
    let app = start_exporter(
        &sim,
        TWO_ACCOUNTS,
        &["--web.grafana-url", "https://grafana.example.com/"],
    )
    .await;
    wait_ready(&app).await;
    let resp = get(&app, "/api/v1/status").await;
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()["content-type"], "application/json");
    let s: Value = resp.json().await.unwrap();
    for field in [
        "generated_at",
        "version",
        "revision",
        "ready",
        "summary",
        "virtual_interfaces",
        "redundancy",
        "connections",
        "lags",
        "gateways",
        "collectors",
        "api_requests",
        "recent_changes",
        "maintenance",
    ] {
        assert!(s.get(field).is_some(), "{field}");
    }
    assert_eq!(s["ready"], true);
    let gw = &s["redundancy"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["id"] == "11111111-aaaa-4000-8000-000000000001")
        .unwrap();
    assert_eq!(gw["kind"], "direct_connect_gateway");
    assert_eq!(gw["name"], "core-dxgw");
    // dxvif-test0001, 0003 and 0101 attach to it, each with a peer up.
    assert_eq!((&gw["healthy_paths"], &gw["paths"]), (&json!(3), &json!(3)));
    let denied = s["collectors"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["success"] == false)
        .count();
    assert_eq!(denied, 0, "{}", s["collectors"]);
    assert!(s["api_requests"][0]["results"]["throttled"].is_u64());
    // HEAD answers like GET without a body; other methods are refused.
    let head = http()
        .head(format!("{}/api/v1/status", base_url(&app)))
        .send()
        .await
        .unwrap();
    assert_eq!(head.status(), 200);
    let post = http()
        .post(format!("{}/api/v1/status", base_url(&app)))
        .send()
        .await
        .unwrap();
    assert_eq!(post.status(), 405);

    let html = page(&app).await;
    assert!(html.contains("href=\"https://grafana.example.com/d/directconnect-overview\""));
    assert!(html.contains(
        "https://grafana.example.com/d/directconnect-vif?var-account=111111111111&amp;var-region=us-east-1"
    ));
    assert!(html.contains("<meta http-equiv=\"refresh\""));
    assert!(html.contains("name=\"viewport\""));
    app.stop().await;
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_status_page_and_json_need_credentials_like_metrics() {
    let hash = bcrypt::hash("page-pass", 4).unwrap();
    let web = temp_file(
        "web.yml",
        &format!("basic_auth_users:\n  oncall: '{hash}'\n"),
    );
    let sim = start_simulator(fleet()).await;
    let app = start_exporter(
        &sim,
        TWO_ACCOUNTS,
        &["--web.config.file", web.to_str().unwrap()],
    )
    .await;
    for path in ["/", "/api/v1/status", "/metrics"] {
        assert_eq!(get(&app, path).await.status(), 401, "{path}");
        let ok = http()
            .get(format!("{}{path}", base_url(&app)))
            .basic_auth("oncall", Some("page-pass"))
            .send()
            .await
            .unwrap();
        assert_eq!(ok.status(), 200, "{path}");
    }
    app.stop().await;
    sim.shutdown().await;
}
