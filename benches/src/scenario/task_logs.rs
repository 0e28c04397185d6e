//! Task logs of the plan's tasks, in both forms: on-disk JSON lines in UTC
//! (`servertasks-N_x.txt`, or a folder of `*.tl.txt` from 2025.2) and the
//! downloaded raw text in the server's local time (octopus.md §2, §3).

use std::fmt::Write as _;

use super::clock::{self, hms, human_duration, iso7, local, SEC};
use super::names;
use super::timeline::{Plan, Task, What};
use super::variations::DiskForm;
use crate::rng::Rng;

/// A task-log file, named relative to its folder (`TaskLogs/` or the raw folder).
#[derive(Clone, Debug)]
pub struct TaskFile {
    /// Relative name (`servertasks-12_ABC…/1c7e5b0d.tl.txt`, `ServerTasks-12.log.txt`).
    pub name: String,
    /// Contents.
    pub text: String,
    /// Raw text (else on-disk JSON).
    pub raw: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Lvl {
    Verbose,
    Info,
    Warning,
    Error,
}

#[derive(Clone, Debug)]
struct Msg {
    t: i64,
    lvl: Lvl,
    text: String,
}

/// A node of the task's activity tree.
#[derive(Clone, Debug)]
struct TNode {
    name: String,
    boxed: bool,
    planned: bool,
    failed: bool,
    start: i64,
    end: i64,
    msgs: Vec<Msg>,
    children: Vec<TNode>,
}

impl TNode {
    fn new(name: String, boxed: bool, start: i64, end: i64) -> TNode {
        TNode {
            name,
            boxed,
            planned: false,
            failed: false,
            start,
            end,
            msgs: Vec::new(),
            children: Vec::new(),
        }
    }

