//! Validated config values: regions, role ARNs, tag keys, collector names.

use std::fmt;

use serde::Deserialize;

use super::deserialize_str_with;
use crate::model::CollectorKind;

/// A collector name from the config (`virtual_interfaces`, `connections`, `lags`, `gateways`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CollectorName(pub CollectorKind);

impl<'de> Deserialize<'de> for CollectorName {
    fn deserialize<D: serde::Deserializer<'de>>(de: D) -> Result<Self, D::Error> {
        deserialize_str_with(de, "a collector name", |s| {
            CollectorKind::from_name(s)
                .map(CollectorName)
                .ok_or_else(|| {
                    let names: Vec<&str> = CollectorKind::ALL.iter().map(|k| k.name()).collect();
                    format!(
                        "unknown collector {s:?} (expected one of {})",
                        names.join(", ")
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
