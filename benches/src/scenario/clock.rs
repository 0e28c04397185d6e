//! Times as the files write them. Everything inside the generator is UTC
//! microseconds; a renderer adds the server's offset for local clocks (server
//! log, raw task log) and writes UTC for on-disk task logs and HAR files.

use octodiag_parsers::Timestamp;
use serde::{Deserialize, Serialize};

/// One second in microseconds.
pub const SEC: i64 = 1_000_000;
/// One minute.
pub const MIN: i64 = 60 * SEC;
/// One hour.
pub const HOUR: i64 = 60 * MIN;
/// One day.
pub const DAY: i64 = 24 * HOUR;

/// The culture a raw task log's header dates are written in (octopus.md §2.2).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Culture {
    /// `Tuesday, 3 November 2026 2:05 PM`.
    EnAu,
    /// `Tuesday, November 3, 2026 2:05 PM`.
    EnUs,
    /// `3 november 2026 14:05`.
    Nl,
    /// `Dienstag, 3. November 2026 14:05`.
    De,
    /// `Tuesday, 3 November 2026 2:05:22 PM +10:00` (seconds and offset).
    WithOffset,
}

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
const MONATE: [&str; 12] = [
    "Januar",
    "Februar",
    "März",
    "April",
    "Mai",
    "Juni",
    "Juli",
    "August",
    "September",
    "Oktober",
    "November",
    "Dezember",
];
const MAANDEN: [&str; 12] = [
    "januari",
    "februari",
    "maart",
    "april",
    "mei",
    "juni",
    "juli",
    "augustus",
    "september",
    "oktober",
    "november",
    "december",
];
const DAYS: [&str; 7] =
    ["Thursday", "Friday", "Saturday", "Sunday", "Monday", "Tuesday", "Wednesday"];
const TAGE: [&str; 7] =
    ["Donnerstag", "Freitag", "Samstag", "Sonntag", "Montag", "Dienstag", "Mittwoch"];
const DAYS_ABBR: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];

/// Calendar fields of a time on its own clock.
pub fn civil(t: i64) -> (i32, u32, u32, u32, u32, u32, u32) {
    Timestamp(t).to_civil()
}

/// UTC microseconds of a local midnight.
pub fn midnight_utc(y: i32, m: u32, d: u32, offset_min: i32) -> i64 {
    let local = Timestamp::from_civil(y, m, d, 0, 0, 0, 0).unwrap_or_default().0;
    local - offset_min as i64 * MIN
}

/// The local time of `utc` at `offset_min`.
pub fn local(utc: i64, offset_min: i32) -> i64 {
    utc + offset_min as i64 * MIN
}

/// `${longdate}`: `2026-11-03 14:05:02.5120` (local).
pub fn longdate(local: i64) -> String {
    let (y, mo, d, h, mi, s, us) = civil(local);
    format!("{y:04}-{mo:02}-{d:02} {h:02}:{mi:02}:{s:02}.{:04}", us / 100)
}

/// `14:05:02`.
pub fn hms(local: i64) -> String {
    let (_, _, _, h, mi, s, _) = civil(local);
    format!("{h:02}:{mi:02}:{s:02}")
}

/// The on-disk task log's round-trip form: `2026-11-03T04:05:02.5120000+00:00`.
pub fn iso7(utc: i64) -> String {
    let (y, mo, d, h, mi, s, us) = civil(utc);
    format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}.{us:06}0+00:00")
}

/// Chrome's `Date.toJSON()`: `2026-11-03T04:05:02.512Z`.
pub fn iso_ms_z(utc: i64) -> String {
    Timestamp(utc).rfc3339(octodiag_parsers::Clock::Utc)
}

/// Firefox's local form with the user's offset: `2026-11-03T14:05:02.512+10:00`.
pub fn iso_ms_offset(utc: i64, offset_min: i32) -> String {
    let (y, mo, d, h, mi, s, us) = civil(local(utc, offset_min));
    let o = offset_text(offset_min);
    format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}.{:03}{o}", us / 1000)
}

/// An HTTP `Date` header: `Tue, 03 Nov 2026 04:05:02 GMT`.
pub fn http_date(utc: i64) -> String {
    let (y, mo, d, h, mi, s, _) = civil(utc);
    let wd = DAYS_ABBR[weekday(utc)];
    let mon = &MONTHS[mo as usize - 1][..3];
    format!("{wd}, {d:02} {mon} {y} {h:02}:{mi:02}:{s:02} GMT")
}

/// `+10:00`, `-05:30`, `+00:00`.
pub fn offset_text(offset_min: i32) -> String {
    octodiag_parsers::UtcOffset { minutes: offset_min }.to_string()
}

