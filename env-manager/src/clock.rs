//! UTC timestamps: backup folder names, uptime from Docker's start times, and durations as people
//! read them. Calendar arithmetic is chrono's (already in the build through rmcp); only the two
//! formats envmgr prints are decided here.

use chrono::{DateTime, Utc};

/// Seconds since the Unix epoch, now.
pub fn now_unix() -> i64 {
    Utc::now().timestamp()
}

/// `YYYYMMDDTHHMMSSZ` for `unix` seconds: sortable and safe in file names.
pub fn compact_utc(unix: i64) -> String {
    DateTime::<Utc>::from_timestamp(unix, 0)
        .map(|t| t.format("%Y%m%dT%H%M%SZ").to_string())
        .unwrap_or_else(|| format!("unix{unix}"))
}

/// Parses Docker's RFC 3339 times (`2026-11-27T12:50:01.123456789Z`) to Unix seconds.
/// Docker reports `0001-01-01T00:00:00Z` for "never": that gives `None`, as does any time
/// before 1970.
pub fn parse_rfc3339(text: &str) -> Option<i64> {
    let seconds = DateTime::parse_from_rfc3339(text).ok()?.timestamp();
    (seconds >= 0).then_some(seconds)
}

/// A duration in seconds as `2d 3h`, `4h 12m`, `5m 3s`, `7s`: the two largest units, which is
/// all an uptime column needs.
pub fn human_duration(secs: i64) -> String {
    let (d, h, m, s) = (
        secs / 86_400,
        secs % 86_400 / 3600,
        secs % 3600 / 60,
        secs % 60,
    );
    match (d, h, m) {
        (0, 0, 0) => format!("{s}s"),
        (0, 0, _) => format!("{m}m {s}s"),
        (0, _, _) => format!("{h}h {m}m"),
        _ => format!("{d}d {h}h"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_known_dates() {
        assert_eq!(compact_utc(0), "19700101T000000Z");
        assert_eq!(compact_utc(1_709_210_096), "20240229T123456Z");
        assert_eq!(
            parse_rfc3339("2024-02-29T12:34:56.999999999Z"),
            Some(1_709_210_096)
        );
        assert_eq!(
            parse_rfc3339("2024-02-29T14:34:56+02:00"),
            Some(1_709_210_096)
        );
        assert_eq!(parse_rfc3339("0001-01-01T00:00:00Z"), None);
        assert_eq!(parse_rfc3339("garbage"), None);
    }

    #[test]
    fn now_is_after_this_code_was_written() {
        assert!(now_unix() > 1_764_547_200, "2025-12-01");
    }

    #[test]
    fn durations() {
        assert_eq!(human_duration(7), "7s");
        assert_eq!(human_duration(303), "5m 3s");
        assert_eq!(human_duration(4 * 3600 + 720), "4h 12m");
        assert_eq!(human_duration(2 * 86_400 + 3 * 3600), "2d 3h");
    }
}
