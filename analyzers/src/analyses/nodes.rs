//! Node identity. A node is a server-log *stream*: one instance's files
//! (today's `OctopusServer.txt` and its rotated archives), which follow one
//! another in time. Two streams that log at the same time are two nodes.
//! A stream is named by its own node-name line, else by the `Server node:` of
//! the raw task logs whose work it logged, else (one stream, one node named
//! by the task logs) by that node; otherwise the folder it came from labels
//! it. Folder names are labels, never evidence: they neither make a node nor
//! make a cluster.

use std::collections::{BTreeMap, BTreeSet};

use octodiag_parsers::{Format, Task, UtcOffset};

use crate::dataset::Dataset;
use crate::facts::tasks::node_name;
use crate::facts::{to_utc, Facts};
use crate::model::{NodeBasis, Nodes, Stream};
use crate::stats::Span;
use crate::units::duration;

/// Files of one stream may overlap by this much (seconds) at a rotation.
const ROTATION_OVERLAP_SECS: f64 = 300.0;

/// One server-log file as the grouping sees it.
struct File {
    source: u32,
    dir: String,
    span: Span,
    named: Option<String>,
    folder: Option<String>,
}

/// Groups the server logs into streams, names them and judges HA.
pub fn identify(data: &Dataset<'_>, facts: &Facts, tasks: &[Task], offset: UtcOffset) -> Nodes {
    let files = server_logs(data, offset);
    let groups = group(&files);
    let machines = machines(facts);
    let task_nodes = task_nodes(tasks);
    let linked = linked_nodes(facts, tasks);
    let mut streams: Vec<Stream> = groups
        .iter()
        .map(|g| {
            let (name, basis) = name_of(g, &files, &machines, &linked, &task_nodes, groups.len());
            let span = g.iter().map(|i| files[*i].span).reduce(union).unwrap_or_default();
            Stream { name, basis, sources: g.iter().map(|i| files[*i].source).collect(), span }
        })
        .collect();
    streams.sort_by_key(|s| (s.name.clone(), s.span.start));
    let mut of_source = vec![None; data.inputs.len()];
    for (i, s) in streams.iter().enumerate() {
        for src in &s.sources {
            of_source[*src as usize] = Some(i);
        }
    }
    let known: BTreeSet<String> = streams.iter().map(|s| s.name.to_lowercase()).collect();
    let task_only: Vec<String> =
        task_nodes.iter().filter(|n| !known.contains(&n.to_lowercase())).cloned().collect();
    let (ha, rests_on) = verdict(&streams, &task_nodes, &task_only, &files);
    Nodes { streams, of_source, task_only, ha, rests_on }
}

fn union(a: Span, b: Span) -> Span {
    Span::new(a.start.min(b.start), a.end.max(b.end))
}

fn server_logs(data: &Dataset<'_>, offset: UtcOffset) -> Vec<File> {
    data.inputs
        .iter()
        .enumerate()
        .filter(|(_, i)| i.format == Format::ServerLog)
        .filter_map(|(n, i)| {
            let (a, b) = i.span?;
            Some(File {
                source: n as u32,
                dir: parent_of(i.name).to_string(),
                span: Span::new(to_utc(a, i.clock, offset), to_utc(b, i.clock, offset)),
                named: i.node.clone(),
                folder: i.folder.clone(),
            })
        })
        .collect()
}

/// The folder part of an input's display path (`bundle.zip!/Logs/x.txt` → `bundle.zip!/Logs`).
fn parent_of(name: &str) -> &str {
    name.rfind(['/', '\\']).map_or("", |i| &name[..i])
}

/// Streams as lists of indexes into `files`: within a folder, files that do
/// not overlap in time (rotations) and do not name different nodes; across
/// folders, streams that name the same node.
fn group(files: &[File]) -> Vec<Vec<usize>> {
    let mut order: Vec<usize> = (0..files.len()).collect();
    order.sort_by(|a, b| {
        (&files[*a].dir, files[*a].span.start).cmp(&(&files[*b].dir, files[*b].span.start))
    });
    let mut groups: Vec<Vec<usize>> = Vec::new();
    for i in order {
        let fits = |g: &Vec<usize>| {
            g.iter().all(|j| {
                let (a, b) = (&files[i], &files[*j]);
                a.dir == b.dir
                    && a.span.overlap_secs(&b.span) <= ROTATION_OVERLAP_SECS
                    && !names_differ(&a.named, &b.named)
            })
        };
        match groups.iter_mut().find(|g| fits(g)) {
            Some(g) => g.push(i),
            None => groups.push(vec![i]),
        }
    }
    join_same_names(groups, files)
}

fn names_differ(a: &Option<String>, b: &Option<String>) -> bool {
    matches!((a, b), (Some(x), Some(y)) if !x.eq_ignore_ascii_case(y))
}

/// Streams in different folders that name the same node are one node's logs.
fn join_same_names(groups: Vec<Vec<usize>>, files: &[File]) -> Vec<Vec<usize>> {
    let mut out: Vec<Vec<usize>> = Vec::new();
    for g in groups {
        let name = g.iter().find_map(|i| files[*i].named.clone());
        let same = out.iter_mut().find(|o| {
            let other = o.iter().find_map(|i| files[*i].named.clone());
            matches!((&name, &other), (Some(a), Some(b)) if a.eq_ignore_ascii_case(b))
        });
        match same {
            Some(o) => o.extend(g),
            None => out.push(g),
        }
    }
    for g in &mut out {
        g.sort_by_key(|i| files[*i].span.start);
    }
    out
}

