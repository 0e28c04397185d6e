//! HAR (HTTP Archive) recordings: each entry becomes a `request` event.
//!
//! ```text
//! bytes ─► strip BOM / JSONP wrapper ─► serde_json: {"log": {"entries": [&RawValue, …]}}
//!                                          │ ok                         │ error (truncated, bad UTF-8, …)
//!                                          │                            ▼
//!                                          │            recover::scan_entries: byte ranges of
//!                                          │            the complete entries, found without decoding
//!                                          ▼                            │
//!               each entry: serde_json into model::Entry (borrowed; bodies skipped unread)
//!                     │ error: recover::repair (lone surrogates, bad UTF-8) and retry once;
//!                     │        still failing: a problem naming the entry, the entry skipped
//!                     ▼
//!               Event { kind: Request { …, browser: BrowserTiming } }, time in UTC
//! ```
//!
//! The whole file is one `&[u8]` (usually memory-mapped). The first parse
//! only records where each entry is; each entry is then decoded on its own,
//! so one bad entry costs that entry and nothing else, and its byte range
//! becomes the event's `offset`/`len`. Response bodies, post data, initiator
//! stacks and the dozens of `_` fields some exporters add are never decoded
//! or copied.
//!
//! What the exporters write, and how it is read (har.md §4, §5, §7):
//!
//! * `startedDateTime` in UTC (`Z`, `+00:00`) or with an offset, with 0 to 7
//!   fractional digits, is converted to a UTC instant. Without a time zone it
//!   is read as UTC and the file gets one problem saying so. An empty,
//!   missing, unreadable or pre-1990 start (Safari `""`, WebPageTest's 1970)
//!   keeps the entry, at the start of the entry before it, with a problem.
//! * `time` is taken as given (Playwright, mitmproxy and Firefox count `ssl`
//!   twice, and that is what they measured); only when it is missing, null
//!   or negative is it recomputed from the phases, without `ssl`.
//! * -1 and any other negative phase means unknown (`None`), never 0.
//! * cached: Chromium `_fromCache`, Safari `_fetchType` "… Cache", a 304
//!   with no known `wait`, or a successful entry in which nothing took any
//!   time (Firefox writes `timings: {}` and `time: 0` for cache hits).
//! * failed: status 0, `_error` set (Chromium, Safari, mitmproxy), or no
//!   `response` at all. Failed entries are logged at `warn`.
//! * Entries stay in file order (they are not always sorted; the caller
//!   merges by time).

mod model;
mod recover;
pub mod redact;
#[cfg(test)]
mod tests;

use std::borrow::Cow;

use serde::Deserialize;
use serde_json::value::RawValue;

use self::model::{Entry, Loose, Num, Str, Timings};
use crate::error::{Problem, Problems};
use crate::event::{BrowserTiming, Event, EventKind, Level, Request, SourceId, Text};
use crate::parse::Parsed;
use crate::redact::redact_api_keys;
use crate::source::Source;
use crate::time::{parse_iso8601, Clock, Timestamp};

pub use self::model::CORRELATION_HEADERS;

/// Parses one HAR source.
pub fn parse(id: SourceId, source: &Source) -> Parsed {
    parse_bytes(id, source.bytes())
}

/// Parses HAR bytes as a source holds them (a BOM, if any, included).
/// Event offsets are relative to the start of `bytes`.
pub fn parse_bytes(id: SourceId, bytes: &[u8]) -> Parsed {
    let mut out = Collector::new(id, bytes);
    match json_body(bytes) {
        Ok(body) => out.document(body),
        Err(problem) => out.problems.push(problem),
    }
    out.finish()
}

/// The byte range of the JSON document: after a UTF-8 BOM, inside a `.harp`
/// JSONP wrapper (`onInputData({…});`). A UTF-16 file is refused.
fn json_body(bytes: &[u8]) -> Result<&[u8], Problem> {
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        return Err(Problem::whole("UTF-16 text; HAR files must be UTF-8: re-save it as UTF-8"));
    }
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let start = body.iter().position(|b| !b.is_ascii_whitespace()).unwrap_or(body.len());
    match body.get(start) {
        Some(b'{') => Ok(body),
        Some(b) if b.is_ascii_alphabetic() || matches!(b, b'_' | b'$') => unwrap_jsonp(body, start),
        Some(_) => Err(Problem::whole(format!(
            "not a HAR: the document at byte {} is not a JSON object",
            offset_in(bytes, body) + start
        ))),
        None => Err(Problem::whole("empty file")),
    }
}

