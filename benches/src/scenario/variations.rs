//! What varies from bundle to bundle, drawn from the seed and recorded in
//! `expected.json` (octopus.md §1–§3, har.md §4: the layouts, eras, clocks and
//! collection habits seen in the field).

use serde::{Deserialize, Serialize};

use super::clock::offset_text;
pub use super::clock::Culture;
use super::kinds::Kind;
use super::names::{self, NodeStyle};
use crate::rng::Rng;

/// Where the files sit in the bundle.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Layout {
    /// Everything directly in the bundle folder.
    Flat,
    /// `Logs/OctopusServer.txt`, `TaskLogs/…`.
    Logs,
    /// `<NODE>/Logs/OctopusServer.txt` per node, `TaskLogs/` shared.
    PerNode,
}

/// The server-log layout era (one per bundle, the same on every node).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Era {
    /// 3.x before 3.15: no PID column.
    #[serde(rename = "3.x")]
    V3,
    /// 3.15 to 2023: PID column, `Request took` lines.
    #[serde(rename = "3.15+")]
    V315,
    /// 2024+: `"HTTP" "GET" to …` request lines for every request.
    #[serde(rename = "2024+")]
    V2024,
}

/// Which Nevermore message names the SQL timing lines use (octopus.md §1.7.B).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum SqlFlavour {
    /// `Reader took … (… until the first record) in transaction '…'`, bare names.
    R1,
    /// `Execute reader took …`, `Component|id|Tn` names.
    R2,
}

/// How much the server logs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Verbosity {
    /// The default: INFO and above.
    Info,
    /// DEBUG/TRACE all day.
    AllDay,
    /// DEBUG/TRACE for about an hour, away from the incident.
    Hour,
}

/// How busy the portal is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Traffic {
    /// A few requests a minute by day, hours of silence at night.
    Sparse,
    /// Busy.
    Dense,
}

/// On-disk task log layout (octopus.md §3.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DiskForm {
    /// `servertasks-N_x.txt`.
    SingleFile,
    /// `servertasks-N_x/<random>.tl.txt` (2025.2+).
    Folder,
}

/// Which browser recorded the HAR (har.md §4).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum HarExporter {
    /// UTC `Z` times, fractional timings.
    Chrome,
    /// Local times with the user's offset, integer timings.
    Firefox,
}

/// Every draw of one bundle.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Variations {
    /// File layout.
    pub layout: Layout,
    /// Whether the bundle is one `.zip`.
    pub zipped: bool,
    /// The zip's top folder, if any.
    pub zip_top: Option<String>,
    /// The HAR sits beside the zip rather than in it.
    pub har_beside_zip: bool,
    /// Log era.
    pub era: Era,
    /// Server version.
    pub version: String,
    /// SQL message names.
    pub sql: SqlFlavour,
    /// Linux container (LF, PID 1/7, `Octopus.Server version`).
    pub container: bool,
    /// The cluster's nodes.
    pub nodes: Vec<String>,
    /// How many of them have a server log in the bundle (the first ones).
    pub collected_nodes: usize,
    /// Verbosity.
    pub verbosity: Verbosity,
    /// Days of server log (several: rotated archives).
    pub days: u32,
    /// CRLF line endings in server logs.
    pub crlf: bool,
    /// UTF-8 BOM at the start of server logs.
    pub bom: bool,
    /// The server's UTC offset in minutes.
    pub offset_min: i32,
    /// The same as text.
    pub offset: String,
    /// The last (incident) day, days since 1970-01-01 on the server's clock.
    pub day: i64,
    /// Traffic.
    pub traffic: Traffic,
    /// The HAR's exporter, when there is a HAR.
    pub har: Option<HarExporter>,
    /// Whether raw task logs were downloaded.
    pub raw_task_logs: bool,
    /// Their header date culture.
    pub raw_culture: Culture,
    /// Whether their header has `Server node:` (modern versions).
    pub raw_node_header: bool,
    /// Whether the TaskLogs folder was copied.
    pub on_disk_task_logs: bool,
    /// Its layout.
    pub disk_form: DiskForm,
}

const OFFSETS: &[i32] = &[-480, -420, -300, -180, 0, 60, 120, 330, 480, 570, 600];

