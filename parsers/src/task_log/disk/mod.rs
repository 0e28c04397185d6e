//! On-disk task logs (`TaskLogs/servertasks-N_x.txt`, the 2025.2+ folder of
//! `*.tl.txt` parts, and `scheduledtasks_*.txt`), octopus.md §3.
//!
//! ```text
//! ["ServerTasks-2302_P8D2N4V6TR/4be0…","INF","2026-11-03T04:05:02.1180000+00:00","Step 1: Deploy Acme.Web","",0]
//!   └ node path (root/child/…)         └ category └ UTC, 7 fractional digits     └ message                └ detail, progress
//! ```
//!
//! Reading is split in two, because one task may be spread over several
//! sources (the parts of a folder are separate files):
//!
//! * [`parse`] runs once per source, in parallel with the others. Each line is
//!   framed ([`Lines`]), recognised ([`grammar::json_line`]) and reduced to a
//!   compact [`Record`]: time, node, category and a `Mark`. Only the messages
//!   the model needs are decoded and kept: node names (`PLN`, a node's first
//!   `INF`) and fatal messages. A source yields one [`DiskPart`] per root
//!   correlation id it contains.
//! * [`build`] runs in [`super::assemble`] on all parts of one root: it stitches
//!   them in time order and folds the records into the task tree.

pub mod grammar;

use std::borrow::Cow;
use std::collections::HashMap;

use memchr::memchr_iter;

use self::grammar::RawLine;
use super::marks::{classify, Mark};
use super::tree::{Tree, MAX_DEPTH};
use crate::error::{Problem, Problems};
use crate::event::SourceId;
use crate::server_log::framing::Lines;
use crate::task::{Task, TaskForm, TaskOrigin};
use crate::time::{digits, parse_iso8601, Clock, Timestamp};

/// A category code. The nine known ones get their own variant; any other
/// three-letter code is kept as written.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Category {
    /// `INF` info (a node's first `INF` line names it).
    Inf,
    /// `VBS` verbose.
    Vbs,
    /// `WRN` warning.
    Wrn,
    /// `ERR` error.
    Err,
    /// `FAT` fatal: the node failed.
    Fat,
    /// `PLN` planned: the node was created ahead of running; message = its name.
    Pln,
    /// `UPD` progress update.
    Upd,
    /// `FIN` finished.
    Fin,
    /// `ABN` abandoned.
    Abn,
    /// Any other code (Highlight and Wait have no documented code).
    Other([u8; 3]),
}

impl Category {
    /// From the three letters of the line.
    pub fn from_code(code: [u8; 3]) -> Category {
        match &code {
            b"INF" => Category::Inf,
            b"VBS" => Category::Vbs,
            b"WRN" => Category::Wrn,
            b"ERR" => Category::Err,
            b"FAT" => Category::Fat,
            b"PLN" => Category::Pln,
            b"UPD" => Category::Upd,
            b"FIN" => Category::Fin,
            b"ABN" => Category::Abn,
            _ => Category::Other(code),
        }
    }

    /// The three letters.
    pub fn code(self) -> [u8; 3] {
        match self {
            Category::Inf => *b"INF",
            Category::Vbs => *b"VBS",
            Category::Wrn => *b"WRN",
            Category::Err => *b"ERR",
            Category::Fat => *b"FAT",
            Category::Pln => *b"PLN",
            Category::Upd => *b"UPD",
            Category::Fin => *b"FIN",
            Category::Abn => *b"ABN",
            Category::Other(c) => c,
        }
    }

    /// Whether the message of such a line may matter to the model (waits, retention).
    fn may_mark(self) -> bool {
        !matches!(
            self,
            Category::Pln | Category::Upd | Category::Fin | Category::Abn | Category::Fat
        )
    }
}

/// One line, reduced to what the tree needs.
#[derive(Clone, Copy, Debug)]
pub struct Record {
    /// UTC time.
    pub ts: Timestamp,
    /// Index into [`DiskPart::nodes`].
    pub node: u32,
    /// 1-based index into [`DiskPart::texts`], 0 when the message was dropped.
    pub text: u32,
    /// Category.
    pub category: Category,
    /// What the message means.
    pub mark: Mark,
}

