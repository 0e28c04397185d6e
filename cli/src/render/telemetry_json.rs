//! The `inputs` summary of telemetry inputs: counter series, profiles and notes.
//! Added to an input's object only when it has any, so log inputs look as before.
//!
//! * `series`: one object per counter: `name` (`\\HOST\Object(instance)\Counter`),
//!   `kind`, `role`, `unit`, `clock`, `points`, `blank`, `unparsable`, `min`, `max`,
//!   `first`, `last`;
//! * `profile`: a CPU profile (`kind: "cpu"`, `threads`, `frames`, `exporter`,
//!   `total_ms`, `hottest_inclusive`, `hottest_exclusive`: the top 5 frames with
//!   `name`, `inclusive_ms`, `exclusive_ms`) or a heap report (`kind: "heap"`,
//!   `total_bytes`, `objects`, `types`, `largest`: the top 5 types with `name`,
//!   `bytes`, `count`, `module`);
//! * `notes`: remarks that are not problems (what a binary capture is, skipped lines).

use octodiag_parsers::counters::CounterSeries;
use octodiag_parsers::profile::{CpuProfile, FrameTime, HeapReport, Profile};
use octodiag_parsers::{Clock, Parsed};
use serde_json::{json, Map, Value};

/// How many frames or types the summary lists.
const TOP: usize = 5;

/// Adds `series`, `profile` and `notes` to an input's object, when present.
pub fn extend_input(obj: &mut Map<String, Value>, p: &Parsed) {
    if !p.series.is_empty() {
        obj.insert("series".into(), p.series.iter().map(series_json).collect());
    }
    if let Some(profile) = &p.profile {
        obj.insert("profile".into(), profile_json(profile));
    }
    if !p.notes.is_empty() {
        obj.insert("notes".into(), json!(p.notes));
    }
}

/// A short description of what a telemetry input holds, for the table.
pub fn detail(p: &Parsed) -> Option<String> {
    if !p.series.is_empty() {
        return Some(format!("{} series", p.series.len()));
    }
    if p.format == Some(octodiag_parsers::Format::BinaryCapture) {
        return p
            .notes
            .first()
            .map(|n| n.trim_start_matches("binary capture, not read: ").to_string());
    }
    match p.profile.as_deref() {
        Some(Profile::Cpu(c)) => {
            Some(format!("{} threads, {} frames", c.threads.len(), c.frames.len()))
        }
        Some(Profile::Heap(h)) => Some(format!("{} types", h.types.len())),
        None => None,
    }
}

fn series_json(s: &CounterSeries) -> Value {
    let (min, max) = s.min_max().unzip();
    let time = |t: Option<&(octodiag_parsers::Timestamp, f64)>| t.map(|(t, _)| t.rfc3339(s.clock));
    json!({
        "name": s.name(),
        "kind": s.kind.as_str(),
        "role": s.role.as_str(),
        "unit": s.unit.as_str(),
        "clock": match s.clock { Clock::Utc => "utc", Clock::Local => "local" },
        "points": s.points.len(),
        "blank": s.blank,
        "unparsable": s.unparsable,
        "min": min,
        "max": max,
        "first": time(s.points.first()),
        "last": time(s.points.last()),
    })
}

fn profile_json(p: &Profile) -> Value {
    match p {
        Profile::Cpu(c) => cpu_json(c),
        Profile::Heap(h) => heap_json(h),
    }
}

fn cpu_json(c: &CpuProfile) -> Value {
    let hot = c.hottest(None, TOP);
    let frames = |list: &[FrameTime]| -> Vec<Value> {
        list.iter()
            .map(|f| json!({"name": f.name, "inclusive_ms": f.inclusive_ms, "exclusive_ms": f.exclusive_ms}))
            .collect()
    };
    json!({
        "kind": "cpu",
        "threads": c.threads.len(),
        "frames": c.frames.len(),
        "exporter": c.exporter,
        "total_ms": hot.total_ms,
        "hottest_inclusive": frames(&hot.by_inclusive),
        "hottest_exclusive": frames(&hot.by_exclusive),
    })
}

fn heap_json(h: &HeapReport) -> Value {
    let largest: Vec<Value> = h
        .largest(TOP)
        .into_iter()
        .map(|t| json!({"name": t.name, "bytes": t.bytes, "count": t.count, "module": t.module}))
        .collect();
    json!({
        "kind": "heap",
        "total_bytes": h.total_bytes,
        "objects": h.objects,
        "types": h.types.len(),
        "largest": largest,
    })
}
