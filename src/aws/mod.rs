//! AWS access: SDK clients per target and region, account discovery, the retry and pacing
//! policy around every call, and (in submodules) pagination and mapping into model types.

mod describe;
mod map;

pub use describe::{
    collect_connections, collect_gateways, collect_lags, collect_virtual_interfaces,
};

use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use aws_config::BehaviorVersion;
use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_sdk_directconnect::error::{ProvideErrorMetadata, SdkError};
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_types::error::display::DisplayErrorContext;
use rand::Rng;

use crate::config::{Credentials, Region};
use crate::model::{CallResult, CollectorData, CollectorKind};
use crate::store::ApiStats;

/// Account label used while the account of default credentials is not yet known.
pub const UNKNOWN_ACCOUNT: &str = "unknown";

/// Error codes AWS uses for throttling.
const THROTTLING_CODES: [&str; 6] = [
    "ThrottlingException",
    "Throttling",
    "TooManyRequestsException",
    "RequestLimitExceeded",
    "RequestThrottled",
    "SlowDown",
];

/// The Direct Connect operations a collector calls.
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
    }
}

/// Runs one cycle of collector `kind`: every call it makes, paginated, mapped into model
/// types.
pub async fn collect(
    kind: CollectorKind,
    session: &Session,
    deadline: Instant,
) -> Result<CollectorData, CallError> {
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
    })
}

/// Attempts of one API call at most (the first try included).
const MAX_ATTEMPTS: u32 = 5;
/// Base and cap of the exponential backoff between attempts.
const BACKOFF_BASE: Duration = Duration::from_millis(200);
const BACKOFF_CAP: Duration = Duration::from_secs(10);
/// Bounds of the delay the pacer puts before each request while throttled.
const PACE_MIN: Duration = Duration::from_millis(100);
const PACE_MAX: Duration = Duration::from_secs(5);

/// A failed AWS call, after retries. Messages never contain request or response bodies.
#[derive(Debug, Clone, thiserror::Error)]
pub enum CallError {
    /// AWS answered with an error that retrying will not fix.
    #[error("{operation}: {result}: {message}")]
    Api {
        /// The API operation.
        operation: &'static str,
        /// How the last attempt ended.
        result: CallResult,
        /// One line: the error code and message.
        message: String,
    },
    /// Retries ran out of time or attempts.
    #[error("{operation}: cycle budget exhausted after {attempts} attempts ({last})")]
    BudgetExhausted {
        /// The API operation.
        operation: &'static str,
        /// Attempts allowed.
        attempts: u32,
        /// How the last attempt failed.
        last: String,
    },
    /// A listing's tokens did not end.
    #[error("{operation}: pagination did not end: {reason}")]
    Pagination {
        /// The API operation.
        operation: &'static str,
        /// What went wrong.
        reason: &'static str,
    },
}

/// Slows requests down while AWS throttles: each throttle doubles the delay put before
/// every request (up to [`PACE_MAX`]), each success halves it, so persistent throttling
/// lowers the request rate instead of raising it.
#[derive(Debug, Default)]
pub struct Pacer(Mutex<Duration>);

impl Pacer {
    /// The delay to put before the next request.
    pub fn delay(&self) -> Duration {
        self.0.lock().map(|d| *d).unwrap_or_default()
    }

    fn throttled(&self) {
        if let Ok(mut d) = self.0.lock() {
            *d = (*d * 2).clamp(PACE_MIN, PACE_MAX);
        }
    }

    fn succeeded(&self) {
        if let Ok(mut d) = self.0.lock() {
            *d /= 2;
            if *d < PACE_MIN {
                *d = Duration::ZERO;
            }
        }
    }
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
    stats: ApiStats,
    pacer: Arc<Pacer>,
    timeout: Duration,
}

impl Session {
    /// A session for `account_id` in `region`, counting calls in `stats`.
    pub fn new(
        config: &aws_config::SdkConfig,
        account_id: String,
        region: &Region,
        stats: ApiStats,
        timeout: Duration,
    ) -> Self {
        let conf = aws_sdk_directconnect::config::Builder::from(config)
            .region(aws_config::Region::new(region.as_str().to_owned()))
            .build();
        Session {
            account_id,
            region: region.as_str().to_owned(),
            client: aws_sdk_directconnect::Client::from_conf(conf),
            stats,
            pacer: Arc::new(Pacer::default()),
            timeout,
        }
    }

    /// The Direct Connect client of this account and region.
    pub fn client(&self) -> &aws_sdk_directconnect::Client {
        &self.client
    }

