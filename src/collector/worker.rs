//! One collector task: its cycle (fetch, keep last-good data, publish), and the
//! supervisor that restarts it with backoff when it panics.

use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use rand::Rng;
use tokio::sync::{OnceCell, watch};

use super::{PeerTracker, Shared};
use crate::aws::{self, CallError, Priority, Session};
use crate::config::{Credentials, Region, Target};
use crate::model::{CollectorData, CollectorKey, CollectorKind, CollectorSnapshot};

pub use crate::aws::UNKNOWN_ACCOUNT;

/// Longest wait before a panicked collector task is started again.
const MAX_RESTART_BACKOFF: Duration = Duration::from_secs(300);
/// Longest random delay before a task's first cycle.
const START_SPREAD: Duration = Duration::from_millis(100);
/// Wait before a collector whose API the account cannot use (no support plan for AWS
/// Health) tries again: long, so it makes one call an hour rather than a retry storm.
const UNAVAILABLE_BACKOFF: Duration = Duration::from_secs(3600);

/// The account id of a target: from the role ARN, or discovered once with STS.
#[derive(Debug)]
pub(super) struct AccountId {
    known: OnceCell<String>,
}

impl AccountId {
    pub(super) fn new(target: &Target) -> Self {
        let known = match &target.credentials {
            Credentials::AssumeRole { role_arn, .. } => {
                OnceCell::new_with(Some(role_arn.account_id().to_owned()))
            }
            Credentials::Default => OnceCell::new(),
        };
        AccountId { known }
    }
}

/// What a task runs: one collector for one target in one region.
pub(super) struct Worker {
    pub task: usize,
    /// Index of the target, for logs and rate-limited warnings.
    pub target: usize,
    pub kind: CollectorKind,
    pub region: Region,
    pub config: aws_config::SdkConfig,
    pub account: Arc<AccountId>,
    pub shared: Arc<Shared>,
    pub interval: Duration,
    pub timeout: Duration,
    pub max_staleness: Duration,
}

/// What a collector task carries from one cycle to the next.
#[derive(Default)]
struct WorkerState {
    session: Option<Session>,
    last_success: Option<SystemTime>,
    data: Option<CollectorData>,
    peers: PeerTracker,
    panics: u64,
    standing_by: bool,
    /// The account cannot use this collector's API; logged once, until a success.
    unavailable: bool,
}

/// When the next cycle is due, as the last one decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Next {
    /// After the interval, with jitter.
    Interval,
    /// Soon: the inventory this collector works from is not published yet.
    Inventory,
    /// After [`UNAVAILABLE_BACKOFF`]: the account cannot use the API.
    BackOff,
}

/// How a cycle ended.
enum Outcome {
    Collected(CollectorData),
    Failed(CallError),
    /// Another target already collects this account and region.
    Duplicate {
        holder: usize,
    },
    /// The inventory this collector works from is not published yet.
    NoInventory,
}

/// Longest wait before a collector whose inventory is not there yet looks again.
const INVENTORY_RETRY: Duration = Duration::from_secs(2);

impl Worker {
    /// Runs the task, and starts it again with backoff whenever it panics: the panic is
    /// logged and counted, and the collector is published as failed until a cycle
    /// succeeds.
    pub(super) async fn supervise(self: Arc<Self>, shutdown: watch::Receiver<bool>) {
        let mut stop = shutdown.clone();
        let me = self.clone();
        let run = move |panics| me.clone().run(shutdown.clone(), panics);
        supervise(run, &mut stop, |panics, backoff| {
            let me = self.clone();
            async move {
                tracing::error!(
                    collector = me.kind.name(),
                    region = %me.region,
                    panics,
                    restart_in = %crate::duration::format(backoff),
                    "collector task panicked; restarting it"
                );
                let failed = me.failed_after_panic(panics);
                me.shared.store.update(me.task, failed).await;
            }
        })
        .await;
    }

    /// The snapshot published for a task that panicked: failed, no data.
    fn failed_after_panic(&self, panics: u64) -> CollectorSnapshot {
        let account_id = self.account.known.get().cloned();
        CollectorSnapshot {
            key: self.key(account_id.unwrap_or_else(|| UNKNOWN_ACCOUNT.to_owned())),
            success: false,
            duration: Duration::ZERO,
            interval: self.interval,
            panics,
            last_success: None,
            data: None,
            last_error: Some(format!("collector task panicked (restart {panics})")),
            peer_status_changes: Default::default(),
        }
    }

    fn key(&self, account_id: String) -> CollectorKey {
        CollectorKey {
            account_id,
            region: self.region.as_str().to_owned(),
            kind: self.kind,
        }
    }

