//! The policy around every AWS call: lanes (one throttle pacer per account and region,
//! core collectors served first), per-attempt timeouts, retries with exponential backoff
//! and full jitter, counting every attempt, and turning SDK errors into short messages.

use std::collections::HashMap;
use std::future::Future;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use aws_credential_types::provider::error::CredentialsError;
use aws_sdk_directconnect::error::{ProvideErrorMetadata, SdkError};
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_types::error::display::DisplayErrorContext;
use rand::Rng;
use tokio::sync::Notify;

use crate::model::CallResult;
use crate::store::ApiStats;

/// Attempts of one API call at most (the first try included).
const MAX_ATTEMPTS: u32 = 5;
/// Base and cap of the exponential backoff between attempts.
const BACKOFF_BASE: Duration = Duration::from_millis(200);
const BACKOFF_CAP: Duration = Duration::from_secs(10);
/// Bounds of the delay a lane puts before each request while throttled.
const PACE_MIN: Duration = Duration::from_millis(100);
const PACE_MAX: Duration = Duration::from_secs(5);
/// Longest a background call waits for core calls to finish, so a steady stream of core
/// calls slows background collectors down but cannot stop them.
const MAX_YIELD: Duration = Duration::from_secs(5);
/// Longest error message kept, in bytes.
const MAX_MESSAGE_BYTES: usize = 300;

/// Error codes AWS uses for throttling.
const THROTTLING_CODES: [&str; 6] = [
    "ThrottlingException",
    "Throttling",
    "TooManyRequestsException",
    "RequestLimitExceeded",
    "RequestThrottled",
    "SlowDown",
];

/// Error codes that mean the account cannot use the API at all (not a fault of this
/// call, and not one that heals within hours), with what the user can do about it.
const UNAVAILABLE_CODES: [(&str, &str); 1] = [(
    "SubscriptionRequiredException",
    "the AWS Health API needs a Business, Enterprise On-Ramp or Enterprise Support plan \
     on this account (SubscriptionRequiredException); the collector stays off and is \
     tried again hourly: upgrade the support plan, or remove it from `collectors`",
)];

/// What to do about missing credentials, for the one line a target logs.
const NO_CREDENTIALS_HINT: &str = "no AWS credentials found (tried the environment, \
    shared profiles and SSO, web identity / IRSA, EKS Pod Identity, ECS and EC2 instance \
    metadata): set AWS_PROFILE or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, give the \
    pod or instance an IAM role (IRSA or EKS Pod Identity on Kubernetes), or run with \
    --demo to try the exporter without AWS";

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
    /// The account cannot use this API (e.g. AWS Health without a Business or Enterprise
    /// support plan); retrying will not help, within a cycle or the next.
    #[error("{operation}: {message}")]
    Unavailable {
        /// The API operation.
        operation: &'static str,
        /// Why, and what to do about it, on one line.
        message: String,
    },
    /// No credentials could be found or assumed; retrying will not help.
    #[error("{operation}: {message}")]
    Credentials {
        /// The API operation that needed them.
        operation: &'static str,
        /// The cause and what to do about it, on one line.
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

impl CallError {
    /// True when the account cannot use the API at all ([`CallError::Unavailable`]): the
    /// collector backs off for long instead of trying again every interval.
    pub fn is_unavailable(&self) -> bool {
        matches!(self, CallError::Unavailable { .. })
    }
}

/// Whose calls a lane serves first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Priority {
    /// The core collectors (BGP status and inventory): never wait for background calls.
    Core,
    /// Opt-in collectors: wait while core calls are in flight, and pace twice as slowly
    /// while throttled.
    Background,
}

/// The calls of every collector to one account and region. AWS throttles per account and
/// region, so the pacer is shared: throttling seen by one collector slows its siblings.
#[derive(Debug, Default)]
pub struct Lane {
    pace: Mutex<Duration>,
    core_in_flight: AtomicUsize,
    core_idle: Notify,
}

impl Lane {
    /// The delay to put before the next request of `priority`.
    pub fn delay(&self, priority: Priority) -> Duration {
        let base = self.pace.lock().map(|d| *d).unwrap_or_default();
        match priority {
            Priority::Core => base,
            Priority::Background => base * 2,
        }
    }

    fn throttled(&self) {
        if let Ok(mut d) = self.pace.lock() {
            *d = (*d * 2).clamp(PACE_MIN, PACE_MAX);
        }
    }

    fn succeeded(&self) {
        if let Ok(mut d) = self.pace.lock() {
            *d /= 2;
            if *d < PACE_MIN {
                *d = Duration::ZERO;
            }
        }
    }

