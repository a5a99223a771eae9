//! The scheduler: one supervised task per job of the plan (target × region × collector,
//! global collectors once per target), each on its own jittered interval, writing every
//! cycle into the [`Store`]. A new plan (a reloaded config) stops the tasks whose job is
//! gone or changed, with their series, and starts the new ones; unchanged tasks keep
//! running with their state.

mod claims;
mod peers;
mod quiet;
mod worker;

pub use peers::PeerTracker;
pub use worker::UNKNOWN_ACCOUNT;

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::watch;
use tokio::task::JoinSet;

use crate::aws::{self, ClientOptions, Lanes};
use crate::config::{Credentials, Plan, Region, Target};
use crate::model::CollectorKind;
use crate::store::Store;
use claims::Claims;
use quiet::Quiet;
use worker::{AccountId, Worker};

/// What every task of a running exporter shares.
#[derive(Debug)]
pub struct Shared {
    store: Arc<Store>,
    lanes: Lanes,
    claims: Claims,
    /// Failures already warned about (cleared by a success).
    quiet: Quiet,
    /// Notices already given (never cleared): a target standing by for another.
    notices: Quiet,
}

/// What makes two tasks the same: a task whose spec is unchanged by a reload keeps
/// running.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Spec {
    credentials: Credentials,
    kind: CollectorKind,
    region: Region,
    interval: Duration,
    timeout: Duration,
    max_staleness: Duration,
}

/// A running task.
#[derive(Debug)]
struct Running {
    spec: Spec,
    task: usize,
    stop: watch::Sender<bool>,
}

/// A target's SDK configuration and account id, built once and reused across reloads.
#[derive(Debug)]
struct TargetSetup {
    credentials: Credentials,
    config: aws_config::SdkConfig,
    account: Arc<AccountId>,
}

/// Runs the collector tasks of a plan.
#[derive(Debug)]
pub struct Scheduler {
    shared: Arc<Shared>,
    client: ClientOptions,
    targets: Vec<TargetSetup>,
    running: Vec<Running>,
    next_task: usize,
    tasks: JoinSet<()>,
}

impl Scheduler {
    /// A scheduler with no tasks yet; [`Scheduler::apply`] starts a plan's.
    pub fn new(store: Arc<Store>, client: ClientOptions) -> Scheduler {
        Scheduler {
            shared: Arc::new(Shared {
                store,
                lanes: Lanes::default(),
                claims: Claims::default(),
                quiet: Quiet::default(),
                notices: Quiet::default(),
            }),
            client,
            targets: Vec::new(),
            running: Vec::new(),
            next_task: 0,
            tasks: JoinSet::new(),
        }
    }

    /// Number of running tasks.
    pub fn len(&self) -> usize {
        self.running.len()
    }

    /// True when no task runs.
    pub fn is_empty(&self) -> bool {
        self.running.is_empty()
    }

    /// Makes the running tasks those of `plan`: stops tasks whose spec is not in it
    /// (their series go), keeps the others, starts the missing ones. Returns how many
    /// tasks stopped and started.
    pub async fn apply(&mut self, plan: &Plan) -> (usize, usize) {
        let wanted: Vec<(Spec, usize)> = plan
            .jobs()
            .into_iter()
            .filter_map(|job| {
                let target = plan.targets.get(job.target)?;
                Some((
                    Spec {
                        credentials: target.credentials.clone(),
                        kind: job.kind,
                        region: job.region,
                        interval: plan.interval_of(job.kind),
                        timeout: plan.timeout,
                        max_staleness: plan.max_staleness,
                    },
                    job.target,
                ))
            })
            .collect();

        let (keep, stop): (Vec<Running>, Vec<Running>) = std::mem::take(&mut self.running)
            .into_iter()
            .partition(|r| wanted.iter().any(|(spec, _)| *spec == r.spec));
        for r in &stop {
            let _ = r.stop.send(true);
            self.shared.claims.release(r.task);
            self.shared.store.retire(r.task);
        }
        self.running = keep;

        let mut started = 0;
        for (spec, target) in wanted {
            if self.running.iter().any(|r| r.spec == spec) {
                continue;
            }
            let Some(t) = plan.targets.get(target) else {
                continue;
            };
            let (config, account) = self.setup(t).await;
            let task = self.next_task;
            self.next_task += 1;
            if spec.kind.is_core() {
                self.shared.store.expect(task);
            }
            let worker = Arc::new(Worker {
                task,
                target,
                kind: spec.kind,
                region: spec.region.clone(),
                config,
                account,
                shared: self.shared.clone(),
                interval: spec.interval,
                timeout: spec.timeout,
                max_staleness: spec.max_staleness,
            });
            let (stop, stopped) = watch::channel(false);
            self.tasks.spawn(worker.supervise(stopped));
            self.running.push(Running { spec, task, stop });
            started += 1;
        }
        // Reap tasks that have ended.
        while self.tasks.try_join_next().is_some() {}
        (stop.len(), started)
    }

    /// The SDK configuration and account of `target`, built on first use.
    async fn setup(&mut self, target: &Target) -> (aws_config::SdkConfig, Arc<AccountId>) {
        if let Some(t) = self
            .targets
            .iter()
            .find(|t| t.credentials == target.credentials)
        {
            return (t.config.clone(), t.account.clone());
        }
        let base = aws::base_config(&self.client, &target.regions[0]).await;
        let config = aws::target_config(&base, &target.credentials).await;
        let account = Arc::new(AccountId::new(target));
        self.targets.push(TargetSetup {
            credentials: target.credentials.clone(),
            config: config.clone(),
            account: account.clone(),
        });
        (config, account)
    }

    /// Stops every task and waits for them (bounded by `grace`, then aborted).
    pub async fn stop(mut self, grace: Duration) {
        for r in &self.running {
            let _ = r.stop.send(true);
        }
        let drain = async { while self.tasks.join_next().await.is_some() {} };
        if tokio::time::timeout(grace, drain).await.is_err() {
            self.tasks.abort_all();
        }
    }
}
