//! The HTTP server: unknown operations, bad and oversized bodies, silent clients, start-up and shutdown.

use directconnect_exporter::simulator::{Scenario, Simulator};
use reqwest::Method;
use serde_json::Value;

use super::*;
use crate::common::*;

#[tokio::test]
async fn an_unsupported_operation_gets_a_clear_400() {
    let (_h, c) = demo().await;
    let err = bounded(c.describe_locations().send()).await.unwrap_err();
    assert_eq!(
        error_code(&err).as_deref(),
        Some("UnknownOperationException")
    );
    assert_eq!(http_status(&err), Some(400));
}

#[tokio::test]
async fn malformed_json_is_a_serialization_exception() {
    let h = start_simulator(Scenario::demo()).await;
    let resp = bounded(
        reqwest::Client::new()
            .post(h.endpoint_url())
            .header("x-amz-target", "OvertureService.DescribeVirtualInterfaces")
            .header("content-type", "application/x-amz-json-1.1")
            .body("{not json")
            .send(),
    )
    .await
    .unwrap();
    assert_eq!(resp.status().as_u16(), 400);
    assert_eq!(
        resp.headers()
            .get("x-amzn-errortype")
            .and_then(|v| v.to_str().ok()),
        Some("SerializationException")
    );
    let body: Value = bounded(resp.json()).await.unwrap();
    assert_eq!(body["__type"], "SerializationException");
}

#[tokio::test]
async fn an_oversized_body_is_refused_and_the_server_keeps_serving() {
    let h = start_simulator(Scenario::demo()).await;
    let big = vec![b' '; 2 * 1024 * 1024];
    let result = bounded(
        reqwest::Client::new()
            .post(h.endpoint_url())
            .header("x-amz-target", "OvertureService.DescribeVirtualInterfaces")
            .body(big)
            .send(),
    )
    .await;
    // Either the 413 arrives or the server closed the connection while we were writing.
    if let Ok(resp) = result {
        assert_eq!(resp.status().as_u16(), 413);
    }
    let (s, _) = control_call(&h, Method::GET, "/_sim/health", None).await;
    assert_eq!(s, 200);
}

#[tokio::test]
async fn a_silent_client_does_not_block_others() {
    use tokio::io::AsyncWriteExt;
    let h = start_simulator(Scenario::demo()).await;
    let mut idle = bounded(tokio::net::TcpStream::connect(h.local_addr()))
        .await
        .unwrap();
    bounded(idle.write_all(b"POST / HTTP/1.1\r\nHost: x\r\n"))
        .await
        .unwrap();
    let c = sim_sdk(&h).direct_connect().await;
    bounded(c.describe_connections().send())
        .await
        .expect("served despite the idle client");
}

#[tokio::test]
async fn shutdown_stops_the_server() {
    let h = start_simulator(Scenario::demo()).await;
    let addr = h.local_addr();
    assert_eq!(h.endpoint_url(), format!("http://{addr}"));
    bounded(h.shutdown()).await;
    let connect = bounded(tokio::net::TcpStream::connect(addr)).await;
    assert!(connect.is_err(), "nothing listens after shutdown");
}

/// What the simulator logs while `run` runs on a fresh single-threaded runtime.
fn logs_of<T>(run: impl AsyncFnOnce() -> T) -> (T, String) {
    use std::sync::{Arc, Mutex};
    #[derive(Clone, Default)]
    struct Sink(Arc<Mutex<Vec<u8>>>);
    impl std::io::Write for Sink {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let sink = Sink::default();
    let writer = sink.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let out = tracing::subscriber::with_default(subscriber, || rt.block_on(run()));
    let logs = String::from_utf8(sink.0.lock().unwrap().clone()).unwrap();
    (out, logs)
}

#[test]
fn starting_logs_the_endpoint_line_others_rely_on() {
    let (url, out) = logs_of(async || {
        let h = start_simulator(Scenario::demo()).await;
        let url = h.endpoint_url();
        h.shutdown().await;
        url
    });
    let line = out
        .lines()
        .find(|l| l.contains("simulator listening"))
        .expect("a listening line");
    assert!(line.contains(&format!("endpoint={url}")), "{line}");
    assert!(url.starts_with("http://127.0.0.1:"));
    assert!(!out.contains("WARN"), "no warning on loopback: {out}");
}

#[test]
fn listening_beyond_loopback_logs_a_warning() {
    let ((), out) = logs_of(async || {
        let any = "0.0.0.0:0".parse().unwrap();
        let h = bounded(Simulator::start(any, Scenario::demo()))
            .await
            .expect("simulator starts");
        h.shutdown().await;
    });
    let warning = out
        .lines()
        .find(|l| l.contains("WARN") && l.contains("non-loopback"))
        .unwrap_or_else(|| panic!("a warning: {out}"));
    assert!(warning.contains("endpoint=http://0.0.0.0:"), "{warning}");
}
