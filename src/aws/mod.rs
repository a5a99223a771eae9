//! AWS access: SDK clients per target and region, sessions (an account and region with
//! its lane), account discovery, and the dispatch of each collector's calls. Submodules:
//! the call policy, pagination, and the mapping into model types.

mod cloudwatch;
mod describe;
mod failover_tests;
mod health;
mod map;
mod policy;
mod routes;

pub use cloudwatch::{LOOKBACK as CLOUDWATCH_LOOKBACK, MAX_QUERIES as CLOUDWATCH_MAX_QUERIES};
pub use policy::{Api, CallError, Lane, Lanes, Priority};

pub use describe::{
    collect_connections, collect_gateways, collect_lags, collect_virtual_interfaces,
};

use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use aws_config::BehaviorVersion;
use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_sdk_directconnect::error::{ProvideErrorMetadata, SdkError};
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;

use crate::config::{Credentials, Region};
use crate::model::{CallResult, CollectorData, CollectorKind, Snapshot};
use crate::store::ApiStats;

/// Account label used while the account of default credentials is not yet known.
pub const UNKNOWN_ACCOUNT: &str = "unknown";

/// The API operations a collector calls (Direct Connect, CloudWatch for `cloudwatch`, AWS
/// Health for `maintenance`).
pub fn operations(kind: CollectorKind) -> &'static [&'static str] {
    match kind {
        CollectorKind::VirtualInterfaces => &["DescribeVirtualInterfaces"],
        CollectorKind::Connections => &["DescribeConnections"],
        CollectorKind::Lags => &["DescribeLags"],
        CollectorKind::Gateways => &[
            "DescribeDirectConnectGateways",
            "DescribeDirectConnectGatewayAttachments",
            "DescribeDirectConnectGatewayAssociations",
        ],
        CollectorKind::Routes => &["ListVirtualInterfaceRoutes"],
        CollectorKind::FailoverTests => &[failover_tests::OPERATION],
        CollectorKind::Maintenance => &health::OPERATIONS,
        CollectorKind::Cloudwatch => &[cloudwatch::OPERATION],
    }
}

/// The API whose throttling quota a collector's calls draw on (and whose lane they queue on).
pub fn api_of(kind: CollectorKind) -> Api {
    match kind {
        CollectorKind::Cloudwatch => Api::CloudWatch,
        CollectorKind::Maintenance => Api::Health,
        _ => Api::DirectConnect,
    }
}

/// Runs one cycle of collector `kind`, which runs every `interval`: every call it makes,
/// paginated, mapped into model types. Collectors that need the inventory
/// ([`CollectorKind::inventory`]) read it from `inventory`, the latest published snapshot.
pub async fn collect(
    kind: CollectorKind,
    session: &Session,
    inventory: &Snapshot,
    (interval, deadline): (Duration, Instant),
) -> Result<CollectorData, CallError> {
    let published = |kind| inventory.data_of(&session.account_id, &session.region, kind);
    Ok(match kind {
        CollectorKind::VirtualInterfaces => {
            CollectorData::VirtualInterfaces(collect_virtual_interfaces(session, deadline).await?)
        }
        CollectorKind::Connections => {
            CollectorData::Connections(collect_connections(session, deadline).await?)
        }
        CollectorKind::Lags => CollectorData::Lags(collect_lags(session, deadline).await?),
        CollectorKind::Gateways => {
            CollectorData::Gateways(collect_gateways(session, deadline).await?)
        }
        CollectorKind::Routes => {
            let vifs = match published(CollectorKind::VirtualInterfaces) {
                Some(CollectorData::VirtualInterfaces(v)) => v.as_slice(),
                _ => &[],
            };
            CollectorData::Routes(routes::collect_routes(session, vifs, deadline).await?)
        }
        CollectorKind::FailoverTests => {
            let vifs = match published(CollectorKind::VirtualInterfaces) {
                Some(CollectorData::VirtualInterfaces(v)) => v.as_slice(),
                _ => &[],
            };
            CollectorData::FailoverTests(
                failover_tests::collect_failover_tests(session, vifs, deadline).await?,
            )
        }
        CollectorKind::Maintenance => {
            CollectorData::Maintenance(health::collect_maintenance(session, deadline).await?)
        }
        CollectorKind::Cloudwatch => {
            let vifs = match published(CollectorKind::VirtualInterfaces) {
                Some(CollectorData::VirtualInterfaces(v)) => v.as_slice(),
                _ => &[],
            };
            let conns = match published(CollectorKind::Connections) {
                Some(CollectorData::Connections(c)) => c.as_slice(),
                _ => &[],
            };
            let data =
                cloudwatch::collect_cloudwatch(session, (conns, vifs), interval, deadline).await?;
            CollectorData::Cloudwatch(data)
        }
    })
}

/// Settings for building SDK clients.
#[derive(Debug, Clone, Default)]
pub struct ClientOptions {
    /// Overrides the endpoint of every service (the simulator); `None` leaves the SDK's
    /// own resolution, which honours `AWS_ENDPOINT_URL*`.
    pub endpoint_url: Option<String>,
    /// Fixed credentials instead of the default chain (the simulator).
    pub static_credentials: Option<aws_credential_types::Credentials>,
    /// Timeout of one call attempt.
    pub timeout: Duration,
}

