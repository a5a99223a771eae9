//! Injected faults: what a fault is, which calls it hits, and what each service answers under it.
//!
//! Faults come from `POST /_sim/faults` (for a number of calls, or until cleared) and from
//! scenario timeline windows (from `at` for `for`). Every API call asks [`Faults::take`]:
//! the delays of all matching `latency` faults add up, and the first other matching fault
//! replaces the operation's answer with [`FaultKind::outcome`] for the call's service.
//!
//! A new fault kind is a variant of [`FaultKind`] and its arms in `outcome`; its
//! snake_case name is what scenario files and the control endpoint accept.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::protocol::{ApiError, Call, Outcome, Service};

/// Longest delay one `latency` fault may add, in milliseconds (10 minutes).
pub const MAX_LATENCY_MS: u64 = 600_000;

/// What a fault does to a matching call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FaultKind {
    /// The service's throttling error (400).
    Throttle,
    /// The service's internal error (500).
    ServerError,
    /// Adds `latency_ms` before the normal answer.
    Latency,
    /// 200 with a truncated, unparseable body.
    Malformed,
    /// Closes the connection without a response.
    Reset,
    /// The service's access-denied error (403).
    AccessDenied,
}

impl FaultKind {
    /// The answer a call of `operation` on `service` gets instead of the operation's, in
    /// that service's own error shape; `None` for `latency`, whose call is answered
    /// normally once the delay has passed.
    pub(crate) fn outcome(self, service: Service, operation: &str) -> Option<Outcome> {
        use FaultKind::*;
        use Service::*;
        let error = |status, code, message: String| {
            Some(Outcome::Error(ApiError::new(status, code, message)))
        };
        match (self, service) {
            (Latency, _) => None,
            (Reset, _) => Some(Outcome::Reset),
            (Malformed, DirectConnect) => Some(Outcome::Truncated(
                r#"{"virtualInterfaces":[{"virtualInterfaceId":"dxvif-tr"#,
            )),
            (Malformed, Sts) => Some(Outcome::Truncated("<AssumeRoleResponse><AssumeRoleRes")),
            // A CBOR text string head announcing 32 bytes, then fewer.
            (Malformed, CloudWatch) => Some(Outcome::Truncated("x MetricDataResults")),
            (Throttle, DirectConnect) => error(400, "ThrottlingException", "Rate exceeded".into()),
            (Throttle, Sts) => error(400, "Throttling", "Rate exceeded".into()),
            // CloudWatch answers with its query-protocol codes (see `protocol/cbor.rs`).
            (Throttle, CloudWatch) => error(400, "Throttling", "Rate exceeded".into()),
            (ServerError, DirectConnect) => error(
                500,
                "DirectConnectServerException",
                "Simulated internal failure".into(),
            ),
            (ServerError, Sts) => {
                error(500, "InternalFailure", "Simulated internal failure".into())
            }
            (ServerError, CloudWatch) => error(
                500,
                "InternalServiceError",
                "Simulated internal failure".into(),
            ),
            (AccessDenied, DirectConnect) => error(
                403,
                "AccessDeniedException",
                format!("User is not authorized to perform: directconnect:{operation}"),
            ),
            (AccessDenied, Sts) => error(
                403,
                "AccessDenied",
                format!("Access denied (simulated) for sts:{operation}"),
            ),
            (AccessDenied, CloudWatch) => error(
                403,
                "AccessDenied",
                format!("User is not authorized to perform: cloudwatch:{operation}"),
            ),
        }
    }
}

/// Which calls a fault hits and what it does to them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FaultSpec {
    /// What happens.
    pub kind: FaultKind,
    /// Only this operation; `None` matches every Direct Connect operation (operations of
    /// other services must be named).
    pub operation: Option<String>,
    /// Only calls from this account.
    pub account: Option<String>,
    /// Only calls to this region.
    pub region: Option<String>,
    /// Delay a `latency` fault adds, in milliseconds.
    pub latency_ms: u64,
}

impl FaultSpec {
    /// Why the control endpoint refuses this spec, if it does: a `latency` fault needs a
    /// delay of 1..=[`MAX_LATENCY_MS`].
    pub(crate) fn problem(&self) -> Option<String> {
        let bad_latency = self.latency_ms == 0 || self.latency_ms > MAX_LATENCY_MS;
        (self.kind == FaultKind::Latency && bad_latency)
            .then(|| format!("latency needs latency_ms in 1..={MAX_LATENCY_MS}"))
    }

    fn hits(&self, call: &Call<'_>) -> bool {
        let operation = match &self.operation {
            Some(op) => op == call.operation,
            None => call.service == Service::DirectConnect,
        };
        operation
            && self
                .account
                .as_deref()
                .is_none_or(|a| a == call.caller.account)
            && self
                .region
                .as_deref()
                .is_none_or(|r| r == call.caller.region)
    }
}