    async fn run(self: Arc<Self>, mut shutdown: watch::Receiver<bool>, panics: u64) {
        let mut state = WorkerState {
            panics,
            ..WorkerState::default()
        };
        // A short random start spreads the first calls of many tasks; short, because
        // readiness waits for the last of them. Later cycles spread by the interval's jitter.
        let mut next = Instant::now() + jitter(Duration::ZERO, self.interval.min(START_SPREAD));
        loop {
            tokio::select! {
                _ = tokio::time::sleep_until(next.into()) => {}
                _ = shutdown.changed() => return,
            }
            let started = Instant::now();
            // The cycle budget: retries end before the next cycle is due.
            let deadline = started + self.interval;
            let due = tokio::select! {
                due = self.cycle(&mut state, started, deadline) => due,
                _ = shutdown.changed() => return,
            };
            next = match due {
                Next::Inventory => started + self.interval.min(INVENTORY_RETRY),
                Next::Interval => started + jitter(self.interval, self.interval / 10),
                Next::BackOff => started + UNAVAILABLE_BACKOFF.max(self.interval),
            };
        }
    }

    /// One cycle; says when the next is due.
    async fn cycle(&self, state: &mut WorkerState, started: Instant, deadline: Instant) -> Next {
        let outcome = self.fetch(state, deadline).await;
        let now = SystemTime::now();
        let account_id = state
            .session
            .as_ref()
            .map(|s| s.account_id.clone())
            .unwrap_or_else(|| UNKNOWN_ACCOUNT.to_owned());
        let key = self.key(account_id);
        let mut last_error = None;
        let success = match outcome {
            Outcome::Duplicate { holder } => {
                if !state.standing_by {
                    let message = format!(
                        "another target already collects account {} in {}; collecting it once",
                        key.account_id, self.region
                    );
                    if self
                        .shared
                        .notices
                        .should_warn(self.target, &message, Instant::now())
                        .is_some()
                    {
                        tracing::warn!(target_index = self.target, "{message}");
                    }
                    tracing::debug!(
                        collector = self.kind.name(),
                        task = self.task,
                        holder,
                        "standing by"
                    );
                    state.standing_by = true;
                    self.shared.store.retire(self.task);
                }
                return Next::Interval;
            }
            Outcome::NoInventory => return Next::Inventory,
            Outcome::Collected(data) => {
                tracing::debug!(
                    collector = self.kind.name(),
                    region = %self.region,
                    account_id = %key.account_id,
                    resources = data.len(),
                    elapsed_ms = started.elapsed().as_millis() as u64,
                    "collection finished"
                );
                self.shared.quiet.clear(self.target);
                if state.unavailable {
                    tracing::info!(collector = self.kind.name(), account_id = %key.account_id, "the account can use the collector's API again; collecting");
                    state.unavailable = false;
                }
                if let CollectorData::VirtualInterfaces(vifs) = &data {
                    state.peers.observe(vifs);
                }
                state.data = Some(data);
                state.last_success = Some(now);
                true
            }
            Outcome::Failed(e) if e.is_unavailable() => {
                if !state.unavailable {
                    tracing::warn!(
                        collector = self.kind.name(),
                        account_id = %key.account_id,
                        error = %e,
                        "collector disabled for this account"
                    );
                } else {
                    tracing::debug!(collector = self.kind.name(), account_id = %key.account_id, error = %e, "collector still disabled");
                }
                state.unavailable = true;
                state.data = None;
                last_error = Some(e.to_string());
                false
            }
            Outcome::Failed(e) => {
                self.log_failure(&key, &e);
                let stale = state
                    .last_success
                    .and_then(|t| now.duration_since(t).ok())
                    .is_none_or(|age| age > self.max_staleness);
                if stale && state.data.is_some() {
                    tracing::warn!(collector = self.kind.name(), region = %self.region, "dropping data older than max_staleness");
                    state.data = None;
                    state.peers = PeerTracker::default();
                }
                last_error = Some(e.to_string());
                false
            }
        };
        state.standing_by = false;
        let snapshot = CollectorSnapshot {
            key,
            success,
            duration: started.elapsed(),
            interval: self.interval,
            panics: state.panics,
            last_success: state.last_success,
            data: state.data.clone(),
            last_error,
            peer_status_changes: state.peers.counts(),
        };
        self.shared.store.update(self.task, snapshot).await;
        if state.unavailable {
            Next::BackOff
        } else {
            Next::Interval
        }
    }

    /// Logs a failed cycle: once per target and message at warn (credentials problems
    /// name the fix), repeats at debug.
    fn log_failure(&self, key: &CollectorKey, e: &CallError) {
        let message = e.to_string();
        match self
            .shared
            .quiet
            .should_warn(self.target, &message, Instant::now())
        {
            Some(held) => tracing::warn!(
                collector = self.kind.name(),
                region = %self.region,
                account_id = %key.account_id,
                target = self.target,
                error = %message,
                repeats_held_back = held,
                "collection failed; keeping last good data"
            ),
            None => tracing::debug!(
                collector = self.kind.name(),
                region = %self.region,
                account_id = %key.account_id,
                error = %message,
                "collection failed again"
            ),
        }
    }

