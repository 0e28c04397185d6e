//! Parses one HAR the way `octodiag` does (memory-mapped through the source
//! funnel) and prints counts, time and throughput; run it under
//! `/usr/bin/time -v` to read the peak memory.
//!
//! ```text
//! parse_har gen large|small|tiny:N PATH   write a generated HAR (once)
//! parse_har parse PATH                    parse it and report
//! ```

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;

use octodiag_bench::har_gen::{ensure_file, HarGenConfig};
use octodiag_parsers::{har, open_inputs, OpenOptions};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.iter().map(String::as_str).collect::<Vec<_>>()[..] {
        ["gen", preset, path] => generate(preset, Path::new(path)),
        ["parse", path] => parse(path),
        _ => Err("usage: parse_har gen large|small|tiny:N PATH | parse_har parse PATH".into()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("parse_har: {e}");
            ExitCode::from(2)
        }
    }
}

fn generate(preset: &str, path: &Path) -> Result<(), String> {
    let cfg = match preset {
        "large" => HarGenConfig::large(),
        "small" => HarGenConfig::small(),
        tiny => match tiny.strip_prefix("tiny:").and_then(|n| n.parse().ok()) {
            Some(n) => HarGenConfig::tiny(n),
            None => return Err(format!("unknown preset {preset}")),
        },
    };
    let stats = ensure_file(path, &cfg).map_err(|e| format!("{}: {e}", path.display()))?;
    let _ = writeln!(std::io::stdout(), "{stats:?}");
    Ok(())
}

fn parse(path: &str) -> Result<(), String> {
    let start = Instant::now();
    let sources = open_inputs(&[path.to_string()], &OpenOptions::default());
    let source = sources.first().ok_or("no input")?;
    if let Some(p) = source.problems.list.first() {
        return Err(format!("{path}: {}", p.reason));
    }
    let opened = start.elapsed();
    let parsed = har::parse(0, source);
    let took = start.elapsed();
    let bytes = source.bytes().len() as f64;
    let mut out = std::io::stdout().lock();
    let _ = writeln!(
        out,
        "{path}: {} bytes, {:?}, {} entries, {} events, {} problems; open {:.3}s, total {:.3}s, {:.0} MB/s",
        source.bytes().len(),
        source.access,
        parsed.entries,
        parsed.events.len(),
        parsed.problems.total(),
        opened.as_secs_f64(),
        took.as_secs_f64(),
        bytes / 1e6 / took.as_secs_f64()
    );
    let _ = writeln!(out, "{}", memory());
    drop(parsed);
    Ok(())
}

/// Peak and current resident memory from `/proc/self/status` (Linux): the
/// peak includes the mapped file's pages; `RssAnon` is the parser's own heap.
fn memory() -> String {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let pick = |key: &str| {
        status
            .lines()
            .find(|l| l.starts_with(key))
            .map_or("?".into(), |l| l[key.len()..].trim().to_string())
    };
    format!(
        "VmHWM {} (peak), RssAnon {}, RssFile {}",
        pick("VmHWM:"),
        pick("RssAnon:"),
        pick("RssFile:")
    )
}
