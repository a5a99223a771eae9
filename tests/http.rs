//! The HTTP surface with a real client against the real server: routes, negotiation,
//! gzip, readiness, and the format checkers (promtool, a strict OpenMetrics parser).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::io::Read;
use std::process::{Command, Stdio};

use common::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn routes_methods_and_content_negotiation_follow_the_spec() {
    let sim = start_simulator(fleet()).await;
    let app = start_exporter(&sim, TWO_ACCOUNTS, &[]).await;
    let base = base_url(&app);
    let c = http();
    assert_eq!(
        c.get(format!("{base}/-/healthy"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    wait_ready(&app).await;

    let text = c.get(format!("{base}/metrics")).send().await.unwrap();
    assert_eq!(text.status(), 200);
    assert_eq!(
        text.headers()["content-type"],
        "text/plain; version=0.0.4; charset=utf-8"
    );
    assert!(!text.text().await.unwrap().contains("# EOF"));

    let om = c
        .get(format!("{base}/metrics"))
        .header(
            "Accept",
            "application/openmetrics-text;version=1.0.0;q=0.9,text/plain;version=0.0.4;q=0.5",
        )
        .send()
        .await
        .unwrap();
    assert!(
        om.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/openmetrics-text; version=1.0.0")
    );
    assert!(om.text().await.unwrap().ends_with("# EOF\n"));

    let gz = c
        .get(format!("{base}/metrics"))
        .header("Accept-Encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(gz.headers()["content-encoding"], "gzip");
    let body = gz.bytes().await.unwrap();
    let mut plain = String::new();
    flate2::read::GzDecoder::new(&body[..])
        .read_to_string(&mut plain)
        .unwrap();
    assert!(plain.contains("aws_directconnect_bgp_peer_up{"));

    let post = c.post(format!("{base}/metrics")).send().await.unwrap();
    assert_eq!(post.status(), 405);
    assert_eq!(post.headers()["allow"], "GET, HEAD");
    assert_eq!(
        c.delete(format!("{base}/-/ready"))
            .send()
            .await
            .unwrap()
            .status(),
        405
    );
    assert_eq!(
        c.get(format!("{base}/nope")).send().await.unwrap().status(),
        404
    );
    let head = c.head(format!("{base}/metrics")).send().await.unwrap();
    assert_eq!(head.status(), 200);

    let page = c.get(format!("{base}/")).send().await.unwrap();
    assert!(
        page.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let page = page.text().await.unwrap();
    assert!(page.contains("href=\"/metrics\"") && page.contains("dxvif-test0003"));
    app.stop().await;
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ready_waits_for_the_first_collection_round_whatever_its_outcome() {
    let sim = start_simulator(fleet()).await;
    // Every call is slowed down, so the first round takes a while and then fails.
    control(
        &sim,
        "/_sim/faults",
        serde_json::json!({"kind": "latency", "latency_ms": 1500}),
    )
    .await;
    let app = start_exporter(
        &sim,
        "interval: 1s\ntimeout: 500ms\ntargets:\n  - regions: [us-east-1]\n",
        &[],
    )
    .await;
    let c = http();
    let early = c
        .get(format!("{}/-/ready", base_url(&app)))
        .send()
        .await
        .unwrap();
    assert_eq!(early.status(), 503);
    wait_ready(&app).await;
    let s = parse(&scrape(&app).await);
    assert!(
        select(&s, "aws_directconnect_collector_success", &[])
            .iter()
            .all(|x| x.value == 0.0)
    );
    app.stop().await;
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn promtool_check_metrics_accepts_the_output() {
    let sim = start_simulator(fleet()).await;
    let app = start_exporter(&sim, &format!("{TWO_ACCOUNTS}tag_labels: [Name]\n"), &[]).await;
    wait_ready(&app).await;
    let body = scrape(&app).await;
    let mut child = Command::new("promtool")
        .args(["check", "metrics"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("promtool is installed (apt-get install prometheus); .ci/run installs it");
    std::io::Write::write_all(child.stdin.as_mut().unwrap(), body.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    let report = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let findings: Vec<&str> = report.lines().filter(|l| !l.trim().is_empty()).collect();
    assert!(findings.is_empty(), "promtool findings: {report}");
    app.stop().await;
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_strict_openmetrics_parser_accepts_the_output() {
    let sim = start_simulator(fleet()).await;
    let app = start_exporter(&sim, TWO_ACCOUNTS, &[]).await;
    wait_ready(&app).await;
    let body = http()
        .get(format!("{}/metrics", base_url(&app)))
        .header("Accept", "application/openmetrics-text; version=1.0.0")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    // prometheus_client's OpenMetrics parser rejects anything outside the spec.
    let script = "import sys\nfrom prometheus_client.openmetrics.parser import text_string_to_metric_families as p\n\
                  fams = list(p(sys.stdin.read()))\nprint(len(fams))\n";
    let mut child = Command::new("python3")
        .args(["-c", script])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("python3");
    std::io::Write::write_all(child.stdin.as_mut().unwrap(), body.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "OpenMetrics parser (pip install prometheus-client) rejected the output: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let families: usize = String::from_utf8_lossy(&out.stdout).trim().parse().unwrap();
    assert!(families >= 25, "{families} families");
    app.stop().await;
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tls_and_basic_auth_from_the_web_config_protect_the_metrics() {
    let dir = temp_file("placeholder", "").parent().unwrap().to_owned();
    // A throwaway CA and a server certificate for 127.0.0.1 it signs.
    let script = "set -e
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj /CN=test-ca -days 1 -keyout ca.key -out ca.crt
openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj /CN=localhost -keyout server.key -out server.csr
printf 'subjectAltName=IP:127.0.0.1\\nbasicConstraints=critical,CA:FALSE\\n' > ext.cnf
openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 1 -extfile ext.cnf -out server.crt";
    let status = Command::new("sh")
        .args(["-c", script])
        .current_dir(&dir)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .expect("sh and the openssl CLI (Debian package openssl)");
    assert!(status.success());
    let hash = bcrypt::hash("scrape-pass", 4).unwrap();
    let web = dir.join("web.yml");
    std::fs::write(
        &web,
        format!("tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n  min_version: TLS12\nbasic_auth_users:\n  prometheus: '{hash}'\n"),
    )
    .unwrap();
    let sim = start_simulator(fleet()).await;
    let app = start_exporter(
        &sim,
        TWO_ACCOUNTS,
        &["--web.config.file", web.to_str().unwrap()],
    )
    .await;
    let ca = reqwest::Certificate::from_pem(&std::fs::read(dir.join("ca.crt")).unwrap()).unwrap();
    let client = reqwest::Client::builder()
        .add_root_certificate(ca)
        .timeout(std::time::Duration::from_secs(10))
        .build()
        .unwrap();
    let url = format!("https://{}/metrics", app.local_addrs()[0]);

    let anonymous = client.get(&url).send().await.unwrap();
    assert_eq!(anonymous.status(), 401);
    assert!(anonymous.headers().contains_key("www-authenticate"));
    let wrong = client
        .get(&url)
        .basic_auth("prometheus", Some("guess"))
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), 401);
    let ok = client
        .get(&url)
        .basic_auth("prometheus", Some("scrape-pass"))
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), 200);
    assert!(
        ok.text()
            .await
            .unwrap()
            .contains("aws_directconnect_exporter_build_info")
    );
    // Plain HTTP on the TLS port gets no metrics.
    let plain = http()
        .get(format!("http://{}/metrics", app.local_addrs()[0]))
        .send()
        .await;
    assert!(plain.map(|r| r.status() != 200).unwrap_or(true));
    app.stop().await;
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_clients_holding_connections_do_not_starve_scrapes() {
    use tokio::io::AsyncWriteExt;
    let sim = start_simulator(fleet()).await;
    let app = start_exporter(&sim, TWO_ACCOUNTS, &[]).await;
    wait_ready(&app).await;
    let addr = app.local_addrs()[0];
    // Fifty clients that send half a request head and then stall.
    let mut stalled = Vec::new();
    for _ in 0..50 {
        let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
        s.write_all(b"GET /metrics HTTP/1.1\r\nHost: x\r\nX-Slow: ")
            .await
            .unwrap();
        stalled.push(s);
    }
    let started = std::time::Instant::now();
    for _ in 0..5 {
        let body = scrape(&app).await;
        assert!(body.contains("aws_directconnect_bgp_peer_up{"));
    }
    assert!(
        started.elapsed() < std::time::Duration::from_secs(10),
        "scrapes waited on stalled clients"
    );
    // An oversized request head is refused, not buffered without bound.
    let huge = "x".repeat(64 * 1024);
    let resp = http()
        .get(format!("http://{addr}/metrics"))
        .header("X-Huge", huge)
        .send()
        .await;
    assert!(resp.map(|r| r.status().is_client_error()).unwrap_or(true));
    drop(stalled);
    app.stop().await;
    sim.shutdown().await;
}
