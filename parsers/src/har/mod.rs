//! HAR (HTTP Archive) recordings: each entry becomes a `request` event.
//!
//! ```text
//! bytes ─► strip BOM / JSONP wrapper ─► walk::walk_entries: {"log": {"entries": [ … ]}}
//!                                        (structural scan; decodes nothing before the entries)
//!                                                   │ each element of entries, where it starts
//!                                                   ▼
//!            serde_json into model::Entry (borrowed; bodies skipped unread) ─► its end offset
//!                     │ refused: the walker finds the element's end; walk::repair (lone
//!                     │          surrogates, bad UTF-8) and read again; still refused: a
//!                     │          problem naming the entry, the entry skipped
//!                     ▼
//!            Event { kind: Request { …, browser: BrowserTiming } }, time in UTC
//! ```
//!
//! The whole file is one `&[u8]` (usually memory-mapped) and is read once:
//! serde reads each entry where the walker finds it starts and says where it
//! ends, which becomes the event's `offset`/`len`. One bad entry costs that
//! entry and nothing else; a truncated file keeps its complete entries.
//! Response bodies, post data, initiator stacks and the dozens of `_` fields
//! some exporters add are never decoded, validated or copied (so invalid
//! UTF-8 or lone surrogates inside a body cost nothing).
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
pub mod redact;
#[cfg(test)]
mod tests;
mod walk;
use std::borrow::Cow;

use self::model::{Entry, Num, Str, Timings};
use self::walk::{Step, Visit};
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

/// What one entry became. Not boxed: it is consumed at once, and a box
/// would cost one more allocation per entry.
#[allow(clippy::large_enum_variant)]
enum Outcome {
    Event(Converted),
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

/// How many entries had some condition, and the first of them.
#[derive(Default)]
struct Tally {
    count: u64,
    first: u64,
}

impl Tally {
    fn add(&mut self, line: u64) {
        if self.count == 0 {
            self.first = line;
        }
        self.count += 1;
    }
}

/// Accumulates events and problems for one source.
struct Collector<'s> {
    id: SourceId,
    source: &'s [u8],
    entries: u64,
    events: Vec<Event>,
    problems: Problems,
    /// Index in `events` and shown text of each entry without a usable start.
    no_start: Vec<(usize, String)>,
    zone_assumed: Tally,
    repaired: Tally,
    /// Why serde refused the element being walked (shown if it cannot be repaired).
    refused: Option<String>,
    /// The file ended inside an entry: serde's description of it.
    truncated: Option<String>,
}

impl<'s> Collector<'s> {
    fn new(id: SourceId, source: &'s [u8]) -> Self {
        Collector {
            id,
            source,
            entries: 0,
            events: Vec::new(),
            problems: Problems::default(),
            no_start: Vec::new(),
            zone_assumed: Tally::default(),
            repaired: Tally::default(),
            refused: None,
            truncated: None,
        }
    }

    /// Walks the document; each entry is read by serde where it starts, in
    /// one pass over the bytes, and its byte range becomes the event's.
    fn document(&mut self, body: &'s [u8]) {
        let walk = walk::walk_entries(body, &mut |visit| match visit {
            Visit::Element(at) => self.read(body, at),
            Visit::Skipped(range) => {
                self.salvage(&body[range]);
                Step::Skip
            }
        });
        let at = offset_in(self.source, body);
        let read = walk.elements;
        let serde_said = self.truncated.take().or(self.refused.take());
        let reason = match (walk.found_entries, walk.stopped, serde_said) {
            (true, None, _) => return,
            (false, None, _) => {
                let start = body.iter().position(|b| !b.is_ascii_whitespace()).unwrap_or(0);
                format!(
                    "not a HAR: the JSON object at byte {} has no `log.entries` array",
                    at + start
                )
            }
            (found, Some((offset, why)), serde) => {
                let what = serde.unwrap_or_else(|| describe_stop(at + offset, why));
                match found {
                    true => format!("{what}; read the {read} complete entries before it"),
                    false => format!("{what}; no `log.entries` array found"),
                }
            }
        };
        self.problems.list.insert(0, Problem::whole(reason));
    }

    /// Reads the entry that starts at `body[at]`; on failure the walker
    /// finds its end and hands it to [`Collector::salvage`].
    fn read(&mut self, body: &'s [u8], at: usize) -> Step {
        let rest = &body[at..];
        let mut stream = serde_json::Deserializer::from_slice(rest).into_iter::<Entry>();
        match stream.next() {
            Some(Ok(entry)) => {
                let raw = &rest[..stream.byte_offset()];
                self.entries += 1;
                let outcome = self.convert(
                    self.entries,
                    offset_in(self.source, raw),
                    raw.len(),
                    entry,
                    false,
                );
                self.push(self.entries, outcome);
                Step::Read(at + raw.len())
            }
            Some(Err(e)) => {
                let described = describe_error(rest, offset_in(self.source, rest), &e);
                match e.is_eof() {
                    true => self.truncated = Some(described),
                    false => self.refused = Some(described),
                }
                Step::Skip
            }
            None => Step::Skip,
        }
    }

