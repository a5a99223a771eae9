//! The scheduler: one supervised task per job of the plan (target × region × collector,
//! global collectors once per target), each on its own jittered interval, writing every
//! cycle into the [`Store`].

mod peers;

pub use peers::PeerTracker;

use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use rand::Rng;
use tokio::sync::{OnceCell, watch};
use tokio::task::JoinSet;

use crate::aws::{self, CallError, ClientOptions, Session};
use crate::config::{Credentials, Job, Plan, Target};
use crate::model::{CollectorData, CollectorKey, CollectorKind, CollectorSnapshot};
use crate::store::Store;

pub use crate::aws::UNKNOWN_ACCOUNT;

/// Longest wait before a panicked collector task is started again.
const MAX_RESTART_BACKOFF: Duration = Duration::from_secs(300);

/// How collector tasks reach AWS.
#[derive(Debug, Clone)]
pub struct Runtime {
    /// What to collect.
    pub plan: Plan,
    /// How to build SDK clients.
    pub client: ClientOptions,
}

/// Starts one supervised task per job of the plan into `tasks`; they stop when
/// `shutdown` fires.
pub async fn spawn(
    rt: &Runtime,
    store: &Arc<Store>,
    tasks: &mut JoinSet<()>,
    shutdown: &watch::Receiver<bool>,
) {
    let mut targets = Vec::with_capacity(rt.plan.targets.len());
    for target in &rt.plan.targets {
        let base = aws::base_config(&rt.client, &target.regions[0]).await;
        let config = aws::target_config(&base, &target.credentials).await;
        targets.push((config, Arc::new(AccountId::new(target))));
    }
    for (task, job) in rt.plan.jobs().into_iter().enumerate() {
        let Some((config, account)) = targets.get(job.target) else {
            continue;
        };
        let worker = Arc::new(Worker {
            task,
            kind: job.kind,
            job,
            config: config.clone(),
            account: account.clone(),
            store: store.clone(),
            interval: rt.plan.interval,
            timeout: rt.plan.timeout,
            max_staleness: rt.plan.max_staleness,
        });
        tasks.spawn(worker.supervise(shutdown.clone()));
    }
}

/// The account id of a target: from the role ARN, or discovered once with STS.
#[derive(Debug)]
struct AccountId {
    known: OnceCell<String>,
}

impl AccountId {
    fn new(target: &Target) -> Self {
        let known = match &target.credentials {
            Credentials::AssumeRole { role_arn, .. } => {
                OnceCell::new_with(Some(role_arn.account_id().to_owned()))
            }
            Credentials::Default => OnceCell::new(),
        };
        AccountId { known }
    }

    async fn get(&self, w: &Worker, deadline: Instant) -> Result<String, CallError> {
        self.known
            .get_or_try_init(|| {
                aws::discover_account(
                    &w.config,
                    &w.job.region,
                    w.store.stats(),
                    w.timeout,
                    deadline,
                )
            })
            .await
            .cloned()
    }
}

/// One collector task: its job and what it needs to run it.
struct Worker {
    task: usize,
    kind: CollectorKind,
    job: Job,
    config: aws_config::SdkConfig,
    account: Arc<AccountId>,
    store: Arc<Store>,
    interval: Duration,
    timeout: Duration,
    max_staleness: Duration,
}

/// What a collector task carries from one cycle to the next.
#[derive(Default)]
struct WorkerState {
    session: Option<Session>,
    key: Option<CollectorKey>,
    last_success: Option<SystemTime>,
    data: Option<CollectorData>,
    peers: PeerTracker,
    panics: u64,
}

impl Worker {
    /// Runs the task, and starts it again with backoff whenever it panics: the panic is
    /// logged and counted, and `collector_success` goes to 0 until a cycle succeeds.
    async fn supervise(self: Arc<Self>, mut shutdown: watch::Receiver<bool>) {
        let mut panics = 0u64;
        let mut backoff = Duration::from_secs(1);
        let mut key = None;
        loop {
            let run = tokio::spawn(self.clone().run(shutdown.clone(), panics));
            match run.await {
                Ok(()) => return,
                Err(e) if e.is_panic() => {
                    panics += 1;
                    tracing::error!(
                        collector = self.kind.name(),
                        region = %self.job.region,
                        panics,
                        restart_in = %crate::duration::format(backoff),
                        "collector task panicked; restarting it"
                    );
                    let failed = self.snapshot_after_panic(panics, &mut key);
                    self.store.update(self.task, failed, None).await;
                }
                Err(_) => return,
            }
            tokio::select! {
                _ = tokio::time::sleep(backoff) => {}
                _ = shutdown.changed() => return,
            }
            backoff = (backoff * 2).min(MAX_RESTART_BACKOFF);
        }
    }

