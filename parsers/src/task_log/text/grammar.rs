//! nom productions for a downloaded raw task log (octopus.md §2.2–§2.6), each
//! tested on literals below.
//!
//! ```text
//! header_line  = label ":" " "+ value             ; Task ID:        ServerTasks-16572
//! label        = ALPHA (ALPHA | " ")*
//! timed_line   = time " "+ level " "* "|" [" "] text
//!                                                  ; 13:51:05   Verbose  |   Guided failure is not enabled
//! gutter_line  = " "* "|" [" "] text              ;                     |   == Success: Step 1: Script 1 ==
//! time         = HH ":" mm ":" ss
//! level        = (not " " or "|")+                 ; Verbose Info Warning Error Fatal Highlight Wait …
//! text         = indent body                       ; indent = 2 spaces per depth
//! section      = "== " status ": " name " =="      ; form 1
//!              | status ": " name                  ; form 2
//! status       = Pending | Running | Success | Failed | Skipped | SuccessWithWarning | Canceled | Cancelled
//! ```
//!
//! The `|` is found by search, not at column 20, so that levels longer than
//! eight letters (`Highlight`) and pasted logs with collapsed spaces still read.

use nom::branch::alt;
use nom::bytes::complete::{tag, take_till1, take_while, take_while1, take_while_m_n};
use nom::character::complete::{char, space0, space1};
use nom::combinator::{map_opt, opt, rest, verify};
use nom::sequence::{preceded, terminated};
use nom::{IResult, Parser};

/// A line with a time and a level.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TimedLine<'a> {
    /// Seconds since midnight.
    pub seconds: u32,
    /// Level as written.
    pub level: &'a [u8],
    /// Text after `| `, indentation included.
    pub text: &'a [u8],
}

/// A section header: a node of the tree.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Section<'a> {
    /// ActivityStatus word.
    pub status: &'a [u8],
    /// Node name.
    pub name: &'a [u8],
    /// Written as `== … ==` (form 1).
    pub boxed: bool,
}

/// The ActivityStatus values a section header may carry (S14), plus the British spelling.
pub const STATUSES: [&[u8]; 8] = [
    b"Pending",
    b"Running",
    b"Success",
    b"Failed",
    b"Skipped",
    b"SuccessWithWarning",
    b"Canceled",
    b"Cancelled",
];

/// `header_line`: `Label: value` (the value may be empty).
pub fn header_line(input: &str) -> IResult<&str, (&str, &str)> {
    let label = verify(take_while1(|c: char| c.is_ascii_alphabetic() || c == ' '), |l: &str| {
        l.starts_with(|c: char| c.is_ascii_alphabetic())
    });
    let (input, (label, _, _, value)) = (label, char(':'), space0, rest).parse(input)?;
    Ok((input, (label.trim_end(), value.trim_end())))
}

/// `time`: `HH:mm:ss` as seconds since midnight.
pub fn time(input: &[u8]) -> IResult<&[u8], u32> {
    let two = || {
        map_opt(take_while_m_n(2, 2, |b: u8| b.is_ascii_digit()), |d: &[u8]| {
            crate::time::digits::<2>(d)
        })
    };
    let (input, (h, _, m, _, s)) = (two(), char(':'), two(), char(':'), two()).parse(input)?;
    if h > 23 || m > 59 || s > 59 {
        return Err(nom::Err::Error(nom::error::Error::new(input, nom::error::ErrorKind::Verify)));
    }
    Ok((input, h * 3600 + m * 60 + s))
}

/// `timed_line`.
pub fn timed_line(input: &[u8]) -> IResult<&[u8], TimedLine<'_>> {
    let level = take_till1(|b| b == b' ' || b == b'|');
    let (input, (seconds, _, level, _)) = (time, space1, level, space0).parse(input)?;
    let (text, _) = (char('|'), opt(char(' '))).parse(input)?;
    Ok((&text[text.len()..], TimedLine { seconds, level, text }))
}

/// `gutter_line`: the text after the gutter of a line without time.
pub fn gutter_line(input: &[u8]) -> IResult<&[u8], &[u8]> {
    preceded((space0, char('|'), opt(char(' '))), rest).parse(input)
}

/// Splits the indentation off a text: (number of leading spaces, the rest).
pub fn indent(text: &[u8]) -> (usize, &[u8]) {
    let n = text.iter().take_while(|b| **b == b' ').count();
    (n, &text[n..])
}

/// `section` (without indentation): either form, trailing spaces allowed.
pub fn section(input: &[u8]) -> IResult<&[u8], Section<'_>> {
    let trimmed = trim_end(input);
    alt((boxed_section, plain_section)).parse(trimmed)
}

fn boxed_section(input: &[u8]) -> IResult<&[u8], Section<'_>> {
    let (inner, _) = tag("== ").parse(input)?;
    let Some(inner) = inner.strip_suffix(b" ==") else {
        return Err(nom::Err::Error(nom::error::Error::new(input, nom::error::ErrorKind::Tag)));
    };
    let (_, (status, name)) = (status_colon, rest).parse(inner)?;
    Ok((&inner[inner.len()..], Section { status, name, boxed: true }))
}

fn plain_section(input: &[u8]) -> IResult<&[u8], Section<'_>> {
    let (input, (status, name)) =
        (status_colon, verify(rest, |n: &[u8]| !n.is_empty())).parse(input)?;
    Ok((input, Section { status, name, boxed: false }))
}

/// `status ": "`.
fn status_colon(input: &[u8]) -> IResult<&[u8], &[u8]> {
    let word =
        verify(take_while1(|b: u8| b.is_ascii_alphabetic()), |w: &[u8]| STATUSES.contains(&w));
    terminated(word, tag(": ")).parse(input)
}

