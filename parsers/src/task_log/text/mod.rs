//! Downloaded raw task logs (`ServerTasks-N.log.txt`), octopus.md §2.
//!
//! ```text
//! Task ID:        ServerTasks-2302              ◄── header: Label: value lines up to the first blank line
//! Task started:   Tuesday, 3 November 2026 2:05:02 PM +10:00
//!
//!                     | == Success: Deploy Acme.Web release 1.4.2 to Production ==   ◄── section, depth 0
//! 14:05:02   Verbose  |   Guided failure is not enabled for this task                 ◄── message of depth 0
//!                     |                                                               ◄── separator
//!                     |   == Success: Step 1: Deploy Acme.Web ==                      ◄── section, depth 1
//!                     |     Success: web02                                            ◄── section, form 2, depth 2
//! 14:05:09   Info     |       This Tentacle is currently busy …                       ◄── message of depth 2
//!                     |       second line of the same message                         ◄── continuation
//! ```
//!
//! Framing, in vector's `line_agg` vocabulary: a message line *continues
//! through* the gutter lines after it, and a section header *halts before*
//! itself. A gutter line is a header only when it has the shape of one and
//! either is boxed (`== … ==`) or follows a separator or another header —
//! `OperatingSystem: Microsoft Windows …` after a message is a continuation,
//! `Success: web01` after a separator is a target (§2.5).
//!
//! The body is in tree order, not time order, and gives times of day only:
//! each is placed on the date of `Task started`, or the next day when it is
//! earlier than the start's time of day (§2.7). Times are server-local; when
//! the header dates carry an offset everything is converted to UTC.

pub mod dates;
pub mod grammar;

use self::dates::{long_date_time, HeaderDate};
use self::grammar::{gutter_line, indent, is_blank, section, timed_line, Section, TimedLine};
use super::marks::{classify, Mark};
use super::tree::{Tree, MAX_DEPTH};
use crate::error::{Problem, Problems};
use crate::event::SourceId;
use crate::server_log::framing::Lines;
use crate::task::{Task, TaskForm, TaskOrigin, WaitKind};
use crate::time::{Clock, Timestamp};

const DAY_US: i64 = 86_400_000_000;
/// Times up to this far before the start's time of day are still that day: the
/// header start may be rounded, the body never starts a minute early.
const EARLY_SLACK_US: i64 = 60_000_000;

/// What [`parse`] found in one raw log.
#[derive(Debug)]
pub struct TextLog {
    /// The task, in UTC when the header gave an offset, else server-local.
    pub task: Task,
    /// Section headers and messages.
    pub entries: u64,
    /// Physical lines.
    pub lines: u64,
    /// Lines that are neither header, body nor blank.
    pub skipped_lines: u64,
    /// Problems with line numbers.
    pub problems: Problems,
    /// Earliest body time.
    pub first: Option<Timestamp>,
    /// Latest body time.
    pub last: Option<Timestamp>,
}

/// Parses one raw task log; `file_name` names the task when the header does not.
pub fn parse(source: SourceId, file_name: &str, bytes: &[u8]) -> TextLog {
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let mut r = Reader::default();
    let mut in_header = true;
    for line in Lines::new(body) {
        r.lines += 1;
        if in_header {
            in_header = r.header_line(line.text);
            if in_header {
                continue;
            }
            r.start_body();
            if is_blank(line.text) {
                continue;
            }
        }
        r.body_line(line.text);
    }
    if in_header {
        r.start_body();
    }
    r.finish(source, file_name, bytes.len() as u64)
}

/// A header field and the line it was on.
#[derive(Clone, Debug)]
struct Field {
    label: String,
    value: String,
    line: u64,
}

/// Where body times of day are placed.
#[derive(Clone, Copy, Debug)]
enum Anchor {
    /// On the start's date, or the day after when earlier than the start.
    After(Timestamp),
    /// On the completion's date, or the day before when later than it.
    Before(Timestamp),
}

#[derive(Default)]
struct Reader {
    lines: u64,
    entries: u64,
    skipped: u64,
    problems: Problems,
    fields: Vec<Field>,
    dates: Dates,
    anchor: Option<Anchor>,
    tree: Tree,
    stack: Vec<u32>,
    after_break: bool,
    open_indent: Option<usize>,
    level_counts: Vec<(String, u64)>,
    orphan_reported: bool,
}

/// The three header dates, read.
#[derive(Clone, Copy, Debug, Default)]
struct Dates {
    queued: Option<HeaderDate>,
    started: Option<HeaderDate>,
    completed: Option<HeaderDate>,
}

impl Reader {
    /// Reads a header line; returns whether the header goes on.
    fn header_line(&mut self, text: &[u8]) -> bool {
        if is_blank(text) {
            return false;
        }
        let line = String::from_utf8_lossy(text);
        match grammar::header_line(&line) {
            Ok((_, (label, value))) => {
                let (label, value) = (label.to_string(), value.to_string());
                self.fields.push(Field { label, value, line: self.lines });
                true
            }
            // A log that starts with its body (a pasted excerpt) has no header, and a
            // header may lack its closing blank line: a body line ends it either way.
            Err(_) if self.fields.is_empty() || is_body_line(text) => false,
            Err(_) => {
                self.skip("header line is not `Label: value`; skipped");
                true
            }
        }
    }

