//! Task logs: on-disk JSON lines (`servertasks-N_x.txt`, `*.tl.txt`) and
//! downloaded raw text, assembled into [`Task`]s.
//!
//! ```text
//!  on-disk source ──► disk::parse ──► DiskPart per root id ──┐   (one rayon task per source)
//!  raw text source ─► text::parse ──► Task (local or UTC) ────┤
//!                                                             ▼
//!                              assemble: parts of one root stitched in time order → disk::build
//!                                        → merged by task id with the raw form     → Vec<Task>
//! ```
//!
//! The two forms complement each other. The on-disk form has exact UTC times
//! (100 ns) but no header; the raw form has the header (queued time, final
//! status, server node and version) but times of day to the second on the
//! server's clock. A task found in both is one task: the tree and times come
//! from the on-disk form, the header fields from the raw one, and both starts
//! are kept ([`Task::local_started`], [`Task::utc_started`]) because their
//! difference is the server's UTC offset ([`offset_evidence`]).
//!
//! # Example
//!
//! ```
//! use octodiag_parsers::{task_log, Format, Source};
//!
//! let log = concat!(
//!     r#"["ServerTasks-7_ABCDEFGHIJ","INF","2026-11-03T04:00:00.5120000+00:00","Apply retention policies","",0]"#, "\n",
//!     r#"["ServerTasks-7_ABCDEFGHIJ","FIN","2026-11-03T04:24:10.2500000+00:00","Finished","",0]"#, "\n",
//! );
//! let source = Source::from_bytes("servertasks-7_abcdefghij.txt", log.as_bytes().to_vec());
//! let parsed = task_log::parse(0, &source, Format::TaskLogJson);
//! let tasks = task_log::assemble(parsed.task_fragments);
//! assert_eq!(tasks[0].id, "ServerTasks-7");
//! assert_eq!(tasks[0].duration_s(), Some(1449.738));
//! ```

pub mod disk;
pub mod text;

mod describe;
mod marks;
mod tree;

use std::collections::HashMap;

use self::disk::DiskPart;
use self::tree::Tree;
use crate::detect::Format;
use crate::event::SourceId;
use crate::parse::Parsed;
use crate::source::Source;
use crate::task::{Step, Task, TaskForm, TaskKind};
use crate::time::{Clock, Timestamp, UtcOffset};

/// What one task-log source contributes to the task model; fragments of the same
/// task (parts of a `*.tl.txt` folder, the JSON and text forms) are assembled later.
#[derive(Clone, Debug)]
pub struct TaskFragment {
    /// The source it was read from.
    pub source: SourceId,
    body: FragmentBody,
}

#[derive(Clone, Debug)]
enum FragmentBody {
    OnDisk(DiskPart),
    Raw(Box<Task>),
}

impl TaskFragment {
    /// The `ServerTasks-N` id this fragment belongs to.
    pub fn task_id(&self) -> String {
        match &self.body {
            FragmentBody::OnDisk(p) => disk::task_id(&p.root),
            FragmentBody::Raw(t) => t.id.clone(),
        }
    }
}

/// Parses one task-log source.
pub fn parse(id: SourceId, source: &Source, format: Format) -> Parsed {
    match format {
        Format::TaskLogJson => from_disk(id, source, true),
        Format::ScheduledTaskLog => from_disk(id, source, false),
        Format::TaskLogText => from_text(id, source),
        _ => Parsed::default(),
    }
}

fn from_disk(id: SourceId, source: &Source, keep_parts: bool) -> Parsed {
    let log = disk::parse(id, source.bytes(), keep_parts);
    let task_fragments = log
        .parts
        .into_iter()
        .map(|p| TaskFragment { source: id, body: FragmentBody::OnDisk(p) })
        .collect();
    Parsed {
        task_fragments,
        entries: log.entries,
        lines: log.lines,
        skipped_lines: log.skipped_lines,
        problems: log.problems,
        first: log.first.map(|t| (t, Clock::Utc)),
        last: log.last.map(|t| (t, Clock::Utc)),
        ..Parsed::default()
    }
}