    fn say(&mut self, t: i64, lvl: Lvl, text: impl Into<String>) {
        self.msgs.push(Msg { t, lvl, text: text.into() });
    }
}

/// Every task-log file of the bundle.
pub fn render(p: &Plan) -> Vec<TaskFile> {
    let mut files = Vec::new();
    for t in p.tasks.iter().filter(|t| t.on_disk || t.raw) {
        let mut rng = Rng::new(t.uid as u64 * 0x9E37 + t.id as u64);
        let tree = tree(p, t, &mut rng);
        if t.on_disk {
            on_disk(p, t, &tree, &mut rng, &mut files);
        }
        if t.raw {
            files.push(TaskFile {
                name: format!("{}.log.txt", t.task_id()),
                text: raw(p, t, &tree),
                raw: true,
            });
        }
    }
    files
}

fn tree(p: &Plan, t: &Task, rng: &mut Rng) -> TNode {
    match &t.what {
        What::Deploy { project, .. } => deployment(p, t, names::PROJECTS[*project], rng),
        What::Retention { releases } => retention(t, *releases, rng),
        What::Health { .. } => health(t, rng),
        What::SecurityGroups { users } => security_groups(t, *users, rng),
        What::Integrity => {
            let mut root = TNode::new(t.description(), true, t.started, t.ended);
            root.say(t.started, Lvl::Info, "Checking system integrity");
            root.say(t.ended, Lvl::Info, "System integrity check completed successfully");
            root
        }
    }
}

/// Times spread evenly with jitter over `[a, b]`.
fn times(a: i64, b: i64, n: usize, rng: &mut Rng) -> Vec<i64> {
    let step = (b - a).max(1) / (n as i64 + 1);
    let mut v: Vec<i64> =
        (1..=n as i64).map(|i| a + i * step + rng.span(0, step.max(1) / 2)).collect();
    v.sort_unstable();
    v
}

fn deployment(p: &Plan, t: &Task, project: &str, rng: &mut Rng) -> TNode {
    let mut root = TNode::new(t.description(), true, t.started, t.ended);
    root.say(t.started, Lvl::Verbose, "Guided failure is not enabled for this task");
    let len = t.ended - t.started;
    let targets = t.targets();
    let acquire_end = t.started + len / 10;
    root.children.push(acquire(project, &targets, t.started + SEC, acquire_end, rng));
    let steps = rng.range(2, 6) as usize;
    let per_target = if t.heavy {
        rng.range(900, 1_800) as usize / (steps * targets.len())
    } else {
        rng.range(3, 12) as usize
    };
    let bounds = times(acquire_end, t.ended - SEC, steps, rng);
    let mut from = acquire_end;
    for (k, to) in bounds.into_iter().enumerate() {
        let fail = t.failed && k + 1 == steps;
        root.children.push(step(p, t, project, k + 1, &targets, (from, to), per_target, fail, rng));
        from = to;
    }
    root.failed = t.failed;
    let verdict = if t.failed {
        "The deployment failed because one or more steps failed."
    } else {
        "The deployment completed successfully."
    };
    root.say(t.ended, if t.failed { Lvl::Error } else { Lvl::Info }, verdict);
    root
}

fn acquire(project: &str, targets: &[String], a: i64, b: i64, rng: &mut Rng) -> TNode {
    let mut n = TNode::new("Acquire packages".into(), true, a, b);
    n.planned = true;
    n.say(a, Lvl::Info, "Acquiring packages");
    let version = format!("{}.{}.{}", rng.range(1, 9), rng.below(30), rng.range(1, 900));
    for (target, at) in targets.iter().zip(times(a, b, targets.len(), rng)) {
        let mut m = TNode::new(target.clone(), false, at, b - SEC);
        let mut up =
            TNode::new(format!("Upload package {project} version {version}"), false, at, b - SEC);
        up.say(at, Lvl::Verbose, format!("Uploading package {project} {version}"));
        up.say(b - SEC, Lvl::Verbose, "Package uploaded");
        m.children.push(up);
        n.children.push(m);
    }
    n.say(b, Lvl::Info, "All packages have been acquired");
    n
}

#[allow(clippy::too_many_arguments)]
fn step(
    p: &Plan,
    t: &Task,
    project: &str,
    k: usize,
    targets: &[String],
    (a, b): (i64, i64),
    per_target: usize,
    fail: bool,
    rng: &mut Rng,
) -> TNode {
    let name = format!("Step {k}: {}", rng.pick(names::STEPS));
    let mut s = TNode::new(name.clone(), true, a, b);
    s.planned = true;
    for target in targets {
        let mut m = TNode::new(target.clone(), false, a + rng.span(0, SEC), b - SEC);
        m.say(m.start, Lvl::Verbose, format!("Octopus Server version: {}", p.v.version));
        m.say(m.start, Lvl::Info, format!("Executing script on '{target}'"));
        m.say(m.start + SEC, Lvl::Verbose, "Octopus Deploy: Calamari version 28.1.3");
        for (i, at) in times(m.start + SEC, m.end, per_target, rng).into_iter().enumerate() {
            let text = if t.heavy {
                variable_line(project, i)
            } else {
                format!("    + Copying {project}.{i}.dll to C:\\Octopus\\Applications\\{project}")
            };
            m.say(at, Lvl::Verbose, text);
        }
        if rng.chance(0.15) {
            m.say(
                m.end - SEC,
                Lvl::Warning,
                format!(
                    "The IIS application pool '{project}' took {} seconds to stop",
                    rng.range(3, 20)
                ),
            );
        }
        s.children.push(m);
    }
    if fail {
        if let Some(m) = s.children.last_mut() {
            m.failed = true;
            m.say(b - SEC, Lvl::Error, "The remote script failed with exit code 1");
        }
        s.failed = true;
    } else {
        s.say(b, Lvl::Verbose, format!("{name} completed"));
    }
    s
}

/// What a project with a huge variable set prints (evaluated variables).
fn variable_line(project: &str, i: usize) -> String {
    match i % 4 {
        0 => format!("[{project}.ConnectionStrings.Shard{}] = '********'", i / 4),
        1 => format!("[Octopus.Action[Deploy {project}].Package.PackageId] = '{project}'"),
        2 => format!("[{project}.FeatureFlags.Flag{}] = 'True'", i / 4),
        _ => format!("Performing variable substitution on 'appsettings.{}.json'", i / 4),
    }
}

fn retention(t: &Task, releases: usize, rng: &mut Rng) -> TNode {
    let mut root = TNode::new(t.description(), true, t.started, t.ended);
    let mut space = TNode::new("Default".into(), false, t.started, t.ended - SEC);
    let projects = (releases / 12).clamp(1, names::PROJECTS.len());
    let bounds = times(t.started, t.ended - SEC, projects, rng);
    let mut from = t.started + 100_000;
    for (i, to) in bounds.into_iter().enumerate() {
        let count = releases / projects + usize::from(i < releases % projects);
        space.children.push(policy_section(names::PROJECTS[i], count, (from, to), rng));
        from = to;
    }
    root.children.push(space);
    root
}

fn policy_section(project: &str, deleted: usize, (a, b): (i64, i64), rng: &mut Rng) -> TNode {
    let lc = *rng.pick(names::LIFECYCLES);
    let mut n = TNode::new(format!("Apply policy for {lc} to {project} Default"), true, a, b);
    let pre = format!("{lc}/[Default] - ");
    n.say(a, Lvl::Info, format!("{pre}Project name: {project}\n{pre}Channel name: Default"));
    n.say(
        a,
        Lvl::Info,
        format!(
            "{pre}Releases currently on the dashboard: 4.{}.0, 4.{}.1",
            rng.below(9),
            rng.below(9)
        ),
    );
    for (i, at) in times(a, b, deleted + 2, rng).into_iter().enumerate() {
        let v = format!("3.{}.{i}", rng.below(20));
        if i < deleted {
            n.say(at, Lvl::Info, format!("{pre}Release {v} is in phase Staging, with a policy of Last 3 items; it will be deleted. Reason: Undeployed, but 3 of 3 have been kept"));
            n.say(at, Lvl::Verbose, format!("Delete release {v}"));
        } else {
            n.say(at, Lvl::Info, format!("{pre}Release {v} is in phase Production, with a policy of Keep all; it will be kept. Reason: Kept by policy"));
        }
    }
    n
}

fn health(t: &Task, rng: &mut Rng) -> TNode {
    let mut root = TNode::new(t.description(), true, t.started, t.ended);
    let targets = t.targets();
    root.say(
        t.started,
        Lvl::Info,
        format!("Performing health check on {} deployment targets", targets.len()),
    );
    for (i, (m, at)) in
        targets.iter().zip(times(t.started, t.ended - SEC, targets.len(), rng)).enumerate()
    {
        let mut n = TNode::new(m.clone(), false, at, at + rng.span(200_000, 3 * SEC));
        let (style, url) = if i % 3 == 2 {
            ("Polling", format!("poll://{m}/"))
        } else {
            ("Listening", format!("https://{m}:10933/"))
        };
        let link = format!("[Tentacle {style}](~/app#/Spaces-1/infrastructure/machines/Machines-{}/settings) at {url}, running version 6.3.605", 100 + i);
        n.say(n.end, Lvl::Info, link);
        root.children.push(n);
    }
    root.say(t.ended, Lvl::Info, format!("{} deployment targets are healthy", targets.len()));
    root
}

fn security_groups(t: &Task, users: usize, rng: &mut Rng) -> TNode {
    let mut root = TNode::new(t.description(), true, t.started, t.ended);
    root.say(
        t.started,
        Lvl::Info,
        format!("Synchronizing external security groups for {users} users"),
    );
    let batches = (users / 500).max(1);
    for (i, at) in times(t.started, t.ended, batches, rng).into_iter().enumerate() {
        root.say(
            at,
            Lvl::Verbose,
            format!("Processed {} of {users} users", ((i + 1) * 500).min(users)),
        );
    }
    let secs = (t.ended - t.started) as f64 / 1e6;
    root.say(t.ended, Lvl::Info, format!("Processing users took {secs:.2}s"));
    root
}

/// JSON string content with .NET's HTML-safe escapes.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\'' => out.push_str("\\u0027"),
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out
}

