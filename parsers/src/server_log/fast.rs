//! The hot-path entry-header parser: the same grammar as
//! [`grammar::header_checked`](super::grammar::header_checked), hand-written
//! over fixed offsets and byte classes, with a one-entry cache of the last
//! date (consecutive lines share it). The nom production stays the
//! specification: a property test checks this fast path against it on
//! generated and mutated lines (the oracle habit of memchr and regex).

use super::grammar::{Header, HeaderError};
use crate::event::Level;
use crate::time::{days_from_civil, days_in_month, Timestamp, UtcOffset};

/// Remembers the last date seen, so that most lines skip the calendar maths.
#[derive(Clone, Debug, Default)]
pub struct DateCache {
    date: [u8; 10],
    days: i64,
    valid: bool,
}

/// Parses an entry header like [`super::grammar::header_checked`].
#[inline]
pub fn header(line: &[u8], cache: &mut DateCache) -> Result<Option<Header>, HeaderError> {
    if line.len() < 26 || !shape_ok(line) {
        return Ok(None);
    }
    let frac_digits = line[20..].iter().take(8).take_while(|b| b.is_ascii_digit()).count();
    if !(1..=7).contains(&frac_digits) {
        return Ok(None);
    }
    let mut pos = 20 + frac_digits;
    let zone = match zone(line, pos) {
        Some((z, next)) => {
            pos = next;
            Some(z)
        }
        None => None,
    };
    let Some((first, p)) = spaced_number(line, pos) else { return Ok(None) };
    let (pid, tid, p) = match spaced_number(line, p) {
        Some((second, p2)) => (Some(first), second, p2),
        None => (None, first, p),
    };
    let Some(p) = skip_ws(line, p) else { return Ok(None) };
    let Some((level, p)) = level(line, p) else { return Ok(None) };
    let message_at = match skip_ws(line, p) {
        Some(m) => m,
        None if p == line.len() => p,
        None => return Ok(None),
    };
    let Some(time) = timestamp(line, frac_digits, cache) else {
        return Err(HeaderError::InvalidTimestamp);
    };
    Ok(Some(Header { time, zone, pid, tid, level, message_at }))
}

/// `dddd-dd-dd dd:dd:dd.`
#[inline]
fn shape_ok(b: &[u8]) -> bool {
    let d = |i: usize| b[i].wrapping_sub(b'0') < 10;
    b[4] == b'-'
        && b[7] == b'-'
        && b[10] == b' '
        && b[13] == b':'
        && b[16] == b':'
        && b[19] == b'.'
        && d(0)
        && d(1)
        && d(2)
        && d(3)
        && d(5)
        && d(6)
        && d(8)
        && d(9)
        && d(11)
        && d(12)
        && d(14)
        && d(15)
        && d(17)
        && d(18)
}

#[inline]
fn d2(b: &[u8], i: usize) -> u32 {
    (b[i] - b'0') as u32 * 10 + (b[i + 1] - b'0') as u32
}

fn timestamp(b: &[u8], frac_digits: usize, cache: &mut DateCache) -> Option<Timestamp> {
    let days = if cache.valid && b[..10] == cache.date {
        cache.days
    } else {
        let year = d2(b, 0) * 100 + d2(b, 2);
        let (month, day) = (d2(b, 5), d2(b, 8));
        if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year as i32, month) {
            return None;
        }
        let days = days_from_civil(year as i32, month, day);
        cache.date.copy_from_slice(&b[..10]);
        cache.days = days;
        cache.valid = true;
        days
    };
    let (h, m, s) = (d2(b, 11), d2(b, 14), d2(b, 17));
    if h > 23 || m > 59 || s > 59 {
        return None;
    }
    let mut micros = 0u32;
    for (i, d) in b[20..20 + frac_digits.min(6)].iter().enumerate() {
        micros += (d - b'0') as u32 * 10u32.pow(5 - i as u32);
    }
    let secs = days * 86_400 + (h * 3600 + m * 60 + s) as i64;
    Some(Timestamp(secs * 1_000_000 + micros as i64))
}

/// `Z`, or ` +HH:MM` / ` -HH:MM`.
#[inline]
fn zone(b: &[u8], pos: usize) -> Option<(UtcOffset, usize)> {
    match b.get(pos)? {
        b'Z' => Some((UtcOffset::UTC, pos + 1)),
        b' ' => {
            let z = b.get(pos + 1..pos + 7)?;
            let shaped = matches!(z[0], b'+' | b'-')
                && z[1].is_ascii_digit()
                && z[2].is_ascii_digit()
                && z[3] == b':'
                && z[4].is_ascii_digit()
                && z[5].is_ascii_digit();
            if !shaped {
                return None;
            }
            let o = UtcOffset::parse(std::str::from_utf8(z).ok()?)?;
            Some((o, pos + 7))
        }
        _ => None,
    }
}