/// A node path as first met, with its parent.
#[derive(Clone, Debug)]
pub struct PartNode {
    /// The whole `/`-separated path.
    pub path: Box<str>,
    /// Parent index in the same part.
    pub parent: Option<u32>,
}

/// Everything one source says about one root correlation id.
#[derive(Clone, Debug, Default)]
pub struct DiskPart {
    /// Root correlation id, e.g. `ServerTasks-21_GJZWYYV2KT`.
    pub root: String,
    /// Source it came from.
    pub source: SourceId,
    /// Nodes, parents before children.
    pub nodes: Vec<PartNode>,
    /// Lines in file order.
    pub records: Vec<Record>,
    /// Kept messages.
    pub texts: Vec<Box<str>>,
    /// Line of the first record.
    pub first_line: u64,
    /// Size of the source.
    pub bytes: u64,
    /// Lines per category.
    pub counts: Vec<([u8; 3], u64)>,
}

/// What [`parse`] found in one source.
#[derive(Debug, Default)]
pub struct DiskLog {
    /// One part per root correlation id (none for scheduled-job logs).
    pub parts: Vec<DiskPart>,
    /// Well-formed lines.
    pub entries: u64,
    /// Physical lines.
    pub lines: u64,
    /// Malformed or blank lines.
    pub skipped_lines: u64,
    /// Malformed lines, with their line numbers.
    pub problems: Problems,
    /// Earliest line.
    pub first: Option<Timestamp>,
    /// Latest line.
    pub last: Option<Timestamp>,
}

/// Parses one on-disk source. With `keep_parts` false (scheduled-job logs) lines
/// are only counted and their span taken.
pub fn parse(source: SourceId, bytes: &[u8], keep_parts: bool) -> DiskLog {
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let mut p = DiskParser {
        source,
        keep_parts,
        out: DiskLog::default(),
        builders: Vec::new(),
        capped: false,
    };
    let ends_open = !body.ends_with(b"\n");
    let mut line_no = 0;
    for line in Lines::new(body) {
        line_no += 1;
        if line.text.iter().all(u8::is_ascii_whitespace) {
            p.out.skipped_lines += 1;
            continue;
        }
        let last = ends_open && line.at + line.text.len() >= body.len().saturating_sub(1);
        match grammar::json_line(line.text) {
            Ok((_, raw)) => p.record(&raw, line_no),
            Err(e) => p.malformed(line_no, line.text, &e, last),
        }
    }
    p.out.lines = line_no;
    p.finish(bytes.len() as u64)
}

struct DiskParser<'a> {
    source: SourceId,
    keep_parts: bool,
    out: DiskLog,
    builders: Vec<PartBuilder<'a>>,
    capped: bool,
}

impl<'a> DiskParser<'a> {
    fn record(&mut self, raw: &RawLine<'a>, line: u64) {
        let Some(ts) = disk_timestamp(raw.timestamp) else {
            return self.reject(line, "unreadable timestamp in task-log line".into());
        };
        if raw.correlation.raw.is_empty() {
            return self.reject(line, "empty correlation id in task-log line".into());
        }
        self.out.entries += 1;
        self.out.first = Some(self.out.first.map_or(ts, |f| f.min(ts)));
        self.out.last = Some(self.out.last.map_or(ts, |l| l.max(ts)));
        if !self.keep_parts {
            return;
        }
        let (path, capped) = cap_depth(raw.correlation.decode_bytes());
        self.capped |= capped;
        let root = path.split(|b| *b == b'/').next().unwrap_or_default();
        let b = self.builder(root, line);
        b.push(path, ts, Category::from_code(raw.category), raw);
    }

