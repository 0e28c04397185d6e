//! Dates in a raw header, written in the server's culture (octopus.md §2.2):
//! .NET long date + short (or long) time, in any of the month-name languages
//! below, with or without weekday, 12 h or 24 h, seconds and offset optional.
//!
//! ```text
//! long_date_time = [weekday [","] sep] date [","] (sep | "T") time [[sep] offset] [sep]
//! date        = day_first | month_first | iso_date
//! day_first   = day ["."] sep ["de" sep] month [","] sep ["de" sep] year
//! month_first = month sep day [","] sep year
//! iso_date    = yyyy "-" MM "-" dd
//! time        = h (":" | ".") mm [(":" | ".") ss] [[sep] ampm]
//! ampm        = "AM" | "PM" | "a.m." | "p.m." | "a. m." | "p. m."   ; any case
//! offset      = ("+" | "-") HH ":" MM | "Z"
//! sep         = white space+ (including U+00A0 and U+202F, which ICU puts before AM/PM)
//! ```
//!
//! Seen in the wild: `24 september 2015 16:05` (nl), `Friday, 27 May 2016 8:16 PM`
//! (en-AU), `Monday, March 20, 2017 9:00 PM` (en-US), `Monday, 23 September 2024
//! 2:57:22 PM +00:00`. Also read: `Dienstag, 3. November 2026 14:05` (de), `mardi 3
//! novembre 2026 14:05` (fr), `martes, 3 de noviembre de 2026 14:05` (es).

use nom::branch::alt;
use nom::bytes::complete::{tag, tag_no_case, take_while1, take_while_m_n};
use nom::character::complete::{char, one_of, space0};
use nom::combinator::{eof, map, map_opt, opt, value, verify};
use nom::sequence::{preceded, terminated};
use nom::{IResult, Parser};

use crate::time::{Timestamp, UtcOffset};

/// A header date: the wall-clock time as written, and what it carried.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HeaderDate {
    /// The time as written (server-local unless `offset` is set).
    pub local: Timestamp,
    /// Whether seconds were written (else the time is truncated to the minute).
    pub seconds: bool,
    /// The offset written after the time.
    pub offset: Option<UtcOffset>,
}

/// Month names by language: English (with abbreviations), Dutch, German, French,
/// Spanish, Italian, Portuguese. Shared spellings name the same month.
const MONTHS: &[(&str, u32)] = &[
    ("january", 1),
    ("february", 2),
    ("march", 3),
    ("april", 4),
    ("may", 5),
    ("june", 6),
    ("july", 7),
    ("august", 8),
    ("september", 9),
    ("october", 10),
    ("november", 11),
    ("december", 12),
    ("jan", 1),
    ("feb", 2),
    ("mar", 3),
    ("apr", 4),
    ("jun", 6),
    ("jul", 7),
    ("aug", 8),
    ("sep", 9),
    ("sept", 9),
    ("oct", 10),
    ("nov", 11),
    ("dec", 12),
    // nl
    ("januari", 1),
    ("februari", 2),
    ("maart", 3),
    ("mei", 5),
    ("juni", 6),
    ("juli", 7),
    ("augustus", 8),
    ("oktober", 10),
    ("mrt", 3),
    ("okt", 10),
    // de
    ("januar", 1),
    ("jänner", 1),
    ("februar", 2),
    ("märz", 3),
    ("mai", 5),
    ("dezember", 12),
    ("mär", 3),
    ("dez", 12),
    // fr
    ("janvier", 1),
    ("février", 2),
    ("mars", 3),
    ("avril", 4),
    ("juin", 6),
    ("juillet", 7),
    ("août", 8),
    ("septembre", 9),
    ("octobre", 10),
    ("novembre", 11),
    ("décembre", 12),
    ("janv", 1),
    ("févr", 2),
    ("avr", 4),
    ("juil", 7),
    ("déc", 12),
    // es
    ("enero", 1),
    ("febrero", 2),
    ("marzo", 3),
    ("abril", 4),
    ("mayo", 5),
    ("junio", 6),
    ("julio", 7),
    ("agosto", 8),
    ("septiembre", 9),
    ("setiembre", 9),
    ("octubre", 10),
    ("noviembre", 11),
    ("diciembre", 12),
    ("ene", 1),
    ("abr", 4),
    ("ago", 8),
    ("dic", 12),
    // it
    ("gennaio", 1),
    ("febbraio", 2),
    ("aprile", 4),
    ("maggio", 5),
    ("giugno", 6),
    ("luglio", 7),
    ("settembre", 9),
    ("ottobre", 10),
    ("dicembre", 12),
    // pt
    ("janeiro", 1),
    ("fevereiro", 2),
    ("março", 3),
    ("maio", 5),
    ("junho", 6),
    ("julho", 7),
    ("setembro", 9),
    ("outubro", 10),
    ("novembro", 11),
    ("dezembro", 12),
];