/// Draws the variations of one bundle of `kind`.
pub fn draw(kind: Kind, rng: &mut Rng) -> Variations {
    let (era, version, sql) = era(rng);
    let container = era == Era::V2024 && rng.chance(0.35);
    let layout = *rng.pick(&[Layout::Flat, Layout::Logs, Layout::PerNode, Layout::PerNode]);
    let zipped = rng.chance(0.3);
    let raw_task_logs = kind == Kind::Concurrency || rng.chance(0.6);
    let raw_node_header = era == Era::V2024 || sql == SqlFlavour::R2;
    let (nodes, collected_nodes) =
        nodes(kind, layout, container, raw_task_logs && raw_node_header, rng);
    let verbosity = verbosity(kind, rng);
    let days =
        if verbosity == Verbosity::AllDay || rng.chance(0.55) { 1 } else { rng.range(2, 5) as u32 };
    // Linux containers usually run on UTC (octopus.md §1.5).
    let offset_min = if container && rng.chance(0.7) { 0 } else { *rng.pick(OFFSETS) };
    let har = (kind == Kind::Network || kind.is_hang() || rng.chance(0.4)).then(|| {
        if rng.chance(0.75) {
            HarExporter::Chrome
        } else {
            HarExporter::Firefox
        }
    });
    Variations {
        layout,
        zipped,
        zip_top: (zipped && rng.chance(0.5))
            .then(|| rng.pick(&["ServerLogs", "OctopusLogs", "support-bundle"]).to_string()),
        har_beside_zip: zipped && rng.chance(0.5),
        era,
        disk_form: disk_form(&version, rng),
        version,
        sql,
        container,
        nodes,
        collected_nodes,
        verbosity,
        days,
        crlf: !container && rng.chance(0.8),
        bom: rng.chance(0.2),
        offset_min,
        offset: offset_text(offset_min),
        day: 20_089 + rng.below(600) as i64,
        traffic: if rng.chance(0.5) { Traffic::Sparse } else { Traffic::Dense },
        har,
        raw_task_logs,
        raw_culture: culture(era, rng),
        raw_node_header,
        on_disk_task_logs: rng.chance(0.75),
    }
}

fn era(rng: &mut Rng) -> (Era, String, SqlFlavour) {
    match rng.below(3) {
        0 => (Era::V3, rng.pick(names::V3).to_string(), SqlFlavour::R1),
        1 if rng.chance(0.5) => (Era::V315, rng.pick(names::V315_R1).to_string(), SqlFlavour::R1),
        1 => (Era::V315, rng.pick(names::V315_R2).to_string(), SqlFlavour::R2),
        _ => (Era::V2024, rng.pick(names::V2024).to_string(), SqlFlavour::R2),
    }
}

/// Node names and how many logs were collected. A cluster whose bundle holds one
/// node's log (flat or `Logs/`) still names its second node in raw task logs.
fn nodes(
    kind: Kind,
    layout: Layout,
    container: bool,
    node_header: bool,
    rng: &mut Rng,
) -> (Vec<String>, usize) {
    let style = match (container, rng.chance(0.5)) {
        (true, true) => NodeStyle::ContainerHash,
        (true, false) => NodeStyle::StatefulSet,
        (false, true) => NodeStyle::Numbered,
        (false, false) => NodeStyle::Lettered,
    };
    let max = if kind == Kind::Concurrency { 2 } else { 3 };
    let n = match layout {
        Layout::PerNode => (*rng.pick(&[1, 2, 2, 3])).min(max),
        _ if node_header && rng.chance(0.2) => 2,
        _ => 1,
    };
    let collected = if layout == Layout::PerNode { n } else { 1 };
    (names::node_names(style, n, rng), collected)
}

fn verbosity(kind: Kind, rng: &mut Rng) -> Verbosity {
    match rng.below(10) {
        _ if kind == Kind::VerboseBurst => Verbosity::Info,
        0 => Verbosity::AllDay,
        1 | 2 => Verbosity::Hour,
        _ => Verbosity::Info,
    }
}

/// The folder form is the default from 2025.2 and a feature toggle from 2022.4.
fn disk_form(version: &str, rng: &mut Rng) -> DiskForm {
    let modern = version.starts_with("2025.2") || version.starts_with("2025.3");
    if (modern && rng.chance(0.8)) || (version.starts_with("2024") && rng.chance(0.1)) {
        DiskForm::Folder
    } else {
        DiskForm::SingleFile
    }
}

fn culture(era: Era, rng: &mut Rng) -> Culture {
    if era == Era::V2024 && rng.chance(0.5) {
        return Culture::WithOffset;
    }
    *rng.pick(&[Culture::EnAu, Culture::EnAu, Culture::EnUs, Culture::Nl, Culture::De])
}

impl Variations {
    /// Lines in PID eras carry a PID.
    pub fn has_pid(&self) -> bool {
        self.era != Era::V3
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn draws_respect_the_kind_and_the_era() {
        for seed in 0..300 {
            for kind in Kind::ALL {
                let v = draw(kind, &mut Rng::new(seed ^ kind.salt()));
                assert!(v.collected_nodes >= 1 && v.collected_nodes <= v.nodes.len());
                if v.layout != Layout::PerNode {
                    assert_eq!(v.collected_nodes, 1);
                }
                if v.collected_nodes < v.nodes.len() {
                    assert!(v.raw_task_logs && v.raw_node_header);
                }
                assert!(v.har.is_some() || !(kind == Kind::Network || kind.is_hang()));
                assert!(kind != Kind::Concurrency || (v.raw_task_logs && v.nodes.len() <= 2));
                assert!(kind != Kind::VerboseBurst || v.verbosity == Verbosity::Info);
                assert!(v.verbosity != Verbosity::AllDay || v.days == 1);
                assert!(v.disk_form == DiskForm::SingleFile || v.version.starts_with("202"));
                assert!(!(v.container && v.crlf));
                assert!(v.sql == SqlFlavour::R2 || v.era != Era::V2024);
            }
        }
    }

    #[test]
    fn same_seed_same_draw() {
        let a = draw(Kind::Retention, &mut Rng::new(9));
        assert_eq!(a, draw(Kind::Retention, &mut Rng::new(9)));
        assert_eq!(a.offset, offset_text(a.offset_min));
    }
}