    async fn fetch(&self, state: &mut WorkerState, deadline: Instant) -> Outcome {
        let session = match &mut state.session {
            Some(s) => s,
            slot @ None => match self.open_session(deadline).await {
                Ok(s) => slot.insert(s),
                Err(e) => return Outcome::Failed(e),
            },
        };
        let key = self.key(session.account_id.clone());
        if let Err(holder) = self.shared.claims.claim(&key, self.task, self.target) {
            return Outcome::Duplicate { holder };
        }
        let inventory = self.shared.store.published().snapshot.clone();
        let missing = self.kind.inventory().iter().any(|kind| {
            inventory
                .data_of(&session.account_id, &session.region, *kind)
                .is_none()
        });
        if missing {
            return Outcome::NoInventory;
        }
        match aws::collect(self.kind, session, &inventory, (self.interval, deadline)).await {
            Ok(data) => Outcome::Collected(data),
            Err(e) => Outcome::Failed(e),
        }
    }

    /// Learns the account (once per target) and opens a session on its lane.
    async fn open_session(&self, deadline: Instant) -> Result<Session, CallError> {
        let account = self
            .account
            .known
            .get_or_try_init(|| {
                aws::discover_account(
                    &self.config,
                    &self.region,
                    self.shared.store.stats(),
                    self.timeout,
                    deadline,
                )
            })
            .await?
            .clone();
        let stats = self.shared.store.stats();
        stats.register(&account, self.region.as_str(), aws::operations(self.kind));
        let priority = if self.kind.is_core() {
            Priority::Core
        } else {
            Priority::Background
        };
        let lane =
            self.shared
                .lanes
                .get_for(&account, self.region.as_str(), aws::api_of(self.kind));
        Ok(Session::new(
            &self.config,
            account,
            &self.region,
            stats.clone(),
            (lane, priority),
            self.timeout,
        ))
    }
}

/// Runs `task(panics)` on a tokio task of its own until it returns. When it panics:
/// `on_panic(panics, backoff)`, a wait of `backoff` (doubling up to
/// [`MAX_RESTART_BACKOFF`]) unless `stop` fires, and a new run.
pub(super) async fn supervise<R, RF, P, PF>(
    mut task: R,
    stop: &mut watch::Receiver<bool>,
    mut on_panic: P,
) where
    R: FnMut(u64) -> RF,
    RF: std::future::Future<Output = ()> + Send + 'static,
    P: FnMut(u64, Duration) -> PF,
    PF: std::future::Future<Output = ()>,
{
    let mut panics = 0u64;
    let mut backoff = Duration::from_secs(1);
    loop {
        match tokio::spawn(task(panics)).await {
            Err(e) if e.is_panic() => {
                panics += 1;
                on_panic(panics, backoff).await;
            }
            _ => return,
        }
        tokio::select! {
            _ = tokio::time::sleep(backoff) => {}
            _ = stop.changed() => return,
        }
        backoff = (backoff * 2).min(MAX_RESTART_BACKOFF);
    }
}

/// `base` plus or minus a random amount up to `spread`.
fn jitter(base: Duration, spread: Duration) -> Duration {
    let spread_ms = spread.as_millis() as i64;
    if spread_ms == 0 {
        return base;
    }
    let delta = rand::rng().random_range(-spread_ms..=spread_ms);
    let ms = (base.as_millis() as i64 + delta).max(0);
    Duration::from_millis(ms as u64)
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicU64, Ordering};

    use super::*;

    #[tokio::test]
    async fn a_panicking_task_is_counted_and_run_again() {
        let runs = Arc::new(AtomicU64::new(0));
        let seen = Arc::new(std::sync::Mutex::new(Vec::new()));
        let (_keep, mut stop) = watch::channel(false);
        let r = runs.clone();
        let task = move |panics: u64| {
            let r = r.clone();
            async move {
                r.fetch_add(1, Ordering::SeqCst);
                // Panics on its first run only, like a bad response fixed by the next one.
                assert!(panics > 0, "first run panics");
            }
        };
        let s = seen.clone();
        let finished = tokio::time::timeout(
            Duration::from_secs(10),
            supervise(task, &mut stop, move |panics, backoff| {
                let s = s.clone();
                async move { s.lock().unwrap().push((panics, backoff)) }
            }),
        )
        .await;
        assert!(
            finished.is_ok(),
            "the second run returned, so supervise returns"
        );
        assert_eq!(runs.load(Ordering::SeqCst), 2);
        assert_eq!(*seen.lock().unwrap(), vec![(1, Duration::from_secs(1))]);
    }

    #[tokio::test]
    async fn a_stop_during_the_backoff_ends_the_supervisor() {
        let (tx, mut stop) = watch::channel(false);
        let task = |_: u64| async { panic!("always") };
        let sup = supervise(task, &mut stop, |_, _| async {});
        let stopper = async {
            tokio::time::sleep(Duration::from_millis(100)).await;
            let _ = tx.send(true);
        };
        let (done, ()) = tokio::join!(tokio::time::timeout(Duration::from_secs(5), sup), stopper);
        assert!(done.is_ok());
    }

    #[test]
    fn jitter_stays_within_its_spread() {
        for _ in 0..100 {
            let d = jitter(Duration::from_secs(10), Duration::from_secs(1));
            assert!(d >= Duration::from_secs(9) && d <= Duration::from_secs(11));
        }
        assert_eq!(
            jitter(Duration::from_secs(3), Duration::ZERO),
            Duration::from_secs(3)
        );
    }
}
