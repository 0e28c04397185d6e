//! The text `dotnet-gcdump report <file>.gcdump` prints (dotnet/diagnostics
//! `PrintReportHelper`): a summary, then one row per type, largest first.
//!
//! ```text
//!      46,312,836  GC Heap bytes
//!         617,236  GC Heap objects
//!
//!    Object Bytes     Count  Type
//!       8,388,632         1  System.Byte[] (Bytes > 1M)  [System.Private.CoreLib.dll]
//!       2,456,712    59,321  System.String  [System.Private.CoreLib.dll]
//!          12,024            Octopus.Server.Thing  [Octopus.Server.dll]
//! ```
//!
//! Numbers are printed with the machine's digit grouping (`,` `.` `'`, a space
//! or a no-break space), so every grouping character is accepted; the count
//! may be blank; the module in brackets is optional. Lines that fit no rule
//! are skipped and counted.

use super::{HeapReport, HeapType, Profile};
use crate::error::Problem;
use crate::parse::Parsed;

/// Parses a `dotnet-gcdump report` text.
pub fn parse(bytes: &[u8]) -> Parsed {
    let text = String::from_utf8_lossy(bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes));
    let mut report = HeapReport::default();
    let mut parsed = Parsed::default();
    for (i, raw) in text.lines().enumerate() {
        parsed.lines += 1;
        let line = raw.trim();
        if line.is_empty() || is_table_header(line) {
            continue;
        }
        match row(line) {
            Some(Row::Summary(n, what)) => summary(&mut report, n, what),
            Some(Row::Type(t)) => {
                parsed.entries += 1;
                report.types.push(t);
            }
            None => {
                parsed.skipped_lines += 1;
                let reason = format!("not a gcdump report row: '{}'", truncate(line, 80));
                parsed.problems.push(Problem::at_line(i as u64 + 1, reason));
            }
        }
    }
    parsed.profile = Some(Box::new(Profile::Heap(report)));
    parsed
}

enum Row<'a> {
    Summary(u64, &'a str),
    Type(HeapType),
}

fn summary(report: &mut HeapReport, n: u64, what: &str) {
    match what {
        "GC Heap bytes" => report.total_bytes = Some(n),
        "GC Heap objects" => report.objects = Some(n),
        "Total references" => report.references = Some(n),
        _ => {}
    }
}

fn is_table_header(line: &str) -> bool {
    line.starts_with("Object Bytes") && line.ends_with("Type")
}

/// `<bytes>  [<count>  ]<type>[  [<module>]]` or `<number>  <summary label>`.
fn row(line: &str) -> Option<Row<'_>> {
    let (bytes, rest) = grouped_number(line)?;
    let rest = rest.trim_start();
    if matches!(rest, "GC Heap bytes" | "GC Heap objects" | "Total references") {
        return Some(Row::Summary(bytes, rest));
    }
    let (count, rest) = match grouped_number(rest) {
        Some((c, after)) if after.starts_with(char::is_whitespace) => (Some(c), after.trim_start()),
        _ => (None, rest),
    };
    if rest.is_empty() {
        return None;
    }
    let (name, module) = match rest.rsplit_once("  [") {
        Some((name, m)) if m.ends_with(']') => (name.trim_end(), Some(m.trim_end_matches(']'))),
        _ => (rest, None),
    };
    Some(Row::Type(HeapType {
        bytes,
        count,
        name: name.to_string(),
        module: module.map(str::to_string),
    }))
}

/// A number with any digit grouping at the start of `s`, and the text after it.
/// A single space groups digits only when a digit follows (`1 234`); two
/// spaces end the number (the report's column gap).
fn grouped_number(s: &str) -> Option<(u64, &str)> {
    let mut value: u64 = 0;
    let mut digits = 0;
    let mut end = 0;
    let mut chars = s.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if let Some(d) = c.to_digit(10) {
            value = value.checked_mul(10)?.checked_add(d as u64)?;
            digits += 1;
            end = i + 1;
            continue;
        }
        let next_is_digit = chars.peek().is_some_and(|(_, n)| n.is_ascii_digit());
        let grouping = matches!(c, ',' | '.' | '\'' | '\u{a0}' | '\u{202f}' | ' ');
        if digits == 0 || !grouping || !next_is_digit {
            break;
        }
    }
    (digits > 0).then(|| (value, &s[end..]))
}

fn truncate(s: &str, n: usize) -> &str {
    s.char_indices().nth(n).map_or(s, |(i, _)| &s[..i])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn heap(text: &str) -> (Parsed, HeapReport) {
        let mut p = parse(text.as_bytes());
        let Some(Profile::Heap(h)) = p.profile.take().map(|b| *b) else { panic!("no heap") };
        (p, h)
    }

    const REPORT: &str = "     46,312,836  GC Heap bytes\n        617,236  GC Heap objects\n      1,234,567  Total references\n\n   Object Bytes     Count  Type\n      8,388,632         1  System.Byte[] (Bytes > 1M)  [System.Private.CoreLib.dll]\n      2,456,712    59,321  System.String  [System.Private.CoreLib.dll]\n         12,024            Octopus.Server.Web.Thing\n";

    #[test]
    fn summary_and_rows() {
        let (p, h) = heap(REPORT);
        assert!(p.problems.is_empty(), "{:?}", p.problems);
        assert_eq!(
            (h.total_bytes, h.objects, h.references),
            (Some(46_312_836), Some(617_236), Some(1_234_567))
        );
        assert_eq!(p.entries, 3);
        assert_eq!(
            h.types[0],
            HeapType {
                bytes: 8_388_632,
                count: Some(1),
                name: "System.Byte[] (Bytes > 1M)".into(),
                module: Some("System.Private.CoreLib.dll".into())
            }
        );
        assert_eq!(h.types[2].count, None);
        assert_eq!(h.types[2].module, None);
        assert_eq!(h.most_numerous(1)[0].name, "System.String");
        assert_eq!(h.largest(2)[1].bytes, 2_456_712);
    }

    #[test]
    fn other_digit_groupings() {
        let (_, h) =
            heap("  46.312.836  GC Heap bytes\n   8\u{a0}388\u{a0}632  1 024  System.Byte[]\n");
        assert_eq!(h.total_bytes, Some(46_312_836));
        assert_eq!((h.types[0].bytes, h.types[0].count), (8_388_632, Some(1024)));
    }

    #[test]
    fn unknown_lines_are_counted() {
        let (p, h) = heap("Garbage here\n      100         2  A.B\n");
        assert_eq!(h.types.len(), 1);
        assert_eq!(p.skipped_lines, 1);
        assert_eq!(p.problems.list[0].line, Some(1));
    }

    #[test]
    fn grouped_numbers() {
        assert_eq!(grouped_number("1,234  x"), Some((1234, "  x")));
        assert_eq!(grouped_number("12  34"), Some((12, "  34")));
        assert_eq!(grouped_number("1 234 567  T"), Some((1_234_567, "  T")));
        assert_eq!(grouped_number("abc"), None);
    }
}