/// One on-disk line: `["corr","CAT","time","message","",0]`.
struct DiskLine {
    t: i64,
    seq: usize,
    text: String,
    part: usize,
}

fn on_disk(p: &Plan, t: &Task, root: &TNode, rng: &mut Rng, files: &mut Vec<TaskFile>) {
    let id = format!("{}_{}", t.task_id(), t.suffix);
    let parts = if p.v.disk_form == DiskForm::Folder && root.children.len() > 1 && rng.chance(0.4) {
        2
    } else {
        1
    };
    let mut lines = Vec::new();
    disk_walk(root, &id, 0, parts, &mut lines, rng);
    lines.sort_by_key(|l| (l.t, l.seq));
    let lower = id.to_lowercase();
    for part in 0..parts {
        let text: String =
            lines.iter().filter(|l| l.part == part).map(|l| l.text.as_str()).collect();
        let name = match p.v.disk_form {
            DiskForm::SingleFile => format!("{lower}.txt"),
            DiskForm::Folder => format!("{lower}/{:08x}.tl.txt", rng.next_u64() as u32),
        };
        files.push(TaskFile { name, text, raw: false });
    }
}

fn disk_walk(
    n: &TNode,
    corr: &str,
    part: usize,
    parts: usize,
    out: &mut Vec<DiskLine>,
    rng: &mut Rng,
) {
    let emit = |t: i64, cat: &str, text: &str, out: &mut Vec<DiskLine>| {
        let line = format!("[\"{corr}\",\"{cat}\",\"{}\",\"{}\",\"\",0]\n", iso7(t), escape(text));
        out.push(DiskLine { t, seq: out.len(), text: line, part });
    };
    let first = n.msgs.first().map_or(n.start, |m| m.t.min(n.start));
    emit(first, "INF", &n.name, out);
    for m in &n.msgs {
        let cat = match m.lvl {
            Lvl::Verbose => "VBS",
            Lvl::Info => "INF",
            Lvl::Warning => "WRN",
            Lvl::Error => "ERR",
        };
        emit(m.t, cat, &m.text, out);
    }
    for (i, c) in n.children.iter().enumerate() {
        let child = format!("{corr}/{}", names::hex32(rng));
        let part = if parts > 1 && i >= n.children.len() / 2 && corr.matches('/').count() == 0 {
            1
        } else {
            part
        };
        if c.planned {
            let line = format!(
                "[\"{child}\",\"PLN\",\"{}\",\"{}\",\"\",0]\n",
                iso7(n.start),
                escape(&c.name)
            );
            out.push(DiskLine { t: n.start, seq: out.len(), text: line, part });
        }
        disk_walk(c, &child, part, parts, out, rng);
    }
    if n.failed {
        emit(n.end, "FAT", "The step failed: One or more child activities failed.", out);
    }
    emit(n.end, "FIN", "Finished", out);
}