    /// The snapshot published for a task that panicked: failed, no data.
    fn snapshot_after_panic(
        &self,
        panics: u64,
        key: &mut Option<CollectorKey>,
    ) -> CollectorSnapshot {
        let account_id = self
            .account
            .known
            .get()
            .cloned()
            .unwrap_or_else(|| UNKNOWN_ACCOUNT.to_owned());
        let k = key.get_or_insert_with(|| self.key(account_id)).clone();
        CollectorSnapshot {
            key: k,
            success: false,
            duration: Duration::ZERO,
            interval: self.interval,
            panics,
            last_success: None,
            data: None,
            peer_status_changes: Default::default(),
        }
    }

    fn key(&self, account_id: String) -> CollectorKey {
        CollectorKey {
            account_id,
            region: self.job.region.as_str().to_owned(),
            kind: self.kind,
        }
    }

    async fn run(self: Arc<Self>, mut shutdown: watch::Receiver<bool>, panics: u64) {
        let mut state = WorkerState {
            panics,
            ..WorkerState::default()
        };
        // A short random start spreads the first calls of many tasks.
        let mut next = Instant::now()
            + jitter(
                Duration::ZERO,
                self.interval.min(Duration::from_millis(500)),
            );
        loop {
            tokio::select! {
                _ = tokio::time::sleep_until(next.into()) => {}
                _ = shutdown.changed() => return,
            }
            let started = Instant::now();
            // The cycle budget: retries end before the next cycle is due.
            let deadline = started + self.interval;
            tokio::select! {
                _ = self.cycle(&mut state, started, deadline) => {}
                _ = shutdown.changed() => return,
            }
            next = started + jitter(self.interval, self.interval / 10);
        }
    }

    async fn cycle(&self, state: &mut WorkerState, started: Instant, deadline: Instant) {
        let result = self.fetch(state, deadline).await;
        let now = SystemTime::now();
        let account_id = state
            .session
            .as_ref()
            .map(|s| s.account_id.clone())
            .unwrap_or_else(|| UNKNOWN_ACCOUNT.to_owned());
        let key = self.key(account_id);
        let success = match result {
            Ok(data) => {
                tracing::debug!(
                    collector = self.kind.name(),
                    region = %self.job.region,
                    account_id = %key.account_id,
                    resources = data.len(),
                    elapsed_ms = started.elapsed().as_millis() as u64,
                    "collection finished"
                );
                if let CollectorData::VirtualInterfaces(vifs) = &data {
                    state.peers.observe(vifs);
                }
                state.data = Some(data);
                state.last_success = Some(now);
                true
            }
            Err(e) => {
                tracing::warn!(
                    collector = self.kind.name(),
                    region = %self.job.region,
                    account_id = %key.account_id,
                    error = %e,
                    "collection failed; keeping last good data"
                );
                let stale = state
                    .last_success
                    .and_then(|t| now.duration_since(t).ok())
                    .is_none_or(|age| age > self.max_staleness);
                if stale && state.data.is_some() {
                    tracing::warn!(collector = self.kind.name(), region = %self.job.region, "dropping data older than max_staleness");
                    state.data = None;
                    state.peers = PeerTracker::default();
                }
                false
            }
        };
        let snapshot = CollectorSnapshot {
            key: key.clone(),
            success,
            duration: started.elapsed(),
            interval: self.interval,
            panics: state.panics,
            last_success: state.last_success,
            data: state.data.clone(),
            peer_status_changes: state.peers.counts(),
        };
        self.store
            .update(self.task, snapshot, state.key.as_ref())
            .await;
        state.key = Some(key);
    }

    async fn fetch(
        &self,
        state: &mut WorkerState,
        deadline: Instant,
    ) -> Result<CollectorData, CallError> {
        let session = match &state.session {
            Some(s) => s,
            None => {
                let account = self.account.get(self, deadline).await?;
                self.store.stats().register(
                    &account,
                    self.job.region.as_str(),
                    aws::operations(self.kind),
                );
                state.session.insert(Session::new(
                    &self.config,
                    account,
                    &self.job.region,
                    self.store.stats().clone(),
                    self.timeout,
                ))
            }
        };
        aws::collect(self.kind, session, deadline).await
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
    use super::*;

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
