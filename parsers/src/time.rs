//! Timestamps without a time-zone library in the hot path.
//!
//! Octopus writes local wall-clock times (server log, raw task log) and UTC
//! times (on-disk task log, HAR). A [`Timestamp`] is a count of microseconds
//! since 1970-01-01T00:00:00 *on the clock it was read from*; the event that
//! carries it also says which [`Clock`] that was, so a later stage can shift
//! local times by the server's [`UtcOffset`] once that offset is known.
//!
//! Civil-date arithmetic follows Howard Hinnant's `days_from_civil`, which is
//! exact for the proleptic Gregorian calendar and costs a handful of integer
//! operations: parsing a server-log line must not call into a tz database.

use std::fmt;

/// Microseconds since the Unix epoch on some [`Clock`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(pub i64);

/// Which clock a timestamp was read from.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Clock {
    /// The server's local wall clock, offset unknown until aligned.
    #[default]
    Local,
    /// Coordinated Universal Time.
    Utc,
}

/// An offset from UTC in whole minutes, as in `+10:00` or `-05:30`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct UtcOffset {
    /// Minutes east of UTC.
    pub minutes: i32,
}

const MICROS_PER_SEC: i64 = 1_000_000;
const SECS_PER_DAY: i64 = 86_400;

impl Timestamp {
    /// Builds a timestamp from calendar fields, validating every range.
    /// Returns `None` for impossible dates such as `2024-02-30` or `24:00:00`.
    pub fn from_civil(
        year: i32,
        month: u32,
        day: u32,
        hour: u32,
        minute: u32,
        second: u32,
        micros: u32,
    ) -> Option<Timestamp> {
        if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
            return None;
        }
        if hour > 23 || minute > 59 || second > 59 || micros > 999_999 {
            return None;
        }
        let days = days_from_civil(year, month, day);
        let secs = days * SECS_PER_DAY + (hour * 3600 + minute * 60 + second) as i64;
        Some(Timestamp(secs * MICROS_PER_SEC + micros as i64))
    }

    /// Seconds since the epoch as a float, for durations and rates.
    pub fn as_secs_f64(self) -> f64 {
        self.0 as f64 / 1e6
    }

    /// The timestamp moved by `micros` microseconds.
    pub fn add_micros(self, micros: i64) -> Timestamp {
        Timestamp(self.0.saturating_add(micros))
    }

    /// Converts a local wall-clock time to UTC given the server's offset.
    pub fn local_to_utc(self, offset: UtcOffset) -> Timestamp {
        self.add_micros(-(offset.minutes as i64) * 60 * MICROS_PER_SEC)
    }

    /// Seconds between `self` and an earlier `start`.
    pub fn secs_since(self, start: Timestamp) -> f64 {
        (self.0 - start.0) as f64 / 1e6
    }

    /// Splits into (year, month, day, hour, minute, second, microsecond).
    pub fn to_civil(self) -> (i32, u32, u32, u32, u32, u32, u32) {
        let secs = self.0.div_euclid(MICROS_PER_SEC);
        let micros = self.0.rem_euclid(MICROS_PER_SEC) as u32;
        let days = secs.div_euclid(SECS_PER_DAY);
        let sod = secs.rem_euclid(SECS_PER_DAY) as u32;
        let (y, m, d) = civil_from_days(days);
        (y, m, d, sod / 3600, sod / 60 % 60, sod % 60, micros)
    }

    /// The midnight that starts this timestamp's day.
    pub fn start_of_day(self) -> Timestamp {
        let per_day = SECS_PER_DAY * MICROS_PER_SEC;
        Timestamp(self.0.div_euclid(per_day) * per_day)
    }

    /// RFC 3339 with millisecond precision and the given suffix (`Z` for UTC).
    pub fn rfc3339(self, clock: Clock) -> String {
        let (y, mo, d, h, mi, s, us) = self.to_civil();
        let ms = us / 1000;
        let suffix = match clock {
            Clock::Utc => "Z",
            Clock::Local => "",
        };
        format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}.{ms:03}{suffix}")
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (y, mo, d, h, mi, s, us) = self.to_civil();
        write!(f, "{y:04}-{mo:02}-{d:02} {h:02}:{mi:02}:{s:02}.{:03}", us / 1000)
    }
}

