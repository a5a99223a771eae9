//! Injected faults as the real SDK sees them: each kind, counts, filters, and STS.

use std::time::{Duration, Instant};

use aws_sdk_directconnect::error::SdkError;
use directconnect_exporter::simulator::Scenario;
use reqwest::Method;
use serde_json::json;

use super::*;
use crate::common::*;

#[tokio::test]
async fn a_throttle_counted_twice_fails_two_calls_and_sdk_retries_absorb_it() {
    let (h, c) = demo().await;
    let fault = json!({"kind": "throttle", "operation": "DescribeConnections", "count": 2});
    inject_fault(&h, fault).await;
    for _ in 0..2 {
        let err = bounded(c.describe_connections().send()).await.unwrap_err();
        assert_eq!(error_code(&err).as_deref(), Some("ThrottlingException"));
        assert_eq!(http_status(&err), Some(400));
    }
    bounded(c.describe_connections().send())
        .await
        .expect("third call succeeds");

    // With the SDK's standard retries, two throttles are absorbed.
    let fault = json!({"kind": "throttle", "operation": "DescribeConnections", "count": 2});
    inject_fault(&h, fault).await;
    let retrying = sim_sdk(&h).retries(Retries::Fast).direct_connect().await;
    bounded(retrying.describe_connections().send())
        .await
        .expect("retried to success");
}

#[tokio::test]
async fn a_server_error_fault_is_a_500_server_exception() {
    let (h, c) = demo().await;
    let fault = json!({"kind": "server_error", "account": "111111111111", "region": "us-east-1"});
    inject_fault(&h, fault).await;
    let err = bounded(c.describe_lags().send()).await.unwrap_err();
    assert_eq!(
        error_code(&err).as_deref(),
        Some("DirectConnectServerException")
    );
    assert_eq!(http_status(&err), Some(500));
    let eu = sim_sdk(&h).region("eu-west-1").direct_connect().await;
    bounded(eu.describe_lags().send())
        .await
        .expect("other regions are unaffected");
    let (status, cleared) = control_call(&h, Method::DELETE, "/_sim/faults", None).await;
    assert_eq!((status, cleared["cleared"].as_u64()), (200, Some(1)));
    bounded(c.describe_lags().send()).await.expect("cleared");
}

#[tokio::test]
async fn a_malformed_body_is_an_sdk_error_not_a_hang() {
    let (h, c) = demo().await;
    inject_fault(&h, json!({"kind": "malformed", "count": 1})).await;
    let err = bounded(c.describe_virtual_interfaces().send())
        .await
        .unwrap_err();
    assert!(
        matches!(err, SdkError::ResponseError(_) | SdkError::ServiceError(_)),
        "{err:?}"
    );
    bounded(c.describe_virtual_interfaces().send())
        .await
        .expect("next call is fine");
}

#[tokio::test]
async fn a_reset_connection_is_an_sdk_error_not_a_hang() {
    let (h, c) = demo().await;
    let fault = json!({"kind": "reset", "operation": "DescribeLags", "count": 1});
    inject_fault(&h, fault).await;
    let err = bounded(c.describe_lags().send()).await.unwrap_err();
    assert!(
        matches!(
            err,
            SdkError::DispatchFailure(_) | SdkError::ResponseError(_)
        ),
        "{err:?}"
    );
    bounded(c.describe_lags().send())
        .await
        .expect("next call is fine");
}

#[tokio::test]
async fn an_access_denied_fault_is_an_access_denied_exception() {
    let (h, c) = demo().await;
    let fault = json!({"kind": "access_denied", "operation": "DescribeDirectConnectGateways"});
    inject_fault(&h, fault).await;
    let err = bounded(c.describe_direct_connect_gateways().send())
        .await
        .unwrap_err();
    assert_eq!(error_code(&err).as_deref(), Some("AccessDeniedException"));
    assert_eq!(http_status(&err), Some(403));
    let err = bounded(c.describe_direct_connect_gateways().send())
        .await
        .unwrap_err();
    assert_eq!(
        error_code(&err).as_deref(),
        Some("AccessDeniedException"),
        "lasts until cleared"
    );
}

#[tokio::test]
async fn a_latency_fault_delays_the_answer() {
    let (h, c) = demo().await;
    let fault = json!({"kind": "latency", "latency_ms": 400, "count": 1});
    inject_fault(&h, fault).await;
    let started = Instant::now();
    bounded(c.describe_connections().send()).await.unwrap();
    assert!(started.elapsed() >= Duration::from_millis(400));
    let started = Instant::now();
    bounded(c.describe_connections().send()).await.unwrap();
    assert!(
        started.elapsed() < Duration::from_millis(400),
        "count 1 means once"
    );
}

#[tokio::test]
async fn sts_faults_apply_only_when_they_name_the_sts_action() {
    let h = start_simulator(Scenario::demo()).await;
    let sts = sim_sdk(&h).sts().await;
    inject_fault(&h, json!({"kind": "server_error"})).await;
    bounded(sts.get_caller_identity().send())
        .await
        .expect("a fault without an operation only hits Direct Connect");
    let fault = json!({"kind": "throttle", "operation": "AssumeRole", "count": 1});
    inject_fault(&h, fault).await;
    let err = assume_role(&sts, "arn:aws:iam::222222222222:role/x", "s")
        .await
        .unwrap_err();
    assert_eq!(error_code(&err).as_deref(), Some("Throttling"));
}