/// The downloaded raw form: header, then the tree in tree order.
fn raw(p: &Plan, t: &Task, root: &TNode) -> String {
    let mut s = String::with_capacity(4096);
    let off = p.v.offset_min;
    let date = |x: i64| clock::header_date(x, off, p.v.raw_culture);
    let status = if t.failed { "Failed" } else { "Success" };
    let mut field = |label: &str, value: &str| {
        let _ = writeln!(s, "{:<16}{value}", format!("{label}:"));
    };
    field("Task ID", &t.task_id());
    if p.v.raw_node_header {
        field("Related IDs", &related_ids(t));
    }
    field("Task status", status);
    field("Task queued", &date(t.queued));
    field("Task started", &date(t.started));
    if p.v.raw_node_header {
        field("Task completed", &date(t.ended));
    }
    field("Task duration", &human_duration(t.ended - t.started));
    field("Server version", &p.v.version);
    if p.v.raw_node_header {
        field("Server node", &p.nodes[t.node].name);
    }
    s.push('\n');
    raw_walk(root, 0, off, &mut s);
    s
}

fn related_ids(t: &Task) -> String {
    match &t.what {
        What::Deploy { project, .. } => format!(
            "Deployments-{}, Releases-{}, Projects-{}, Spaces-1",
            t.id + 7,
            t.id / 3,
            project + 1
        ),
        _ => "Spaces-1".to_string(),
    }
}