    /// Runs one API call with pacing, a per-attempt timeout, and retries with exponential
    /// backoff and full jitter on throttling, 5xx, timeouts and transport errors, until
    /// `deadline`. Every attempt is counted in `api_requests_total`.
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
        call_with_policy(
            &self.stats,
            &self.pacer,
            (&self.account_id, &self.region),
            operation,
            self.timeout,
            deadline,
            &mut attempt,
        )
        .await
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
    let pacer = Pacer::default();
    // The account is what this call finds out, so its attempts are counted under
    // `unknown`.
    stats.register(UNKNOWN_ACCOUNT, region.as_str(), &["GetCallerIdentity"]);
    let out = call_with_policy(
        stats,
        &pacer,
        (UNKNOWN_ACCOUNT, region.as_str()),
        "GetCallerIdentity",
        timeout,
        deadline,
        &mut || sts.get_caller_identity().send(),
    )
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

async fn call_with_policy<T, E, F, Fut>(
    stats: &ApiStats,
    pacer: &Pacer,
    (account_id, region): (&str, &str),
    operation: &'static str,
    timeout: Duration,
    deadline: Instant,
    attempt: &mut F,
) -> Result<T, CallError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, SdkError<E, HttpResponse>>>,
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    let mut last = String::new();
    for n in 0..MAX_ATTEMPTS {
        // While throttled, wait before each attempt; never so long that a cycle makes no
        // attempt at all, or the pacer could not learn that throttling has ended.
        let pace = pacer.delay();
        if !pace.is_zero() {
            let left = deadline.saturating_duration_since(Instant::now());
            if n > 0 && pace >= left {
                break;
            }
            tokio::time::sleep(pace.min(left / 2)).await;
        }
        let outcome = tokio::time::timeout(timeout, attempt()).await;
        let (result, message) = match outcome {
            Ok(Ok(value)) => {
                stats.record(account_id, region, operation, CallResult::Success);
                pacer.succeeded();
                return Ok(value);
            }
            Ok(Err(err)) => classify(&err),
            Err(_) => (CallResult::Timeout, format!("no answer within {timeout:?}")),
        };
        stats.record(account_id, region, operation, result);
        tracing::debug!(operation, region, account_id, result = result.label(), error = %message, attempt = n + 1, "AWS call failed");
        if result == CallResult::Throttled {
            pacer.throttled();
        }
        if result == CallResult::ClientError {
            return Err(CallError::Api {
                operation,
                result,
                message,
            });
        }
        last = format!("{result}: {message}");
        let backoff = full_jitter(n);
        if Instant::now() + backoff >= deadline {
            break;
        }
        tokio::time::sleep(backoff).await;
    }
    Err(CallError::BudgetExhausted {
        operation,
        attempts: MAX_ATTEMPTS,
        last,
    })
}

/// A random backoff in `[0, min(cap, base * 2^attempt)]` ("full jitter").
fn full_jitter(attempt: u32) -> Duration {
    let ceiling = BACKOFF_BASE
        .saturating_mul(1u32 << attempt.min(16))
        .min(BACKOFF_CAP);
    let ms = rand::rng().random_range(0..=ceiling.as_millis() as u64);
    Duration::from_millis(ms)
}

/// Maps an SDK error onto an `api_requests_total` result and a one-line message.
fn classify<E>(err: &SdkError<E, HttpResponse>) -> (CallResult, String)
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    let context = || one_line(&DisplayErrorContext(err).to_string());
    match err {
        SdkError::ServiceError(_) => {
            let code = err.code().unwrap_or("unknown");
            let message = one_line(&format!(
                "{code}: {}",
                err.message().unwrap_or("no message")
            ));
            let status = err.raw_response().map(|r| r.status().as_u16()).unwrap_or(0);
            if THROTTLING_CODES.contains(&code) || status == 429 {
                (CallResult::Throttled, message)
            } else if status >= 500 {
                (CallResult::ServerError, message)
            } else {
                (CallResult::ClientError, message)
            }
        }
        SdkError::TimeoutError(_) => (CallResult::Timeout, "attempt timed out".to_owned()),
        SdkError::DispatchFailure(f) if f.is_timeout() => (CallResult::Timeout, context()),
        // Credentials that cannot be had (e.g. AssumeRole denied) will not heal by retrying.
        SdkError::DispatchFailure(f) if f.is_user() || f.is_other() => {
            (CallResult::ClientError, context())
        }
        SdkError::DispatchFailure(_) => (CallResult::TransportError, context()),
        SdkError::ResponseError(_) => (CallResult::TransportError, context()),
        SdkError::ConstructionFailure(_) => (CallResult::ClientError, context()),
        _ => (CallResult::TransportError, context()),
    }
}

/// Longest error message kept, in bytes.
const MAX_MESSAGE_BYTES: usize = 300;

/// `s` on one line, cut to at most [`MAX_MESSAGE_BYTES`] on a character boundary.
fn one_line(s: &str) -> String {
    let mut s = s.replace(['\n', '\r'], " ");
    if s.len() > MAX_MESSAGE_BYTES {
        let cut = (0..=MAX_MESSAGE_BYTES)
            .rev()
            .find(|i| s.is_char_boundary(*i))
            .unwrap_or(0);
        s.truncate(cut);
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_but_stays_under_the_cap() {
        for attempt in 0..20 {
            let d = full_jitter(attempt);
            assert!(d <= BACKOFF_CAP, "{attempt}: {d:?}");
            assert!(d <= BACKOFF_BASE * 2u32.pow(attempt.min(16)));
        }
    }

    #[test]
    fn pacer_slows_down_on_throttling_and_recovers_on_success() {
        let p = Pacer::default();
        assert_eq!(p.delay(), Duration::ZERO);
        p.throttled();
        assert_eq!(p.delay(), PACE_MIN);
        for _ in 0..20 {
            p.throttled();
        }
        assert_eq!(p.delay(), PACE_MAX);
        for _ in 0..10 {
            p.succeeded();
        }
        assert_eq!(p.delay(), Duration::ZERO);
    }

    #[test]
    fn long_messages_are_cut_on_a_character_boundary() {
        let message = format!("{}€ and more", "x".repeat(MAX_MESSAGE_BYTES - 1));
        let cut = one_line(&message);
        assert!(cut.len() <= MAX_MESSAGE_BYTES);
        assert!(cut.ends_with('x'), "{cut}");
        assert_eq!(one_line("a\nb"), "a b");
    }
}
