//! The YAML config file: its schema, reading it with errors that name the file, line and
//! field, and (in submodules) its validated values and the collection plan built from it
//! and the flags.

mod bounds;
mod budget;
mod plan;
mod scalar;
mod values;

pub use bounds::{
    BoundsError, CONFIG_LIMITS, SCENARIO_LIMITS, YamlLimits, check_bounds, read_bounded,
    read_to_string_bounded,
};
pub use budget::{FleetSize, calls_per_cycle};
pub use plan::{Credentials, Job, Plan, Target, build_plan};
pub use scalar::deserialize_str_with;
pub use values::{CollectorName, Region, RoleArn, TagKey, tag_label_name};

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;

use crate::duration::PromDuration;
use crate::model::CollectorKind;

/// Default collection interval.
pub const DEFAULT_INTERVAL: Duration = Duration::from_secs(60);

/// Default interval of the opt-in collectors (`<name>_interval`).
pub const DEFAULT_OPT_IN_INTERVAL: Duration = Duration::from_secs(300);

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
    /// `collectors`: exactly the collectors that run (default: the four core ones).
    pub collectors: Option<Vec<CollectorName>>,
    /// `routes_interval`: the `routes` collector's own interval (default 5m).
    pub routes_interval: Option<PromDuration>,
    /// `cloudwatch_interval`: the `cloudwatch` collector's own interval (default 5m).
    pub cloudwatch_interval: Option<PromDuration>,
    /// `failover_tests_interval`: the `failover_tests` collector's own interval (default 5m).
    pub failover_tests_interval: Option<PromDuration>,
    /// `maintenance_interval`: the `maintenance` collector's own interval (default 5m).
    pub maintenance_interval: Option<PromDuration>,
    /// `tag_labels`: tag keys copied onto `*_info` metrics.
    #[serde(default)]
    pub tag_labels: Vec<TagKey>,
    /// `targets`: credentials and regions.
    pub targets: Option<Vec<TargetConfig>>,
}

impl FileConfig {
    /// The `<name>_interval` the file sets for opt-in collector `kind`, if any. An
    /// interval for a collector that is not listed is accepted and ignored.
    pub fn opt_in_interval(&self, kind: CollectorKind) -> Option<PromDuration> {
        match kind.name() {
            "routes" => self.routes_interval,
            "cloudwatch" => self.cloudwatch_interval,
            "failover_tests" => self.failover_tests_interval,
            "maintenance" => self.maintenance_interval,
            _ => None,
        }
    }
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

#[cfg(test)]
mod tests;
