//! Bounds on the YAML files the process reads (config, web config, simulator scenarios):
//! a file size read at most, and a count of nodes after alias expansion, checked before
//! anything is deserialized, so a small file full of aliases (a "billion laughs") is
//! refused in milliseconds instead of costing seconds of CPU and a gigabyte of memory.

use std::cell::Cell;
use std::fmt;
use std::io::Read as _;
use std::path::Path;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};

use super::ConfigError;

/// How much of a YAML file is accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct YamlLimits {
    /// Largest file, in bytes.
    pub max_bytes: u64,
    /// Most nodes (scalars, sequences, mappings) the document may expand to, every alias
    /// counted as a full copy of what it refers to.
    pub max_nodes: usize,
}

/// Limits of `--config.file` and `--web.config.file`: real files are a few KiB and a few
/// hundred nodes; a thousand targets stay far below both.
pub const CONFIG_LIMITS: YamlLimits = YamlLimits {
    max_bytes: 1024 * 1024,
    max_nodes: 100_000,
};

/// Limits of simulator scenario files: a generated fleet of 5 000 VIFs with two peers
/// each, every default written out, is about 9.3 MiB and 480 000 nodes.
pub const SCENARIO_LIMITS: YamlLimits = YamlLimits {
    max_bytes: 64 * 1024 * 1024,
    max_nodes: 2_000_000,
};

/// Why a YAML text is refused before parsing.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BoundsError {
    /// The file is larger than [`YamlLimits::max_bytes`].
    #[error("is larger than {limit} bytes, the limit for this kind of file")]
    TooLarge {
        /// The limit that was hit.
        limit: u64,
    },
    /// The document expands to more than [`YamlLimits::max_nodes`] nodes.
    #[error(
        "expands to more than {limit} YAML nodes (aliases count as copies); \
         write the values out or split the file"
    )]
    TooManyNodes {
        /// The limit that was hit.
        limit: usize,
    },
}

/// Reads `path` as UTF-8, at most `max_bytes` of it; a larger file is an
/// [`std::io::ErrorKind::InvalidData`] error (nothing past the limit is read, so
/// `/dev/zero` is refused too).
pub fn read_to_string_bounded(path: &Path, max_bytes: u64) -> std::io::Result<String> {
    let invalid = |message: String| std::io::Error::new(std::io::ErrorKind::InvalidData, message);
    let mut bytes = Vec::new();
    std::fs::File::open(path)?
        .take(max_bytes.saturating_add(1))
        .read_to_end(&mut bytes)?;
    if bytes.len() as u64 > max_bytes {
        return Err(invalid(format!(
            "file is larger than {max_bytes} bytes, the limit for this kind of file"
        )));
    }
    String::from_utf8(bytes).map_err(|e| invalid(format!("not UTF-8: {e}")))
}

/// [`read_to_string_bounded`] with `limits`, errors naming the file.
pub fn read_bounded(path: &Path, limits: YamlLimits) -> Result<String, ConfigError> {
    read_to_string_bounded(path, limits.max_bytes).map_err(|source| ConfigError::Read {
        path: path.to_owned(),
        source,
    })
}

/// Checks `text` against `limits` without building anything: its length, then the nodes
/// it expands to (the walk stops as soon as the limit is passed). Syntax errors are not
/// reported here; the real parse reports them with their line and column.
///
/// ```
/// use directconnect_exporter::config::{YamlLimits, check_bounds};
/// let limits = YamlLimits { max_bytes: 4096, max_nodes: 1000 };
/// assert!(check_bounds("a: [1, 2, 3]\n", limits).is_ok());
/// let laughs = "a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n\
///               c: [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n";
/// assert!(check_bounds(laughs, limits).is_err());
/// ```
pub fn check_bounds(text: &str, limits: YamlLimits) -> Result<(), BoundsError> {
    if text.len() as u64 > limits.max_bytes {
        return Err(BoundsError::TooLarge {
            limit: limits.max_bytes,
        });
    }
    let exceeded = Cell::new(false);
    let seed = Counter {
        left: &Cell::new(limits.max_nodes),
        exceeded: &exceeded,
    };
    // Any other error (bad syntax, several documents) is left to the real parse.
    let _ = seed.deserialize(serde_yaml_ng::Deserializer::from_str(text));
    if exceeded.get() {
        return Err(BoundsError::TooManyNodes {
            limit: limits.max_nodes,
        });
    }
    Ok(())
}

/// Visits every node of a document (aliases replayed by the deserializer, as a real parse
/// would), counting down `left` and failing once it is used up.
#[derive(Clone, Copy)]
struct Counter<'a> {
    left: &'a Cell<usize>,
    exceeded: &'a Cell<bool>,
}

impl Counter<'_> {
    fn count<E: de::Error>(self) -> Result<(), E> {
        match self.left.get().checked_sub(1) {
            Some(left) => {
                self.left.set(left);
                Ok(())
            }
            None => {
                self.exceeded.set(true);
                Err(E::custom("node limit"))
            }
        }
    }
}