/// 0 = Thursday (1970-01-01), as the tables above.
fn weekday(t: i64) -> usize {
    t.div_euclid(DAY).rem_euclid(7) as usize
}

/// A raw task log header date in `culture` (`utc` shifted to the server's clock).
pub fn header_date(utc: i64, offset_min: i32, culture: Culture) -> String {
    let t = local(utc, offset_min);
    let (y, mo, d, h, mi, s, _) = civil(t);
    let (h12, ampm) = (if h % 12 == 0 { 12 } else { h % 12 }, if h < 12 { "AM" } else { "PM" });
    let month = MONTHS[mo as usize - 1];
    let day = DAYS[weekday(t)];
    match culture {
        Culture::EnAu => format!("{day}, {d} {month} {y} {h12}:{mi:02} {ampm}"),
        Culture::EnUs => format!("{day}, {month} {d}, {y} {h12}:{mi:02} {ampm}"),
        Culture::Nl => format!("{d} {} {y} {h:02}:{mi:02}", MAANDEN[mo as usize - 1]),
        Culture::De => {
            format!("{}, {d}. {} {y} {h:02}:{mi:02}", TAGE[weekday(t)], MONATE[mo as usize - 1])
        }
        Culture::WithOffset => {
            let o = offset_text(offset_min);
            format!("{day}, {d} {month} {y} {h12}:{mi:02}:{s:02} {ampm} {o}")
        }
    }
}

/// The raw header's humanised duration: `29 seconds`, `7 minutes`, `1 hour`.
pub fn human_duration(us: i64) -> String {
    let s = (us / SEC).max(1);
    match s {
        1 => "1 second".into(),
        2..=59 => format!("{s} seconds"),
        60..=119 => "1 minute".into(),
        120..=3599 => format!("{} minutes", s / 60),
        3600..=7199 => "1 hour".into(),
        _ => format!("{} hours", s / 3600),
    }
}

/// A .NET `TimeSpan` with 7 fractional digits: `00:00:00.0224869`.
pub fn timespan(us: i64) -> String {
    let s = us / SEC;
    let ticks = (us % SEC) * 10 + (us * 7 % 10);
    format!("{:02}:{:02}:{:02}.{ticks:07}", s / 3600, s / 60 % 60, s % 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32, us: u32) -> i64 {
        Timestamp::from_civil(y, mo, d, h, mi, s, us).unwrap().0
    }

    #[test]
    fn server_and_task_log_forms() {
        let x = t(2026, 11, 3, 4, 5, 2, 512_345);
        assert_eq!(longdate(local(x, 600)), "2026-11-03 14:05:02.5123");
        assert_eq!(hms(local(x, -330)), "22:35:02");
        assert_eq!(iso7(x), "2026-11-03T04:05:02.5123450+00:00");
        assert_eq!(iso_ms_z(x), "2026-11-03T04:05:02.512Z");
        assert_eq!(iso_ms_offset(x, -480), "2026-11-02T20:05:02.512-08:00");
        assert_eq!(http_date(x), "Tue, 03 Nov 2026 04:05:02 GMT");
        assert_eq!(midnight_utc(2026, 11, 3, 570), t(2026, 11, 2, 14, 30, 0, 0));
    }

    #[test]
    fn header_dates_in_each_culture() {
        let x = t(2026, 11, 3, 4, 5, 22, 0);
        assert_eq!(header_date(x, 600, Culture::EnAu), "Tuesday, 3 November 2026 2:05 PM");
        assert_eq!(header_date(x, 600, Culture::EnUs), "Tuesday, November 3, 2026 2:05 PM");
        assert_eq!(header_date(x, 600, Culture::Nl), "3 november 2026 14:05");
        assert_eq!(header_date(x, 600, Culture::De), "Dienstag, 3. November 2026 14:05");
        assert_eq!(
            header_date(x, 330, Culture::WithOffset),
            "Tuesday, 3 November 2026 9:35:22 AM +05:30"
        );
        assert_eq!(header_date(x, -300, Culture::EnAu), "Monday, 2 November 2026 11:05 PM");
    }

    #[test]
    fn durations_as_written() {
        assert_eq!(human_duration(29 * SEC), "29 seconds");
        assert_eq!(human_duration(7 * MIN + 3 * SEC), "7 minutes");
        assert_eq!(human_duration(61 * MIN), "1 hour");
        assert_eq!(timespan(22_486), "00:00:00.0224862");
        assert_eq!(timespan(276 * SEC + 126_000), "00:04:36.1260000");
    }
}
