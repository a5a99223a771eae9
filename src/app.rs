//! The application: turns flags and config into a plan, starts the collectors, the
//! publisher and the HTTP listeners (and the simulator for `--demo`), and stops them.

use std::future::Future;
use std::io::Write as _;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::watch;
use tokio::task::JoinSet;

use crate::aws::ClientOptions;
use crate::cli::Cli;
use crate::collector::Scheduler;
use crate::config::{
    self, CollectorName, ConfigError, FileConfig, Plan, Region, RoleArn, TargetConfig,
};
use crate::duration::PromDuration;
use crate::model::CollectorKind;
use crate::reload::{self, Reloader};
use crate::server::{self, ServerContext};
use crate::simulator::{Scenario, Simulator, SimulatorError, SimulatorHandle};
use crate::store::Store;
use crate::web_config::WebState;

/// Interval of `--demo` unless `--collector.interval` or a config file says otherwise.
pub const DEMO_INTERVAL: Duration = Duration::from_secs(10);
/// Interval of every opt-in collector with `--demo` (without a config file).
pub const DEMO_OPT_IN_INTERVAL: Duration = Duration::from_secs(15);
/// Access key the demo uses against the simulator (the digits are the account id).
pub const DEMO_ACCESS_KEY: &str = "AKIA111111111111DEMO";
/// Default address of `--simulator.only`.
pub const SIMULATOR_DEFAULT_PORT: u16 = 4599;

/// Exit status for invalid flags or files (sysexits `EX_USAGE`).
pub const EX_USAGE: u8 = 64;
/// Exit status for any other failure to start.
pub const EX_FAILURE: u8 = 1;

/// Why the application could not start.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// Invalid flags, config file, web config or scenario.
    #[error("{0}")]
    Config(#[from] ConfigError),
    /// A listen address could not be bound.
    #[error("{0}")]
    Listen(std::io::Error),
    /// The embedded simulator could not start.
    #[error("simulator: {0}")]
    Simulator(#[from] SimulatorError),
}

impl AppError {
    /// The process exit status for this error: [`EX_USAGE`] for bad flags or files.
    pub fn exit_code(&self) -> u8 {
        match self {
            AppError::Config(_) => EX_USAGE,
            AppError::Listen(_) | AppError::Simulator(_) => EX_FAILURE,
        }
    }
}

/// Settings tests (and `--demo`) use instead of the environment.
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    /// Endpoint of every AWS service (the simulator's URL).
    pub endpoint_url: Option<String>,
    /// Credentials instead of the default chain.
    pub static_credentials: Option<aws_credential_types::Credentials>,
}

/// Everything validated before anything starts.
#[derive(Debug)]
pub struct Prepared {
    /// What to collect, from where, how often.
    pub plan: Plan,
    /// The parsed `--web.config.file`, if given (re-read when it changes).
    pub web: Option<Arc<WebState>>,
    /// The simulator's scenario, for `--demo` and `--simulator.only`.
    pub scenario: Option<Scenario>,
}

/// Validates flags and files into a plan (what `--check-config` prints).
pub fn prepare(cli: &Cli) -> Result<Prepared, AppError> {
    let file = cli
        .config_file
        .as_deref()
        .map(config::load_file)
        .transpose()?;
    let web = cli
        .web
        .web_config_file
        .as_deref()
        .map(WebState::load)
        .transpose()?;
    let scenario = if cli.simulator.demo || cli.simulator.only {
        Some(load_scenario(cli)?)
    } else {
        None
    };
    let plan = plan(cli, file.as_ref(), scenario.as_ref())?;
    Ok(Prepared {
        plan,
        web,
        scenario,
    })
}

/// The plan of `cli` and the config file (already read); `scenario` is the simulator's
/// for `--demo` and `--simulator.only`.
fn plan(
    cli: &Cli,
    file: Option<&FileConfig>,
    scenario: Option<&Scenario>,
) -> Result<Plan, AppError> {
    Ok(match (scenario, file) {
        (Some(sc), None) if cli.simulator.demo => {
            let demo = demo_config(sc, cli.collector.interval.is_none())?;
            config::build_plan(cli, Some(&demo), None)?
        }
        _ if cli.simulator.only => {
            // The simulator alone collects nothing; the plan is never used.
            config::build_plan(cli, file, Some("us-east-1".into()))?
        }
        _ => config::build_plan(cli, file, config::env_region())?,
    })
}