/// `callback({…})` → `{…}` (harviewer's `.harp` files, har.md §7.16).
fn unwrap_jsonp(body: &[u8], start: usize) -> Result<&[u8], Problem> {
    let name_end = body[start..]
        .iter()
        .position(|b| !(b.is_ascii_alphanumeric() || matches!(b, b'_' | b'$' | b'.')))
        .map_or(body.len(), |k| start + k);
    let rest = &body[name_end..];
    let open = rest.iter().position(|b| !b.is_ascii_whitespace());
    let close = rest.iter().rposition(|b| *b == b')');
    match (open, close) {
        (Some(o), Some(c)) if rest[o] == b'(' && c > o => Ok(&rest[o + 1..c]),
        _ => Err(Problem::whole(format!(
            "not a HAR: the document at byte {start} is neither a JSON object nor a JSONP call"
        ))),
    }
}

/// Byte offset of `sub` inside `whole` (`sub` must be a subslice of it).
fn offset_in(whole: &[u8], sub: &[u8]) -> usize {
    (sub.as_ptr() as usize).saturating_sub(whole.as_ptr() as usize)
}

/// The top of the document; everything but the entries is skipped.
#[derive(Deserialize)]
struct Document<'a> {
    #[serde(default, borrow)]
    log: Loose<LogPart<'a>>,
    /// A HAR fragment without the `log` wrapper (har.md §7.16).
    #[serde(default, borrow)]
    entries: Option<Vec<&'a RawValue>>,
}

#[derive(Deserialize)]
struct LogPart<'a> {
    #[serde(default, borrow)]
    entries: Option<Vec<&'a RawValue>>,
}

/// What one entry became.
enum Outcome {
    Event(Box<Converted>),
    Skipped(String),
}

/// An event plus what the file-level problems need to know about it.
struct Converted {
    event: Event,
    /// The start had no time zone and was read as UTC.
    zone_assumed: bool,
    /// The start was unusable (the text, shortened); the time is filled in later.
    no_start: Option<String>,
    /// Lone surrogates or invalid UTF-8 were replaced to read it.
    repaired: bool,
}

/// Accumulates events and problems for one source.
struct Collector<'s> {
    id: SourceId,
    source: &'s [u8],
    entries: u64,
    converted: Vec<Converted>,
    problems: Problems,
    entry_problems: u64,
}

impl<'s> Collector<'s> {
    fn new(id: SourceId, source: &'s [u8]) -> Self {
        Collector {
            id,
            source,
            entries: 0,
            converted: Vec::new(),
            problems: Problems::default(),
            entry_problems: 0,
        }
    }

    fn document(&mut self, body: &'s [u8]) {
        match serde_json::from_slice::<Document>(body) {
            Ok(doc) => match doc.log.0.and_then(|l| l.entries).or(doc.entries) {
                Some(list) => {
                    for raw in list {
                        self.entry(raw.get().as_bytes());
                    }
                }
                None => self.problems.push(Problem::whole("not a HAR: no `log.entries` array")),
            },
            Err(e) => self.recover(body, &e),
        }
    }

    /// The document could not be read as a whole: report why, then read the
    /// complete entries that a structural scan finds.
    fn recover(&mut self, body: &'s [u8], err: &serde_json::Error) {
        let scan = recover::scan_entries(body);
        let at = offset_in(self.source, body);
        for range in scan.ranges.clone() {
            self.entry(&body[range]);
        }
        let mut reason = describe_error(body, at, err);
        if !scan.found_entries {
            reason.push_str("; no `log.entries` array found");
        } else if scan.stopped.is_some() {
            reason
                .push_str(&format!("; read the {} complete entries before it", scan.ranges.len()));
        } else if self.entry_problems > 0 {
            return; // the entries that failed have said why
        } else {
            reason.push_str("; every entry was still read one by one");
        }
        self.problems.list.insert(0, Problem::whole(reason));
    }

    /// Decodes one entry, repairing it once if serde refuses it.
    fn entry(&mut self, raw: &'s [u8]) {
        self.entries += 1;
        let index = self.entries;
        let offset = offset_in(self.source, raw);
        let outcome = match serde_json::from_slice::<Entry>(raw) {
            Ok(e) => self.convert(index, offset, raw.len(), e, false),
            Err(err) => match recover::repair(raw) {
                Some(fixed) => match serde_json::from_slice::<Entry>(&fixed) {
                    Ok(e) => self.convert(index, offset, raw.len(), e, true),
                    Err(_) => Outcome::Skipped(describe_error(raw, offset, &err)),
                },
                None => Outcome::Skipped(describe_error(raw, offset, &err)),
            },
        };
        match outcome {
            Outcome::Event(c) => self.converted.push(*c),
            Outcome::Skipped(why) => {
                self.entry_problems += 1;
                self.problems.push(Problem::at_line(index, format!("entry skipped: {why}")));
            }
        }
    }

