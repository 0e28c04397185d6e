//! `octodiag inputs`: what was read, how, and what went wrong.

use std::io::Write;

use anyhow::Result;
use octodiag_parsers::server_log::Discard;
use octodiag_parsers::{source::human_bytes, Clock, Parsed, Source, Timestamp, UtcOffset};
use serde_json::{json, Value};

use crate::args::{InputArgs, TableOrJson};
use crate::render::escape::terminal;
use crate::render::table::new_table;
use crate::run::{self as load, Loaded};
use crate::settings::InputSettings;
use crate::{output, Outcome};

/// Runs the command.
pub fn run(args: &InputArgs) -> Result<Outcome> {
    let mut settings = InputSettings::from_opts(&args.input)?;
    // Listing inputs needs counts and spans, not the events themselves: server-log
    // events are dropped as they are parsed.
    settings.parse.server_log.keep_generic = false;
    let (loaded, _) = load::load_into(&settings, |_| Box::new(|| Discard))?;
    let mut out = output::stdout();
    match args.format {
        TableOrJson::Json => {
            serde_json::to_writer_pretty(
                &mut out,
                &inputs_json(&loaded, settings.server_utc_offset),
            )?;
            writeln!(out)?;
        }
        TableOrJson::Table => {
            writeln!(out, "{}", inputs_table(&loaded, settings.server_utc_offset))?
        }
    }
    output::finish(out)?;
    Ok(outcome(&loaded))
}

/// Exit outcome from problems, after printing them on stderr.
pub fn outcome(loaded: &Loaded) -> Outcome {
    if load::report_problems(loaded, &mut std::io::stderr()) {
        Outcome::Problems
    } else {
        Outcome::Clean
    }
}

/// The node of an input: the name the log gives, else its folder.
pub fn node_of(s: &Source, p: &Parsed) -> Option<String> {
    p.node.clone().or_else(|| s.folder_node.clone())
}

fn time_json(t: Option<(Timestamp, Clock)>, offset: Option<UtcOffset>) -> Value {
    match t {
        None => Value::Null,
        Some((t, Clock::Local)) if offset.is_some() => {
            t.local_to_utc(offset.unwrap_or_default()).rfc3339(Clock::Utc).into()
        }
        Some((t, c)) => t.rfc3339(c).into(),
    }
}

/// The `{"inputs": [...]}` document.
pub fn inputs_json(loaded: &Loaded, offset: Option<UtcOffset>) -> Value {
    let list: Vec<Value> = loaded
        .sources
        .iter()
        .zip(&loaded.parsed)
        .map(|(s, p)| {
            let problems: Vec<Value> = s
                .problems
                .list
                .iter()
                .chain(&p.problems.list)
                .map(|pr| json!({"line": pr.line, "reason": pr.reason}))
                .collect();
            let mut v = json!({
                "path": s.name,
                "format": p.format.map_or("unknown", |f| f.as_str()),
                "node": node_of(s, p),
                "bytes": s.bytes().len(),
                "entries": p.entries,
                "skipped_lines": p.skipped_lines,
                "first": time_json(p.first, offset),
                "last": time_json(p.last, offset),
                "problems": problems,
            });
            add_container(&mut v, s, p);
            if let Value::Object(m) = &mut v {
                crate::render::telemetry_json::extend_input(m, p);
            }
            v
        })
        .collect();
    json!({ "inputs": list })
}

/// `wrapper` and `clock_hint`, only for sources decoded from a container log
/// (`bytes` is then the decoded size, `stored_bytes` the file's).
fn add_container(v: &mut Value, s: &Source, p: &Parsed) {
    let (Some(w), Some(map)) = (&s.wrapper, v.as_object_mut()) else { return };
    map.insert(
        "wrapper".into(),
        json!({"kind": w.kind.as_str(), "records": w.records, "stream": w.stream, "stored_bytes": s.stored_bytes}),
    );
    if let Some(h) = &p.clock_hint {
        map.insert(
            "clock_hint".into(),
            json!({
                "offset": h.offset.to_string(), "median_s": h.median_s, "spread_s": h.spread_s,
                "samples": h.samples, "from": h.wrapper.as_str(),
            }),
        );
    }
}

/// The format as the table shows it: `server-log in docker-json` for a decoded source.
/// The format, its container wrapper, and what a telemetry input holds (`pdh-csv (12 series)`).
fn format_cell(s: &Source, p: &Parsed) -> String {
    let f = p.format.map_or("unknown", |f| f.as_str());
    let f = match &s.wrapper {
        Some(w) => format!("{f} in {}", w.kind.as_str()),
        None => f.to_string(),
    };
    match crate::render::telemetry_json::detail(p) {
        Some(d) => format!("{f} ({d})"),
        None => f,
    }
}

fn inputs_table(loaded: &Loaded, offset: Option<UtcOffset>) -> comfy_table::Table {
    let mut t =
        new_table(&["path", "format", "node", "size", "entries", "skipped", "span", "problems"]);
    for (s, p) in loaded.sources.iter().zip(&loaded.parsed) {
        let show = |v: Value| v.as_str().map(short_time).unwrap_or_else(|| "-".into());
        let problems = s.problems.total() + p.problems.total();
        t.add_row(vec![
            terminal(&s.name).into_owned(),
            format_cell(s, p),
            node_of(s, p).map(|n| terminal(&n).into_owned()).unwrap_or_else(|| "-".into()),
            human_bytes(s.bytes().len() as u64),
            p.entries.to_string(),
            p.skipped_lines.to_string(),
            span(&show(time_json(p.first, offset)), &show(time_json(p.last, offset))),
            problems.to_string(),
        ]);
    }
    crate::render::table::fit_except(&mut t, 0);
    t
}

/// `first → last`, the date written once when both are on the same day.
fn span(first: &str, last: &str) -> String {
    match (first.get(..10), last.get(..10)) {
        _ if first == "-" => "-".into(),
        (Some(a), Some(b)) if a == b => format!("{first} → {}", &last[11..]),
        _ => format!("{first} → {last}"),
    }
}

/// `2026-11-03T13:30:00.000Z` → `2026-11-03 13:30:00Z` for tables.
fn short_time(s: &str) -> String {
    let zulu = if s.ends_with('Z') { "Z" } else { "" };
    format!("{}{zulu}", s.get(..19).unwrap_or(s).replace('T', " "))
}