impl<'de> DeserializeSeed<'de> for Counter<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

macro_rules! count_scalar {
    ($($name:ident: $ty:ty),* $(,)?) => {
        $(fn $name<E: de::Error>(self, _: $ty) -> Result<(), E> {
            self.count()
        })*
    };
}

impl<'de> Visitor<'de> for Counter<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any YAML node")
    }

    count_scalar! {
        visit_bool: bool, visit_i64: i64, visit_u64: u64, visit_i128: i128, visit_u128: u128,
        visit_f64: f64, visit_str: &str, visit_bytes: &[u8],
    }

    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        self.count()
    }

    fn visit_none<E: de::Error>(self) -> Result<(), E> {
        self.count()
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }

    fn visit_newtype_struct<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        self.count()?;
        while seq.next_element_seed(self)?.is_some() {}
        Ok(())
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        self.count()?;
        while map.next_key_seed(self)?.is_some() {
            map.next_value_seed(self)?;
        }
        Ok(())
    }

    fn visit_enum<A: de::EnumAccess<'de>>(self, data: A) -> Result<(), A::Error> {
        // A tagged node (`!Tag value`): the tag, then its value.
        use de::VariantAccess as _;
        let ((), variant) = data.variant_seed(self)?;
        variant.newtype_variant_seed(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SMALL: YamlLimits = YamlLimits {
        max_bytes: 1 << 20,
        max_nodes: 10_000,
    };

    /// The document of the issue: 9 levels of 10 aliases each (10^9 nodes expanded).
    fn billion_laughs() -> String {
        let mut doc = String::from("a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
        for i in 1..9 {
            let prev = format!("*a{}", i - 1);
            let items = [prev.as_str(); 10].join(", ");
            doc.push_str(&format!("a{i}: &a{i} [{items}]\n"));
        }
        doc
    }

    #[test]
    fn alias_bombs_are_refused_quickly() {
        let started = std::time::Instant::now();
        let err = check_bounds(&billion_laughs(), CONFIG_LIMITS).unwrap_err();
        assert_eq!(err, BoundsError::TooManyNodes { limit: 100_000 });
        assert!(started.elapsed() < std::time::Duration::from_secs(2));
    }

    #[test]
    fn ordinary_documents_and_a_few_aliases_pass() {
        let doc = "base: &b {regions: [us-east-1]}\ntargets: [*b, *b, {<<: *b}]\n";
        assert!(check_bounds(doc, SMALL).is_ok());
        assert!(check_bounds("", SMALL).is_ok());
        assert!(
            check_bounds("[unclosed", SMALL).is_ok(),
            "syntax is the parser's job"
        );
        assert!(check_bounds("!Tag {a: 1}\n", SMALL).is_ok());
    }

    #[test]
    fn nodes_are_counted_after_expansion() {
        let limits = YamlLimits {
            max_bytes: 1000,
            max_nodes: 12,
        };
        // One mapping, two keys, a list of four scalars referenced twice: 1 + 2 + 2 × 5.
        let doc = "a: &x [1, 2, 3, 4]\nb: *x\n";
        assert!(
            check_bounds(
                doc,
                YamlLimits {
                    max_nodes: 13,
                    ..limits
                }
            )
            .is_ok()
        );
        assert!(check_bounds(doc, limits).is_err());
    }

    #[test]
    fn text_longer_than_the_limit_is_refused() {
        let limits = YamlLimits {
            max_bytes: 8,
            max_nodes: 100,
        };
        assert_eq!(
            check_bounds("a: 123456789\n", limits),
            Err(BoundsError::TooLarge { limit: 8 })
        );
    }

    #[test]
    fn files_are_read_no_further_than_the_limit() {
        let limits = YamlLimits {
            max_bytes: 16,
            max_nodes: 100,
        };
        let err = read_bounded(Path::new("/dev/zero"), limits)
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("/dev/zero: cannot read: file is larger than 16 bytes"),
            "{err}"
        );
    }

    #[test]
    fn a_generated_fleet_of_5000_vifs_fits_the_scenario_limits() {
        let fleet = crate::simulator::Scenario::generate(&crate::simulator::GenerateSpec {
            accounts: 1,
            regions: 1,
            vifs_per_region: 5000,
            peers_per_vif: 2,
            connections_per_region: 16,
            flapping_vifs_per_region: 0,
            gateway_per_region: false,
        });
        let text = serde_yaml_ng::to_string(&fleet).unwrap();
        // Written out in full (every default explicit): about 9.3 MiB and 480 000 nodes.
        let half = YamlLimits {
            max_bytes: SCENARIO_LIMITS.max_bytes / 2,
            max_nodes: SCENARIO_LIMITS.max_nodes / 2,
        };
        assert!(check_bounds(&text, half).is_ok(), "{} bytes", text.len());
    }
}