/// Reads the config file again and plans from it (a reload).
fn replan(cli: &Cli) -> Result<Plan, String> {
    let file = cli
        .config_file
        .as_deref()
        .map(config::load_file)
        .transpose()
        .map_err(|e| e.to_string())?;
    plan(cli, file.as_ref(), None).map_err(|e| e.to_string())
}

fn load_scenario(cli: &Cli) -> Result<Scenario, AppError> {
    match &cli.simulator.scenario {
        None => Ok(Scenario::demo()),
        Some(path) => Scenario::load(path).map_err(|e| {
            AppError::Config(ConfigError::Invalid {
                origin: path.display().to_string(),
                field: "scenario".into(),
                message: e.to_string(),
            })
        }),
    }
}

/// The demo's targets: the simulator's first account with default credentials and every
/// other account through AssumeRole, each in every region of the scenario.
fn demo_config(scenario: &Scenario, default_interval: bool) -> Result<FileConfig, AppError> {
    let bad = |message: String| {
        AppError::Config(ConfigError::Invalid {
            origin: "demo scenario".into(),
            field: "accounts".into(),
            message,
        })
    };
    let regions = scenario
        .regions()
        .iter()
        .map(|r| Region::new(r).map_err(bad))
        .collect::<Result<Vec<_>, _>>()?;
    let mut targets = Vec::new();
    for (i, account) in scenario.accounts().iter().enumerate() {
        let role_arn = if i == 0 {
            None
        } else {
            Some(
                RoleArn::new(&format!(
                    "arn:aws:iam::{account}:role/directconnect-exporter-demo"
                ))
                .map_err(bad)?,
            )
        };
        targets.push(TargetConfig {
            role_arn,
            external_id: None,
            regions: regions.clone(),
        });
    }
    // A new user sees everything: every opt-in collector runs, on a short interval.
    let opt_in = Some(PromDuration(DEMO_OPT_IN_INTERVAL));
    Ok(FileConfig {
        interval: default_interval.then_some(PromDuration(DEMO_INTERVAL)),
        collectors: Some(CollectorKind::ALL.into_iter().map(CollectorName).collect()),
        routes_interval: opt_in,
        cloudwatch_interval: opt_in,
        failover_tests_interval: opt_in,
        maintenance_interval: opt_in,
        tag_labels: vec![config::TagKey("Name".into()), config::TagKey("env".into())],
        targets: Some(targets),
        ..FileConfig::default()
    })
}

/// A running application.
pub struct App {
    /// What the collectors publish and the server serves.
    pub store: Arc<Store>,
    addrs: Vec<SocketAddr>,
    simulator: Option<SimulatorHandle>,
    shutdown: watch::Sender<bool>,
    tasks: JoinSet<()>,
}

impl App {
    /// Starts everything the flags ask for, with the standard AWS configuration.
    pub async fn start(cli: &Cli) -> Result<App, AppError> {
        Self::start_with(cli, Overrides::default()).await
    }

