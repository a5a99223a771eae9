//! Scenario timelines: events and fault windows applied as the simulated clock passes them.

use directconnect_exporter::simulator::Scenario;

use super::*;
use crate::common::*;

#[tokio::test]
async fn a_timeline_peer_goes_down_and_comes_back_as_the_clock_advances() {
    let (h, c) = demo().await;
    assert_eq!(status(&peer(&vif(&c, TRANSIT_A).await, "ipv4")), "up");
    advance_clock(&h, 50.0).await; // past 45s
    assert_eq!(status(&peer(&vif(&c, TRANSIT_A).await, "ipv4")), "down");
    advance_clock(&h, 60.0).await; // past 1m45s
    assert_eq!(status(&peer(&vif(&c, TRANSIT_A).await, "ipv4")), "up");

    // The flap: down from 2m for 60s, every 4m.
    assert_eq!(status(&peer(&vif(&c, PRIVATE_VPC).await, "ipv6")), "up");
    advance_clock(&h, 20.0).await; // ~2m10s
    assert_eq!(status(&peer(&vif(&c, PRIVATE_VPC).await, "ipv6")), "down");
    advance_clock(&h, 60.0).await; // ~3m10s
    assert_eq!(status(&peer(&vif(&c, PRIVATE_VPC).await, "ipv6")), "up");
    advance_clock(&h, 180.0).await; // ~6m10s: down again, and the EU VIF is down (5m..8m)
    assert_eq!(status(&peer(&vif(&c, PRIVATE_VPC).await, "ipv6")), "down");
    let eu = sim_sdk(&h).region("eu-west-1").direct_connect().await;
    assert_eq!(
        state(vif(&eu, "dxvif-fhm2x5kl").await.virtual_interface_state()),
        Some("down")
    );
    advance_clock(&h, 120.0).await; // ~8m10s
    assert_eq!(
        state(vif(&eu, "dxvif-fhm2x5kl").await.virtual_interface_state()),
        Some("available")
    );
}

#[tokio::test]
async fn a_scenario_fault_window_throttles_only_inside_the_window() {
    let yaml = r#"
accounts:
  - id: "111111111111"
timeline:
  - {at: 1m, fault: {kind: throttle, for: 30s, operation: DescribeLags, region: us-east-1}}
"#;
    let h = start_simulator(Scenario::from_yaml(yaml, "inline").unwrap()).await;
    let c = sim_sdk(&h).direct_connect().await;
    bounded(c.describe_lags().send()).await.unwrap();
    advance_clock(&h, 65.0).await;
    let err = bounded(c.describe_lags().send()).await.unwrap_err();
    assert_eq!(error_code(&err).as_deref(), Some("ThrottlingException"));
    bounded(c.describe_connections().send())
        .await
        .expect("other operations are not throttled");
    advance_clock(&h, 30.0).await;
    bounded(c.describe_lags().send())
        .await
        .expect("the window is over");
}
