//! Where the files go: flat, `Logs/` + `TaskLogs/`, per-node folders, and any
//! of those in one `.zip` (perhaps under a top folder, perhaps with the HAR
//! beside it); rotated archives `OctopusServer.N.txt`, some gzipped; CRLF and
//! BOM as drawn.

use std::fs;
use std::io::{self, Write};
use std::path::Path;

use flate2::write::GzEncoder;
use serde::{Deserialize, Serialize};

use super::server_log::DayLog;
use super::task_logs::TaskFile;
use super::timeline::Plan;
use super::variations::Layout;
use crate::rng::Rng;

/// One file of the bundle, for the manifest in `expected.json`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Placed {
    /// Path inside the bundle (`x.zip!/member` for zip members).
    pub path: String,
    /// `server-log`, `task-log-json`, `task-log-text` or `har`.
    pub format: String,
    /// The node of a server log.
    pub node: Option<String>,
    /// Bytes as stored (compressed for `.gz`).
    pub bytes: u64,
}

struct File {
    rel: String,
    data: Vec<u8>,
    format: &'static str,
    node: Option<String>,
    har: bool,
}

/// Everything to write.
pub struct Contents {
    /// Per node (collected nodes only), its day files.
    pub logs: Vec<Vec<DayLog>>,
    /// Task logs.
    pub tasks: Vec<TaskFile>,
    /// The HAR text.
    pub har: Option<String>,
}

/// Writes the bundle into `out` and lists what it wrote.
pub fn place(p: &Plan, c: Contents, rng: &mut Rng, out: &Path) -> io::Result<Vec<Placed>> {
    let mut files = server_logs(p, c.logs, rng)?;
    files.extend(task_files(p, c.tasks, rng));
    if let Some(text) = c.har {
        let dir = if rng.chance(0.5) { "" } else { "browser/" };
        let name = rng.pick(&["octopus.har", "dashboard-slow.har", "recording.har", "portal.har"]);
        files.push(File {
            rel: format!("{dir}{name}"),
            data: text.into_bytes(),
            format: "har",
            node: None,
            har: true,
        });
    }
    fs::create_dir_all(out)?;
    if p.v.zipped {
        write_zipped(p, files, out)
    } else {
        files.into_iter().map(|f| write_plain(f, out)).collect()
    }
}

fn server_logs(p: &Plan, logs: Vec<Vec<DayLog>>, rng: &mut Rng) -> io::Result<Vec<File>> {
    let last = p.v.days - 1;
    let mut files = Vec::new();
    for (node, days) in logs.into_iter().enumerate() {
        let name = p.nodes[node].name.clone();
        let dir = match p.v.layout {
            Layout::Flat => String::new(),
            Layout::Logs => "Logs/".into(),
            Layout::PerNode => format!("{name}/Logs/"),
        };
        for d in days {
            let mut data = if p.v.bom { b"\xEF\xBB\xBF".to_vec() } else { Vec::new() };
            data.extend_from_slice(&line_endings(d.text, p.v.crlf).into_bytes());
            let mut rel = match last - d.day {
                0 => format!("{dir}OctopusServer.txt"),
                k => format!("{dir}OctopusServer.{}.txt", k - 1),
            };
            if last - d.day >= 2 && rng.chance(0.6) {
                data = gzip(&data)?;
                rel.push_str(".gz");
            }
            files.push(File {
                rel,
                data,
                format: "server-log",
                node: Some(name.clone()),
                har: false,
            });
        }
    }
    Ok(files)
}

fn task_files(p: &Plan, tasks: Vec<TaskFile>, rng: &mut Rng) -> Vec<File> {
    let disk_dir = if p.v.layout == Layout::Flat { "" } else { "TaskLogs/" };
    let raw_dir = match p.v.layout {
        Layout::Flat => "",
        _ if rng.chance(0.5) => "raw/",
        _ => "",
    };
    let crlf = rng.chance(0.5);
    tasks
        .into_iter()
        .map(|t| {
            let (rel, format, text) = if t.raw {
                (format!("{raw_dir}{}", t.name), "task-log-text", line_endings(t.text, crlf))
            } else {
                (format!("{disk_dir}{}", t.name), "task-log-json", t.text)
            };
            File { rel, data: text.into_bytes(), format, node: None, har: false }
        })
        .collect()
}

fn line_endings(text: String, crlf: bool) -> String {
    if crlf {
        text.replace('\n', "\r\n")
    } else {
        text
    }
}

fn gzip(data: &[u8]) -> io::Result<Vec<u8>> {
    let mut e = GzEncoder::new(Vec::with_capacity(data.len() / 6), flate2::Compression::fast());
    e.write_all(data)?;
    e.finish()
}

fn placed(f: &File, path: String) -> Placed {
    Placed { path, format: f.format.to_string(), node: f.node.clone(), bytes: f.data.len() as u64 }
}

fn write_plain(f: File, out: &Path) -> io::Result<Placed> {
    let path = out.join(&f.rel);
    if let Some(dir) = path.parent() {
        fs::create_dir_all(dir)?;
    }
    fs::write(&path, &f.data)?;
    Ok(placed(&f, f.rel.clone()))
}

fn write_zipped(p: &Plan, files: Vec<File>, out: &Path) -> io::Result<Vec<Placed>> {
    let top = p.v.zip_top.clone();
    let zip_name = format!("{}.zip", top.as_deref().unwrap_or("octopus-logs"));
    let mut w = zip::ZipWriter::new(fs::File::create(out.join(&zip_name))?);
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .compression_level(Some(1));
    let mut list = Vec::new();
    for f in files {
        if f.har && p.v.har_beside_zip {
            list.push(write_plain(f, out)?);
            continue;
        }
        let member = match &top {
            Some(t) => format!("{t}/{}", f.rel),
            None => f.rel.clone(),
        };
        w.start_file(member.as_str(), opts).map_err(io::Error::other)?;
        w.write_all(&f.data)?;
        list.push(placed(&f, format!("{zip_name}!/{member}")));
    }
    w.finish().map_err(io::Error::other)?;
    Ok(list)
}
