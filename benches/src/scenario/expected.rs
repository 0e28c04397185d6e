//! What a right diagnosis of a bundle says, written beside the bundle as
//! `<kind>-<seed>.expected.json` (never inside it, so the tool cannot read it).

use std::io;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::clock::iso_ms_z;
use super::kinds::Kind;
use super::layout::Placed;
use super::timeline::Plan;
use super::traffic::HarEntry;
use super::variations::{Culture, Layout, Variations};

/// The incident's window.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Window {
    /// Start (UTC).
    pub start: String,
    /// End (UTC).
    pub end: String,
    /// The one node it happens on, if any.
    pub node: Option<String>,
}

/// The expected answers for one bundle, and every draw that made it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Expected {
    /// Kind.
    pub kind: Kind,
    /// Seed.
    pub seed: u64,
    /// Folder name of the bundle (`<kind>-<seed>`).
    pub bundle: String,
    /// Right values of `suspects[0].cause` (empty: no suspect may reach 0.5).
    pub causes: Vec<String>,
    /// Names `suspects[0].subject` must contain one of (empty: not checked).
    pub subject_any: Vec<String>,
    /// What `answers.ha_cluster` starts with: `HA cluster` or `single node`.
    pub ha_cluster: String,
    /// What `answers.unresponsive` starts with: `yes` or `no`.
    pub unresponsive: String,
    /// What `answers.recovered_without_restart` starts with.
    pub recovered_without_restart: String,
    /// The server's offset, `+10:00` form.
    pub server_utc_offset: String,
    /// Whether the bundle holds something to derive it from.
    pub offset_derivable: bool,
    /// What that is.
    pub offset_evidence: Vec<String>,
    /// The incident.
    pub incident: Option<Window>,
    /// Harmless things added to fool a tool.
    pub noise: Vec<String>,
    /// Every draw.
    pub variations: Variations,
    /// Files of the bundle.
    pub files: Vec<Placed>,
}

impl Expected {
    /// Builds the expectation of a generated plan.
    pub fn of(p: &Plan, seed: u64, har: &[HarEntry], files: Vec<Placed>) -> Expected {
        let kind = p.kind;
        let (derivable, evidence) = offset_evidence(p, har);
        Expected {
            kind,
            seed,
            bundle: super::bundle_name(kind, seed),
            causes: kind.causes().iter().map(|c| c.to_string()).collect(),
            subject_any: subjects(p),
            ha_cluster: if nodes_in_bundle(p, &files).len() > 1 {
                "HA cluster"
            } else {
                "single node"
            }
            .into(),
            unresponsive: if kind.is_hang() { "yes" } else { "no" }.into(),
            recovered_without_restart: match kind {
                Kind::HangRecover => "yes",
                Kind::HangRestart => "no",
                _ => "not applicable",
            }
            .into(),
            server_utc_offset: p.v.offset.clone(),
            offset_derivable: derivable,
            offset_evidence: evidence,
            incident: p.incident.as_ref().map(|i| Window {
                start: iso_ms_z(i.start),
                end: iso_ms_z(i.end),
                node: i.node.map(|n| p.nodes[n].name.clone()),
            }),
            noise: p.noise.clone(),
            variations: p.v.clone(),
            files,
        }
    }

    /// Writes `path` (pretty JSON).
    pub fn write(&self, path: &Path) -> io::Result<()> {
        let text = serde_json::to_string_pretty(self).map_err(io::Error::other)?;
        std::fs::write(path, text + "\n")
    }

    /// Reads `path`.
    pub fn read(path: &Path) -> io::Result<Expected> {
        let text = std::fs::read(path)?;
        serde_json::from_slice(&text).map_err(io::Error::other)
    }
}

/// Nodes the bundle shows: those with a server log, and those a raw task log
/// header names.
pub fn nodes_in_bundle(p: &Plan, files: &[Placed]) -> Vec<String> {
    let mut names: Vec<String> =
        files.iter().filter(|f| f.format == "server-log").filter_map(|f| f.node.clone()).collect();
    if p.v.raw_node_header {
        names.extend(p.tasks.iter().filter(|t| t.raw).map(|t| p.nodes[t.node].name.clone()));
    }
    names.sort();
    names.dedup();
    names
}

/// The project of a `project` bundle; the node of a one-node incident when the
/// bundle names it somewhere (its folder, a start-up banner, a raw log header).
fn subjects(p: &Plan) -> Vec<String> {
    let Some(i) = &p.incident else { return Vec::new() };
    if let Some(s) = &i.subject {
        return vec![s.clone()];
    }
    let Some(node) = i.node.filter(|_| p.kind.is_hang()) else { return Vec::new() };
    let named = p.v.layout == Layout::PerNode
        || p.startups.iter().any(|s| s.node == node && s.at >= p.start)
        || (p.v.raw_node_header && p.tasks.iter().any(|t| t.raw && t.node == node));
    if named {
        vec![p.nodes[node].name.clone()]
    } else {
        Vec::new()
    }
}

/// The offset can be derived from a task in both forms (raw header local, on-disk
/// UTC), a raw header that writes its offset, or HAR entries the server logged.
fn offset_evidence(p: &Plan, har: &[HarEntry]) -> (bool, Vec<String>) {
    let mut ev = Vec::new();
    let offset_in_header = p.v.raw_culture == Culture::WithOffset;
    if let Some(t) = p.tasks.iter().find(|t| t.raw && t.on_disk && !offset_in_header) {
        ev.push(format!("{} as raw and on-disk log", t.task_id()));
    }
    if let Some(t) = p.tasks.iter().find(|t| t.raw && offset_in_header) {
        ev.push(format!("{} raw header with offset", t.task_id()));
    }
    let matched = har.iter().filter(|h| h.logged).count();
    if matched >= 5 {
        ev.push(format!("{matched} HAR entries logged by the server"));
    }
    (!ev.is_empty(), ev)
}
