//! Octopus Server OpenTelemetry trace files (2026.1+): OTLP/JSON lines, one
//! `ExportTraceServiceRequest` per line (`.jsonl`, `.jsonl.zst`, inside `.tar`
//! chunks: the source layer decodes and unpacks those), or one pretty-printed
//! request (`.json`).
//!
//! ```text
//! {"resourceSpans":[{"resource":{"attributes":[…service.instance.id…]},
//!   "scopeSpans":[{"scope":{"name":"Octopus.DataAccess"},"spans":[{"traceId":"d65a…","spanId":"331e…",
//!     "parentSpanId":"03f0…","name":"SQL","kind":3,"startTimeUnixNano":"1779760522225467800",
//!     "endTimeUnixNano":"1779760522260584400","attributes":[{"key":"db.statement",…},…]}]}]}]}
//! ```
//!
//! Framing: lines split on `\n` (one `\r` trimmed, blank lines skipped). Each
//! span becomes one [`EventKind::Span`](crate::EventKind::Span) event (model in [`crate::span`]),
//! timed at its start on the UTC clock; the file is not in time order (the
//! OTel file exporter promises none) and the consumer sorts. A line that is not
//! a batch costs that line only (a problem with its number); an unterminated
//! last line that stops mid-JSON is reported as truncated.

mod attrs;
mod convert;
pub mod model;

use serde_json::error::Category;

use crate::error::Problem;
use crate::event::{Event, SourceId};
use crate::parse::Parsed;
use crate::source::Source;

use convert::Batch;
use model::{task_finder, TraceRequest};

/// Parses an OTel trace source.
pub fn parse(id: SourceId, source: &Source) -> Parsed {
    parse_bytes(id, source.bytes())
}

/// Parses OTLP/JSON bytes (lines, or one pretty-printed document).
pub fn parse_bytes(id: SourceId, bytes: &[u8]) -> Parsed {
    let mut reader = Reader { id, whole: bytes, parsed: Parsed::default(), missing_start: 0 };
    let bom = if bytes.starts_with(b"\xEF\xBB\xBF") { 3 } else { 0 };
    if reader.is_one_document(bom) {
        reader.document(bom);
    } else {
        reader.lines(bom);
    }
    reader.finish()
}

struct Reader<'w> {
    id: SourceId,
    whole: &'w [u8],
    parsed: Parsed,
    /// Spans without a start time (skipped: they cannot be placed on a timeline).
    missing_start: u64,
}

impl<'w> Reader<'w> {
    /// A pretty-printed request: the first non-blank line is not a whole JSON
    /// value but the text goes on.
    fn is_one_document(&self, from: usize) -> bool {
        let body = &self.whole[from..];
        let Some(start) = body.iter().position(|b| !b.is_ascii_whitespace()) else {
            return false;
        };
        let end = memchr::memchr(b'\n', &body[start..]).map_or(body.len(), |i| start + i);
        let more = body[end..].iter().any(|b| !b.is_ascii_whitespace());
        more && matches!(
            serde_json::from_slice::<serde::de::IgnoredAny>(&body[start..end]),
            Err(e) if e.classify() == Category::Eof
        )
    }

    fn lines(&mut self, from: usize) {
        let mut offset = from;
        let mut number = 0u64;
        while offset < self.whole.len() {
            number += 1;
            let rest = &self.whole[offset..];
            let (len, terminated) = match memchr::memchr(b'\n', rest) {
                Some(i) => (i, true),
                None => (rest.len(), false),
            };
            let raw = &rest[..len];
            let line = raw.strip_suffix(b"\r").unwrap_or(raw);
            if !line.iter().all(u8::is_ascii_whitespace) {
                self.line(number, offset as u64, line, terminated);
            }
            offset += len + 1;
        }
        self.parsed.lines = number;
    }

