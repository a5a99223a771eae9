//! RFC 3339 UTC timestamps without a date library (logs, STS credential expiry).

use std::time::{SystemTime, UNIX_EPOCH};

/// `2026-11-25T21:00:00Z`.
pub fn rfc3339(t: SystemTime) -> String {
    let (date, secs, _) = split(t);
    format!("{date}T{secs}Z")
}

/// `2026-11-25T21:00:00.123Z`.
pub fn rfc3339_millis(t: SystemTime) -> String {
    let (date, secs, millis) = split(t);
    format!("{date}T{secs}.{millis:03}Z")
}

/// (`YYYY-MM-DD`, `hh:mm:ss`, milliseconds); times before 1970 read as 1970.
fn split(t: SystemTime) -> (String, String, u32) {
    let since = t.duration_since(UNIX_EPOCH).unwrap_or_default();
    let secs = since.as_secs();
    let rem = secs % 86_400;
    let (y, m, d) = civil_from_days((secs / 86_400) as i64);
    (
        format!("{y:04}-{m:02}-{d:02}"),
        format!("{:02}:{:02}:{:02}", rem / 3600, rem % 3600 / 60, rem % 60),
        since.subsec_millis(),
    )
}

/// Days since 1970-01-01 to (year, month, day) in the proleptic Gregorian calendar
/// (H. Hinnant's algorithm).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn known_instants_format_exactly() {
        assert_eq!(rfc3339(UNIX_EPOCH), "1970-01-01T00:00:00Z");
        let t = UNIX_EPOCH + Duration::from_millis(1_795_640_400_123);
        assert_eq!(rfc3339(t), "2026-11-25T21:00:00Z");
        assert_eq!(rfc3339_millis(t), "2026-11-25T21:00:00.123Z");
        let leap = UNIX_EPOCH + Duration::from_secs(11_016 * 86_400);
        assert_eq!(rfc3339(leap), "2000-02-29T00:00:00Z");
    }
}