    /// Core calls in flight right now.
    pub fn core_in_flight(&self) -> usize {
        self.core_in_flight.load(Ordering::Acquire)
    }

    /// Admits one attempt: a core attempt is counted while it runs; a background attempt
    /// first waits until no core attempt is in flight (at most [`MAX_YIELD`] and never
    /// past `deadline`).
    async fn admit(self: &Arc<Self>, priority: Priority, deadline: Instant) -> Option<CoreGuard> {
        match priority {
            Priority::Core => {
                self.core_in_flight.fetch_add(1, Ordering::AcqRel);
                Some(CoreGuard(self.clone()))
            }
            Priority::Background => {
                let until = deadline.min(Instant::now() + MAX_YIELD);
                while self.core_in_flight() > 0 {
                    let idle = self.core_idle.notified();
                    if self.core_in_flight() == 0 {
                        break;
                    }
                    if tokio::time::timeout_at(until.into(), idle).await.is_err() {
                        break;
                    }
                }
                None
            }
        }
    }
}

/// Marks a core attempt in flight; wakes waiting background calls when the last ends.
struct CoreGuard(Arc<Lane>);

impl Drop for CoreGuard {
    fn drop(&mut self) {
        if self.0.core_in_flight.fetch_sub(1, Ordering::AcqRel) == 1 {
            self.0.core_idle.notify_waiters();
        }
    }
}

/// The lanes of a running exporter, one per account and region.
#[derive(Debug, Default)]
pub struct Lanes(Mutex<HashMap<(String, String, Api), Arc<Lane>>>);

/// An AWS API with throttling quotas of its own: calls to one never pace calls to another.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Api {
    /// Direct Connect (every core collector, and `routes`).
    DirectConnect,
    /// CloudWatch (the `cloudwatch` collector).
    CloudWatch,
    /// AWS Health (the `maintenance` collector).
    Health,
}

impl Lanes {
    /// The Direct Connect lane of `account_id` in `region`, created on first use.
    pub fn get(&self, account_id: &str, region: &str) -> Arc<Lane> {
        self.get_for(account_id, region, Api::DirectConnect)
    }

    /// The lane of `api` for `account_id` in `region`, created on first use. AWS throttles
    /// each API per account and region on its own quota, so CloudWatch throttling slows
    /// only CloudWatch calls.
    pub fn get_for(&self, account_id: &str, region: &str, api: Api) -> Arc<Lane> {
        match self.0.lock() {
            Ok(mut map) => map
                .entry((account_id.to_owned(), region.to_owned(), api))
                .or_default()
                .clone(),
            // A poisoned map only loses sharing, never a call.
            Err(_) => Arc::new(Lane::default()),
        }
    }
}

/// Where a call goes and how it is counted.
#[derive(Debug, Clone, Copy)]
pub(super) struct CallSite<'a> {
    pub stats: &'a ApiStats,
    pub lane: &'a Arc<Lane>,
    pub priority: Priority,
    pub account_id: &'a str,
    pub region: &'a str,
    pub timeout: Duration,
}

/// Runs one API call: waits for the lane, paces while throttled, times out each attempt,
/// and retries throttling, 5xx, timeouts and transport errors with backoff until
/// `deadline`. Every attempt is counted in `api_requests_total`.
pub(super) async fn call<T, E, F, Fut>(
    site: CallSite<'_>,
    operation: &'static str,
    deadline: Instant,
    attempt: &mut F,
) -> Result<T, CallError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, SdkError<E, HttpResponse>>>,
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    let CallSite {
        stats,
        lane,
        priority,
        account_id,
        region,
        timeout,
    } = site;
    let mut last = String::new();
    for n in 0..MAX_ATTEMPTS {
        // While throttled, wait before each attempt; never so long that a cycle makes no
        // attempt at all, or the lane could not learn that throttling has ended.
        let pace = lane.delay(priority);
        if !pace.is_zero() {
            let left = deadline.saturating_duration_since(Instant::now());
            if n > 0 && pace >= left {
                break;
            }
            tokio::time::sleep(pace.min(left / 2)).await;
        }
        let guard = lane.admit(priority, deadline).await;
        let outcome = tokio::time::timeout(timeout, attempt()).await;
        drop(guard);
        let failure = match outcome {
            Ok(Ok(value)) => {
                stats.record(account_id, region, operation, CallResult::Success);
                lane.succeeded();
                return Ok(value);
            }
            Ok(Err(err)) => classify(&err),
            Err(_) => Failure::retry(CallResult::Timeout, format!("no answer within {timeout:?}")),
        };
        stats.record(account_id, region, operation, failure.result);
        tracing::debug!(
            operation,
            region,
            account_id,
            result = failure.result.label(),
            error = %failure.detail,
            attempt = n + 1,
            "AWS call failed"
        );
        match failure.kind {
            FailureKind::Credentials => {
                return Err(CallError::Credentials {
                    operation,
                    message: failure.message,
                });
            }
            FailureKind::Unavailable => {
                return Err(CallError::Unavailable {
                    operation,
                    message: failure.message,
                });
            }
            FailureKind::Final => {
                return Err(CallError::Api {
                    operation,
                    result: failure.result,
                    message: failure.message,
                });
            }
            FailureKind::Retry => {}
        }
        if failure.result == CallResult::Throttled {
            lane.throttled();
        }
        last = format!("{}: {}", failure.result, failure.message);
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

/// What to do after a failed attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum FailureKind {
    Retry,
    Final,
    Credentials,
    /// The account cannot use the API ([`UNAVAILABLE_CODES`]).
    Unavailable,
}