/// The month a name stands for, in any of the languages above (any case).
pub fn month_number(word: &str) -> Option<u32> {
    let lower = word.to_lowercase();
    MONTHS.iter().find(|(name, _)| *name == lower).map(|(_, m)| *m)
}

/// Reads a whole header date, or `None` when it is in no form we know.
pub fn long_date_time(input: &str) -> Option<HeaderDate> {
    let (_, d) = header_date(input.trim()).ok()?;
    Some(d)
}

/// `long_date_time`.
pub fn header_date(input: &str) -> IResult<&str, HeaderDate> {
    let (input, _) = opt(weekday).parse(input)?;
    let (input, (y, mo, d)) = date(input)?;
    let (input, _) = (opt(char(',')), alt((sep, tag("T")))).parse(input)?;
    let (input, (h, mi, s)) = time(input)?;
    let (input, offset) = opt(preceded(opt(sep), offset)).parse(input)?;
    let (input, _) = (space0, eof).parse(input)?;
    let Some(local) = Timestamp::from_civil(y, mo, d, h, mi, s.unwrap_or(0), 0) else {
        return Err(nom::Err::Error(nom::error::Error::new(input, nom::error::ErrorKind::Verify)));
    };
    Ok((input, HeaderDate { local, seconds: s.is_some(), offset }))
}

/// `sep`: white space, including the no-break spaces some cultures use.
pub fn sep(input: &str) -> IResult<&str, &str> {
    take_while1(char::is_whitespace).parse(input)
}

fn word(input: &str) -> IResult<&str, &str> {
    take_while1(|c: char| c.is_alphabetic() || c == '-').parse(input)
}

/// `weekday [","] sep`: any word that is not a month (`Friday`, `dinsdag`, `terça-feira`).
pub fn weekday(input: &str) -> IResult<&str, &str> {
    let day = verify(word, |w: &str| month_number(w).is_none() && !w.eq_ignore_ascii_case("de"));
    terminated(day, (opt(char(',')), sep)).parse(input)
}

/// `month`: a month name, optionally abbreviated with a dot.
pub fn month(input: &str) -> IResult<&str, u32> {
    terminated(map_opt(word, month_number), opt(char('.'))).parse(input)
}

fn number<'a>(
    min: usize,
    max: usize,
) -> impl Parser<&'a str, Output = u32, Error = nom::error::Error<&'a str>> {
    map_opt(take_while_m_n(min, max, |c: char| c.is_ascii_digit()), |d: &str| d.parse().ok())
}

fn de(input: &str) -> IResult<&str, ()> {
    value((), (tag_no_case("de"), sep)).parse(input)
}

/// `date`: (year, month, day).
pub fn date(input: &str) -> IResult<&str, (i32, u32, u32)> {
    alt((iso_date, day_first, month_first)).parse(input)
}

