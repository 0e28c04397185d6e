//! The terminal report of `octodiag analyze`: suspects first (what a support
//! engineer reads first), then the timeline and the details behind them.
//! Every string from the logs goes through [`terminal`] escaping.

use std::io::{self, Write};

use comfy_table::Table;
use octodiag_analyzers::report::Report;
use octodiag_analyzers::units::secs_text;

use crate::render::escape::{excerpt, terminal};
use crate::render::table::{fit_except, human_duration, new_table};

/// Writes the whole report.
pub fn render_report(out: &mut dyn Write, r: &Report, top: usize) -> io::Result<()> {
    header(out, r)?;
    section(out, "Suspected causes, most likely first", suspects(r, top))?;
    evidence(out, r)?;
    section(out, "Timeline (UTC)", timeline(r))?;
    section(out, &format!("Slowest endpoints (server) — {}", r.requests.note), endpoints(r))?;
    if let Some(b) = &r.requests.browser {
        let title = format!(
            "Browser vs server — {} HAR entries, {} slow, {} matched to server lines, {:.0}% of slow time outside the server",
            b.entries,
            b.slow,
            b.matched,
            b.outside_server_share * 100.0
        );
        section(out, &title, browser(r))?;
    }
    section(out, "Slow SQL by operation, table and transaction", sql(r))?;
    section(out, "Longest tasks", tasks(r))?;
    section(out, "Questions from the Octopus performance guide", answers(r))?;
    Ok(())
}

fn header(out: &mut dyn Write, r: &Report) -> io::Result<()> {
    let mut counts = std::collections::BTreeMap::new();
    for i in &r.inputs {
        *counts.entry(i.format.as_str()).or_insert(0) += 1;
    }
    let formats: Vec<String> = counts.iter().map(|(f, n)| format!("{n} {f}")).collect();
    let title =
        format!("octodiag {} — {} inputs ({})", r.tool.version, r.inputs.len(), formats.join(", "));
    writeln!(out, "{}", wrap(&title, WIDTH, "   "))?;
    if let Some(s) = &r.span {
        writeln!(out, "Span: {} → {} ({})", s.start, s.end, human_duration(s.duration_s))?;
    }
    let o = &r.server_utc_offset;
    let clock = if o.assumed {
        format!("!! Server clock: {}", terminal(&o.derived_from))
    } else {
        format!("Server clock: UTC{} ({})", o.value, terminal(&o.derived_from))
    };
    writeln!(out, "{}", wrap(&clock, WIDTH, "   "))?;
    writeln!(
        out,
        "Requests: {} server lines ({} slow), logging: {}; {} slowness episode(s)",
        r.requests.total,
        r.requests.slow,
        r.requests.logging,
        r.episodes.len()
    )
}

fn section(out: &mut dyn Write, title: &str, table: Option<Table>) -> io::Result<()> {
    let Some(t) = table else { return Ok(()) };
    writeln!(out, "\n{}\n{t}", wrap(&terminal(title), WIDTH, ""))
}

/// The report is laid out for this many columns when not on a terminal.
const WIDTH: usize = crate::render::table::REPORT_WIDTH;

/// Wraps text at spaces to `width` columns, continuing lines with `indent`.
fn wrap(text: &str, width: usize, indent: &str) -> String {
    let mut out = String::new();
    let mut line = String::new();
    for word in text.split(' ') {
        if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > width {
            out.push_str(&line);
            out.push('\n');
            line = indent.to_string();
        } else if !line.is_empty() && line != indent {
            line.push(' ');
        }
        line.push_str(word);
    }
    out.push_str(&line);
    out
}

fn suspects(r: &Report, top: usize) -> Option<Table> {
    if r.suspects.is_empty() {
        return None;
    }
    let mut t = new_table(&["#", "cause", "subject", "conf.", "when (UTC)", "summary"]);
    for s in r.suspects.iter().take(top) {
        t.add_row(vec![
            s.rank.to_string(),
            s.cause.to_string(),
            terminal(&excerpt(&s.subject, 24)).into_owned(),
            format!("{:.2}", s.confidence),
            format!("{}\n{}", short(&s.start), short(&s.end)),
            terminal(&s.summary).into_owned(),
        ]);
    }
    fit_except(&mut t, 5);
    Some(t)
}

fn evidence(out: &mut dyn Write, r: &Report) -> io::Result<()> {
    for s in r.suspects.iter().filter(|s| s.confidence >= 0.5).take(3) {
        writeln!(out, "\nEvidence for #{} {} ({}):", s.rank, s.cause, terminal(&s.subject))?;
        for e in &s.evidence {
            writeln!(out, "  {}:{}:", terminal(&e.source), e.line)?;
            writeln!(out, "    {}", terminal(&excerpt(&e.excerpt, WIDTH - 5)))?;
        }
    }
    Ok(())
}