    fn convert(&self, index: u64, offset: usize, len: usize, e: Entry, repaired: bool) -> Outcome {
        let Some(req) = e.request.0 else {
            return Outcome::Skipped("it has no `request` object".into());
        };
        let Some(url) = req.url.0 else {
            return Outcome::Skipped("it has no `request.url`".into());
        };
        let start = start_time(&e.started);
        let has_response = e.response.0.is_some();
        let resp = e.response.0.unwrap_or_default();
        let failed = !has_response
            || resp.status.0 == Some(0.0)
            || resp.error.non_empty().is_some()
            || e.error.non_empty().is_some();
        let timings = e.timings.0.unwrap_or_default();
        let status = resp.status.0.and_then(status_code);
        let browser = BrowserTiming {
            blocked: timings.blocked.known(),
            dns: timings.dns.known(),
            connect: timings.connect.known(),
            ssl: timings.ssl.known(),
            send: timings.send.known(),
            wait: timings.wait.known(),
            receive: timings.receive.known(),
            blocked_queueing: timings.blocked_queueing.known(),
            cached: is_cached(&e.from_cache, &e.fetch_type, status, failed, e.time, &timings),
            failed,
            page: boxed(&e.pageref),
            server_ip: boxed(&e.server_ip),
            connection: boxed(&e.connection),
        };
        let request = Request {
            method: self.text(req.method.0.unwrap_or(Cow::Borrowed(""))),
            url: self.text(url),
            duration_ms: duration(e.time, &timings),
            status,
            correlation_id: resp.headers.0.map(|c| self.text(c)),
            browser: Some(Box::new(browser)),
        };
        let event = Event {
            time: start.map_or(Timestamp(0), |s| s.0),
            clock: Clock::Utc,
            source: self.id,
            line: index,
            lines: 1,
            offset: offset as u64,
            len: u32::try_from(len).unwrap_or(u32::MAX),
            level: if failed { Level::Warn } else { Level::Info },
            kind: EventKind::Request(request),
        };
        Outcome::Event(Box::new(Converted {
            event,
            zone_assumed: start.is_some_and(|s| !s.1),
            no_start: start.is_none().then(|| shown(&e.started)),
            repaired,
        }))
    }

    /// A span into the source when serde could borrow the string (no
    /// escapes), else an owned copy.
    fn text(&self, s: Cow<'_, str>) -> Text {
        match s {
            Cow::Borrowed(b)
                if !b.is_empty() && self.source.as_ptr_range().contains(&b.as_ptr()) =>
            {
                Text::span_of(self.source, 0, b.as_bytes())
            }
            other => Text::Owned(other.into_owned().into_boxed_str()),
        }
    }

    fn finish(mut self) -> Parsed {
        self.file_problems();
        fill_missing_starts(&mut self.converted);
        let events: Vec<Event> = self.converted.into_iter().map(|c| c.event).collect();
        let first = events.iter().map(|e| e.time).min().map(|t| (t, Clock::Utc));
        let last = events.iter().map(|e| e.time).max().map(|t| (t, Clock::Utc));
        Parsed {
            events,
            entries: self.entries,
            problems: self.problems,
            first,
            last,
            ..Parsed::default()
        }
    }

    /// Problems said once per file, and one per entry without a usable start.
    fn file_problems(&mut self) {
        let zone = self.converted.iter().filter(|c| c.zone_assumed);
        if let Some((n, first)) = count_first(zone) {
            self.problems.push(Problem::whole(format!(
                "{n} entries have a startedDateTime without a time zone (first: entry {}); read as UTC",
                first.event.line
            )));
        }
        let repaired = self.converted.iter().filter(|c| c.repaired);
        if let Some((n, first)) = count_first(repaired) {
            self.problems.push(Problem::whole(format!(
                "{n} entries contain lone UTF-16 surrogates or invalid UTF-8 (first: entry {}); \
                 replaced with U+FFFD",
                first.event.line
            )));
        }
        for c in &self.converted {
            if let Some(text) = &c.no_start {
                self.problems.push(Problem::at_line(
                    c.event.line,
                    format!(
                        "startedDateTime {text} is missing or unreadable; \
                         the entry is placed at the start of the entry before it"
                    ),
                ));
            }
        }
    }
}

