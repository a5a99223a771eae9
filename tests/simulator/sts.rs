//! STS through the real SDK: caller identity, and AssumeRole into another account.

use aws_config::BehaviorVersion;
use aws_config::retry::RetryConfig;
use directconnect_exporter::simulator::Scenario;

use super::*;
use crate::common::*;

#[tokio::test]
async fn assume_role_lands_later_calls_in_the_target_account() {
    let h = start_simulator(Scenario::demo()).await;
    let base = sim_sdk(&h).config().await;
    let sts = aws_sdk_sts::Client::new(&base);
    let me = bounded(sts.get_caller_identity().send()).await.unwrap();
    assert_eq!(me.account(), Some("111111111111"));

    let assumed = assume_role(&sts, "arn:aws:iam::222222222222:role/dx-read", "exporter")
        .await
        .unwrap();
    let tmp = assumed.credentials().unwrap();
    assert!(tmp.access_key_id().contains("222222222222"));
    assert_eq!(
        assumed.assumed_role_user().map(|u| u.arn()),
        Some("arn:aws:sts::222222222222:assumed-role/dx-read/exporter")
    );

    // The SDK's own AssumeRoleProvider (what the exporter uses) works against it too.
    let provider =
        aws_config::sts::AssumeRoleProvider::builder("arn:aws:iam::222222222222:role/dx-read")
            .session_name("exporter")
            .configure(&base)
            .build()
            .await;
    let role_config = aws_config::defaults(BehaviorVersion::latest())
        .endpoint_url(h.endpoint_url())
        .region(aws_config::Region::new("us-east-1"))
        .credentials_provider(provider)
        .retry_config(RetryConfig::disabled())
        .load()
        .await;
    let who = bounded(
        aws_sdk_sts::Client::new(&role_config)
            .get_caller_identity()
            .send(),
    )
    .await
    .unwrap();
    assert_eq!(who.account(), Some("222222222222"));
    assert!(
        who.arn()
            .unwrap_or_default()
            .contains("assumed-role/dx-read")
    );
    let vifs = bounded(
        dx::Client::new(&role_config)
            .describe_virtual_interfaces()
            .send(),
    )
    .await
    .unwrap();
    assert!(!vifs.virtual_interfaces().is_empty());
    assert!(
        vifs.virtual_interfaces()
            .iter()
            .all(|v| v.owner_account() == Some("222222222222"))
    );
}

#[tokio::test]
async fn assume_role_into_a_denied_account_is_access_denied() {
    let yaml = "accounts:\n  - id: \"111111111111\"\n  - id: \"333333333333\"\n    deny_assume_role: true\n";
    let h = start_simulator(Scenario::from_yaml(yaml, "inline").unwrap()).await;
    let sts = sim_sdk(&h).sts().await;
    let err = assume_role(&sts, "arn:aws:iam::333333333333:role/dx-read", "x")
        .await
        .unwrap_err();
    assert_eq!(error_code(&err).as_deref(), Some("AccessDenied"));
    assert_eq!(http_status(&err), Some(403));
}