/// The last `MachineName` each input's start-up banners give.
fn machines(facts: &Facts) -> BTreeMap<u32, String> {
    facts
        .machines
        .iter()
        .map(|m| (m.origin.source, m.label.trim().to_string()))
        .filter(|m| !m.1.is_empty())
        .collect()
}

/// A task log's node name, without the id prefix.
fn clean(node: &str) -> String {
    node_name(node).to_string()
}

/// Node names the raw task logs give, sorted.
fn task_nodes(tasks: &[Task]) -> Vec<String> {
    let names: BTreeSet<String> = tasks
        .iter()
        .filter_map(|t| t.node.as_deref())
        .map(clean)
        .filter(|n| !n.is_empty())
        .collect();
    names.into_iter().collect()
}

/// For each input, the node names of the tasks whose work it logged (their
/// task ids in its SQL transactions, their descriptions in its `Executing task` lines).
fn linked_nodes(facts: &Facts, tasks: &[Task]) -> BTreeMap<u32, BTreeMap<String, usize>> {
    let by_id: BTreeMap<&str, &str> =
        tasks.iter().filter_map(|t| Some((t.id.as_str(), t.node.as_deref()?))).collect();
    let by_desc: BTreeMap<&str, &str> =
        tasks.iter().filter_map(|t| Some((t.description.as_str(), t.node.as_deref()?))).collect();
    let mut out: BTreeMap<u32, BTreeMap<String, usize>> = BTreeMap::new();
    let mut seen: BTreeSet<(u32, u64)> = BTreeSet::new();
    for s in &facts.sql {
        let Some(n) = s.task.map(u64::from) else { continue };
        if seen.insert((s.origin.source, n)) {
            if let Some(node) = by_id.get(format!("ServerTasks-{n}").as_str()) {
                *out.entry(s.origin.source).or_default().entry(clean(node)).or_default() += 1;
            }
        }
    }
    for l in &facts.task_lines {
        if let Some(node) = by_desc.get(l.label.as_ref()) {
            *out.entry(l.origin.source).or_default().entry(clean(node)).or_default() += 1;
        }
    }
    out
}

fn name_of(
    group: &[usize],
    files: &[File],
    machines: &BTreeMap<u32, String>,
    linked: &BTreeMap<u32, BTreeMap<String, usize>>,
    task_nodes: &[String],
    streams: usize,
) -> (String, NodeBasis) {
    if let Some(n) = group.iter().find_map(|i| files[*i].named.clone()) {
        return (n, NodeBasis::NodeNameLine);
    }
    if let Some(m) = group.iter().rev().find_map(|i| machines.get(&files[*i].source)) {
        return (m.clone(), NodeBasis::MachineName);
    }
    let mut votes: BTreeMap<&str, usize> = BTreeMap::new();
    for i in group {
        for (node, n) in linked.get(&files[*i].source).into_iter().flatten() {
            *votes.entry(node).or_default() += n;
        }
    }
    if let Some((node, _)) =
        votes.into_iter().max_by_key(|(node, n)| (*n, std::cmp::Reverse(*node)))
    {
        return (node.to_string(), NodeBasis::TaskLogs);
    }
    if streams == 1 && task_nodes.len() == 1 {
        return (task_nodes[0].clone(), NodeBasis::OnlyStream);
    }
    let label = group.iter().find_map(|i| files[*i].folder.clone());
    (label.unwrap_or_else(|| "server log".into()), NodeBasis::FolderLabel)
}

/// HA: two streams logging at the same time, or two node names; with what it rests on.
fn verdict(
    streams: &[Stream],
    task_nodes: &[String],
    task_only: &[String],
    files: &[File],
) -> (bool, Vec<String>) {
    let mut rests = Vec::new();
    for (i, a) in streams.iter().enumerate() {
        for b in &streams[i + 1..] {
            let both = a.span.overlap_secs(&b.span);
            if both > ROTATION_OVERLAP_SECS {
                let (x, y) = (&a.name, &b.name);
                rests.push(format!(
                    "the server logs of {x} and {y} cover the same {}",
                    duration(both)
                ));
            }
        }
    }
    let named: BTreeSet<String> = streams
        .iter()
        .filter(|s| s.basis != NodeBasis::FolderLabel)
        .map(|s| s.name.to_lowercase())
        .chain(task_nodes.iter().map(|n| n.to_lowercase()))
        .collect();
    if named.len() >= 2 {
        let mut names: Vec<String> = streams.iter().map(|s| s.name.clone()).collect();
        names.extend(task_only.iter().cloned());
        rests.push(format!("the logs name {} nodes ({})", named.len(), names.join(", ")));
    }
    let ha = !rests.is_empty();
    if !task_only.is_empty() {
        let missing = task_only.join(", ");
        rests.push(format!("raw task logs name {missing}, whose server log is not in the bundle"));
    }
    if ha {
        (true, rests)
    } else {
        (false, single_basis(streams, files).into_iter().chain(rests).collect())
    }
}

/// What a single-node verdict rests on.
fn single_basis(streams: &[Stream], files: &[File]) -> Vec<String> {
    let mut rests: Vec<String> = streams
        .iter()
        .map(|s| {
            format!(
                "one server-log stream, {} ({} file(s) in sequence, named by {})",
                s.name,
                s.sources.len(),
                s.basis.describe()
            )
        })
        .collect();
    if streams.len() > 1 {
        rests.push(format!(
            "the {} streams never log at the same time and name no node: one node's logs collected in {} folders, or nodes that did not overlap",
            streams.len(),
            streams.len()
        ));
    }
    if files.is_empty() {
        rests.push("no server log".into());
    }
    rests
}
