//! The YAML config file and the validated collection plan built from it and the flags.

use std::collections::BTreeSet;
use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;

use crate::cli::Cli;
use crate::duration::{self, PromDuration};
use crate::model::CollectorKind;

mod bounds;
mod scalar;

pub use bounds::{
    BoundsError, CONFIG_LIMITS, SCENARIO_LIMITS, YamlLimits, check_bounds, read_bounded,
    read_to_string_bounded,
};
pub use scalar::deserialize_str_with;

/// Default collection interval.
pub const DEFAULT_INTERVAL: Duration = Duration::from_secs(60);

/// Default time a failing collector keeps its last good data.
pub const DEFAULT_MAX_STALENESS: Duration = Duration::from_secs(300);

/// Why the flags or config cannot be used. Displayed as one line naming file, line, field.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("{path}: cannot read: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The file is not valid YAML for its schema.
    #[error("{path}:{line}:{column}: {message}")]
    Parse {
        /// The file.
        path: PathBuf,
        /// 1-based line of the problem.
        line: usize,
        /// 1-based column of the problem.
        column: usize,
        /// One line naming the field and what is wrong.
        message: String,
    },
    /// The file is over a size or node limit (see [`YamlLimits`]).
    #[error("{path}: document {source}")]
    Limit {
        /// The file.
        path: PathBuf,
        /// Which limit.
        source: BoundsError,
    },
    /// A value parses but cannot be used.
    #[error("{origin}: field `{field}`: {message}")]
    Invalid {
        /// The file, or `flags`.
        origin: String,
        /// The field, e.g. `targets[1].regions`.
        field: String,
        /// What is wrong.
        message: String,
    },
}

/// The config file as written (SPEC section 4). Unknown keys are errors.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    /// `interval`: overrides `--collector.interval`.
    pub interval: Option<PromDuration>,
    /// `timeout`: overrides `--collector.timeout`.
    pub timeout: Option<PromDuration>,
    /// `max_staleness`: how long a failing collector keeps its last good data.
    pub max_staleness: Option<PromDuration>,
    /// `collectors`: exactly the collectors that run.
    pub collectors: Option<Vec<CollectorName>>,
    /// `tag_labels`: tag keys copied onto `*_info` metrics.
    #[serde(default)]
    pub tag_labels: Vec<TagKey>,
    /// `targets`: credentials and regions.
    pub targets: Option<Vec<TargetConfig>>,
}

/// One `targets:` entry.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TargetConfig {
    /// The role to assume; absent for the default credentials.
    pub role_arn: Option<RoleArn>,
    /// `sts:ExternalId` for the role's trust policy.
    pub external_id: Option<String>,
    /// Regions; empty means the `--aws.region` list.
    #[serde(default)]
    pub regions: Vec<Region>,
}

/// A collector name from the config (`virtual_interfaces`, `connections`, `lags`, `gateways`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CollectorName(pub CollectorKind);

impl<'de> Deserialize<'de> for CollectorName {
    fn deserialize<D: serde::Deserializer<'de>>(de: D) -> Result<Self, D::Error> {
        deserialize_str_with(de, "a collector name", |s| {
            CollectorKind::from_name(s).map(CollectorName).ok_or_else(|| {
                format!(
                    "unknown collector {s:?} (expected virtual_interfaces, connections, lags or gateways)"
                )
            })
        })
    }
}

/// An AWS region name such as `us-east-1`, validated for shape only.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Region(String);

impl Region {
    /// Validates the shape `xx-word-N` (also `us-gov-west-1`, `cn-north-1`, ...).
    pub fn new(s: &str) -> Result<Self, String> {
        let parts: Vec<&str> = s.split('-').collect();
        let ok = parts.len() >= 3
            && parts.iter().all(|p| !p.is_empty())
            && parts[..parts.len() - 1]
                .iter()
                .all(|p| p.bytes().all(|b| b.is_ascii_lowercase()))
            && parts[parts.len() - 1].bytes().all(|b| b.is_ascii_digit());
        if ok {
            Ok(Region(s.to_owned()))
        } else {
            Err(format!(
                "invalid AWS region {s:?} (expected e.g. us-east-1)"
            ))
        }
    }

    /// The region name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Region {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Region {
    fn deserialize<D: serde::Deserializer<'de>>(de: D) -> Result<Self, D::Error> {
        deserialize_str_with(de, "an AWS region", Region::new)
    }
}

/// An IAM role ARN (`arn:<partition>:iam::<12-digit account>:role/<name>`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RoleArn {
    arn: String,
    account_id: String,
}

impl RoleArn {
    /// Validates `arn:<partition>:iam::<12 digits>:role/<name>`.
    pub fn new(s: &str) -> Result<Self, String> {
        let bad =
            || format!("invalid role ARN {s:?} (expected arn:aws:iam::123456789012:role/NAME)");
        let parts: Vec<&str> = s.splitn(6, ':').collect();
        if parts.len() != 6 || parts[0] != "arn" || parts[2] != "iam" || !parts[3].is_empty() {
            return Err(bad());
        }
        let account = parts[4];
        if account.len() != 12 || !account.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        if !parts[5].starts_with("role/") || parts[5].len() <= 5 {
            return Err(bad());
        }
        Ok(RoleArn {
            arn: s.to_owned(),
            account_id: account.to_owned(),
        })
    }