    /// Starts everything, with `overrides` taking precedence over the environment.
    pub async fn start_with(cli: &Cli, overrides: Overrides) -> Result<App, AppError> {
        let prepared = prepare(cli)?;
        let (shutdown, shutdown_rx) = watch::channel(false);
        let mut tasks = JoinSet::new();

        let mut simulator = None;
        let mut client = ClientOptions {
            endpoint_url: overrides.endpoint_url,
            static_credentials: overrides.static_credentials,
            timeout: prepared.plan.timeout,
        };
        if let Some(scenario) = prepared.scenario {
            let default_port = if cli.simulator.only {
                SIMULATOR_DEFAULT_PORT
            } else {
                0
            };
            let addr = cli
                .simulator
                .listen_address
                .unwrap_or(SocketAddr::from((Ipv4Addr::LOCALHOST, default_port)));
            let handle = Simulator::start(addr, scenario).await?;
            if cli.simulator.demo {
                client.endpoint_url = Some(handle.endpoint_url());
                client.static_credentials = Some(aws_credential_types::Credentials::new(
                    DEMO_ACCESS_KEY,
                    "demo-secret-key",
                    None,
                    None,
                    "directconnect-exporter-demo",
                ));
            }
            simulator = Some(handle);
        }

        let store = Store::new(&prepared.plan.tag_labels);
        if cli.config_file.is_some() {
            store.set_config_reload(true);
        }
        let mut addrs = Vec::new();
        if !cli.simulator.only {
            // Listeners first: a port in use is reported before any AWS call is made.
            let mut listeners = Vec::new();
            for addr in &cli.web.listen_addresses {
                let listener = server::bind(addr.0).await.map_err(AppError::Listen)?;
                addrs.push(listener.local_addr().map_err(AppError::Listen)?);
                listeners.push(listener);
            }
            let mut scheduler = Scheduler::new(store.clone(), client);
            scheduler.apply(&prepared.plan).await;
            let jobs = scheduler.len();
            let replan_cli = cli.clone();
            let reloader = Reloader {
                path: cli.config_file.clone(),
                poll: cli.config_reload_interval.0,
                planner: Box::new(move || replan(&replan_cli)),
            };
            tasks.spawn(reload::run(
                scheduler,
                reloader,
                store.clone(),
                shutdown_rx.clone(),
            ));
            tasks.spawn(store.clone().run_publisher(shutdown_rx.clone()));
            if let Some(web) = &prepared.web {
                tasks.spawn(web.clone().watch(shutdown_rx.clone()));
            }
            let mut ctx = ServerContext::new(
                store.clone(),
                cli.web.telemetry_path.clone(),
                prepared.web.clone(),
            );
            ctx.grafana_url = cli.web.grafana_url.clone();
            let ctx = Arc::new(ctx);
            for (listener, addr) in listeners.into_iter().zip(&addrs) {
                tracing::info!(address = %addr, tls = prepared.web.as_ref().is_some_and(|w| w.current().tls_acceptor().is_some()), "listening");
                tasks.spawn(server::serve(listener, ctx.clone(), shutdown_rx.clone()));
            }
            tracing::info!(
                targets = prepared.plan.targets.len(),
                collectors = jobs,
                interval = %crate::duration::format(prepared.plan.interval),
                "collecting"
            );
        }
        Ok(App {
            store,
            addrs,
            simulator,
            shutdown,
            tasks,
        })
    }

    /// The bound HTTP addresses, in flag order.
    pub fn local_addrs(&self) -> &[SocketAddr] {
        &self.addrs
    }

    /// The simulator's endpoint, when one runs in-process.
    pub fn simulator_endpoint(&self) -> Option<String> {
        self.simulator.as_ref().map(|s| s.endpoint_url())
    }

    /// Stops collectors and listeners (open requests get a few seconds), then the simulator.
    pub async fn stop(mut self) {
        let _ = self.shutdown.send(true);
        let drain = async { while self.tasks.join_next().await.is_some() {} };
        if tokio::time::timeout(Duration::from_secs(10), drain)
            .await
            .is_err()
        {
            self.tasks.abort_all();
        }
        if let Some(sim) = self.simulator.take() {
            sim.shutdown().await;
        }
    }
}

/// Runs until `shutdown` completes. With `--check-config`, validates, prints the plan to
/// stdout and returns.
pub async fn run(cli: Cli, shutdown: impl Future<Output = ()>) -> Result<(), AppError> {
    if cli.check_config {
        let prepared = prepare(&cli)?;
        // A reader that goes away (`| head`) is not an error of the configuration.
        let _ = write!(
            std::io::stdout().lock(),
            "configuration OK\n{}{}",
            prepared.plan.describe(),
            prepared.plan.describe_budget(config::FleetSize::EXAMPLE)
        );
        return Ok(());
    }
    let app = App::start(&cli).await?;
    shutdown.await;
    tracing::info!("shutting down");
    app.stop().await;
    Ok(())
}
