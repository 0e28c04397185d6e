//! `verbose-logging`: DEBUG/TRACE logging was on, and at a volume that costs
//! the server: a verbose log slows a server through the lines a second it
//! writes and the share of the bytes they take, so a handful of DEBUG lines
//! is no cause. The candidate's windows are the minutes of heavy verbose
//! output on one node; the summary states the volume.

use octodiag_parsers::Timestamp;

use super::{Candidate, Cause, Context, Detector};
use crate::facts::to_utc;
use crate::model::Stream;
use crate::stats::{merge, Span};
use crate::units::duration;

/// A minute is heavy with this many DEBUG/TRACE entries (one a second)…
const HEAVY_PER_MINUTE: u32 = 60;
/// …when they are at least this share of the minute's bytes.
const HEAVY_BYTES_SHARE: f64 = 0.3;
/// Heavy minutes this close join into one window.
const JOIN_SECS: f64 = 300.0;
/// This many lines a second count fully…
const FULL_RATE: f64 = 10.0;
/// …and so does writing this many times what the node writes otherwise…
const FULL_INCREASE: f64 = 20.0;
/// …and this share of the bytes.
const FULL_SHARE: f64 = 0.5;
/// A handful of DEBUG lines cannot slow a server: the most such a candidate claims.
const LIGHT_CEILING: f64 = 0.1;
/// One minute, µs.
const MINUTE: i64 = 60_000_000;

/// The verbose-logging detector.
pub struct VerboseLogging;

impl Detector for VerboseLogging {
    fn candidates(&self, cx: &Context<'_>) -> Vec<Candidate> {
        cx.nodes.streams.iter().filter_map(|s| candidate(cx, s)).collect()
    }
}

/// Verbose volume of one minute: (minute start UTC, verbose entries, verbose bytes, bytes).
type Volume = (Timestamp, u32, u64, u64);

fn candidate(cx: &Context<'_>, stream: &Stream) -> Option<Candidate> {
    let minutes = volumes(cx, stream);
    let total: u64 = minutes.iter().map(|m| u64::from(m.1)).sum();
    if total == 0 {
        return None;
    }
    let heavy: Vec<Span> = minutes
        .iter()
        .filter(|m| m.1 >= HEAVY_PER_MINUTE && m.2 as f64 >= HEAVY_BYTES_SHARE * m.3 as f64)
        .map(|m| Span::new(m.0, m.0.add_micros(MINUTE)))
        .collect();
    let windows = merge(heavy, JOIN_SECS);
    let node = stream.name.clone();
    if windows.is_empty() {
        return Some(light(&minutes, total, node));
    }
    let (lines, vbytes, bytes) = sums(&minutes, &windows);
    let secs: f64 = windows.iter().map(Span::secs).sum();
    let rate = lines as f64 / secs.max(60.0);
    let share = vbytes as f64 / bytes.max(1) as f64;
    let increase = bytes as f64 / secs.max(60.0) / usual_bytes_rate(&minutes, &windows);
    let phrase = format!(
        "verbose logging on {node} ({rate:.0} DEBUG/TRACE lines a second, {:.0}% of the bytes written)",
        share * 100.0
    );
    let mut c = Candidate::new(Cause::VerboseLogging, node.clone(), windows, phrase);
    c.node = Some(node.clone());
    let rests = vec![format!(
        "DEBUG/TRACE lines at {rate:.1} a second, {:.0}% of the bytes {node} wrote, for {}: {increase:.0}× the bytes a second it writes otherwise",
        share * 100.0,
        duration(secs)
    )];
    let volume = (rate / FULL_RATE).max(increase / FULL_INCREASE).min(1.0);
    c.shown_by(volume * (share / FULL_SHARE).min(1.0), rests);
    c.metric("bytes_increase", increase.round());
    c.metric("verbose_entries", lines);
    c.metric("verbose_lines_per_s", (rate * 10.0).round() / 10.0);
    c.metric("verbose_bytes_share", (share * 1000.0).round() / 1000.0);
    Some(c)
}

/// A few DEBUG lines: a candidate over their whole span, with no mechanism.
fn light(minutes: &[Volume], total: u64, node: String) -> Candidate {
    let first = minutes.iter().find(|m| m.1 > 0).map_or(Timestamp(0), |m| m.0);
    let last = minutes.iter().rev().find(|m| m.1 > 0).map_or(first, |m| m.0.add_micros(MINUTE));
    let span = Span::new(first, last);
    let (_, vbytes, bytes) = sums(minutes, &[span]);
    let rate = total as f64 / span.secs().max(60.0);
    let share = vbytes as f64 / bytes.max(1) as f64;
    let phrase = format!("verbose logging on {node} ({total} DEBUG/TRACE entries)");
    let mut c = Candidate::new(Cause::VerboseLogging, node, vec![span], phrase);
    c.weakness = Some(format!(
        "only {total} DEBUG/TRACE lines ({rate:.2} a second, {:.1}% of the bytes): too little volume to slow a server",
        share * 100.0
    ));
    c.ceiling = LIGHT_CEILING;
    c.metric("verbose_entries", total);
    c
}

/// Bytes a second the node writes outside `windows`, over the minutes it logs at all
/// (at least one byte a second, so a quiet node does not make any burst infinite).
fn usual_bytes_rate(minutes: &[Volume], windows: &[Span]) -> f64 {
    let outside: Vec<&Volume> =
        minutes.iter().filter(|m| !windows.iter().any(|s| s.contains(m.0))).collect();
    let bytes: u64 = outside.iter().map(|m| m.3).sum();
    let span = match (outside.first(), outside.last()) {
        (Some(a), Some(b)) => b.0.secs_since(a.0) + 60.0,
        _ => 60.0,
    };
    (bytes as f64 / span).max(1.0)
}

/// The stream's minutes in UTC, in order.
fn volumes(cx: &Context<'_>, stream: &Stream) -> Vec<Volume> {
    let mut out: Vec<Volume> = Vec::new();
    for input in stream.sources.iter().filter_map(|i| cx.data.inputs.get(*i as usize)) {
        for m in input.activity {
            let t = to_utc(Timestamp(m.start), input.clock, cx.offset);
            out.push((t, m.verbose, m.verbose_bytes, m.bytes));
        }
    }
    out.sort_by_key(|m| m.0);
    out
}

/// Verbose entries, verbose bytes and all bytes of the minutes inside `spans`.
fn sums(minutes: &[Volume], spans: &[Span]) -> (u64, u64, u64) {
    let mut t = (0, 0, 0);
    for m in minutes.iter().filter(|m| spans.iter().any(|s| s.contains(m.0))) {
        t = (t.0 + u64::from(m.1), t.1 + m.2, t.2 + m.3);
    }
    t
}