impl UtcOffset {
    /// UTC itself.
    pub const UTC: UtcOffset = UtcOffset { minutes: 0 };

    /// Parses `+HH:MM`, `-HH:MM`, `+HHMM`, `+HH` or `Z`.
    pub fn parse(text: &str) -> Option<UtcOffset> {
        let t = text.trim();
        if t == "Z" || t == "z" {
            return Some(UtcOffset::UTC);
        }
        let (sign, rest) = match t.as_bytes().first()? {
            b'+' => (1, &t[1..]),
            b'-' => (-1, &t[1..]),
            _ => return None,
        };
        let digits: String = rest.chars().filter(|c| *c != ':').collect();
        if !digits.bytes().all(|b| b.is_ascii_digit()) || !(digits.len() == 2 || digits.len() == 4)
        {
            return None;
        }
        let hours: i32 = digits[..2].parse().ok()?;
        let minutes: i32 = if digits.len() == 4 { digits[2..].parse().ok()? } else { 0 };
        if hours > 14 || minutes > 59 {
            return None;
        }
        Some(UtcOffset { minutes: sign * (hours * 60 + minutes) })
    }

    /// Rounds to the nearest quarter hour, the granularity of real time zones.
    pub fn round_to_quarter_hour(minutes: f64) -> UtcOffset {
        UtcOffset { minutes: ((minutes / 15.0).round() * 15.0) as i32 }
    }
}

impl fmt::Display for UtcOffset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.minutes < 0 { '-' } else { '+' };
        let m = self.minutes.abs();
        write!(f, "{sign}{:02}:{:02}", m / 60, m % 60)
    }
}

/// Whether `year` is a Gregorian leap year.
pub fn is_leap_year(year: i32) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

/// Number of days in a month (1-based).
pub fn days_in_month(year: i32, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap_year(year) => 29,
        2 => 28,
        _ => 0,
    }
}