    fn line(&mut self, number: u64, offset: u64, line: &'w [u8], terminated: bool) {
        let scan_tasks = task_finder().find(line).is_some();
        // One UTF-8 check per line (fast on ASCII) lets serde_json skip its check per string.
        let Ok(text) = std::str::from_utf8(line) else {
            self.parsed.skipped_lines += 1;
            let p = Problem::at_line(number, "not UTF-8 text; line skipped");
            return self.parsed.problems.push(p);
        };
        let read = attrs::with_context(self.whole, scan_tasks, || serde_json::from_str(text));
        let request: TraceRequest<'w> = match read {
            Ok(r) => r,
            Err(e) => return self.bad_line(number, line, &e, terminated),
        };
        if request.resource_spans.is_none() {
            self.parsed.skipped_lines += 1;
            let p = Problem::at_line(number, "not an OTLP trace batch: no `resourceSpans`");
            return self.parsed.problems.push(p);
        }
        let batch = Batch { id: self.id, whole: self.whole, line: number, offset, len: line.len() };
        self.take(&batch, request);
    }

    fn bad_line(&mut self, number: u64, line: &[u8], e: &serde_json::Error, terminated: bool) {
        self.parsed.skipped_lines += 1;
        let reason = if !terminated && e.classify() == Category::Eof {
            format!(
                "truncated last line ({} bytes, the file ends mid-batch): its spans are lost",
                line.len()
            )
        } else {
            format!("not an OTLP/JSON trace batch ({e}); line skipped")
        };
        self.parsed.problems.push(Problem::at_line(number, reason));
    }

    /// A pretty-printed document (or several, one after the other).
    fn document(&mut self, from: usize) {
        let body = &self.whole[from..];
        let scan_tasks = task_finder().find(body).is_some();
        let line_of = |at: usize| 1 + memchr::memchr_iter(b'\n', &self.whole[..at]).count() as u64;
        let mut stream = serde_json::Deserializer::from_slice(body).into_iter::<TraceRequest<'w>>();
        let mut at = 0usize;
        let whole = self.whole;
        while let Some(next) = attrs::with_context(whole, scan_tasks, || stream.next()) {
            match next {
                Ok(request) => {
                    let start = from + at;
                    let line = line_of(start + leading_blank(&body[at..]));
                    let len = stream.byte_offset() - at;
                    let batch =
                        Batch { id: self.id, whole: self.whole, line, offset: start as u64, len };
                    self.take(&batch, request);
                    at = stream.byte_offset();
                }
                Err(e) => {
                    let reason =
                        format!("not an OTLP/JSON trace document ({e}); the rest is skipped");
                    self.parsed.problems.push(Problem::at_line(e.line() as u64, reason));
                    break;
                }
            }
        }
        self.parsed.lines = line_of(self.whole.len());
    }

    fn take(&mut self, batch: &Batch<'w>, request: TraceRequest<'w>) {
        for resource in request.resource_spans.unwrap_or_default() {
            for scope in resource.scope_spans {
                for raw in scope.spans {
                    self.span(batch, &resource.resource.attributes, &scope.scope.name, raw);
                }
            }
        }
    }

    fn span(
        &mut self,
        batch: &Batch<'w>,
        resource: &model::ResourceAttrs<'w>,
        scope: &str,
        raw: model::RawSpan<'w>,
    ) {
        if raw.start_time_unix_nano.0.is_none_or(|t| t <= 0) {
            self.missing_start += 1;
            return;
        }
        let (event, problem): (Event, Option<String>) = batch.event(resource, scope, raw);
        if let Some(reason) = problem {
            self.parsed.problems.push(Problem::at_line(batch.line, reason));
        }
        self.parsed.entries += 1;
        self.parsed.events.push(event);
    }

    fn finish(mut self) -> Parsed {
        if self.missing_start > 0 {
            let reason = format!(
                "{} spans without a start time were skipped (they cannot be placed in time)",
                self.missing_start
            );
            self.parsed.problems.push(Problem::whole(reason));
        }
        self.parsed
    }
}

fn leading_blank(b: &[u8]) -> usize {
    b.iter().take_while(|c| c.is_ascii_whitespace()).count()
}

#[cfg(test)]
mod tests;