fn timeline(r: &Report) -> Option<Table> {
    if r.timeline.is_empty() {
        return None;
    }
    let mut t = new_table(&["start", "end", "kind", "what"]);
    for i in &r.timeline {
        let end = if i.end == i.start { String::new() } else { short(&i.end) };
        t.add_row(vec![short(&i.start), end, i.kind.to_string(), terminal(&i.label).into_owned()]);
    }
    fit_except(&mut t, 3);
    Some(t)
}

fn endpoints(r: &Report) -> Option<Table> {
    let e = &r.requests.endpoints;
    if e.is_empty() {
        return None;
    }
    let mut t = new_table(&["endpoint", "count", "≥1 s", "p50", "p95", "p99", "max"]);
    for x in e {
        t.add_row(vec![
            terminal(&x.endpoint).into_owned(),
            x.count.to_string(),
            x.slow.to_string(),
            secs_text(x.p50_ms),
            secs_text(x.p95_ms),
            secs_text(x.p99_ms),
            secs_text(x.max_ms),
        ]);
    }
    fit_except(&mut t, 0);
    Some(t)
}

fn browser(r: &Report) -> Option<Table> {
    let b = r.requests.browser.as_ref()?;
    if b.slowest.is_empty() {
        return None;
    }
    let mut t =
        new_table(&["started", "endpoint", "total", "server", "blocked", "network", "download"]);
    for s in &b.slowest {
        t.add_row(vec![
            short(&s.time),
            terminal(&s.endpoint).into_owned(),
            secs_text(s.total_ms),
            s.server_ms.map_or("< 1 s (not logged)".into(), secs_text),
            secs_text(s.blocked_ms),
            secs_text(s.network_ms),
            secs_text(s.download_ms),
        ]);
    }
    fit_except(&mut t, 1);
    Some(t)
}

fn sql(r: &Report) -> Option<Table> {
    if r.sql.groups.is_empty() && r.sql.errors.is_empty() {
        return None;
    }
    let mut t = new_table(&["operation", "table", "transaction", "count", "total", "max", "tasks"]);
    for g in &r.sql.groups {
        let tasks = match g.tasks.as_slice() {
            [] => "-".to_string(),
            [one] => one.clone(),
            [first, rest @ ..] => format!("{first} +{}", rest.len()),
        };
        t.add_row(vec![
            g.operation.clone(),
            g.table.clone().unwrap_or_else(|| "-".into()),
            terminal(&excerpt(&g.component, 36)).into_owned(),
            g.count.to_string(),
            secs_text(g.total_ms),
            secs_text(g.max_ms),
            tasks,
        ]);
    }
    for e in &r.sql.errors {
        t.add_row(vec![
            "error".into(),
            "-".into(),
            e.kind.clone(),
            e.count.to_string(),
            String::new(),
            String::new(),
            format!("first {}", short(&e.first)),
        ]);
    }
    fit_except(&mut t, 2);
    Some(t)
}

fn tasks(r: &Report) -> Option<Table> {
    if r.tasks.longest.is_empty() {
        return None;
    }
    let mut t =
        new_table(&["task", "description", "node", "started", "queue", "ran", "slowest step"]);
    for x in &r.tasks.longest {
        let step = x.slowest_step.as_ref().map_or("-".into(), |(n, s)| {
            format!("{} ({})", terminal(&excerpt(n, 16)), human_duration(*s))
        });
        t.add_row(vec![
            x.id.trim_start_matches("ServerTasks-").to_string(),
            format!("{}: {}", x.kind, terminal(&excerpt(&x.description, 36))),
            terminal(&excerpt(x.node.trim_start_matches("OctopusServerNodes-"), 10)).into_owned(),
            x.started.as_deref().map_or("-".into(), short),
            x.queue_s.map_or("-".into(), human_duration),
            x.duration_s.map_or("-".into(), human_duration),
            step,
        ]);
    }
    fit_except(&mut t, 1);
    Some(t)
}

fn answers(r: &Report) -> Option<Table> {
    let a = &r.answers;
    let mut t = new_table(&["question", "answer"]);
    let rows = [
        ("HA cluster or single node?", a.ha_cluster.clone()),
        (
            "Server versions",
            if a.server_versions.is_empty() {
                "unknown from these logs".into()
            } else {
                a.server_versions.join(", ")
            },
        ),
        ("Projects", a.projects.clone()),
        ("Machines", a.machines.clone()),
        ("Users", a.users.clone()),
        ("Concurrent deployments", a.concurrent_deployments.clone()),
        ("Slowness vs projects' deployments?", a.slowness_and_projects.clone()),
        ("Slowness vs other server tasks?", a.slowness_and_server_tasks.clone()),
        ("Did the server become unresponsive?", a.unresponsive.clone()),
        ("Did it recover without a restart?", a.recovered_without_restart.clone()),
    ];
    for (q, ans) in rows {
        t.add_row(vec![q.to_string(), terminal(&ans).into_owned()]);
    }
    fit_except(&mut t, 1);
    Some(t)
}

/// `2026-11-03T04:00:00.512Z` → `11-03 04:00:00`.
fn short(s: &str) -> String {
    s.get(5..19).map(|x| x.replace('T', " ")).unwrap_or_else(|| s.to_string())
}