/// An active fault: its spec, how many calls it has left, and when it applies.
#[derive(Debug, Clone, Serialize)]
pub struct Fault {
    /// Id returned by `POST /_sim/faults`.
    pub id: u64,
    /// Which calls, and what happens.
    #[serde(flatten)]
    pub spec: FaultSpec,
    /// Calls left; `None` until cleared or the window ends.
    pub remaining: Option<u32>,
    /// Active from this simulated time (ms).
    pub from_ms: u64,
    /// Active until this simulated time (ms), if a window.
    pub until_ms: Option<u64>,
}

impl Fault {
    fn applies(&self, call: &Call<'_>, now_ms: u64) -> bool {
        self.spec.hits(call) && now_ms >= self.from_ms && !self.over(now_ms)
    }

    /// Used up or past its window.
    fn over(&self, now_ms: u64) -> bool {
        self.remaining == Some(0) || self.until_ms.is_some_and(|u| now_ms >= u)
    }
}

/// What the matching faults do to one call.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FaultEffect {
    /// Total added delay.
    pub latency: Duration,
    /// The first matching fault other than `latency`.
    pub kind: Option<FaultKind>,
}

/// The fault list is full: the control endpoint may add no more until some are cleared,
/// used up or expired.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the fault list is full ({0} active faults); DELETE /_sim/faults to clear it")]
pub struct FaultListFull(pub usize);

/// The active faults, in the order they were added.
#[derive(Debug)]
pub struct Faults {
    active: Vec<Fault>,
    next_id: u64,
    /// Faults past which [`Faults::add_counted`] refuses.
    capacity: usize,
}

impl Faults {
    /// No faults; the first gets id 1. The control endpoint may add up to `capacity`.
    pub fn new(capacity: usize) -> Faults {
        Faults {
            active: Vec::new(),
            next_id: 1,
            capacity,
        }
    }

    /// Adds a fault for `count` calls (`None`: until cleared), active now; returns its id,
    /// or refuses when the list already holds `capacity` faults.
    pub fn add_counted(
        &mut self,
        spec: FaultSpec,
        count: Option<u32>,
    ) -> Result<u64, FaultListFull> {
        if self.active.len() >= self.capacity {
            return Err(FaultListFull(self.active.len()));
        }
        Ok(self.push(spec, count, 0, None))
    }

    /// Adds a fault active from `from_ms` until `until_ms` (simulated time); returns its id.
    /// Never refused: a scenario's windows are as many as its file says.
    pub fn add_window(&mut self, spec: FaultSpec, from_ms: u64, until_ms: u64) -> u64 {
        self.push(spec, None, from_ms, Some(until_ms))
    }

    fn push(
        &mut self,
        spec: FaultSpec,
        remaining: Option<u32>,
        from_ms: u64,
        until_ms: Option<u64>,
    ) -> u64 {
        let id = self.next_id;
        self.next_id += 1;
        self.active.push(Fault {
            id,
            spec,
            remaining,
            from_ms,
            until_ms,
        });
        id
    }

    /// Removes every fault; returns how many there were.
    pub fn clear(&mut self) -> usize {
        let n = self.active.len();
        self.active.clear();
        n
    }

    /// The active faults.
    pub fn list(&self) -> &[Fault] {
        &self.active
    }