    fn builder(&mut self, root: &[u8], line: u64) -> &mut PartBuilder<'a> {
        let found = self.builders.iter().rposition(|b| b.root == root);
        let i = found.unwrap_or_else(|| {
            self.builders.push(PartBuilder::new(root, line));
            self.builders.len() - 1
        });
        &mut self.builders[i]
    }

    fn malformed(
        &mut self,
        line: u64,
        text: &[u8],
        e: &nom::Err<nom::error::Error<&[u8]>>,
        last: bool,
    ) {
        let (at, kind) = match e {
            nom::Err::Error(e) | nom::Err::Failure(e) => {
                (text.len().saturating_sub(e.input.len()), Some(e.code))
            }
            nom::Err::Incomplete(_) => (text.len(), None),
        };
        let starts_array = text.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'[');
        let reason = if !starts_array {
            "not a task-log line: expected a JSON array of six fields".to_string()
        } else if at >= text.len() && last {
            "truncated JSON line at the end of the file (was it still being written?)".to_string()
        } else if at >= text.len() {
            "truncated JSON line".to_string()
        } else {
            format!("malformed task-log line at column {}: {}", at + 1, what_went_wrong(kind))
        };
        self.reject(line, reason);
    }

    fn reject(&mut self, line: u64, reason: String) {
        self.out.skipped_lines += 1;
        self.out.problems.push(Problem::at_line(line, reason));
    }

    fn finish(mut self, bytes: u64) -> DiskLog {
        if self.capped {
            let msg = format!(
                "node paths deeper than {MAX_DEPTH} levels were folded into their ancestors"
            );
            self.out.problems.push(Problem::whole(msg));
        }
        let source = self.source;
        self.out.parts = self.builders.into_iter().map(|b| b.into_part(source, bytes)).collect();
        self.out
    }
}

/// The grammar production that failed, in words.
fn what_went_wrong(kind: Option<nom::error::ErrorKind>) -> &'static str {
    use nom::error::ErrorKind;
    match kind {
        Some(ErrorKind::Escaped) => "invalid escape in a string",
        Some(ErrorKind::TakeWhileMN) => "the category is not a three-letter code",
        Some(ErrorKind::Digit | ErrorKind::MapRes) => "the last field is not an integer",
        Some(ErrorKind::Eof) => "text after the closing bracket",
        _ => "not the six fields [path, category, time, message, detail, progress]",
    }
}

/// Cuts a path after `MAX_DEPTH + 1` segments; deeper nodes join that ancestor.
fn cap_depth(path: Cow<'_, [u8]>) -> (Cow<'_, [u8]>, bool) {
    let Some(cut) = memchr_iter(b'/', &path).nth(MAX_DEPTH as usize) else { return (path, false) };
    let capped = match path {
        Cow::Borrowed(b) => Cow::Borrowed(&b[..cut]),
        Cow::Owned(mut b) => {
            b.truncate(cut);
            Cow::Owned(b)
        }
    };
    (capped, true)
}

const SEEN: u8 = 1;
const NAMED: u8 = 2;
const ERRORED: u8 = 4;

/// Collects one root's lines from one source.
struct PartBuilder<'a> {
    root: Vec<u8>,
    index: HashMap<Cow<'a, [u8]>, u32>,
    nodes: Vec<PartNode>,
    flags: Vec<u8>,
    last: Option<(Cow<'a, [u8]>, u32)>,
    records: Vec<Record>,
    texts: Vec<Box<str>>,
    first_line: u64,
    counts: Vec<([u8; 3], u64)>,
}

impl<'a> PartBuilder<'a> {
    fn new(root: &[u8], first_line: u64) -> Self {
        PartBuilder {
            root: root.to_vec(),
            index: HashMap::new(),
            nodes: Vec::new(),
            flags: Vec::new(),
            last: None,
            records: Vec::new(),
            texts: Vec::new(),
            first_line,
            counts: Vec::new(),
        }
    }

    fn push(&mut self, path: Cow<'a, [u8]>, ts: Timestamp, category: Category, raw: &RawLine<'_>) {
        let node = self.node(path);
        let flags = self.flags[node as usize];
        let mark = if category.may_mark() { classify(raw.message.raw) } else { Mark::None };
        let keep = match category {
            Category::Pln => flags & NAMED == 0,
            Category::Inf => flags & (NAMED | SEEN) == 0,
            Category::Fat => flags & ERRORED == 0,
            _ => false,
        };
        let text = if keep {
            self.texts.push(raw.message.decode().into());
            self.flags[node as usize] |= if category == Category::Fat { ERRORED } else { NAMED };
            self.texts.len() as u32
        } else {
            0
        };
        self.flags[node as usize] |= SEEN;
        self.count(category.code());
        self.records.push(Record { ts, node, text, category, mark });
    }