    /// The header is complete: read its dates and choose the anchor.
    fn start_body(&mut self) {
        self.dates.queued = self.date("Task queued");
        self.dates.started = self.date("Task started");
        self.dates.completed = self.date("Task completed");
        self.anchor = match (self.dates.started, self.dates.completed, self.dates.queued) {
            (Some(s), _, _) => Some(Anchor::After(s.local)),
            (None, Some(c), _) => Some(Anchor::Before(c.local)),
            (None, None, Some(q)) => Some(Anchor::After(q.local)),
            (None, None, None) => None,
        };
        if self.anchor.is_none() {
            self.problems.push(Problem::whole(
                "no readable task date in the header; body times are times of day on 1970-01-01",
            ));
        }
        self.warn_if_longer_than_a_day();
        self.after_break = true;
    }

    fn date(&mut self, label: &str) -> Option<HeaderDate> {
        let field = self.fields.iter().find(|f| f.label == label)?;
        let date = long_date_time(&field.value);
        if date.is_none() {
            let msg = format!(
                "could not read the date {:?} of `{label}`; using the times in the body",
                field.value
            );
            self.problems.push(Problem::at_line(field.line, msg));
        }
        date
    }

    /// Times of day cannot be placed on dates for tasks of a day or more (§2.7).
    fn warn_if_longer_than_a_day(&mut self) {
        let by_dates = match (self.dates.started, self.dates.completed) {
            (Some(s), Some(c)) => c.local.0 - s.local.0 >= DAY_US,
            _ => false,
        };
        let by_words = self
            .fields
            .iter()
            .find(|f| f.label == "Task duration")
            .and_then(|f| grammar::duration_words(&f.value))
            .is_some_and(|s| s >= 86_400);
        if by_dates || by_words {
            self.problems.push(Problem::whole(
                "the task ran for a day or more: body times of day may be placed on the wrong date",
            ));
        }
    }

    fn body_line(&mut self, text: &[u8]) {
        if let Ok((_, t)) = timed_line(text) {
            self.message(t);
        } else if let Ok((_, g)) = gutter_line(text) {
            self.gutter(g);
        } else if is_blank(text) {
            self.separator();
        } else {
            self.skip("not a raw task-log line (no `|` gutter); skipped");
        }
    }

    fn skip(&mut self, reason: &str) {
        self.skipped += 1;
        self.problems.push(Problem::at_line(self.lines, reason));
    }

    fn separator(&mut self) {
        self.after_break = true;
        self.open_indent = None;
    }

    fn gutter(&mut self, text: &[u8]) {
        let (spaces, rest) = indent(text);
        if is_blank(rest) {
            // A blank line inside a multi-line message keeps the message's indentation.
            match self.open_indent {
                Some(open) if spaces >= open => {}
                _ => self.separator(),
            }
            return;
        }
        match section(rest) {
            Ok((_, s)) if s.boxed || self.after_break => self.section(spaces / 2, s),
            _ => {} // a continuation of the message above
        }
    }

    fn section(&mut self, depth: usize, s: Section<'_>) {
        self.entries += 1;
        let depth = if depth == 0 && !self.stack.is_empty() {
            self.problems.push(Problem::at_line(
                self.lines,
                "second root section; read as a step of the first",
            ));
            1
        } else {
            depth
        };
        // The parent is the open section one level up (or the deepest open one
        // when levels were skipped).
        self.stack.truncate(depth.min(self.stack.len()));
        let parent = self.stack.last().copied();
        let name = String::from_utf8_lossy(s.name).into_owned();
        let node = self.tree.add(parent, Some(name));
        if let Some(n) = self.tree.nodes.get_mut(node as usize) {
            n.status = Some(String::from_utf8_lossy(s.status).into_owned());
        }
        self.stack.push(node);
        self.after_break = true;
        self.open_indent = None;
    }

    fn message(&mut self, t: TimedLine<'_>) {
        self.entries += 1;
        let node = self.current_node();
        let ts = self.place(t.seconds);
        let (spaces, text) = indent(t.text);
        let level = t.level;
        self.count_level(level);
        let mark = match classify(text) {
            Mark::None if level == b"Wait" => Mark::Wait(WaitKind::Other),
            m => m,
        };
        self.tree.activity(node, ts, mark);
        if let Some(n) = self.tree.nodes.get_mut(node as usize) {
            match level {
                b"Fatal" => {
                    n.failed = true;
                    n.error.get_or_insert_with(|| String::from_utf8_lossy(text).into_owned());
                }
                b"Warning" => n.warned = true,
                _ => {}
            }
        }
        self.open_indent = Some(spaces);
        self.after_break = false;
    }

    /// The innermost open section, or a nameless root for messages before any header.
    fn current_node(&mut self) -> u32 {
        if let Some(&n) = self.stack.last() {
            return n;
        }
        if !self.orphan_reported {
            self.orphan_reported = true;
            self.problems
                .push(Problem::at_line(self.lines, "message before the first section header"));
        }
        let root = self.tree.add(None, None);
        self.stack.push(root);
        root
    }