    /// The ARN as written.
    pub fn as_str(&self) -> &str {
        &self.arn
    }

    /// The 12-digit account the role lives in (the `aws_account_id` label).
    pub fn account_id(&self) -> &str {
        &self.account_id
    }
}

impl<'de> Deserialize<'de> for RoleArn {
    fn deserialize<D: serde::Deserializer<'de>>(de: D) -> Result<Self, D::Error> {
        deserialize_str_with(de, "an IAM role ARN", RoleArn::new)
    }
}

/// A resource tag key to copy onto `*_info` metrics.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TagKey(pub String);

impl<'de> Deserialize<'de> for TagKey {
    fn deserialize<D: serde::Deserializer<'de>>(de: D) -> Result<Self, D::Error> {
        deserialize_str_with(de, "a tag key", |s| {
            if s.is_empty() || s.len() > 128 {
                Err("tag key must be 1 to 128 characters")
            } else {
                Ok(TagKey(s.to_owned()))
            }
        })
    }
}

/// The label name a tag key becomes: `tag_` + the key with every character outside
/// `[A-Za-z0-9_]` replaced by `_`.
///
/// ```
/// use directconnect_exporter::config::tag_label_name;
/// assert_eq!(tag_label_name("Name"), "tag_Name");
/// assert_eq!(tag_label_name("aws:cloudformation:stack-name"), "tag_aws_cloudformation_stack_name");
/// ```
pub fn tag_label_name(key: &str) -> String {
    let mut out = String::with_capacity(key.len() + 4);
    out.push_str("tag_");
    out.extend(key.chars().map(|c| {
        if c.is_ascii_alphanumeric() || c == '_' {
            c
        } else {
            '_'
        }
    }));
    out
}

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
    /// Time between cycles of each collector.
    pub interval: Duration,
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

    /// A multi-line human summary for `--check-config`.
    pub fn describe(&self) -> String {
        let mut out = format!(
            "interval: {}\ntimeout: {}\nmax_staleness: {}\ncollectors: {}\ntag_labels: [{}]\ntargets:\n",
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
        let jobs = self.jobs();
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

/// Reads and parses a config file; errors name the file, line, column and field. The file
/// is bounded by [`CONFIG_LIMITS`].
pub fn load_file(path: &Path) -> Result<FileConfig, ConfigError> {
    let text = read_bounded(path, CONFIG_LIMITS)?;
    parse(&text, path)
}

/// Parses config text; `path` is only used in error messages.
pub fn parse(text: &str, path: &Path) -> Result<FileConfig, ConfigError> {
    if text.trim().is_empty() {
        return Ok(FileConfig::default());
    }
    parse_yaml(text, path)
}

/// Deserializes YAML into `T`; errors become one line `path:line:column: message`. The
/// text is first checked against [`CONFIG_LIMITS`] (size, nodes after alias expansion).
pub fn parse_yaml<T: serde::de::DeserializeOwned>(
    text: &str,
    path: &Path,
) -> Result<T, ConfigError> {
    check_bounds(text, CONFIG_LIMITS).map_err(|source| ConfigError::Limit {
        path: path.to_owned(),
        source,
    })?;
    serde_yaml_ng::from_str(text).map_err(|e| {
        let (line, column) = e
            .location()
            .map(|l| (l.line(), l.column()))
            .unwrap_or((1, 1));
        ConfigError::Parse {
            path: path.to_owned(),
            line,
            column,
            // The location is already in the prefix; keep the message to one line.
            message: e
                .to_string()
                .split(" at line ")
                .next()
                .unwrap_or_default()
                .replace('\n', " "),
        }
    })
}

/// Region names from the environment's AWS_REGION / AWS_DEFAULT_REGION, if any.
pub fn env_region() -> Option<String> {
    ["AWS_REGION", "AWS_DEFAULT_REGION"]
        .into_iter()
        .filter_map(|k| std::env::var(k).ok())
        .find(|v| !v.is_empty())
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
        None => CollectorKind::ALL.to_vec(),
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

    Ok(Plan {
        interval,
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

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    fn cli(args: &[&str]) -> Cli {
        let mut all = vec!["directconnect-exporter"];
        all.extend_from_slice(args);
        Cli::try_parse_from(all).unwrap()
    }

    fn parse_str(text: &str) -> Result<FileConfig, ConfigError> {
        parse(text, Path::new("dx.yml"))
    }

    #[test]
    fn the_spec_example_parses_into_a_plan() {
        let file = parse_str(
            "interval: 60s\ntimeout: 10s\nmax_staleness: 5m\n\
             collectors: [virtual_interfaces, connections, lags, gateways]\n\
             tag_labels: [Name, env]\n\
             targets:\n  - regions: [us-east-1, eu-west-1]\n\
             \x20 - role_arn: arn:aws:iam::222222222222:role/dx-read\n    external_id: optional-string\n    regions: [us-east-1]\n",
        )
        .unwrap();
        let plan = build_plan(&cli(&[]), Some(&file), None).unwrap();
        assert_eq!(plan.interval, Duration::from_secs(60));
        assert_eq!(plan.max_staleness, Duration::from_secs(300));
        assert_eq!(plan.collectors.len(), 4);
        assert_eq!(plan.tag_labels, vec!["Name", "env"]);
        assert_eq!(plan.targets.len(), 2);
        match &plan.targets[1].credentials {
            Credentials::AssumeRole {
                role_arn,
                external_id,
            } => {
                assert_eq!(role_arn.account_id(), "222222222222");
                assert_eq!(external_id.as_deref(), Some("optional-string"));
            }
            other => panic!("unexpected {other:?}"),
        }
        assert!(plan.describe().contains("gateways via us-east-1"));
    }

    #[test]
    fn unknown_keys_are_errors_with_file_line_and_field() {
        let err = parse_str("interval: 60s\ntargets:\n  - regions: [us-east-1]\n    rolearn: x\n")
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("dx.yml:4:"), "{err}");
        assert!(err.contains("rolearn"), "{err}");
        assert!(!err.contains('\n'), "{err}");
    }

    #[test]
    fn bad_values_name_their_field() {
        for (text, needle) in [
            ("interval: soon\n", "invalid duration"),
            ("collectors: [vifs]\n", "unknown collector"),
            (
                "targets:\n  - role_arn: arn:aws:iam::12:role/x\n",
                "invalid role ARN",
            ),
            ("targets:\n  - regions: [US_EAST]\n", "invalid AWS region"),
        ] {
            let err = parse_str(text).unwrap_err().to_string();
            assert!(err.contains(needle), "{text}: {err}");
            assert!(err.starts_with("dx.yml:"), "{err}");
        }
    }

    #[test]
    fn flags_give_the_default_target_its_regions() {
        let plan = build_plan(&cli(&["--aws.region", "us-east-1,eu-west-1"]), None, None).unwrap();
        assert_eq!(plan.targets.len(), 1);
        assert_eq!(plan.targets[0].credentials, Credentials::Default);
        assert_eq!(plan.targets[0].regions.len(), 2);
    }

    #[test]
    fn a_target_without_any_region_is_an_error() {
        let err = build_plan(&cli(&[]), None, None).unwrap_err().to_string();
        assert!(err.contains("targets[0].regions"), "{err}");
        let plan = build_plan(&cli(&[]), None, Some("eu-west-1".into())).unwrap();
        assert_eq!(plan.targets[0].regions[0].as_str(), "eu-west-1");
    }

    #[test]
    fn config_interval_overrides_the_flag() {
        let file = parse_str("interval: 5s\n").unwrap();
        let plan = build_plan(
            &cli(&["--collector.interval", "2m", "--aws.region", "us-east-1"]),
            Some(&file),
            None,
        )
        .unwrap();
        assert_eq!(plan.interval, Duration::from_secs(5));
    }

    #[test]
    fn tag_keys_become_safe_label_names() {
        assert_eq!(tag_label_name("Name"), "tag_Name");
        assert_eq!(
            tag_label_name("aws:cloudformation:stack-name"),
            "tag_aws_cloudformation_stack_name"
        );
        let file = parse_str("tag_labels: [a-b, a_b]\n").unwrap();
        let err = build_plan(&cli(&["--aws.region", "us-east-1"]), Some(&file), None).unwrap_err();
        assert!(err.to_string().contains("tag_labels"));
    }

    #[test]
    fn global_collectors_get_one_job_per_target_and_the_others_one_per_region() {
        let file = parse_str(
            "targets:\n  - regions: [us-east-1, eu-west-1]\n\
             \x20 - role_arn: arn:aws:iam::222222222222:role/dx-read\n    regions: [us-west-2]\n",
        )
        .unwrap();
        let plan = build_plan(&cli(&[]), Some(&file), None).unwrap();
        let jobs = plan.jobs();
        // Target 0: 3 regional × 2 regions + gateways once; target 1: 3 + 1.
        assert_eq!(jobs.len(), 7 + 4);
        let gateways: Vec<_> = jobs
            .iter()
            .filter(|j| j.kind == CollectorKind::Gateways)
            .collect();
        assert_eq!(gateways.len(), 2);
        assert_eq!(gateways[0].region.as_str(), "us-east-1");
        assert!(
            plan.describe().contains("(6 collectors)"),
            "{}",
            plan.describe()
        );
    }

    #[test]
    fn external_id_without_role_is_an_error() {
        let file = parse_str("targets:\n  - external_id: x\n    regions: [us-east-1]\n").unwrap();
        let err = build_plan(&cli(&[]), Some(&file), None)
            .unwrap_err()
            .to_string();
        assert!(err.contains("targets[0].external_id"), "{err}");
    }
}