fn raw_walk(n: &TNode, depth: usize, off: i32, s: &mut String) {
    let indent = "  ".repeat(depth);
    let status = if n.failed { "Failed" } else { "Success" };
    let head = if n.boxed {
        format!("== {status}: {} ==", n.name)
    } else {
        format!("{status}: {}", n.name)
    };
    let _ = writeln!(s, "{:20}| {indent}{head}", "");
    let inner = "  ".repeat(depth + 1);
    for m in &n.msgs {
        let lvl = match m.lvl {
            Lvl::Verbose => "Verbose",
            Lvl::Info => "Info",
            Lvl::Warning => "Warning",
            Lvl::Error => "Error",
        };
        let mut parts = m.text.split('\n');
        let _ = writeln!(
            s,
            "{}   {lvl:<8} | {inner}{}",
            hms(local(m.t, off)),
            parts.next().unwrap_or("")
        );
        for more in parts {
            let _ = writeln!(s, "{:20}| {inner}{more}", "");
        }
    }
    if !n.msgs.is_empty() || !n.children.is_empty() {
        let _ = writeln!(s, "{:20}| {indent}", "");
    }
    for c in &n.children {
        raw_walk(c, depth + 1, off, s);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::incidents::inject;
    use crate::scenario::kinds::Kind;
    use crate::scenario::variations::draw;
    use octodiag_parsers::task_log;

    fn files(kind: Kind, seed: u64) -> (Plan, Vec<TaskFile>) {
        let mut rng = Rng::new(seed ^ kind.salt());
        let v = draw(kind, &mut rng);
        let mut p = Plan::base(kind, v, &mut rng);
        inject(&mut p, &mut rng);
        p.finish(&mut rng);
        let f = render(&p);
        (p, f)
    }

    #[test]
    fn escapes_are_html_safe() {
        assert_eq!(
            escape("it's <b>\"x\" & \\\n"),
            "it\\u0027s \\u003cb\\u003e\\\"x\\\" \\u0026 \\\\\\n"
        );
    }

    #[test]
    fn both_forms_parse_without_problems_and_agree_on_the_task() {
        for kind in
            [Kind::Retention, Kind::Project, Kind::Concurrency, Kind::HealthCheck, Kind::SystemTask]
        {
            for seed in 0..6 {
                let (p, files) = files(kind, seed);
                for f in &files {
                    let problems = if f.raw {
                        task_log::text::parse(0, &f.name, f.text.as_bytes()).problems
                    } else {
                        task_log::disk::parse(0, f.text.as_bytes(), true).problems
                    };
                    assert!(problems.is_empty(), "{kind:?} {seed} {}: {:?}", f.name, problems.list);
                    assert!(f.raw || f.text.lines().all(|l| l.starts_with("[\"ServerTasks-")));
                }
                let heavy = p.tasks.iter().filter(|t| t.heavy).count();
                assert!(heavy == 0 || !files.is_empty(), "{kind:?} {seed}");
            }
        }
    }

    #[test]
    fn a_raw_log_has_its_header_and_local_times() {
        let (p, files) = files(Kind::Concurrency, 3);
        let f = files.iter().find(|f| f.raw).unwrap();
        let t = p.tasks.iter().find(|t| f.name == format!("{}.log.txt", t.task_id())).unwrap();
        assert!(f.text.starts_with(&format!("Task ID:        {}\n", t.task_id())));
        assert!(f
            .text
            .contains(&format!("Task duration:  {}\n", human_duration(t.ended - t.started))));
        let first_body =
            f.text.lines().find(|l| l.as_bytes().first().is_some_and(u8::is_ascii_digit)).unwrap();
        assert_eq!(&first_body[..8], hms(local(t.started, p.v.offset_min)));
    }
}
