//! The HTTP server: unknown operations, bad and oversized bodies, silent clients, start-up and shutdown.

use directconnect_exporter::simulator::{Scenario, Simulator, SimulatorHandle};
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

/// A Smithy RPC v2 CBOR request to `path` with `body`, with or without the protocol header.
async fn cbor_post(
    h: &SimulatorHandle,
    path: &str,
    protocol: bool,
    body: Vec<u8>,
) -> reqwest::Response {
    let mut req = reqwest::Client::new()
        .post(format!("{}{path}", h.endpoint_url()))
        .header("content-type", "application/cbor")
        .body(body);
    if protocol {
        req = req.header("smithy-protocol", "rpc-v2-cbor");
    }
    bounded(req.send()).await.unwrap()
}

/// The body, header and status of a CBOR error answer, checked for the protocol's shape.
async fn cbor_error(resp: reqwest::Response) -> (u16, Option<String>, Vec<u8>) {
    let status = resp.status().as_u16();
    let header = |name: &str| {
        resp.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    assert_eq!(header("smithy-protocol").as_deref(), Some("rpc-v2-cbor"));
    assert_eq!(header("content-type").as_deref(), Some("application/cbor"));
    let query_error = header("x-amzn-query-error");
    let body = bounded(resp.bytes()).await.unwrap().to_vec();
    (status, query_error, body)
}

#[tokio::test]
async fn a_cbor_service_the_simulator_does_not_know_gets_a_404_in_the_cbor_shape() {
    let h = start_simulator(Scenario::demo()).await;
    let resp = cbor_post(&h, "/service/NoSuchService/operation/Op", true, vec![0xa0]).await;
    let (status, query_error, body) = cbor_error(resp).await;
    assert_eq!((status, query_error), (404, None));
    let text = String::from_utf8_lossy(&body);
    assert!(
        text.contains("__type") && text.contains("#UnknownOperationException"),
        "{text}"
    );
}

#[tokio::test]
async fn a_cbor_request_without_the_protocol_header_or_with_a_bad_body_is_a_serialization_error() {
    let h = start_simulator(Scenario::demo()).await;
    let path = "/service/GraniteServiceVersion20100801/operation/GetMetricData";
    for (protocol, body) in [
        (false, vec![0xa0]),
        (true, vec![0xa1, 0x01]),
        (true, vec![0x80]),
    ] {
        let (status, query_error, body) =
            cbor_error(cbor_post(&h, path, protocol, body).await).await;
        assert_eq!(status, 400);
        // CloudWatch is query compatible: the code is also in x-amzn-query-error.
        assert_eq!(
            query_error.as_deref(),
            Some("SerializationException;Sender")
        );
        let text = String::from_utf8_lossy(&body);
        assert!(
            text.contains("com.amazonaws.cloudwatch#SerializationException"),
            "{text}"
        );
    }
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