    fn count(&mut self, code: [u8; 3]) {
        match self.counts.iter_mut().find(|(c, _)| *c == code) {
            Some((_, n)) => *n += 1,
            None => self.counts.push((code, 1)),
        }
    }

    /// The node of a path, creating it and any missing ancestor (parents first).
    fn node(&mut self, path: Cow<'a, [u8]>) -> u32 {
        if let Some((p, i)) = &self.last {
            if **p == *path {
                return *i;
            }
        }
        let i = match self.index.get(&*path) {
            Some(&i) => i,
            None => self.create(path.clone()),
        };
        self.last = Some((path, i));
        i
    }

    fn create(&mut self, path: Cow<'a, [u8]>) -> u32 {
        let ends: Vec<usize> = memchr_iter(b'/', &path).chain([path.len()]).collect();
        let known = ends.iter().rposition(|&e| self.index.contains_key(&path[..e]));
        let mut parent = known.map(|k| self.index[&path[..ends[k]]]);
        for &end in &ends[known.map_or(0, |k| k + 1)..] {
            let key: Cow<'a, [u8]> = match &path {
                Cow::Borrowed(b) => Cow::Borrowed(&b[..end]),
                Cow::Owned(b) => Cow::Owned(b[..end].to_vec()),
            };
            let i = self.nodes.len() as u32;
            let text = String::from_utf8_lossy(&key).into_owned().into_boxed_str();
            self.nodes.push(PartNode { path: text, parent });
            self.flags.push(0);
            self.index.insert(key, i);
            parent = Some(i);
        }
        parent.unwrap_or(0)
    }

    fn into_part(self, source: SourceId, bytes: u64) -> DiskPart {
        DiskPart {
            root: String::from_utf8_lossy(&self.root).into_owned(),
            source,
            nodes: self.nodes,
            records: self.records,
            texts: self.texts,
            first_line: self.first_line,
            bytes,
            counts: self.counts,
        }
    }
}

/// The .NET round-trip form `yyyy-MM-ddTHH:mm:ss.fffffff+00:00` read directly;
/// anything else through the general ISO 8601 reader. Times without an offset
/// are taken as UTC, which is what the on-disk form writes.
pub fn disk_timestamp(b: &[u8]) -> Option<Timestamp> {
    if b.len() == 33
        && b.ends_with(b"+00:00")
        && b[4] == b'-'
        && b[7] == b'-'
        && b[10] == b'T'
        && b[19] == b'.'
    {
        if b[13] != b':' || b[16] != b':' || !b[26].is_ascii_digit() {
            return None;
        }
        let micros = digits::<6>(&b[20..])?;
        return crate::time::civil_at_fixed_offsets(b, micros);
    }
    parse_iso8601(std::str::from_utf8(b).ok()?).map(|(t, _)| t)
}

/// Builds one task from every part of one root, stitching parts in time order.
pub fn build(parts: Vec<DiskPart>) -> Task {
    let root = parts.first().map(|p| p.root.clone()).unwrap_or_default();
    let mut task = Task::new(task_id(&root));
    task.clock = Clock::Utc;
    task.origins = parts
        .iter()
        .map(|p| TaskOrigin { source: p.source, line: p.first_line, form: TaskForm::OnDisk })
        .collect();
    task.log_bytes = parts.iter().map(|p| p.bytes).sum();
    task.line_counts = merged_counts(&parts);
    let merged = stitch(parts);
    let tree = fold(&merged);
    let description =
        tree.nodes.first().and_then(|n| n.name.clone()).unwrap_or_else(|| root.clone());
    if let Some(r) = super::finish_task(&mut task, description, tree, TaskForm::OnDisk) {
        task.started = r.started;
        task.completed = r.completed;
        task.status = r.status.as_deref().map(|s| task_status(s).to_string());
    }
    task.utc_started = task.started;
    task
}

/// The task state (`TaskState`) implied by the root node's status.
fn task_status(root: &str) -> &'static str {
    match root {
        "Failed" => "Failed",
        "Abandoned" => "Canceled",
        "Success" | "SuccessWithWarning" => "Success",
        _ => "Executing",
    }
}

/// `ServerTasks-21_GJZWYYV2KT` → `ServerTasks-21`.
pub fn task_id(root: &str) -> String {
    root.split_once('_').map_or(root, |(id, _)| id).to_string()
}

