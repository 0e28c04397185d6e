//! Units and their wording: times as RFC 3339 UTC, rounding of milliseconds
//! and seconds, durations in words. A leaf: every stage formats through it, so
//! a number reads the same in a summary, a table and the JSON.

use octodiag_parsers::{Clock, Timestamp};

/// RFC 3339 UTC with milliseconds.
pub fn utc(t: Timestamp) -> String {
    t.rfc3339(Clock::Utc)
}

/// Milliseconds rounded to 0.1.
pub fn ms_round(ms: f64) -> f64 {
    (ms * 10.0).round() / 10.0
}

/// Seconds rounded to the millisecond.
pub fn secs_round(s: f64) -> f64 {
    (s * 1000.0).round() / 1000.0
}

/// Rounded to three decimals; anything not finite becomes 0 (JSON has no NaN).
pub fn round3(x: f64) -> f64 {
    if x.is_finite() {
        (x * 1000.0).round() / 1000.0
    } else {
        0.0
    }
}

/// `8.1 s`, `450 ms`.
pub fn secs_text(ms: f64) -> String {
    if ms >= 1000.0 {
        format!("{:.1} s", ms / 1000.0)
    } else {
        format!("{ms:.0} ms")
    }
}

/// `24-minute`, `3-hour`, `45-second`.
pub fn duration_adjective(secs: f64) -> String {
    if secs >= 5400.0 {
        format!("{:.0}-hour", secs / 3600.0)
    } else if secs >= 90.0 {
        format!("{:.0}-minute", secs / 60.0)
    } else {
        format!("{secs:.0}-second")
    }
}

/// `45 s`, `24 min`, `2 h 05 min`, `3 d 4 h`.
pub fn duration(secs: f64) -> String {
    let s = secs.max(0.0);
    if s < 90.0 {
        format!("{s:.0} s")
    } else if s < 5400.0 {
        format!("{:.0} min", s / 60.0)
    } else if s < 172_800.0 {
        format!("{} h {:02} min", (s / 3600.0) as u64, (s % 3600.0 / 60.0) as u64)
    } else {
        format!("{} d {} h", (s / 86400.0) as u64, (s % 86400.0 / 3600.0) as u64)
    }
}

/// Milliseconds as whole microseconds, the way start and end times are kept consistent.
pub fn micros(ms: f64) -> i64 {
    (ms * 1000.0) as i64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(duration(45.0), "45 s");
        assert_eq!(duration(1450.0), "24 min");
        assert_eq!(duration(7500.0), "2 h 05 min");
        assert_eq!(duration(3.0 * 86400.0 + 4.0 * 3600.0), "3 d 4 h");
        assert_eq!(duration_adjective(1450.0), "24-minute");
        assert_eq!(duration_adjective(30.0), "30-second");
        assert_eq!(secs_text(8123.0), "8.1 s");
        assert_eq!(secs_text(450.4), "450 ms");
        assert_eq!(round3(f64::NAN), 0.0);
        assert_eq!(round3(0.12345), 0.123);
    }
}