/// Days since 1970-01-01 for a proleptic Gregorian date (Hinnant).
pub fn days_from_civil(year: i32, month: u32, day: u32) -> i64 {
    let y = year as i64 - if month <= 2 { 1 } else { 0 };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = month as i64;
    let doy = (153 * (m + if m > 2 { -3 } else { 9 }) + 2) / 5 + day as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Inverse of [`days_from_civil`].
pub fn civil_from_days(days: i64) -> (i32, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + if m <= 2 { 1 } else { 0 };
    (y as i32, m, d)
}

/// Reads exactly `N` ASCII digits as a number, or `None`.
#[inline]
pub fn digits<const N: usize>(bytes: &[u8]) -> Option<u32> {
    let b = bytes.get(..N)?;
    let mut v = 0u32;
    for &c in b {
        let d = c.wrapping_sub(b'0');
        if d > 9 {
            return None;
        }
        v = v * 10 + d as u32;
    }
    Some(v)
}

/// The date and time of `yyyy-MM-dd?HH:mm:ss` read at their fixed offsets (any
/// separators; the caller has checked the shape), plus `micros`. `None` for an
/// impossible date or time. Shared by the server-log and task-log grammars.
pub fn civil_at_fixed_offsets(b: &[u8], micros: u32) -> Option<Timestamp> {
    Timestamp::from_civil(
        digits::<4>(b)? as i32,
        digits::<2>(b.get(5..)?)?,
        digits::<2>(b.get(8..)?)?,
        digits::<2>(b.get(11..)?)?,
        digits::<2>(b.get(14..)?)?,
        digits::<2>(b.get(17..)?)?,
        micros,
    )
}

/// Parses an ISO 8601 / RFC 3339 date-time such as `2016-07-29T04:18:53.2370194+00:00`,
/// `2024-01-15T10:30:45Z` or `2024-01-15T10:30:45` (0 to 9 fractional digits, optional
/// offset). Returns the UTC instant if an offset was present, else the naive time, and
/// whether an offset was present.
pub fn parse_iso8601(text: &str) -> Option<(Timestamp, bool)> {
    let b = text.trim().as_bytes();
    if b.len() < 19 || b[4] != b'-' || b[7] != b'-' || !(b[10] == b'T' || b[10] == b' ') {
        return None;
    }
    if b[13] != b':' || b[16] != b':' {
        return None;
    }
    let year = digits::<4>(b)? as i32;
    let month = digits::<2>(&b[5..])?;
    let day = digits::<2>(&b[8..])?;
    let hour = digits::<2>(&b[11..])?;
    let minute = digits::<2>(&b[14..])?;
    let second = digits::<2>(&b[17..])?;
    let mut i = 19;
    let mut micros = 0u32;
    if b.get(i) == Some(&b'.') || b.get(i) == Some(&b',') {
        i += 1;
        let start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            if i - start < 6 {
                micros = micros * 10 + (b[i] - b'0') as u32;
            }
            i += 1;
        }
        let n = (i - start).min(6);
        if i == start {
            return None;
        }
        micros *= 10u32.pow(6 - n as u32);
    }
    let ts = Timestamp::from_civil(year, month, day, hour, minute, second, micros)?;
    let rest = std::str::from_utf8(&b[i..]).ok()?.trim();
    if rest.is_empty() {
        return Some((ts, false));
    }
    let offset = UtcOffset::parse(rest)?;
    Some((ts.local_to_utc(offset), true))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_round_trip_across_eras() {
        for days in [-800_000i64, -1, 0, 1, 11_016, 19_000, 60_000, 2_932_896] {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
        }
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(days_from_civil(2000, 3, 1), 11_017);
    }

    #[test]
    fn from_civil_rejects_impossible_dates() {
        assert!(Timestamp::from_civil(2024, 2, 30, 0, 0, 0, 0).is_none());
        assert!(Timestamp::from_civil(2023, 2, 29, 0, 0, 0, 0).is_none());
        assert!(Timestamp::from_civil(2024, 2, 29, 0, 0, 0, 0).is_some());
        assert!(Timestamp::from_civil(2024, 13, 1, 0, 0, 0, 0).is_none());
        assert!(Timestamp::from_civil(2024, 1, 1, 24, 0, 0, 0).is_none());
        assert!(Timestamp::from_civil(2024, 1, 1, 23, 59, 60, 0).is_none());
    }

    #[test]
    fn rfc3339_formats_utc_and_local() {
        let t = Timestamp::from_civil(2016, 5, 30, 12, 9, 20, 462_100).unwrap();
        assert_eq!(t.rfc3339(Clock::Utc), "2016-05-30T12:09:20.462Z");
        assert_eq!(t.rfc3339(Clock::Local), "2016-05-30T12:09:20.462");
        assert_eq!(t.to_string(), "2016-05-30 12:09:20.462");
    }

    #[test]
    fn offsets_parse_and_display() {
        assert_eq!(UtcOffset::parse("+10:00").unwrap().minutes, 600);
        assert_eq!(UtcOffset::parse("-05:30").unwrap().minutes, -330);
        assert_eq!(UtcOffset::parse("+0545").unwrap().minutes, 345);
        assert_eq!(UtcOffset::parse("Z").unwrap().minutes, 0);
        assert!(UtcOffset::parse("10:00").is_none());
        assert!(UtcOffset::parse("+25:00").is_none());
        assert_eq!(UtcOffset { minutes: -330 }.to_string(), "-05:30");
        assert_eq!(UtcOffset::round_to_quarter_hour(597.0).minutes, 600);
        assert_eq!(UtcOffset::round_to_quarter_hour(-52.0).minutes, -45);
    }

    #[test]
    fn iso8601_variants() {
        let (t, off) = parse_iso8601("2016-07-29T04:18:53.2370194+00:00").unwrap();
        assert!(off);
        assert_eq!(t.rfc3339(Clock::Utc), "2016-07-29T04:18:53.237Z");
        assert_eq!(t.0 % 1_000_000, 237_019);
        let (t, off) = parse_iso8601("2024-01-15T10:30:45+10:00").unwrap();
        assert!(off);
        assert_eq!(t.rfc3339(Clock::Utc), "2024-01-15T00:30:45.000Z");
        let (_, off) = parse_iso8601("2024-01-15T10:30:45").unwrap();
        assert!(!off);
        assert!(parse_iso8601("2024-01-15T10:30:45.").is_none());
        assert!(parse_iso8601("garbage").is_none());
    }
}