fn merged_counts(parts: &[DiskPart]) -> Vec<(String, u64)> {
    let mut all: Vec<(String, u64)> = Vec::new();
    for (code, n) in parts.iter().flat_map(|p| p.counts.iter()) {
        let code = String::from_utf8_lossy(code).into_owned();
        match all.iter_mut().find(|(c, _)| *c == code) {
            Some((_, m)) => *m += n,
            None => all.push((code, *n)),
        }
    }
    all.sort();
    all
}

/// One part as it is; several merged into one node table and sorted by time
/// (stable, so lines with equal times keep part order, then file order).
fn stitch(mut parts: Vec<DiskPart>) -> DiskPart {
    if parts.len() <= 1 {
        return parts.pop().unwrap_or_default();
    }
    let mut out = DiskPart { root: parts[0].root.clone(), ..DiskPart::default() };
    let mut index: HashMap<Box<str>, u32> = HashMap::new();
    for part in parts {
        let mut remap = Vec::with_capacity(part.nodes.len());
        for n in part.nodes {
            let i = *index.entry(n.path.clone()).or_insert_with(|| {
                let parent = n.parent.and_then(|p| remap.get(p as usize).copied());
                out.nodes.push(PartNode { path: n.path, parent });
                out.nodes.len() as u32 - 1
            });
            remap.push(i);
        }
        let text_base = out.texts.len() as u32;
        out.texts.extend(part.texts);
        out.records.extend(part.records.into_iter().map(|mut r| {
            r.node = remap.get(r.node as usize).copied().unwrap_or(0);
            r.text = if r.text == 0 { 0 } else { r.text + text_base };
            r
        }));
    }
    out.records.sort_by_key(|r| r.ts);
    out
}

/// Folds the records of one root into a tree.
fn fold(part: &DiskPart) -> Tree {
    let mut tree = Tree::default();
    let ids: Vec<u32> = part.nodes.iter().map(|n| tree.add(n.parent, None)).collect();
    let text =
        |r: &Record| part.texts.get((r.text as usize).wrapping_sub(1)).map(|t| t.to_string());
    for r in &part.records {
        let Some(&id) = ids.get(r.node as usize) else { continue };
        if r.category == Category::Pln {
            let n = &mut tree.nodes[id as usize];
            n.planned = Some(n.planned.map_or(r.ts, |p| p.min(r.ts)));
        } else {
            tree.activity(id, r.ts, r.mark);
        }
        let n = &mut tree.nodes[id as usize];
        match r.category {
            Category::Pln | Category::Inf if n.name.is_none() => n.name = text(r),
            Category::Fin | Category::Abn => {
                n.end = Some(n.end.map_or(r.ts, |e| e.max(r.ts)));
                n.finished |= r.category == Category::Fin;
                n.abandoned |= r.category == Category::Abn;
            }
            Category::Fat => {
                n.failed = true;
                if n.error.is_none() {
                    n.error = text(r);
                }
            }
            Category::Wrn => n.warned = true,
            _ => {}
        }
    }
    for (node, id) in part.nodes.iter().zip(&ids) {
        let n = &mut tree.nodes[*id as usize];
        if n.name.is_none() {
            n.name = Some(node.path.rsplit('/').next().unwrap_or_default().to_string());
        }
    }
    order_children(&mut tree, part, &ids);
    tree
}