fn trim_end(b: &[u8]) -> &[u8] {
    let n = b.iter().rev().take_while(|c| c.is_ascii_whitespace()).count();
    &b[..b.len() - n]
}

/// Whether a text is blank (spaces only).
pub fn is_blank(b: &[u8]) -> bool {
    b.iter().all(u8::is_ascii_whitespace)
}

/// `Task duration:` in words (`29 seconds`, `7 minutes`, `1 hour 5 minutes`, `2 days`)
/// as seconds; English only, used to warn about tasks longer than a day.
pub fn duration_words(input: &str) -> Option<u64> {
    let unit = take_while1(|c: char| c.is_ascii_alphabetic());
    let number = take_while1(|c: char| c.is_ascii_digit());
    let sep = take_while(|c: char| c == ' ' || c == ',');
    let pair = terminated((number, preceded(space1, unit)), sep);
    let parsed: IResult<&str, Vec<(&str, &str)>> = nom::multi::many1(pair).parse(input.trim());
    let (left, pairs) = parsed.ok()?;
    if !left.is_empty() {
        return None;
    }
    pairs.iter().try_fold(0u64, |acc, (n, u): &(&str, &str)| {
        let n: u64 = n.parse().ok()?;
        let per = match u.trim_end_matches('s') {
            "second" => 1,
            "minute" => 60,
            "hour" => 3600,
            "day" => 86_400,
            _ => return None,
        };
        acc.checked_add(n.checked_mul(per)?)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_lines() {
        assert_eq!(
            header_line("Task ID:        ServerTasks-16572"),
            Ok(("", ("Task ID", "ServerTasks-16572")))
        );
        assert_eq!(
            header_line("Server version: 3.3.16-ci.1+Branch.master.Sha.477470fd"),
            Ok(("", ("Server version", "3.3.16-ci.1+Branch.master.Sha.477470fd")))
        );
        assert_eq!(header_line("Related IDs:    "), Ok(("", ("Related IDs", ""))));
        assert_eq!(header_line("Custom Label: x: y"), Ok(("", ("Custom Label", "x: y"))));
        assert!(header_line("  | == Success: x ==").is_err());
        assert!(header_line("13:51:05   Info |").is_err());
        assert!(header_line(" leading: space").is_err());
    }

    #[test]
    fn times_of_day() {
        assert_eq!(time(b"13:51:05 rest"), Ok((&b" rest"[..], 13 * 3600 + 51 * 60 + 5)));
        assert_eq!(time(b"00:00:00"), Ok((&b""[..], 0)));
        assert!(time(b"24:00:00").is_err());
        assert!(time(b"1:51:05").is_err());
    }

    #[test]
    fn timed_lines_with_every_level_width() {
        let (_, l) =
            timed_line(b"13:51:05   Verbose  |   Guided failure is not enabled for this task")
                .unwrap();
        assert_eq!(
            (l.seconds, l.level, l.text),
            (49865, &b"Verbose"[..], &b"  Guided failure is not enabled for this task"[..])
        );
        let (_, l) = timed_line(b"13:51:05   Highlight |     Deploying").unwrap();
        assert_eq!((l.level, l.text), (&b"Highlight"[..], &b"    Deploying"[..]));
        let (_, l) = timed_line(b"13:51:05   Highlight|   x").unwrap();
        assert_eq!(l.level, b"Highlight");
        let (_, l) = timed_line(b"13:51:05 Info |").unwrap();
        assert_eq!((l.level, l.text), (&b"Info"[..], &b""[..]));
        assert!(timed_line(b"13:51:05   Info    no bar").is_err());
        assert!(timed_line(b"                    | text").is_err());
    }

    #[test]
    fn gutter_lines_and_indentation() {
        assert_eq!(
            gutter_line(b"                    |   == Success: Step 1 =="),
            Ok((&b""[..], &b"  == Success: Step 1 =="[..]))
        );
        assert_eq!(gutter_line(b"                    | "), Ok((&b""[..], &b""[..])));
        assert_eq!(gutter_line(b"| collapsed"), Ok((&b""[..], &b"collapsed"[..])));
        assert!(gutter_line(b"text | later").is_err());
        assert_eq!(indent(b"    Success: web01"), (4, &b"Success: web01"[..]));
    }

    #[test]
    fn sections_in_both_forms() {
        let s = section(b"== Success: Deploy Acme.Web release 1.4.2 to Production ==").unwrap().1;
        assert_eq!(
            (s.status, s.name, s.boxed),
            (&b"Success"[..], &b"Deploy Acme.Web release 1.4.2 to Production"[..], true)
        );
        let s = section(b"Failed: Step 2: Migrate database  ").unwrap().1;
        assert_eq!(
            (s.status, s.name, s.boxed),
            (&b"Failed"[..], &b"Step 2: Migrate database"[..], false)
        );
        let s = section(b"SuccessWithWarning: web02").unwrap().1;
        assert_eq!(s.status, b"SuccessWithWarning");
        // Continuation lines that merely look like headers.
        assert!(section(b"OperatingSystem: Microsoft Windows NT 6.2.9200.0").is_err());
        assert!(section(b"Success:").is_err());
        assert!(section(b"== Success: unterminated").is_err());
    }

    #[test]
    fn durations_in_words() {
        assert_eq!(duration_words("29 seconds"), Some(29));
        assert_eq!(duration_words("7 minutes"), Some(420));
        assert_eq!(duration_words("1 hour, 5 minutes"), Some(3900));
        assert_eq!(duration_words("2 days"), Some(172_800));
        assert_eq!(duration_words("a while"), None);
        assert_eq!(duration_words("3 fortnights"), None);
    }
}
