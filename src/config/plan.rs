//! The collection plan: flags and the config file combined and validated into targets
//! and the jobs (collector tasks) to run.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use super::{
    ConfigError, DEFAULT_INTERVAL, DEFAULT_MAX_STALENESS, DEFAULT_OPT_IN_INTERVAL, FileConfig,
    Region, RoleArn, TargetConfig, tag_label_name,
};
use crate::cli::Cli;
use crate::duration;
use crate::model::CollectorKind;

/// How a target gets credentials.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Credentials {
    /// The standard AWS chain (env, profile, SSO, IRSA, Pod Identity, ECS, IMDS).
    Default,
    /// AssumeRole from the default chain into another account.
    AssumeRole {
        /// The role to assume.
        role_arn: RoleArn,
        /// `sts:ExternalId`, when the trust policy asks for one.
        external_id: Option<String>,
    },
}

/// One validated target: credentials and the regions to collect with them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// How to get credentials.
    pub credentials: Credentials,
    /// Regions to collect, at least one, no duplicates.
    pub regions: Vec<Region>,
}

impl Target {
    /// A short human name for logs and the plan.
    pub fn describe(&self) -> String {
        match &self.credentials {
            Credentials::Default => "default credentials".to_owned(),
            Credentials::AssumeRole { role_arn, .. } => format!("role {}", role_arn.as_str()),
        }
    }
}

/// Everything the collector needs, validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    /// Time between cycles of each core collector.
    pub interval: Duration,
    /// Time between cycles of each opt-in collector that runs (`<name>_interval`).
    pub opt_in_intervals: BTreeMap<CollectorKind, Duration>,
    /// Timeout of one API call attempt.
    pub timeout: Duration,
    /// How long a failing collector keeps its last good data.
    pub max_staleness: Duration,
    /// The collectors that run, in [`CollectorKind::ALL`] order.
    pub collectors: Vec<CollectorKind>,
    /// Tag keys copied onto `*_info` metrics.
    pub tag_labels: Vec<String>,
    /// Credentials and regions to collect.
    pub targets: Vec<Target>,
}

/// One collector task of a plan: which collector, for which target, in which region.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Job {
    /// Index into [`Plan::targets`].
    pub target: usize,
    /// The collector.
    pub kind: CollectorKind,
    /// For a global collector, the region its API is reached through.
    pub region: Region,
}

impl Plan {
    /// The interval of collector `kind`: `interval` for core collectors, its own for
    /// opt-in ones.
    pub fn interval_of(&self, kind: CollectorKind) -> Duration {
        if kind.is_core() {
            self.interval
        } else {
            self.opt_in_intervals
                .get(&kind)
                .copied()
                .unwrap_or(DEFAULT_OPT_IN_INTERVAL)
        }
    }

    /// Every collector task to run: one per target × region × collector, and one per
    /// target for global collectors (through the target's first region). Spawning,
    /// readiness and `--check-config` all read this list.
    pub fn jobs(&self) -> Vec<Job> {
        let mut jobs = Vec::new();
        for (target, t) in self.targets.iter().enumerate() {
            for &kind in &self.collectors {
                let regions = if kind.is_global() {
                    &t.regions[..t.regions.len().min(1)]
                } else {
                    &t.regions[..]
                };
                jobs.extend(regions.iter().map(|region| Job {
                    target,
                    kind,
                    region: region.clone(),
                }));
            }
        }
        jobs
    }

    /// Targets whose role ARNs put them in the same account with regions in common: the
    /// exporter collects such an account and region once (the first target's). Targets
    /// on default credentials are only known at run time and are checked then.
    pub fn overlaps(&self) -> Vec<String> {
        let mut out = Vec::new();
        for (i, a) in self.targets.iter().enumerate() {
            for (j, b) in self.targets.iter().enumerate().skip(i + 1) {
                let (
                    Credentials::AssumeRole { role_arn: ra, .. },
                    Credentials::AssumeRole { role_arn: rb, .. },
                ) = (&a.credentials, &b.credentials)
                else {
                    continue;
                };
                if ra.account_id() != rb.account_id() {
                    continue;
                }
                let common: Vec<&str> = a
                    .regions
                    .iter()
                    .filter(|r| b.regions.contains(r))
                    .map(Region::as_str)
                    .collect();
                if !common.is_empty() {
                    out.push(format!(
                        "targets[{i}] and targets[{j}] both reach account {} in {}; each is collected once, by targets[{i}]",
                        ra.account_id(),
                        common.join(", ")
                    ));
                }
            }
        }
        out
    }

    /// A multi-line human summary for `--check-config`.
    pub fn describe(&self) -> String {
        let mut out = format!(
            "interval: {}\ntimeout: {}\nmax_staleness: {}\ncollectors: {}\ntag_labels: [{}]\n",
            duration::format(self.interval),
            duration::format(self.timeout),
            duration::format(self.max_staleness),
            self.collectors
                .iter()
                .map(|c| c.name())
                .collect::<Vec<_>>()
                .join(", "),
            self.tag_labels.join(", "),
        );
        for (kind, interval) in &self.opt_in_intervals {
            out.push_str(&format!(
                "{}_interval: {}\n",
                kind.name(),
                duration::format(*interval)
            ));
        }
        out.push_str("targets:\n");
        let jobs = self.jobs();
        for warning in self.overlaps() {
            out.push_str(&format!("warning: {warning}\n"));
        }
        for (i, t) in self.targets.iter().enumerate() {
            let regions: Vec<&str> = t.regions.iter().map(Region::as_str).collect();
            out.push_str(&format!(
                "  - {} in [{}]\n",
                t.describe(),
                regions.join(", ")
            ));
            let mine = || jobs.iter().filter(move |j| j.target == i);
            let regional: Vec<&str> = self
                .collectors
                .iter()
                .filter(|c| !c.is_global())
                .map(|c| c.name())
                .collect();
            if !regional.is_empty() {
                out.push_str(&format!(
                    "    per region: {} ({} collectors)\n",
                    regional.join(", "),
                    mine().filter(|j| !j.kind.is_global()).count()
                ));
            }
            for job in mine().filter(|j| j.kind.is_global()) {
                out.push_str(&format!(
                    "    once per account (global): {} via {}\n",
                    job.kind.name(),
                    job.region
                ));
            }
        }
        out
    }
}