fn day_first(input: &str) -> IResult<&str, (i32, u32, u32)> {
    let (input, (d, _, _, _, m, _, _, _, y)) = (
        number(1, 2),
        opt(char('.')),
        sep,
        opt(de),
        month,
        opt(char(',')),
        sep,
        opt(de),
        number(4, 4),
    )
        .parse(input)?;
    Ok((input, (y as i32, m, d)))
}

fn month_first(input: &str) -> IResult<&str, (i32, u32, u32)> {
    let (input, (m, _, d, _, _, y)) =
        (month, sep, number(1, 2), opt(char(',')), sep, number(4, 4)).parse(input)?;
    Ok((input, (y as i32, m, d)))
}

fn iso_date(input: &str) -> IResult<&str, (i32, u32, u32)> {
    let (input, (y, _, m, _, d)) =
        (number(4, 4), char('-'), number(2, 2), char('-'), number(2, 2)).parse(input)?;
    Ok((input, (y as i32, m, d)))
}

/// `time`: (hour 0–23, minute, seconds when written).
pub fn time(input: &str) -> IResult<&str, (u32, u32, Option<u32>)> {
    let colon = || one_of(":.");
    let (input, (h, _, m, s)) =
        (number(1, 2), colon(), number(2, 2), opt(preceded(colon(), number(2, 2)))).parse(input)?;
    let (input, half) = opt(preceded(opt(sep), ampm)).parse(input)?;
    let hour = match half {
        None if h < 24 => h,
        Some(pm) if (1..=12).contains(&h) => h % 12 + if pm { 12 } else { 0 },
        _ => {
            return Err(nom::Err::Error(nom::error::Error::new(
                input,
                nom::error::ErrorKind::Verify,
            )))
        }
    };
    Ok((input, (hour, m, s)))
}

/// `ampm`: `true` for the afternoon.
pub fn ampm(input: &str) -> IResult<&str, bool> {
    alt((
        value(false, alt((tag_no_case("a. m."), tag_no_case("a.m."), tag_no_case("am")))),
        value(true, alt((tag_no_case("p. m."), tag_no_case("p.m."), tag_no_case("pm")))),
    ))
    .parse(input)
}