/// Loads the base SDK configuration of a target (credentials chain, endpoint, timeouts).
/// Retries are disabled in the SDK: [`Session::call`] owns the retry policy so that every
/// attempt is counted and paced.
pub async fn base_config(options: &ClientOptions, first_region: &Region) -> aws_config::SdkConfig {
    let mut loader = aws_config::defaults(BehaviorVersion::latest())
        .region(aws_config::Region::new(first_region.as_str().to_owned()))
        .retry_config(RetryConfig::disabled())
        .timeout_config(
            TimeoutConfig::builder()
                .operation_attempt_timeout(options.timeout)
                .connect_timeout(options.timeout.min(Duration::from_secs(5)))
                .build(),
        );
    if let Some(url) = &options.endpoint_url {
        loader = loader.endpoint_url(url);
    }
    if let Some(creds) = &options.static_credentials {
        loader = loader.credentials_provider(creds.clone());
    }
    loader.load().await
}

/// The SDK configuration for a target's credentials: the base, or an AssumeRole provider
/// on top of it.
pub async fn target_config(
    base: &aws_config::SdkConfig,
    credentials: &Credentials,
) -> aws_config::SdkConfig {
    match credentials {
        Credentials::Default => base.clone(),
        Credentials::AssumeRole {
            role_arn,
            external_id,
        } => {
            let mut builder = aws_config::sts::AssumeRoleProvider::builder(role_arn.as_str())
                .session_name("directconnect-exporter");
            if let Some(id) = external_id {
                builder = builder.external_id(id);
            }
            let provider = builder.configure(base).build().await;
            base.to_builder()
                .credentials_provider(
                    aws_credential_types::provider::SharedCredentialsProvider::new(provider),
                )
                .build()
        }
    }
}

/// Calls to one account in one region, with shared stats and pacing.
#[derive(Debug, Clone)]
pub struct Session {
    /// The account the credentials belong to.
    pub account_id: String,
    /// The region calls go to.
    pub region: String,
    client: aws_sdk_directconnect::Client,
    config: aws_config::SdkConfig,
    cloudwatch: aws_sdk_cloudwatch::Client,
    stats: ApiStats,
    lane: Arc<Lane>,
    priority: Priority,
    timeout: Duration,
}

impl Session {
    /// A session for `account_id` in `region`, counting calls in `stats` and queueing
    /// them on `lane` with `priority`. Its Direct Connect and CloudWatch clients share
    /// `config` (credentials, endpoint resolution, timeouts, no SDK retries).
    pub fn new(
        config: &aws_config::SdkConfig,
        account_id: String,
        region: &Region,
        stats: ApiStats,
        (lane, priority): (Arc<Lane>, Priority),
        timeout: Duration,
    ) -> Self {
        let region_of = || aws_config::Region::new(region.as_str().to_owned());
        let conf = aws_sdk_directconnect::config::Builder::from(config)
            .region(region_of())
            .build();
        let cloudwatch = aws_sdk_cloudwatch::config::Builder::from(config)
            .region(region_of())
            .build();
        Session {
            account_id,
            region: region.as_str().to_owned(),
            client: aws_sdk_directconnect::Client::from_conf(conf),
            config: config.clone(),
            cloudwatch: aws_sdk_cloudwatch::Client::from_conf(cloudwatch),
            stats,
            lane,
            priority,
            timeout,
        }
    }

    /// The Direct Connect client of this account and region.
    pub fn client(&self) -> &aws_sdk_directconnect::Client {
        &self.client
    }

    /// An AWS Health client of this session's credentials in `region` (Health answers
    /// on one global endpoint, us-east-1); calls still go through [`Session::call`].
    pub fn health_client(&self, region: &str) -> aws_sdk_health::Client {
        let conf = aws_sdk_health::config::Builder::from(&self.config)
            .region(aws_config::Region::new(region.to_owned()))
            .build();
        aws_sdk_health::Client::from_conf(conf)
    }

    /// The CloudWatch client of this account and region.
    pub fn cloudwatch(&self) -> &aws_sdk_cloudwatch::Client {
        &self.cloudwatch
    }

    /// Runs one API call under the policy of [`policy`]: the lane, pacing, a per-attempt
    /// timeout, retries with backoff until `deadline`, every attempt counted.
    pub async fn call<T, E, F, Fut>(
        &self,
        operation: &'static str,
        deadline: Instant,
        mut attempt: F,
    ) -> Result<T, CallError>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T, SdkError<E, HttpResponse>>>,
        E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    {
        let site = policy::CallSite {
            stats: &self.stats,
            lane: &self.lane,
            priority: self.priority,
            account_id: &self.account_id,
            region: &self.region,
            timeout: self.timeout,
        };
        policy::call(site, operation, deadline, &mut attempt).await
    }
}

/// Finds the account id of the default credentials with STS GetCallerIdentity.
pub async fn discover_account(
    config: &aws_config::SdkConfig,
    region: &Region,
    stats: &ApiStats,
    timeout: Duration,
    deadline: Instant,
) -> Result<String, CallError> {
    let sts = aws_sdk_sts::Client::new(config);
    // The account is what this call finds out, so its attempts are counted under
    // `unknown`, on a lane of its own.
    stats.register(UNKNOWN_ACCOUNT, region.as_str(), &["GetCallerIdentity"]);
    let site = policy::CallSite {
        stats,
        lane: &Arc::new(Lane::default()),
        priority: Priority::Core,
        account_id: UNKNOWN_ACCOUNT,
        region: region.as_str(),
        timeout,
    };
    let out = policy::call(site, "GetCallerIdentity", deadline, &mut || {
        sts.get_caller_identity().send()
    })
    .await?;
    out.account()
        .filter(|a| a.len() == 12 && a.bytes().all(|b| b.is_ascii_digit()))
        .map(str::to_owned)
        .ok_or(CallError::Api {
            operation: "GetCallerIdentity",
            result: CallResult::ClientError,
            message: "response has no valid account id".into(),
        })
}
