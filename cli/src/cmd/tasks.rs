//! `octodiag tasks`: the task model as a table or JSON.
//!
//! Tasks come from every task-log input (on-disk JSON lines, `*.tl.txt`
//! folders, raw downloads), one per task id (see `task_log::assemble`).
//! They are sorted longest first (`--sort duration`), most queued first
//! (`--sort queue`) or by start (`--sort started`).
//!
//! # JSON format
//!
//! One document, `{"tasks": [...], "offset_evidence": …, "scheduled_logs": [...]}`.
//! Each task:
//!
//! ```text
//! {"id":"ServerTasks-2302","description":"Deploy Acme.Web release 1.4.2 to Production",
//!  "kind":"Deploy","project":"Acme.Web","release":"1.4.2","environment":"Production","tenant":null,
//!  "status":"Success","node":"OCTO-NODE1","clock":"utc",
//!  "queued":"2026-11-03T04:04:31.000Z","started":"…","completed":"…","queue_s":31.118,"duration_s":465.786,
//!  "forms":["on-disk","raw-text"],"origins":[{"path":"…","line":1,"form":"on-disk"}],
//!  "server_version":"2025.3.10412","related_ids":[…],"offset":"+10:00","pair_offset":null,
//!  "local_started":"2026-11-03T14:05:02.000","utc_started":"2026-11-03T04:05:02.118Z",
//!  "log_bytes":8577,"line_counts":{"INF":18,…},"header":{"Task ID":"ServerTasks-2302",…},
//!  "steps":[{"name":"Acquire packages","kind":"package-acquisition","status":"Success","started":"…",
//!            "completed":"…","duration_s":37.7,"planned":"…","error":null,"children":[…]}],
//!  "waits":[{"kind":"mutex","step":"Step 1: Deploy Acme.Web / web02","start":"…","end":"…","seconds":95.0}],
//!  "retention":{"releases_deleted":0,"releases_kept":0,"policies_applied":2}}
//! ```
//!
//! Times are RFC 3339 with milliseconds. UTC times end in `Z`; a task whose
//! times are still server-local (a raw log without an offset, and no
//! `--server-utc-offset`) has `"clock":"local"` and times without `Z`.
//! Durations are seconds, rounded to the millisecond.

use std::io::Write;

use anyhow::Result;
use octodiag_parsers::detect::Format;
use octodiag_parsers::task::{TaskForm, Wait, WaitKind};
use octodiag_parsers::{task_log, Clock, Step, Task, Timestamp, UtcOffset};
use serde_json::{json, Map, Value};

use crate::args::{TableOrJson, TaskSort, TasksArgs};
use crate::render::escape::terminal;
use crate::render::table::{human_duration, new_table};
use crate::run::{self as load, Loaded};
use crate::settings::InputSettings;
use crate::{output, Outcome};

/// Steps shown per task in the table.
const SLOWEST_SHOWN: usize = 2;

/// Runs the command.
pub fn run(args: &TasksArgs) -> Result<Outcome> {
    let settings = InputSettings::from_opts(&args.input)?;
    let mut loaded = load::load(&settings)?;
    let mut tasks = std::mem::take(&mut loaded.tasks);
    let evidence = task_log::offset_evidence(&tasks);
    if let Some(offset) = settings.server_utc_offset {
        tasks.iter_mut().for_each(|t| t.convert_to_utc(offset));
    }
    let sort_offset = evidence.as_ref().map_or(UtcOffset::UTC, |(o, _)| *o);
    sort(&mut tasks, args.sort, sort_offset);
    let scheduled = scheduled_logs(&loaded);
    let mut out = output::stdout();
    match args.format {
        TableOrJson::Json => {
            let doc = json!({
                "tasks": tasks.iter().map(|t| task_json(t, &loaded)).collect::<Vec<_>>(),
                "offset_evidence": evidence.as_ref().map(|(o, why)| json!({"offset": o.to_string(), "evidence": why})),
                "scheduled_logs": scheduled,
            });
            serde_json::to_writer_pretty(&mut out, &doc)?;
            writeln!(out)?;
        }
        TableOrJson::Table => {
            if tasks.is_empty() {
                writeln!(out, "No server tasks found in the inputs.")?;
            } else {
                writeln!(out, "{}", tasks_table(&tasks))?;
            }
            for line in footnotes(&tasks, evidence.as_ref(), &scheduled) {
                writeln!(out, "{}", terminal(&line))?;
            }
        }
    }
    output::finish(out)?;
    Ok(super::inputs::outcome(&loaded))
}

/// Longest (or most queued) first, unknowns last; ties keep task-number order.
/// Start times still on the server's clock are compared as if moved to UTC by
/// `local_offset` (what the logs suggest), so that both clocks interleave.
fn sort(tasks: &mut [Task], by: TaskSort, local_offset: UtcOffset) {
    let desc = |v: Option<f64>| std::cmp::Reverse(v.map(|x| (x * 1000.0) as i64));
    let start = |t: &Task| match t.clock {
        Clock::Utc => t.started,
        Clock::Local => t.started.map(|s| s.local_to_utc(local_offset)),
    };
    match by {
        TaskSort::Duration => {
            tasks.sort_by_key(|t| (t.duration_s().is_none(), desc(t.duration_s())))
        }
        TaskSort::Queue => tasks.sort_by_key(|t| (t.queue_s().is_none(), desc(t.queue_s()))),
        TaskSort::Started => tasks.sort_by_key(|t| (start(t).is_none(), start(t))),
    }
}

