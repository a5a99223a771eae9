//! Prometheus/Go style durations (`500ms`, `30s`, `5m`, `1h30m`) for flags, config and scenarios.

use std::fmt;
use std::time::Duration;

/// Why a duration string was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid duration {input:?}: {reason} (expected e.g. 500ms, 30s, 5m, 1h30m)")]
pub struct DurationError {
    input: String,
    reason: &'static str,
}

const UNITS: [(&str, u64); 7] = [
    ("ms", 1),
    ("s", 1_000),
    ("m", 60_000),
    ("h", 3_600_000),
    ("d", 86_400_000),
    ("w", 604_800_000),
    ("y", 31_536_000_000),
];

/// Parses a duration made of one or more `<integer><unit>` parts, units `ms s m h d w y`,
/// largest first, each at most once (the Prometheus rules). `0` alone is also accepted.
///
/// ```
/// use std::time::Duration;
/// use directconnect_exporter::duration::parse;
/// assert_eq!(parse("500ms"), Ok(Duration::from_millis(500)));
/// assert_eq!(parse("1h30m"), Ok(Duration::from_secs(5400)));
/// assert_eq!(parse("0"), Ok(Duration::ZERO));
/// assert!(parse("30m1h").is_err()); // largest unit first
/// assert!(parse("5 minutes").is_err());
/// ```
pub fn parse(input: &str) -> Result<Duration, DurationError> {
    let err = |reason| DurationError {
        input: input.to_owned(),
        reason,
    };
    let s = input.trim();
    if s == "0" {
        return Ok(Duration::ZERO);
    }
    if s.is_empty() {
        return Err(err("empty"));
    }
    let mut rest = s;
    let mut total_ms: u64 = 0;
    let mut last_unit = usize::MAX;
    while !rest.is_empty() {
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return Err(err("a number must come before each unit"));
        }
        let value: u64 = rest[..digits]
            .parse()
            .map_err(|_| err("number too large"))?;
        rest = &rest[digits..];
        // "ms" must be tried before "m" so that 500ms is not read as 500m + "s".
        let (index, (unit, factor)) = UNITS
            .iter()
            .enumerate()
            .find(|(_, (unit, _))| rest.starts_with(unit))
            .ok_or_else(|| err("unknown or missing unit"))?;
        let order = unit_order(index);
        if last_unit != usize::MAX && order <= last_unit {
            return Err(err("units must go from largest to smallest, each once"));
        }
        last_unit = order;
        rest = &rest[unit.len()..];
        total_ms = value
            .checked_mul(*factor)
            .and_then(|v| total_ms.checked_add(v))
            .ok_or_else(|| err("duration too large"))?;
    }
    Ok(Duration::from_millis(total_ms))
}

/// Rank of a unit from largest (0) to smallest, for the ordering rule.
fn unit_order(index: usize) -> usize {
    // UNITS lists ms first for matching; rank it last.
    if index == 0 { 6 } else { 6 - index }
}

/// Formats a duration the way [`parse`] reads it (`1h30m`, `500ms`, `0s`).
pub fn format(d: Duration) -> String {
    let mut ms = d.as_millis() as u64;
    if ms == 0 {
        return "0s".to_owned();
    }
    let mut out = String::new();
    for (unit, factor) in [("h", 3_600_000u64), ("m", 60_000), ("s", 1_000), ("ms", 1)] {
        if ms >= factor {
            out.push_str(&format!("{}{unit}", ms / factor));
            ms %= factor;
        }
    }
    out
}

/// A [`Duration`] that reads and writes itself in Prometheus style; use it in serde types
/// and as a clap value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct PromDuration(pub Duration);

impl std::str::FromStr for PromDuration {
    type Err = DurationError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        parse(s).map(PromDuration)
    }
}

impl fmt::Display for PromDuration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&format(self.0))
    }
}

impl From<PromDuration> for Duration {
    fn from(d: PromDuration) -> Self {
        d.0
    }
}

impl<'de> serde::Deserialize<'de> for PromDuration {
    fn deserialize<D: serde::Deserializer<'de>>(de: D) -> Result<Self, D::Error> {
        // Checked inside the deserializer's call, so YAML errors name the field.
        crate::config::deserialize_str_with(de, "a duration such as 30s", parse).map(PromDuration)
    }
}

impl serde::Serialize for PromDuration {
    fn serialize<S: serde::Serializer>(&self, ser: S) -> Result<S::Ok, S::Error> {
        ser.serialize_str(&format(self.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn simple_units_parse() {
        assert_eq!(parse("500ms").unwrap(), Duration::from_millis(500));
        assert_eq!(parse("30s").unwrap(), Duration::from_secs(30));
        assert_eq!(parse("5m").unwrap(), Duration::from_secs(300));
        assert_eq!(parse("2h").unwrap(), Duration::from_secs(7200));
        assert_eq!(parse("1d").unwrap(), Duration::from_secs(86_400));
        assert_eq!(parse("0").unwrap(), Duration::ZERO);
    }

    #[test]
    fn compound_durations_add_up() {
        assert_eq!(parse("1h30m").unwrap(), Duration::from_secs(5400));
        assert_eq!(parse("1m30s500ms").unwrap(), Duration::from_millis(90_500));
    }

    #[test]
    fn bad_durations_are_rejected_with_a_reason() {
        for bad in [
            "",
            "10",
            "s",
            "5x",
            "1m1h",
            "1s1s",
            "-5s",
            "1.5s",
            "99999999999999999999s",
        ] {
            let e = parse(bad).unwrap_err();
            assert!(e.to_string().contains("invalid duration"), "{bad}: {e}");
        }
    }

    #[test]
    fn format_round_trips() {
        for s in ["500ms", "30s", "5m", "1h30m", "1m30s500ms"] {
            assert_eq!(format(parse(s).unwrap()), s);
        }
        assert_eq!(format(Duration::ZERO), "0s");
    }
}