/// Combines flags and the (optional) config file into a plan. `fallback_region` is used
/// when neither names a region (normally [`env_region`]).
pub fn build_plan(
    cli: &Cli,
    file: Option<&FileConfig>,
    fallback_region: Option<String>,
) -> Result<Plan, ConfigError> {
    let origin = cli
        .config_file
        .as_ref()
        .map(|p| p.display().to_string())
        .unwrap_or_else(|| "flags".to_owned());
    let invalid = |field: &str, message: String| ConfigError::Invalid {
        origin: origin.clone(),
        field: field.to_owned(),
        message,
    };
    let empty = FileConfig::default();
    let file = file.unwrap_or(&empty);

    let interval = file
        .interval
        .or(cli.collector.interval)
        .map(|d| d.0)
        .unwrap_or(DEFAULT_INTERVAL);
    let timeout = file.timeout.unwrap_or(cli.collector.timeout).0;
    let max_staleness = file
        .max_staleness
        .map(|d| d.0)
        .unwrap_or(DEFAULT_MAX_STALENESS);
    if interval < Duration::from_millis(100) {
        return Err(invalid("interval", "must be at least 100ms".into()));
    }
    if timeout.is_zero() {
        return Err(invalid("timeout", "must be greater than zero".into()));
    }

    let collectors: Vec<CollectorKind> = match &file.collectors {
        None => CollectorKind::ALL
            .into_iter()
            .filter(|k| k.is_core())
            .collect(),
        Some(list) => {
            let set: BTreeSet<CollectorKind> = list.iter().map(|c| c.0).collect();
            if set.is_empty() {
                return Err(invalid(
                    "collectors",
                    "must name at least one collector".into(),
                ));
            }
            CollectorKind::ALL
                .into_iter()
                .filter(|k| set.contains(k))
                .collect()
        }
    };

    let mut tag_labels = Vec::new();
    for key in &file.tag_labels {
        let label = tag_label_name(&key.0);
        if tag_labels.iter().any(|(_, l)| *l == label) {
            return Err(invalid(
                "tag_labels",
                format!(
                    "tag {:?} maps to label {label} which is already used",
                    key.0
                ),
            ));
        }
        tag_labels.push((key.0.clone(), label));
    }

    let flag_regions = cli
        .aws
        .regions
        .iter()
        .map(|r| Region::new(r).map_err(|m| invalid("--aws.region", m)))
        .collect::<Result<Vec<_>, _>>()?;
    let default_regions = if flag_regions.is_empty() {
        match fallback_region {
            Some(r) => vec![Region::new(&r).map_err(|m| invalid("AWS_REGION", m))?],
            None => Vec::new(),
        }
    } else {
        flag_regions
    };

    let target_configs = file.targets.clone().unwrap_or_else(|| {
        vec![TargetConfig {
            role_arn: None,
            external_id: None,
            regions: Vec::new(),
        }]
    });
    if target_configs.is_empty() {
        return Err(invalid("targets", "must list at least one target".into()));
    }
    let mut targets = Vec::new();
    for (i, t) in target_configs.into_iter().enumerate() {
        let field = format!("targets[{i}]");
        let mut regions = if t.regions.is_empty() {
            default_regions.clone()
        } else {
            t.regions
        };
        dedup_keep_order(&mut regions);
        if regions.is_empty() {
            return Err(invalid(
                &format!("{field}.regions"),
                "no region: list regions here, pass --aws.region, or set AWS_REGION".into(),
            ));
        }
        let credentials = match (t.role_arn, t.external_id) {
            (Some(role_arn), external_id) => Credentials::AssumeRole {
                role_arn,
                external_id,
            },
            (None, Some(_)) => {
                return Err(invalid(
                    &format!("{field}.external_id"),
                    "only allowed together with role_arn".into(),
                ));
            }
            (None, None) => Credentials::Default,
        };
        let target = Target {
            credentials,
            regions,
        };
        if targets.contains(&target) {
            return Err(invalid(&field, "duplicates an earlier target".into()));
        }
        targets.push(target);
    }

    let mut opt_in_intervals = BTreeMap::new();
    for kind in collectors.iter().filter(|k| !k.is_core()) {
        let interval = file
            .opt_in_interval(*kind)
            .map_or(DEFAULT_OPT_IN_INTERVAL, |d| d.0);
        if interval < Duration::from_millis(100) {
            return Err(invalid(
                &format!("{}_interval", kind.name()),
                "must be at least 100ms".into(),
            ));
        }
        opt_in_intervals.insert(*kind, interval);
    }

    Ok(Plan {
        interval,
        opt_in_intervals,
        timeout,
        max_staleness,
        collectors,
        tag_labels: tag_labels.into_iter().map(|(k, _)| k).collect(),
        targets,
    })
}

fn dedup_keep_order(regions: &mut Vec<Region>) {
    let mut seen = BTreeSet::new();
    regions.retain(|r| seen.insert(r.clone()));
}