/// Paths of the scheduled-job logs read (they are not server tasks).
fn scheduled_logs(loaded: &Loaded) -> Vec<String> {
    loaded
        .sources
        .iter()
        .zip(&loaded.parsed)
        .filter(|(_, p)| p.format == Some(Format::ScheduledTaskLog))
        .map(|(s, _)| s.name.clone())
        .collect()
}

fn time(t: Option<Timestamp>, clock: Clock) -> Value {
    t.map_or(Value::Null, |t| t.rfc3339(clock).into())
}

fn secs(s: Option<f64>) -> Value {
    s.map_or(Value::Null, |s| json!((s * 1000.0).round() / 1000.0))
}

fn clock_name(c: Clock) -> &'static str {
    match c {
        Clock::Utc => "utc",
        Clock::Local => "local",
    }
}

/// One task as JSON (see the module documentation).
pub fn task_json(t: &Task, loaded: &Loaded) -> Value {
    let forms: Vec<&str> = [TaskForm::OnDisk, TaskForm::RawText]
        .into_iter()
        .filter(|f| t.has_form(*f))
        .map(|f| f.as_str())
        .collect();
    let origins: Vec<Value> = t
        .origins
        .iter()
        .map(|o| {
            let path = loaded.sources.get(o.source as usize).map(|s| s.name.clone());
            json!({"path": path, "line": o.line, "form": o.form.as_str()})
        })
        .collect();
    let header: Map<String, Value> =
        t.header.iter().map(|(k, v)| (k.clone(), Value::from(v.clone()))).collect();
    let counts: Map<String, Value> =
        t.line_counts.iter().map(|(k, n)| (k.clone(), Value::from(*n))).collect();
    json!({
        "id": t.id,
        "description": t.description,
        "kind": t.kind.as_str(),
        "project": t.project,
        "release": t.release,
        "environment": t.environment,
        "tenant": t.tenant,
        "status": t.status,
        "node": t.node,
        "clock": clock_name(t.clock),
        "queued": time(t.queued, t.clock),
        "started": time(t.started, t.clock),
        "completed": time(t.completed, t.clock),
        "queue_s": secs(t.queue_s()),
        "duration_s": secs(t.duration_s()),
        "forms": forms,
        "origins": origins,
        "server_version": t.server_version,
        "related_ids": t.related_ids,
        "offset": t.offset.map(|o| o.to_string()),
        "pair_offset": t.pair_offset.map(|o| o.to_string()),
        "local_started": time(t.local_started, Clock::Local),
        "utc_started": time(t.utc_started, Clock::Utc),
        "log_bytes": t.log_bytes,
        "line_counts": counts,
        "header": header,
        "steps": t.steps.iter().map(|s| step_json(s, t.clock)).collect::<Vec<_>>(),
        "waits": t.waits.iter().map(|w| wait_json(w, t.clock)).collect::<Vec<_>>(),
        "retention": t.retention.as_ref().map(|r| json!({
            "releases_deleted": r.releases_deleted,
            "releases_kept": r.releases_kept,
            "policies_applied": r.policies_applied,
        })),
    })
}

fn step_json(s: &Step, clock: Clock) -> Value {
    json!({
        "name": s.name,
        "kind": s.kind.as_str(),
        "status": s.status,
        "started": time(s.started, clock),
        "completed": time(s.completed, clock),
        "duration_s": secs(s.duration_s()),
        "planned": time(s.planned, clock),
        "error": s.error,
        "children": s.children.iter().map(|c| step_json(c, clock)).collect::<Vec<_>>(),
    })
}

fn wait_json(w: &Wait, clock: Clock) -> Value {
    json!({
        "kind": w.kind.as_str(),
        "step": w.step,
        "start": w.start.rfc3339(clock),
        "end": w.end.rfc3339(clock),
        "seconds": secs(Some(w.seconds())),
    })
}

fn tasks_table(tasks: &[Task]) -> comfy_table::Table {
    let mut table = new_table(&["task", "started", "queued", "ran", "slowest steps", "waits"]);
    for t in tasks {
        let what = [t.id.as_str(), t.description.as_str(), &kind_status_node(t)].join("\n");
        table.add_row(vec![
            cell(&what),
            started_cell(t),
            t.queue_s().map_or("-".into(), human_duration),
            t.duration_s().map_or("-".into(), human_duration),
            cell(&slowest_steps(t)),
            cell(&waits_cell(t)),
        ]);
    }
    constrain(&mut table);
    table
}