/// At least one space or tab, then the position after them; `None` if there are none.
#[inline]
fn skip_ws(b: &[u8], pos: usize) -> Option<usize> {
    let n = b.get(pos..)?.iter().take_while(|c| matches!(c, b' ' | b'\t')).count();
    (n > 0).then_some(pos + n)
}

/// Whitespace, then a decimal number that fits in `u32`.
#[inline]
fn spaced_number(b: &[u8], pos: usize) -> Option<(u32, usize)> {
    let start = skip_ws(b, pos)?;
    let digits = b[start..].iter().take_while(|c| c.is_ascii_digit()).count();
    if digits == 0 {
        return None;
    }
    let mut v: u32 = 0;
    for &c in &b[start..start + digits] {
        v = v.checked_mul(10)?.checked_add((c - b'0') as u32)?;
    }
    Some((v, start + digits))
}

#[inline]
fn level(b: &[u8], pos: usize) -> Option<(Level, usize)> {
    let rest = &b[pos..];
    let (level, len) = match rest.first()? {
        b'I' if rest.starts_with(b"INFO") => (Level::Info, 4),
        b'D' if rest.starts_with(b"DEBUG") => (Level::Debug, 5),
        b'T' if rest.starts_with(b"TRACE") => (Level::Trace, 5),
        b'W' if rest.starts_with(b"WARN") => (Level::Warn, 4),
        b'E' if rest.starts_with(b"ERROR") => (Level::Error, 5),
        b'F' if rest.starts_with(b"FATAL") => (Level::Fatal, 5),
        _ => return None,
    };
    Some((level, pos + len))
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::server_log::grammar::header_checked;

    const SAMPLES: &[&str] = &[
        "2016-05-30 12:09:20.4621     38  INFO  Request took 1320ms: POST http://x/api",
        "2017-07-12 11:57:43.3142  15048      1  INFO  Loading plugins",
        "2024-01-15 10:30:45.1234 +10:00  12345  67890  INFO  hi",
        "2024-01-15 10:30:45.1234Z 7 1 WARN x",
        "2018-11-05 21:21:21.9759 4868 1 INFO ====",
        "2016-05-30 08:49:44.9164   2283 ERROR",
        "2016-05-30 08:49:46.4980   1062  DEBUG listen://x",
        "2024-02-30 12:09:20.4621     38  INFO  bad date",
        "2024-02-29 23:59:59.9999999     38  FATAL  leap",
        "2018-08-02T10:13:02 SELECT * FROM dbo.[Team]",
        "2016-05-30 12:09:20.4621     38  NOTICE  x",
        "2016-05-30 12:09:20.4621 INFO x",
        "2016-05-30 12:09:20.4621     38  INFORMATION  x",
        "2016-05-30 12:09:20.4621\t38\tTRACE\tGET x",
        "2016-05-30 24:09:20.4621     38  INFO  x",
        "2016-05-30 12:09:20.12345678     38  INFO  eight digits",
        "2016-05-30 12:09:20.4621 +25:00 1 2 INFO x",
        "2016-05-30 12:09:20.4621 99999999999 1 INFO overflow",
    ];

    #[test]
    fn agrees_with_the_grammar_on_samples() {
        for s in SAMPLES {
            let mut cache = DateCache::default();
            assert_eq!(header(s.as_bytes(), &mut cache), header_checked(s.as_bytes()), "{s}");
        }
    }

    #[test]
    fn the_cache_never_changes_answers() {
        let mut cache = DateCache::default();
        for s in SAMPLES.iter().chain(SAMPLES.iter().rev()) {
            assert_eq!(header(s.as_bytes(), &mut cache), header_checked(s.as_bytes()), "{s}");
        }
    }

    fn line() -> impl Strategy<Value = Vec<u8>> {
        let sample = proptest::sample::select(SAMPLES.to_vec()).prop_map(|s| s.as_bytes().to_vec());
        (sample, 0usize..40, any::<u8>(), 0usize..3).prop_map(|(mut b, at, byte, op)| {
            let at = at.min(b.len());
            match op {
                0 => {
                    if at < b.len() {
                        b[at] = byte;
                    }
                }
                1 => b.insert(at, byte),
                _ => {
                    if at < b.len() {
                        b.remove(at);
                    }
                }
            }
            b
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(4000))]
        #[test]
        fn agrees_with_the_grammar_on_mutations(l in line()) {
            let mut cache = DateCache::default();
            prop_assert_eq!(header(&l, &mut cache), header_checked(&l));
        }
    }
}