    fn count_level(&mut self, level: &[u8]) {
        match self.level_counts.iter_mut().find(|(l, _)| l.as_bytes() == level) {
            Some((_, n)) => *n += 1,
            None => self.level_counts.push((String::from_utf8_lossy(level).into_owned(), 1)),
        }
    }

    /// A time of day placed on a date by the anchor (server-local).
    fn place(&self, seconds: u32) -> Timestamp {
        let tod = seconds as i64 * 1_000_000;
        match self.anchor {
            None => Timestamp(tod),
            Some(Anchor::After(start)) => {
                let day = start.start_of_day();
                let next = if tod + EARLY_SLACK_US < start.0 - day.0 { DAY_US } else { 0 };
                Timestamp(day.0 + tod + next)
            }
            Some(Anchor::Before(end)) => {
                let day = end.start_of_day();
                let prev = if tod > end.0 - day.0 + EARLY_SLACK_US { DAY_US } else { 0 };
                Timestamp(day.0 + tod - prev)
            }
        }
    }

    fn field(&self, label: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|f| f.label == label)
            .map(|f| f.value.as_str())
            .filter(|v| !v.is_empty())
    }

    fn finish(mut self, source: SourceId, file_name: &str, bytes: u64) -> TextLog {
        let id = match self.field("Task ID") {
            Some(id) => id.to_string(),
            None => id_from_file_name(file_name, &mut self.problems),
        };
        let mut task = Task::new(id);
        task.origins = vec![TaskOrigin { source, line: 1, form: TaskForm::RawText }];
        task.log_bytes = bytes;
        task.status = self.field("Task status").map(str::to_string);
        task.node = self.field("Server node").map(str::to_string);
        task.server_version = self.field("Server version").map(str::to_string);
        task.related_ids = self.field("Related IDs").map(split_ids).unwrap_or_default();
        task.header = self.fields.iter().map(|f| (f.label.clone(), f.value.clone())).collect();
        task.line_counts = std::mem::take(&mut self.level_counts);
        task.line_counts.sort();
        let description = self.tree.nodes.first().and_then(|n| n.name.clone()).unwrap_or_default();
        if self.tree.capped {
            let msg =
                format!("sections deeper than {MAX_DEPTH} levels were folded into their ancestors");
            self.problems.push(Problem::whole(msg));
        }
        let tree = std::mem::take(&mut self.tree);
        let root = super::finish_task(&mut task, description, tree, TaskForm::RawText);
        let (first, last) = root.as_ref().map_or((None, None), |r| (r.started, r.completed));
        self.times(&mut task, first, last);
        let offset = [self.dates.started, self.dates.completed, self.dates.queued]
            .iter()
            .flatten()
            .find_map(|d| d.offset);
        task.local_started = task.started;
        let (mut first, mut last) = (first, last);
        if let Some(offset) = offset {
            task.offset = Some(offset);
            task.convert_to_utc(offset);
            first = first.map(|t| t.local_to_utc(offset));
            last = last.map(|t| t.local_to_utc(offset));
        }
        TextLog {
            task,
            entries: self.entries,
            lines: self.lines,
            skipped_lines: self.skipped,
            problems: self.problems,
            first,
            last,
        }
    }

    /// Queued from the header; started and completed from the header when it gives
    /// seconds, else from the body (which the header only gives to the minute).
    fn times(&self, task: &mut Task, body_first: Option<Timestamp>, body_last: Option<Timestamp>) {
        let exact = |d: Option<HeaderDate>| d.filter(|d| d.seconds).map(|d| d.local);
        let rough = |d: Option<HeaderDate>| d.map(|d| d.local);
        task.queued = rough(self.dates.queued);
        task.started = exact(self.dates.started).or(body_first).or(rough(self.dates.started));
        let running = matches!(task.status.as_deref(), Some("Queued" | "Executing" | "Cancelling"));
        task.completed = exact(self.dates.completed)
            .or(if running { None } else { body_last })
            .or(rough(self.dates.completed));
        task.clock = Clock::Local;
    }
}

/// A line with a time and a gutter, or a gutter alone.
fn is_body_line(text: &[u8]) -> bool {
    timed_line(text).is_ok() || gutter_line(text).is_ok()
}

/// `Related IDs:` values are separated by commas (and spaces).
fn split_ids(value: &str) -> Vec<String> {
    value.split([',', ' ']).map(str::trim).filter(|s| !s.is_empty()).map(str::to_string).collect()
}

/// `ServerTasks-16572.log.txt` → `ServerTasks-16572`.
fn id_from_file_name(file_name: &str, problems: &mut Problems) -> String {
    let lower = file_name.to_ascii_lowercase();
    if let Some(rest) = lower.strip_prefix("servertasks-") {
        let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
        if !digits.is_empty() {
            return format!("ServerTasks-{digits}");
        }
    }
    problems.push(Problem::whole("no `Task ID:` in the header; the task is named after the file"));
    file_name.to_string()
}

#[cfg(test)]
mod tests;