fn from_text(id: SourceId, source: &Source) -> Parsed {
    let log = text::parse(id, &source.file_name, source.bytes());
    let clock = log.task.clock;
    Parsed {
        node: log.task.node.clone(),
        entries: log.entries,
        lines: log.lines,
        skipped_lines: log.skipped_lines,
        problems: log.problems,
        first: log.first.map(|t| (t, clock)),
        last: log.last.map(|t| (t, clock)),
        task_fragments: vec![TaskFragment {
            source: id,
            body: FragmentBody::Raw(Box::new(log.task)),
        }],
        ..Parsed::default()
    }
}

/// Fills in what a description and a finished tree give; returns the root node
/// (without children) for the form to take its times and status from.
fn finish_task(task: &mut Task, description: String, tree: Tree, form: TaskForm) -> Option<Step> {
    task.description = description;
    describe_task(task);
    let finished = tree.finish(form, task.kind == TaskKind::Retention);
    task.steps = finished.steps;
    task.waits = finished.waits;
    task.retention = finished.retention;
    task.longest_pause = finished.longest_pause;
    finished.root
}

fn describe_task(task: &mut Task) {
    let d = describe::describe(&task.description, &task.related_ids);
    task.kind = d.kind.unwrap_or(TaskKind::Other);
    task.project = d.project;
    task.release = d.release;
    task.environment = d.environment;
    task.tenant = d.tenant;
}

/// Assembles fragments from all sources into tasks, merging the same task id.
///
/// On-disk parts with the same root correlation id are stitched into one task;
/// a raw log of the same task id is then merged into it ([`merge`]). Tasks come
/// out ordered by task number.
pub fn assemble(fragments: Vec<TaskFragment>) -> Vec<Task> {
    let mut roots: Vec<Vec<DiskPart>> = Vec::new();
    let mut root_index: HashMap<String, usize> = HashMap::new();
    let mut raws: Vec<Task> = Vec::new();
    for f in fragments {
        match f.body {
            FragmentBody::OnDisk(part) => {
                let i = *root_index.entry(part.root.clone()).or_insert_with(|| {
                    roots.push(Vec::new());
                    roots.len() - 1
                });
                roots[i].push(part);
            }
            FragmentBody::Raw(task) => raws.push(*task),
        }
    }
    let mut tasks: Vec<Task> = roots.into_iter().map(disk::build).collect();
    let mut by_id: HashMap<String, usize> = HashMap::new();
    for (i, t) in tasks.iter().enumerate() {
        by_id.entry(t.id.clone()).or_insert(i);
    }
    for raw in raws {
        match by_id.get(&raw.id) {
            Some(&i) if !tasks[i].has_form(TaskForm::RawText) => merge(&mut tasks[i], raw),
            Some(&i) => tasks[i].origins.extend(raw.origins),
            None => {
                by_id.insert(raw.id.clone(), tasks.len());
                tasks.push(raw);
            }
        }
    }
    tasks.sort_by(|a, b| (task_number(&a.id), &a.id).cmp(&(task_number(&b.id), &b.id)));
    tasks
}

fn task_number(id: &str) -> u64 {
    id.rsplit('-').next().and_then(|n| n.parse().ok()).unwrap_or(u64::MAX)
}