fn count_first<'c>(mut it: impl Iterator<Item = &'c Converted>) -> Option<(usize, &'c Converted)> {
    let first = it.next()?;
    Some((1 + it.count(), first))
}

/// Gives entries without a usable start the time of the closest entry
/// before them in the file (or after them, for leading ones), so that they
/// are kept, and counted, without inventing a time outside the recording.
fn fill_missing_starts(converted: &mut [Converted]) {
    let mut previous = None;
    for c in converted.iter_mut() {
        match (&c.no_start, previous) {
            (None, _) => previous = Some(c.event.time),
            (Some(_), Some(t)) => c.event.time = t,
            (Some(_), None) => {}
        }
    }
    let mut next = None;
    for c in converted.iter_mut().rev() {
        match (&c.no_start, next) {
            (None, _) => next = Some(c.event.time),
            (Some(_), Some(t)) if c.event.time == Timestamp(0) => c.event.time = t,
            _ => {}
        }
    }
}

/// The UTC start and whether the text had a time zone. `None` when the
/// text is missing, unreadable or before 1990 (WebPageTest's epoch starts).
fn start_time(started: &Str) -> Option<(Timestamp, bool)> {
    let (t, zoned) = parse_iso8601(started.0.as_deref()?)?;
    let y1990 = Timestamp::from_civil(1990, 1, 1, 0, 0, 0, 0)?;
    (t >= y1990).then_some((t, zoned))
}

/// A start value for a problem message: quoted, shortened, with anything
/// that looks like a key removed.
fn shown(started: &Str) -> String {
    match &started.0 {
        None => "(absent)".into(),
        Some(s) => {
            let short: String = s.chars().take(40).collect();
            format!("{:?}", redact_api_keys(&short))
        }
    }
}

fn boxed(s: &Str) -> Option<Box<str>> {
    s.non_empty().map(Box::from)
}

/// An HTTP status when it is a whole number in 0..=999.
fn status_code(v: f64) -> Option<u16> {
    (v.fract() == 0.0 && (0.0..=999.0).contains(&v)).then_some(v as u16)
}

/// `time` as given; when missing, null or negative, the sum of the known
/// phases (`ssl` left out: it is part of `connect`).
fn duration(time: Num, t: &Timings) -> f64 {
    time.known().unwrap_or_else(|| t.phases().iter().filter_map(|p| p.known()).sum())
}

/// Served from a browser cache rather than by the server.
fn is_cached(
    from_cache: &Str,
    fetch_type: &Str,
    status: Option<u16>,
    failed: bool,
    time: Num,
    t: &Timings,
) -> bool {
    let marked = from_cache.non_empty().is_some()
        || fetch_type.non_empty().is_some_and(|f| f.to_ascii_lowercase().contains("cache"));
    let no_wait = t.wait.known().is_none_or(|w| w == 0.0);
    let nothing_measured = time.known().is_none_or(|v| v == 0.0)
        && t.phases().iter().all(|p| p.known().is_none_or(|v| v == 0.0));
    marked || (status == Some(304) && no_wait) || (!failed && nothing_measured)
}

/// A serde_json error as `what at byte N: detail`, with any quoted input
/// masked (serde quotes the offending string, which could be a secret).
/// `doc` is the text serde read, found at `doc_offset` in the source.
fn describe_error(doc: &[u8], doc_offset: usize, e: &serde_json::Error) -> String {
    use serde_json::error::Category;
    let at = doc_offset + recover::byte_offset(doc, e.line(), e.column());
    let message = e.to_string();
    let message = message.split(" at line ").next().unwrap_or_default();
    let message = message.replace("struct Entry", "an entry object");
    match e.classify() {
        Category::Eof => {
            let end = doc_offset + doc.len();
            format!("the file ends early (truncated?) at byte {end}: {message}")
        }
        Category::Syntax if message.contains("recursion limit") => {
            format!("nesting too deep at byte {at}: more than 128 nested arrays or objects")
        }
        Category::Syntax => format!("not valid JSON at byte {at}: {}", mask_quoted(&message)),
        Category::Data => format!("not a HAR at byte {at}: {}", mask_quoted(&message)),
        Category::Io => format!("read error at byte {at}: {message}"),
    }
}

/// Replaces the contents of every `"…"` with `…`.
fn mask_quoted(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    for (i, part) in message.split('"').enumerate() {
        if i > 0 {
            out.push('"');
        }
        out.push_str(if i % 2 == 1 { "…" } else { part });
    }
    out
}