/// A failed attempt: its label, a short message for logs, the full chain for debug logs.
#[derive(Debug)]
struct Failure {
    result: CallResult,
    kind: FailureKind,
    message: String,
    detail: String,
}

impl Failure {
    fn retry(result: CallResult, message: String) -> Failure {
        Failure {
            result,
            kind: FailureKind::Retry,
            detail: message.clone(),
            message,
        }
    }

    fn is(result: CallResult, kind: FailureKind, message: String, detail: String) -> Failure {
        Failure {
            result,
            kind,
            message,
            detail,
        }
    }
}

/// A random backoff in `[0, min(cap, base * 2^attempt)]` ("full jitter").
fn full_jitter(attempt: u32) -> Duration {
    let ceiling = BACKOFF_BASE
        .saturating_mul(1u32 << attempt.min(16))
        .min(BACKOFF_CAP);
    let ms = rand::rng().random_range(0..=ceiling.as_millis() as u64);
    Duration::from_millis(ms)
}

/// Maps an SDK error onto an `api_requests_total` result, whether to retry, a one-line
/// message, and the full error chain (for debug logs only).
fn classify<E>(err: &SdkError<E, HttpResponse>) -> Failure
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    let detail = DisplayErrorContext(err)
        .to_string()
        .replace(['\n', '\r'], " ");
    let short = || one_line(&detail);
    match err {
        SdkError::ServiceError(_) => {
            let code = err.code().unwrap_or("unknown");
            let message = one_line(&format!(
                "{code}: {}",
                err.message().unwrap_or("no message")
            ));
            let status = err.raw_response().map(|r| r.status().as_u16()).unwrap_or(0);
            if let Some((_, hint)) = UNAVAILABLE_CODES.iter().find(|(c, _)| *c == code) {
                Failure::is(
                    CallResult::ClientError,
                    FailureKind::Unavailable,
                    (*hint).to_owned(),
                    detail,
                )
            } else if THROTTLING_CODES.contains(&code) || status == 429 {
                Failure::is(CallResult::Throttled, FailureKind::Retry, message, detail)
            } else if status >= 500 {
                Failure::is(CallResult::ServerError, FailureKind::Retry, message, detail)
            } else {
                Failure::is(CallResult::ClientError, FailureKind::Final, message, detail)
            }
        }
        SdkError::TimeoutError(_) => {
            Failure::retry(CallResult::Timeout, "attempt timed out".into())
        }
        SdkError::DispatchFailure(f) if f.is_timeout() => {
            Failure::is(CallResult::Timeout, FailureKind::Retry, short(), detail)
        }
        // Credentials that cannot be had (none found, AssumeRole denied) will not heal by
        // retrying within a cycle.
        SdkError::DispatchFailure(f) if f.is_user() || f.is_other() => {
            match credentials_error(err) {
                Some(CredentialsError::CredentialsNotLoaded(_)) => Failure::is(
                    CallResult::ClientError,
                    FailureKind::Credentials,
                    NO_CREDENTIALS_HINT.to_owned(),
                    detail,
                ),
                Some(_) => Failure::is(
                    CallResult::ClientError,
                    FailureKind::Credentials,
                    format!("credentials could not be obtained: {}", short()),
                    detail,
                ),
                None => Failure::is(CallResult::ClientError, FailureKind::Final, short(), detail),
            }
        }
        SdkError::DispatchFailure(_) | SdkError::ResponseError(_) => Failure::is(
            CallResult::TransportError,
            FailureKind::Retry,
            short(),
            detail,
        ),
        SdkError::ConstructionFailure(_) => {
            Failure::is(CallResult::ClientError, FailureKind::Final, short(), detail)
        }
        _ => Failure::is(
            CallResult::TransportError,
            FailureKind::Retry,
            short(),
            detail,
        ),
    }
}