    /// Consumes the faults matching `call` at simulated time `now_ms`: all latencies add
    /// up, the first other fault decides the outcome, and each fault used counts one call
    /// down. Used-up and expired faults are dropped.
    pub fn take(&mut self, call: &Call<'_>, now_ms: u64) -> FaultEffect {
        let mut effect = FaultEffect::default();
        for f in &mut self.active {
            if !f.applies(call, now_ms) {
                continue;
            }
            let used = match f.spec.kind {
                FaultKind::Latency => {
                    effect.latency += Duration::from_millis(f.spec.latency_ms);
                    true
                }
                kind if effect.kind.is_none() => {
                    effect.kind = Some(kind);
                    true
                }
                _ => false,
            };
            if used && let Some(n) = &mut f.remaining {
                *n = n.saturating_sub(1);
            }
        }
        self.active.retain(|f| !f.over(now_ms));
        effect
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::simulator::protocol::Caller;

    fn spec(kind: FaultKind) -> FaultSpec {
        FaultSpec {
            kind,
            operation: None,
            account: None,
            region: None,
            latency_ms: 0,
        }
    }

    fn caller(account: &str, region: &str) -> Caller {
        Caller {
            access_key_id: String::new(),
            account: account.into(),
            region: region.into(),
        }
    }

    fn call<'a>(service: Service, operation: &'a str, caller: &'a Caller) -> Call<'a> {
        Call {
            service,
            operation,
            caller,
        }
    }

    #[test]
    fn counted_faults_run_out_and_latencies_add_up() {
        let mut faults = Faults::new(10);
        faults
            .add_counted(spec(FaultKind::Throttle), Some(1))
            .unwrap();
        let slow = FaultSpec {
            latency_ms: 100,
            ..spec(FaultKind::Latency)
        };
        faults.add_counted(slow, Some(2)).unwrap();
        let lags_only = FaultSpec {
            operation: Some("DescribeLags".into()),
            latency_ms: 50,
            ..spec(FaultKind::Latency)
        };
        faults.add_counted(lags_only, None).unwrap();
        let me = caller("111111111111", "us-east-1");
        let first = faults.take(&call(Service::DirectConnect, "DescribeLags", &me), 0);
        assert_eq!(first.kind, Some(FaultKind::Throttle));
        assert_eq!(first.latency, Duration::from_millis(150));
        let conns = call(Service::DirectConnect, "DescribeConnections", &me);
        let second = faults.take(&conns, 0);
        assert_eq!(
            (second.kind, second.latency),
            (None, Duration::from_millis(100))
        );
        assert_eq!(faults.take(&conns, 0), FaultEffect::default());
        assert_eq!(
            faults.list().len(),
            1,
            "the uncounted fault stays until cleared"
        );
    }

    #[test]
    fn faults_without_an_operation_spare_sts_and_filters_apply() {
        let mut faults = Faults::new(10);
        let narrow = FaultSpec {
            account: Some("222222222222".into()),
            region: Some("eu-west-1".into()),
            ..spec(FaultKind::ServerError)
        };
        faults.add_counted(narrow, None).unwrap();
        let target = caller("222222222222", "eu-west-1");
        let kind = |faults: &mut Faults, service, op, who: &Caller| {
            faults.take(&call(service, op, who), 0).kind
        };
        assert_eq!(kind(&mut faults, Service::Sts, "AssumeRole", &target), None);
        let other_account = caller("111111111111", "eu-west-1");
        let lags = "DescribeLags";
        assert_eq!(
            kind(&mut faults, Service::DirectConnect, lags, &other_account),
            None
        );
        let other_region = caller("222222222222", "us-east-1");
        assert_eq!(
            kind(&mut faults, Service::DirectConnect, lags, &other_region),
            None
        );
        assert_eq!(
            kind(&mut faults, Service::DirectConnect, lags, &target),
            Some(FaultKind::ServerError)
        );
    }

    #[test]
    fn a_window_applies_only_between_its_start_and_end() {
        let mut faults = Faults::new(10);
        faults.add_window(spec(FaultKind::Throttle), 1_000, 2_000);
        let me = caller("111111111111", "us-east-1");
        let lags = call(Service::DirectConnect, "DescribeLags", &me);
        assert_eq!(faults.take(&lags, 999).kind, None);
        assert_eq!(faults.take(&lags, 1_000).kind, Some(FaultKind::Throttle));
        assert_eq!(faults.take(&lags, 2_000).kind, None);
        assert!(faults.list().is_empty(), "an ended window is dropped");
    }

    #[test]
    fn every_kind_answers_in_the_services_own_error_shape() {
        use FaultKind::*;
        use Service::*;
        for (kind, service, expected) in [
            (Throttle, DirectConnect, (400, "ThrottlingException")),
            (Throttle, Sts, (400, "Throttling")),
            (
                ServerError,
                DirectConnect,
                (500, "DirectConnectServerException"),
            ),
            (ServerError, Sts, (500, "InternalFailure")),
            (AccessDenied, DirectConnect, (403, "AccessDeniedException")),
            (AccessDenied, Sts, (403, "AccessDenied")),
            (Throttle, CloudWatch, (400, "Throttling")),
            (ServerError, CloudWatch, (500, "InternalServiceError")),
            (AccessDenied, CloudWatch, (403, "AccessDenied")),
        ] {
            match kind.outcome(service, "Op") {
                Some(Outcome::Error(e)) => assert_eq!((e.status, e.code), expected),
                other => panic!("{kind:?} on {service:?}: {other:?}"),
            }
        }
        assert!(Latency.outcome(Sts, "Op").is_none());
        assert!(matches!(
            Reset.outcome(DirectConnect, "Op"),
            Some(Outcome::Reset)
        ));
        assert!(matches!(
            Malformed.outcome(Sts, "Op"),
            Some(Outcome::Truncated(_))
        ));
    }

    #[test]
    fn a_full_list_refuses_new_faults_but_not_scenario_windows() {
        let mut faults = Faults::new(1);
        assert_eq!(faults.add_counted(spec(FaultKind::Reset), None), Ok(1));
        assert_eq!(
            faults.add_counted(spec(FaultKind::Reset), None),
            Err(FaultListFull(1))
        );
        assert_eq!(faults.add_window(spec(FaultKind::Reset), 0, 10), 2);
        faults.clear();
        assert!(faults.add_counted(spec(FaultKind::Reset), None).is_ok());
    }

    #[test]
    fn a_latency_fault_needs_a_bounded_delay() {
        let slow = |ms| FaultSpec {
            latency_ms: ms,
            ..spec(FaultKind::Latency)
        };
        assert!(slow(0).problem().is_some());
        assert!(slow(MAX_LATENCY_MS + 1).problem().is_some());
        assert!(slow(400).problem().is_none());
        assert!(spec(FaultKind::Throttle).problem().is_none());
    }
}