/// Children in the order they were first heard of (their own first line or a
/// descendant's): node creation order would depend on which part came first.
fn order_children(tree: &mut Tree, part: &DiskPart, ids: &[u32]) {
    let mut first = vec![usize::MAX; tree.nodes.len()];
    for (pos, r) in part.records.iter().enumerate() {
        if let Some(f) = ids.get(r.node as usize).and_then(|&id| first.get_mut(id as usize)) {
            *f = (*f).min(pos);
        }
    }
    for i in (1..tree.nodes.len()).rev() {
        if let Some(p) = tree.nodes[i].parent {
            first[p as usize] = first[p as usize].min(first[i]);
        }
    }
    for n in &mut tree.nodes {
        n.children.sort_by_key(|&c| first[c as usize]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reasons(text: &str) -> Vec<String> {
        parse(0, text.as_bytes(), true).problems.list.into_iter().map(|p| p.reason).collect()
    }

    #[test]
    fn timestamps_fast_path_agrees_with_the_general_reader() {
        for t in ["2016-07-29T04:18:53.2370194+00:00", "2026-11-03T23:59:59.9999999+00:00"] {
            assert_eq!(disk_timestamp(t.as_bytes()), parse_iso8601(t).map(|x| x.0), "{t}");
        }
        let shifted = disk_timestamp(b"2026-11-03T14:05:02.1180000+10:00");
        assert_eq!(shifted, disk_timestamp(b"2026-11-03T04:05:02.1180000+00:00"));
        assert_eq!(disk_timestamp(b"2026-02-30T04:18:53.2370194+00:00"), None);
        assert_eq!(disk_timestamp(b"2026-11-03T04:18:5x.2370194+00:00"), None);
        assert_eq!(disk_timestamp(b"yesterday"), None);
    }

    #[test]
    fn each_malformation_is_named() {
        let ok = r#"["A","INF","2026-11-03T04:00:00.0000000+00:00","m","",0]"#;
        assert!(reasons(ok).is_empty());
        let cases = [
            (
                r#"["A","Info","2026-11-03T04:00:00Z","m","",0]"#,
                "column 7: the category is not a three-letter code",
            ),
            (
                r#"["A","INF","2026-11-03T04:00:00Z","m","",x]"#,
                "column 42: the last field is not an integer",
            ),
            (
                r#"["A","INF","2026-11-03T04:00:00Z","m","",0] x"#,
                "column 45: text after the closing bracket",
            ),
            (r#"["A","INF","2026-11-03T04:00:00Z","m",0]"#, "column 39: not the six fields"),
            (r#"["A","INF","2026-11-03T04:00:00Z""#, "truncated JSON line at the end of the file"),
            ("[\"A\",\"INF\"\n", "truncated JSON line"),
            (r#"["","INF","2026-11-03T04:00:00Z","m","",0]"#, "empty correlation id"),
        ];
        for (line, want) in cases {
            let got = reasons(line);
            assert!(got.len() == 1 && got[0].contains(want), "{line}: {got:?}");
        }
    }

    #[test]
    fn children_before_parents_and_several_roots() {
        let text = concat!(
            r#"["R_1/a/b","INF","2026-11-03T04:00:01Z","deep first","",0]"#,
            "\n",
            r#"["R_1/a","INF","2026-11-03T04:00:02Z","parent later","",0]"#,
            "\n",
            r#"["S_2","INF","2026-11-03T04:00:03Z","another root","",0]"#,
            "\n",
        );
        let log = parse(0, text.as_bytes(), true);
        assert_eq!(log.parts.len(), 2);
        let paths: Vec<&str> = log.parts[0].nodes.iter().map(|n| &*n.path).collect();
        assert_eq!(paths, ["R_1", "R_1/a", "R_1/a/b"]);
        assert_eq!(log.parts[0].nodes[2].parent, Some(1));
        // `R_1/a` was created as b's parent, so its own first line still names it.
        let task = build(vec![log.parts[0].clone()]);
        assert_eq!(task.steps[0].name, "parent later");
        assert_eq!(task.steps[0].children[0].name, "deep first");
        assert_eq!(task.id, "R");
    }

    #[test]
    fn deep_paths_are_capped() {
        let deep = format!("R{}", "/x".repeat(500));
        let line = format!(r#"["{deep}","INF","2026-11-03T04:00:01Z","deep","",0]"#);
        let log = parse(0, line.as_bytes(), true);
        assert_eq!(log.parts[0].nodes.len(), MAX_DEPTH as usize + 1);
        assert!(log.problems.list[0].reason.contains("deeper than 32 levels"));
    }

    #[test]
    fn category_codes_round_trip() {
        for code in [
            *b"INF", *b"VBS", *b"WRN", *b"ERR", *b"FAT", *b"PLN", *b"UPD", *b"FIN", *b"ABN",
            *b"HLT",
        ] {
            assert_eq!(Category::from_code(code).code(), code);
        }
        assert_eq!(Category::from_code(*b"HLT"), Category::Other(*b"HLT"));
    }
}
