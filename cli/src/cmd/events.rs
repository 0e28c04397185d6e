//! `octodiag events`: every event of every input, in time order.

use std::io::Write;

use anyhow::Result;
use octodiag_parsers::redact::redact_url;
use octodiag_parsers::EventKind;

use crate::args::{EventsArgs, EventsFormat};
use crate::render::escape::{excerpt, terminal};
use crate::render::event_json::{event_to_json, time_string};
use crate::render::table::new_table;
use crate::run as load;
use crate::settings::InputSettings;
use crate::{output, Outcome};

/// Runs the command.
pub fn run(args: &EventsArgs) -> Result<Outcome> {
    let mut settings = InputSettings::from_opts(&args.input)?;
    settings.parse.server_log.keep_generic = true;
    let mut loaded = load::load(&settings)?;
    let events = loaded.events_by_time();
    let offset = settings.server_utc_offset;
    let mut out = output::stdout();
    match args.format {
        EventsFormat::Ndjson => {
            for e in &events {
                let s = &loaded.sources[e.source as usize];
                serde_json::to_writer(&mut out, &event_to_json(e, s.bytes(), &s.name, offset))?;
                out.write_all(b"\n")?;
            }
        }
        EventsFormat::Table => {
            let mut t = new_table(&["time", "level", "kind", "detail", "source:line"]);
            for e in &events {
                let s = &loaded.sources[e.source as usize];
                t.add_row(vec![
                    time_string(e, offset),
                    e.level.as_str().to_string(),
                    e.kind.name().to_string(),
                    terminal(&excerpt(&detail(&e.kind, s.bytes()), 120)).into_owned(),
                    format!("{}:{}", terminal(&s.name), e.line),
                ]);
            }
            writeln!(out, "{t}")?;
        }
    }
    output::finish(out)?;
    Ok(super::inputs::outcome(&loaded))
}

fn detail(kind: &EventKind, b: &[u8]) -> String {
    match kind {
        EventKind::Request(r) => format!(
            "{} {} {:.0} ms",
            r.method.resolve(b),
            redact_url(&r.full_url(b)),
            r.duration_ms
        ),
        EventKind::Sql(s) => format!("{} {:.0} ms", s.operation.resolve(b), s.duration_ms),
        EventKind::SqlError { error, .. } => error.as_str().to_string(),
        EventKind::ServerStart { version, .. } => format!("version {}", version.resolve(b)),
        EventKind::TaskExecuted { description, outcome, .. } => {
            format!("{} {}", description.resolve(b), outcome.resolve(b))
        }
        EventKind::Halibut { endpoint, message, .. } => {
            format!("{} {}", endpoint.resolve(b), message.resolve(b))
        }
        EventKind::Span(s) => format!(
            "{} {} {} {:.1} ms",
            s.role.as_str(),
            s.scope.resolve(b),
            redact_url(&s.name.resolve(b)),
            s.duration_ms()
        ),
        _ => String::new(),
    }
}