/// Merges the raw form of a task into its on-disk form: the tree, times and
/// clock stay on-disk (exact, UTC); the header fields come from the raw form;
/// raw-only times (queued, and completed when the on-disk log has not ended) are
/// converted with the header's offset, or with the offset the two starts imply.
pub fn merge(disk: &mut Task, raw: Task) {
    disk.origins.extend(raw.origins);
    // A raw log downloaded while the task ran says `Executing`; a finished on-disk
    // log knows better. Otherwise the header's final state wins.
    let raw_running = matches!(raw.status.as_deref(), Some("Queued" | "Executing" | "Cancelling"));
    if !(raw_running && disk.completed.is_some()) {
        disk.status = raw.status.or(disk.status.take());
    }
    disk.node = raw.node.or(disk.node.take());
    disk.server_version = raw.server_version;
    disk.header = raw.header;
    disk.related_ids = raw.related_ids;
    disk.local_started = raw.local_started;
    disk.offset = raw.offset;
    disk.pair_offset = match (raw.local_started, disk.utc_started) {
        (Some(local), Some(utc)) if raw.offset.is_none() => pair_offset(local, utc),
        _ => None,
    };
    let offset = disk.offset.or(disk.pair_offset);
    let to_utc = |t: Option<Timestamp>| match (raw.clock, offset) {
        (Clock::Utc, _) => t,
        (Clock::Local, Some(o)) => t.map(|t| t.local_to_utc(o)),
        (Clock::Local, None) => None,
    };
    disk.queued = to_utc(raw.queued);
    if disk.completed.is_none() {
        disk.completed = to_utc(raw.completed);
    }
    if disk.description.starts_with(&disk.id) && !raw.description.is_empty() {
        disk.description = raw.description;
    }
    describe_task(disk);
}

/// The offset two readings of one start imply (local − UTC), rounded to the
/// quarter hour; `None` when they are too far from a quarter hour to be the
/// same instant (more than 3 minutes off) or beyond ±14 h.
pub fn pair_offset(local: Timestamp, utc: Timestamp) -> Option<UtcOffset> {
    let minutes = local.secs_since(utc) / 60.0;
    let rounded = UtcOffset::round_to_quarter_hour(minutes);
    let close = (minutes - rounded.minutes as f64).abs() <= 3.0;
    (close && rounded.minutes.abs() <= 14 * 60).then_some(rounded)
}

/// What the tasks say about the server's UTC offset, with the evidence in words.
///
/// The best evidence is a task read in both forms: its raw (server-local) start
/// minus its on-disk (UTC) start. Failing that, a raw header that writes its
/// dates with an offset. When tasks disagree the most common offset wins and
/// the description says so.
pub fn offset_evidence(tasks: &[Task]) -> Option<(UtcOffset, String)> {
    let pairs: Vec<(UtcOffset, &Task)> = tasks
        .iter()
        .filter_map(|t| Some((pair_offset(t.local_started?, t.utc_started?)?, t)))
        .collect();
    if let Some((offset, task, agree, disagree)) = most_common(&pairs) {
        let local = task.local_started.map(|t| t.to_string()).unwrap_or_default();
        let utc = task.utc_started.map(|t| t.rfc3339(Clock::Utc)).unwrap_or_default();
        let mut text = format!(
            "{} started at {local} server time (raw log) and at {utc} (on-disk log)",
            task.id
        );
        push_tally(&mut text, agree, disagree);
        return Some((offset, text));
    }
    let headers: Vec<(UtcOffset, &Task)> =
        tasks.iter().filter_map(|t| Some((t.offset?, t))).collect();
    let (offset, task, agree, disagree) = most_common(&headers)?;
    let mut text = format!("the raw log of {} writes its dates with offset {offset}", task.id);
    push_tally(&mut text, agree, disagree);
    Some((offset, text))
}

/// The offset most items share (the first such item on ties), with how many more
/// agree and how many do not.
fn most_common<'a>(items: &[(UtcOffset, &'a Task)]) -> Option<(UtcOffset, &'a Task, usize, usize)> {
    let count = |o: &UtcOffset| items.iter().filter(|(p, _)| p == o).count();
    let mut best: Option<(UtcOffset, &Task, usize)> = None;
    for (o, t) in items {
        let n = count(o);
        if best.is_none_or(|b| n > b.2) {
            best = Some((*o, *t, n));
        }
    }
    let (offset, task, agree) = best?;
    Some((offset, task, agree - 1, items.len() - agree))
}

fn push_tally(text: &mut String, more: usize, disagree: usize) {
    if more > 0 {
        text.push_str(&format!("; {more} more task(s) agree"));
    }
    if disagree > 0 {
        text.push_str(&format!("; {disagree} task(s) imply another offset"));
    }
}

#[cfg(test)]
mod tests;