/// Text for a cell: each line escaped for the terminal, the line breaks kept.
fn cell(text: &str) -> String {
    text.split('\n').map(|l| terminal(l).into_owned()).collect::<Vec<_>>().join("\n")
}

/// Times and durations keep their width; the task, steps and waits columns share the rest.
fn constrain(table: &mut comfy_table::Table) {
    use comfy_table::{ColumnConstraint, Width};
    let widths = table.column_max_content_widths();
    for (i, w) in widths.iter().enumerate() {
        let constraint = match i {
            0 => ColumnConstraint::UpperBoundary(Width::Fixed(30)),
            1..=3 => ColumnConstraint::Absolute(Width::Fixed(*w + 2)),
            _ => ColumnConstraint::LowerBoundary(Width::Fixed(14)),
        };
        if let Some(c) = table.column_mut(i) {
            c.set_constraint(constraint);
        }
    }
}

/// `Deploy · Success · OCTO-NODE1`.
fn kind_status_node(t: &Task) -> String {
    let mut parts = vec![t.kind.as_str(), t.status.as_deref().unwrap_or("status unknown")];
    if let Some(n) = &t.node {
        parts.push(n);
    }
    parts.join(" · ")
}

/// `2026-11-03` over `04:05:02Z`, or the local time marked with `*` (see the footnote).
fn started_cell(t: &Task) -> String {
    let Some(s) = t.started else { return "-".into() };
    let text = s.rfc3339(t.clock);
    let (date, rest) = text.split_once('T').unwrap_or((&text, ""));
    let time = rest.split('.').next().unwrap_or(rest);
    let mark = if t.clock == Clock::Utc { "Z" } else { "*" };
    format!("{date}\n{time}{mark}")
}

/// The slowest steps, one per line. A step alone at its level is a container
/// (`Apply release retention policies`, a one-step deployment): it is shown
/// first, and its children are compared below it.
fn slowest_steps(t: &Task) -> String {
    let mut lines = Vec::new();
    let mut level: &[Step] = &t.steps;
    while let [only] = level {
        if only.children.is_empty() {
            break;
        }
        lines.push(step_line(only, "", only.duration_s()));
        level = &only.children;
    }
    let indent = if lines.is_empty() { "" } else { "› " };
    let mut steps: Vec<(&Step, f64)> =
        level.iter().filter_map(|s| Some((s, s.duration_s()?))).collect();
    steps.sort_by(|a, b| b.1.total_cmp(&a.1));
    lines.extend(steps.iter().take(SLOWEST_SHOWN).map(|(s, d)| step_line(s, indent, Some(*d))));
    if lines.is_empty() {
        "-".into()
    } else {
        lines.join("\n")
    }
}

/// `Step 2: Migrate database 1m 13s (failed)`.
fn step_line(s: &Step, indent: &str, secs: Option<f64>) -> String {
    let status = match s.status.as_deref() {
        Some(st @ ("Failed" | "Abandoned" | "Canceled")) => format!(" ({})", st.to_lowercase()),
        _ => String::new(),
    };
    let took = secs.map(|d| format!(" {}", human_duration(d))).unwrap_or_default();
    format!("{indent}{}{took}{status}", s.name)
}

/// Waits summed by kind, with the step of the longest: `mutex 1m 35s (web02)`.
fn waits_cell(t: &Task) -> String {
    let mut lines = Vec::new();
    for kind in [WaitKind::Mutex, WaitKind::PackageAcquisition, WaitKind::Other] {
        let of_kind: Vec<&Wait> = t.waits.iter().filter(|w| w.kind == kind).collect();
        let Some(longest) = of_kind.iter().max_by(|a, b| a.seconds().total_cmp(&b.seconds()))
        else {
            continue;
        };
        let total: f64 = of_kind.iter().map(|w| w.seconds()).sum();
        let place = longest.step.rsplit(" / ").next().unwrap_or("");
        lines.push(format!("{} {} ({place})", wait_name(kind), human_duration(total)));
    }
    if lines.is_empty() {
        "-".into()
    } else {
        lines.join("\n")
    }
}

fn wait_name(kind: WaitKind) -> &'static str {
    match kind {
        WaitKind::Mutex => "target busy",
        WaitKind::PackageAcquisition => "packages",
        WaitKind::Other => "waiting",
    }
}

fn footnotes(
    tasks: &[Task],
    evidence: Option<&(UtcOffset, String)>,
    scheduled: &[String],
) -> Vec<String> {
    let mut notes = Vec::new();
    let local = tasks.iter().filter(|t| t.clock == Clock::Local).count();
    if local > 0 {
        notes.push(format!(
            "* {local} task(s) in server-local time (raw logs without an offset); \
             pass --server-utc-offset ±HH:MM to convert them to UTC."
        ));
        if let Some((offset, why)) = evidence {
            notes.push(format!("  The logs suggest the server is at UTC{offset}: {why}."));
        }
    }
    if !scheduled.is_empty() {
        notes.push(format!(
            "Also read {} scheduled-job log(s), which are not server tasks: {}",
            scheduled.len(),
            scheduled.join(", ")
        ));
    }
    notes
}