    /// An entry serde refused: repaired and read again if a lone surrogate
    /// or invalid UTF-8 was the cause, else reported and skipped.
    fn salvage(&mut self, raw: &[u8]) {
        self.entries += 1;
        let index = self.entries;
        let offset = offset_in(self.source, raw);
        let why = self.refused.take().unwrap_or_else(|| "unreadable".into());
        let outcome = match walk::repair(raw).map(|fixed| {
            serde_json::from_slice::<Entry>(&fixed)
                .map(|e| self.convert(index, offset, raw.len(), e, true))
        }) {
            Some(Ok(outcome)) => outcome,
            _ => Outcome::Skipped(why),
        };
        self.push(index, outcome);
    }

    fn push(&mut self, line: u64, outcome: Outcome) {
        match outcome {
            Outcome::Event(c) => {
                if c.zone_assumed {
                    self.zone_assumed.add(line);
                }
                if c.repaired {
                    self.repaired.add(line);
                }
                if let Some(text) = c.no_start {
                    self.no_start.push((self.events.len(), text));
                }
                self.events.push(c.event);
            }
            Outcome::Skipped(why) => {
                self.problems.push(Problem::at_line(line, format!("entry skipped: {why}")));
            }
        }
    }

    fn convert(
        &self,
        index: u64,
        offset: usize,
        len: usize,
        mut e: Entry,
        repaired: bool,
    ) -> Outcome {
        let Some(req) = e.request.0.take() else {
            return Outcome::Skipped("it has no `request` object".into());
        };
        let Some(url) = req.url.0 else {
            return Outcome::Skipped("it has no `request.url`".into());
        };
        let start = start_time(&e.started);
        let has_response = e.response.0.is_some();
        let resp = e.response.0.take().unwrap_or_default();
        let failed = !has_response
            || resp.status.0 == Some(0.0)
            || resp.error.non_empty().is_some()
            || e.error.non_empty().is_some();
        let timings = e.timings.0.take().unwrap_or_default();
        let status = resp.status.0.and_then(status_code);
        let browser = browser_timing(&e, &timings, status, failed);
        let request = Request {
            method: self.text(req.method.0.unwrap_or(Cow::Borrowed(""))),
            url: self.text(url),
            host: None,
            duration_ms: duration(e.time, &timings),
            status,
            correlation_id: resp.headers.0.map(|c| self.text(c)),
            browser: Some(Box::new(browser)),
            access: None,
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
        Outcome::Event(Converted {
            event,
            zone_assumed: start.is_some_and(|s| !s.1),
            no_start: start.is_none().then(|| shown(&e.started)),
            repaired,
        })
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
        fill_missing_starts(&mut self.events, &self.no_start);
        let events = self.events;
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
        let Tally { count, first } = self.zone_assumed;
        if count > 0 {
            self.problems.push(Problem::whole(format!(
                "{count} entries have a startedDateTime without a time zone (first: entry {first}); \
                 read as UTC"
            )));
        }
        let Tally { count, first } = self.repaired;
        if count > 0 {
            self.problems.push(Problem::whole(format!(
                "{count} entries contain lone UTF-16 surrogates or invalid UTF-8 (first: entry \
                 {first}); replaced with U+FFFD"
            )));
        }
        for (i, text) in &self.no_start {
            self.problems.push(Problem::at_line(
                self.events[*i].line,
                format!(
                    "startedDateTime {text} is missing or unreadable; \
                     the entry is placed at the start of the entry before it"
                ),
            ));
        }
    }
}

/// The browser-side detail of an entry. Negative phases become `None`.
fn browser_timing(e: &Entry, t: &Timings, status: Option<u16>, failed: bool) -> BrowserTiming {
    BrowserTiming {
        blocked: t.blocked.known(),
        dns: t.dns.known(),
        connect: t.connect.known(),
        ssl: t.ssl.known(),
        send: t.send.known(),
        wait: t.wait.known(),
        receive: t.receive.known(),
        blocked_queueing: t.blocked_queueing.known(),
        cached: is_cached(&e.from_cache, &e.fetch_type, status, failed, e.time, t),
        failed,
        page: boxed(&e.pageref),
        server_ip: boxed(&e.server_ip),
        connection: boxed(&e.connection),
    }
}

/// Gives entries without a usable start the time of the closest entry
/// before them in the file (or after them, for leading ones), so that they
/// are kept, and counted, without inventing a time outside the recording.
fn fill_missing_starts(events: &mut [Event], missing: &[(usize, String)]) {
    if missing.is_empty() {
        return;
    }
    let mut is_missing = vec![false; events.len()];
    missing.iter().for_each(|(i, _)| is_missing[*i] = true);
    let mut previous = None;
    for (e, missing) in events.iter_mut().zip(&is_missing) {
        match (missing, previous) {
            (false, _) => previous = Some(e.time),
            (true, Some(t)) => e.time = t,
            (true, None) => {}
        }
    }
    let mut next = None;
    for (e, missing) in events.iter_mut().zip(&is_missing).rev() {
        match (missing, next) {
            (false, _) => next = Some(e.time),
            (true, Some(t)) if e.time == Timestamp(0) => e.time = t,
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
    let at = doc_offset + walk::byte_offset(doc, e.line(), e.column());
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

/// A stop of the document walker as a problem text.
fn describe_stop(at: usize, why: &str) -> String {
    match why.strip_prefix("the file ends ") {
        Some(inside) => format!("the file ends early (truncated?) at byte {at}, {inside}"),
        None => format!("not valid JSON at byte {at}: {why}"),
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