/// The credentials error somewhere in `err`'s source chain, if any.
fn credentials_error<'a>(
    err: &'a (dyn std::error::Error + 'static),
) -> Option<&'a CredentialsError> {
    let mut next: Option<&(dyn std::error::Error + 'static)> = Some(err);
    // Source chains are short; the bound only guards against a cycle.
    for _ in 0..32 {
        let e = next?;
        if let Some(c) = e.downcast_ref::<CredentialsError>() {
            return Some(c);
        }
        next = e.source();
    }
    None
}

/// `s` on one line, cut to at most [`MAX_MESSAGE_BYTES`] on a character boundary.
pub(crate) fn one_line(s: &str) -> String {
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
    fn each_api_has_its_own_lane_so_cloudwatch_throttling_never_paces_direct_connect() {
        let lanes = Lanes::default();
        let dx = lanes.get("111111111111", "us-east-1");
        let cw = lanes.get_for("111111111111", "us-east-1", Api::CloudWatch);
        assert!(!Arc::ptr_eq(&dx, &cw));
        assert!(Arc::ptr_eq(
            &dx,
            &lanes.get_for("111111111111", "us-east-1", Api::DirectConnect)
        ));
        cw.throttled();
        assert_eq!(dx.delay(Priority::Core), Duration::ZERO);
        assert!(cw.delay(Priority::Background) > Duration::ZERO);
    }

    #[test]
    fn backoff_grows_but_stays_under_the_cap() {
        for attempt in 0..20 {
            let d = full_jitter(attempt);
            assert!(d <= BACKOFF_CAP, "{attempt}: {d:?}");
            assert!(d <= BACKOFF_BASE * 2u32.pow(attempt.min(16)));
        }
    }

    #[test]
    fn a_lane_slows_down_on_throttling_and_recovers_on_success() {
        let lane = Lane::default();
        assert_eq!(lane.delay(Priority::Core), Duration::ZERO);
        lane.throttled();
        assert_eq!(lane.delay(Priority::Core), PACE_MIN);
        assert_eq!(lane.delay(Priority::Background), PACE_MIN * 2);
        for _ in 0..20 {
            lane.throttled();
        }
        assert_eq!(lane.delay(Priority::Core), PACE_MAX);
        for _ in 0..10 {
            lane.succeeded();
        }
        assert_eq!(lane.delay(Priority::Core), Duration::ZERO);
    }

    #[test]
    fn lanes_are_shared_per_account_and_region() {
        let lanes = Lanes::default();
        let a = lanes.get("1", "us-east-1");
        assert!(Arc::ptr_eq(&a, &lanes.get("1", "us-east-1")));
        assert!(!Arc::ptr_eq(&a, &lanes.get("1", "eu-west-1")));
        assert!(!Arc::ptr_eq(&a, &lanes.get("2", "us-east-1")));
    }

    #[tokio::test]
    async fn background_calls_wait_for_core_calls_in_flight() {
        let lane = Arc::new(Lane::default());
        let deadline = Instant::now() + Duration::from_secs(30);
        let core = lane.admit(Priority::Core, deadline).await;
        assert_eq!(lane.core_in_flight(), 1);
        let waiter = {
            let lane = lane.clone();
            tokio::spawn(async move { lane.admit(Priority::Background, deadline).await })
        };
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert!(
            !waiter.is_finished(),
            "background went ahead of a core call"
        );
        drop(core);
        let admitted = tokio::time::timeout(Duration::from_secs(5), waiter).await;
        assert!(matches!(admitted, Ok(Ok(None))));
        assert_eq!(lane.core_in_flight(), 0);
    }

    #[tokio::test]
    async fn a_background_call_stops_waiting_at_its_deadline() {
        let lane = Arc::new(Lane::default());
        let _core = lane.admit(Priority::Core, Instant::now()).await;
        let deadline = Instant::now() + Duration::from_millis(100);
        let waited = tokio::time::timeout(
            Duration::from_secs(5),
            lane.admit(Priority::Background, deadline),
        )
        .await;
        assert!(matches!(waited, Ok(None)), "background call waited forever");
        assert!(Instant::now() >= deadline);
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