/// `offset`: `+10:00`, `-05:30`, `Z`.
pub fn offset(input: &str) -> IResult<&str, UtcOffset> {
    let numeric = (one_of("+-"), number(2, 2), char(':'), number(2, 2));
    let numeric = map_opt(numeric, |(sign, h, _, m)| {
        let minutes = (h * 60 + m) as i32;
        (h <= 14 && m < 60)
            .then_some(UtcOffset { minutes: if sign == '-' { -minutes } else { minutes } })
    });
    alt((map(char('Z'), |_| UtcOffset::UTC), numeric)).parse(input)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32) -> Timestamp {
        Timestamp::from_civil(y, mo, d, h, mi, s, 0).unwrap()
    }

    fn read(s: &str) -> (Timestamp, bool, Option<i32>) {
        let d = long_date_time(s).unwrap_or_else(|| panic!("could not read {s:?}"));
        (d.local, d.seconds, d.offset.map(|o| o.minutes))
    }

    #[test]
    fn english_long_dates() {
        assert_eq!(read("Friday, 27 May 2016 8:16 PM"), (at(2016, 5, 27, 20, 16, 0), false, None));
        assert_eq!(
            read("Wednesday, 28 October 2015 1:27 PM"),
            (at(2015, 10, 28, 13, 27, 0), false, None)
        );
        assert_eq!(
            read("Monday, March 20, 2017 9:00 PM"),
            (at(2017, 3, 20, 21, 0, 0), false, None)
        );
        assert_eq!(
            read("Monday, 23 September 2024 2:57:22 PM +00:00"),
            (at(2024, 9, 23, 14, 57, 22), true, Some(0))
        );
        assert_eq!(
            read("Tuesday, 3 November 2026 2:05:02 PM +10:00"),
            (at(2026, 11, 3, 14, 5, 2), true, Some(600))
        );
        assert_eq!(
            read("Tuesday, 3 November 2026 12:15 AM"),
            (at(2026, 11, 3, 0, 15, 0), false, None)
        );
        assert_eq!(
            read("Tuesday, 3 November 2026 12:15 pm"),
            (at(2026, 11, 3, 12, 15, 0), false, None)
        );
        // ICU puts a narrow no-break space before AM/PM.
        assert_eq!(
            read("Tuesday, November 3, 2026 1:50\u{202f}PM"),
            (at(2026, 11, 3, 13, 50, 0), false, None)
        );
        assert_eq!(read("3 Nov. 2026 13:50"), (at(2026, 11, 3, 13, 50, 0), false, None));
    }

    #[test]
    fn other_cultures() {
        assert_eq!(read("24 september 2015 16:05"), (at(2015, 9, 24, 16, 5, 0), false, None));
        assert_eq!(
            read("dinsdag 3 november 2026 14:05:09"),
            (at(2026, 11, 3, 14, 5, 9), true, None)
        );
        assert_eq!(
            read("Dienstag, 3. November 2026 14:05"),
            (at(2026, 11, 3, 14, 5, 0), false, None)
        );
        assert_eq!(read("Freitag, 27. März 2026 08:16"), (at(2026, 3, 27, 8, 16, 0), false, None));
        assert_eq!(read("mardi 3 novembre 2026 14:05"), (at(2026, 11, 3, 14, 5, 0), false, None));
        assert_eq!(
            read("vendredi 14 août 2026 09:30 +02:00"),
            (at(2026, 8, 14, 9, 30, 0), false, Some(120))
        );
        assert_eq!(
            read("martes, 3 de noviembre de 2026 14:05"),
            (at(2026, 11, 3, 14, 5, 0), false, None)
        );
        assert_eq!(
            read("martes, 3 de noviembre de 2026 2:05 p. m."),
            (at(2026, 11, 3, 14, 5, 0), false, None)
        );
        assert_eq!(
            read("terça-feira, 3 de novembro de 2026 14:05"),
            (at(2026, 11, 3, 14, 5, 0), false, None)
        );
        assert_eq!(
            read("2026-11-03 14:05:02 -05:30"),
            (at(2026, 11, 3, 14, 5, 2), true, Some(-330))
        );
        assert_eq!(read("2026-11-03T14:05:02Z"), (at(2026, 11, 3, 14, 5, 2), true, Some(0)));
    }

    #[test]
    fn unreadable_dates() {
        for bad in [
            "",
            "yesterday",
            "Friday, 31 June 2016 8:16 PM",
            "Friday, 27 Mayo2016 8:16 PM",
            "Friday, 27 May 2016 13:16 PM",
            "Friday, 27 May 2016 8:16 PM trailing",
            "27/05/2016 20:16",
            "Friday, 27 Smarch 2016 8:16 PM",
        ] {
            assert_eq!(long_date_time(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn productions_on_their_own() {
        assert_eq!(weekday("Friday, 27"), Ok(("27", "Friday")));
        assert!(weekday("March 20").is_err());
        assert_eq!(month("sept. 2026"), Ok((" 2026", 9)));
        assert_eq!(month("März"), Ok(("", 3)));
        assert_eq!(time("8:16 PM"), Ok(("", (20, 16, None))));
        assert_eq!(time("14.05"), Ok(("", (14, 5, None))));
        assert_eq!(ampm("a.m."), Ok(("", false)));
        assert_eq!(offset("+10:00"), Ok(("", UtcOffset { minutes: 600 })));
        assert!(offset("+25:00").is_err());
        assert_eq!(date("3. November 2026"), Ok(("", (2026, 11, 3))));
        assert_eq!(date("November 3, 2026"), Ok(("", (2026, 11, 3))));
    }
}
