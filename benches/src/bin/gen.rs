//! `gen --out DIR --size 1GiB --seed N [--kind bundle|server-log|verbose-log|w3c|iis|nginx|ingress-nginx|haproxy|traefik|docker-server-log|cri-server-log|otel|pdh-csv|sadf|prometheus|speedscope]`
//!
//! Writes deterministic, realistic inputs for benchmarks. `bundle` (the default)
//! writes server logs of two nodes in both layouts (normal and verbose), a
//! rotated `.gz` archive, task logs and a HAR file, in the proportions of a real
//! support bundle; `server-log` writes one normal server log of the given size
//! to `DIR/OctopusServer.0.txt`; `verbose-log` one verbose log. The request-log
//! kinds write one log of that producer (`access_gen`); `docker-server-log` and
//! `cri-server-log` a server log of the given size (clock UTC+10:00) in Docker's
//! `json-file` or the CRI framing (`container_gen`).
//! The telemetry kinds write one file each (`traces.jsonl`, `perfmon.csv`,
//! `sadf.txt`, `prometheus.json`, `trace.speedscope.json`) and print what it holds.

use std::fs::{self, File};
use std::io::{BufWriter, Write};
use std::path::Path;
use std::process::ExitCode;

use octodiag_bench::access_gen::{self, Kind};
use octodiag_bench::container_gen::{self, Framing, WrapSpec};
use octodiag_bench::har_gen::{ensure_file, HarGenConfig};
use octodiag_bench::server_gen::{write_server_log, Counts, Layout, ServerLogSpec};
use octodiag_bench::task_gen;

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("gen: {e}");
            ExitCode::from(2)
        }
    }
}

fn run() -> Result<(), String> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let get =
        |flag: &str| args.iter().position(|a| a == flag).and_then(|i| args.get(i + 1)).cloned();
    let out = get("--out").ok_or("--out DIR is required")?;
    let size = parse_size(&get("--size").unwrap_or_else(|| "100MiB".into()))?;
    let seed: u64 =
        get("--seed").unwrap_or_else(|| "1".into()).parse().map_err(|_| "--seed takes a number")?;
    let kind = get("--kind").unwrap_or_else(|| "bundle".into());
    let dir = Path::new(&out);
    fs::create_dir_all(dir).map_err(|e| format!("{out}: {e}"))?;
    match kind.as_str() {
        "server-log" => report(
            "OctopusServer.0.txt",
            server_log(
                &dir.join("OctopusServer.0.txt"),
                size,
                seed,
                Layout::WithPid,
                false,
                false,
            )?,
        ),
        "verbose-log" => report(
            "OctopusServer.1.txt",
            server_log(&dir.join("OctopusServer.1.txt"), size, seed, Layout::WithPid, true, false)?,
        ),
        "bundle" => bundle(dir, size, seed)?,
        "otel" | "pdh-csv" | "sadf" | "prometheus" | "speedscope" => {
            telemetry(dir, &kind, size, seed)?
        }
        "docker-server-log" => wrapped(dir, size, seed, Framing::Docker)?,
        "cri-server-log" => wrapped(dir, size, seed, Framing::Cri)?,
        other => match Kind::ALL.into_iter().find(|k| k.names().0 == other) {
            Some(kind) => request_log(dir, size, seed, kind)?,
            None => return Err(format!("unknown --kind {other}")),
        },
    }
    Ok(())
}

fn bundle(dir: &Path, size: u64, seed: u64) -> Result<(), String> {
    let n1 = dir.join("OCTO-NODE1/Logs");
    let n2 = dir.join("OCTO-NODE2/Logs");
    fs::create_dir_all(&n1).map_err(|e| e.to_string())?;
    fs::create_dir_all(&n2).map_err(|e| e.to_string())?;
    report(
        "node1 current",
        server_log(&n1.join("OctopusServer.txt"), size / 2, seed, Layout::WithPid, false, false)?,
    );
    report(
        "node1 archive",
        server_log(
            &n1.join("OctopusServer.0.txt.gz"),
            size / 5,
            seed + 1,
            Layout::WithPid,
            false,
            true,
        )?,
    );
    report(
        "node2 verbose",
        server_log(
            &n2.join("OctopusServer.txt"),
            size * 3 / 10,
            seed + 2,
            Layout::NoPid,
            true,
            false,
        )?,
    );
    other_inputs(dir, size, seed)
}

/// Task logs of both kinds and a browser recording, about a tenth of the bundle.
fn other_inputs(dir: &Path, size: u64, seed: u64) -> Result<(), String> {
    let task_bytes = (size / 40).max(1 << 20) as usize;
    let tasks = dir.join("TaskLogs");
    fs::create_dir_all(&tasks).map_err(|e| e.to_string())?;
    for (name, g) in [
        ("on-disk task log", task_gen::on_disk(task_bytes)),
        ("raw task log", task_gen::raw_text(task_bytes)),
    ] {
        fs::write(tasks.join(g.file_name), &g.bytes).map_err(|e| e.to_string())?;
        println!(
            "{name}: {} bytes, {} lines, {} entries",
            g.bytes.len(),
            g.expected.lines,
            g.expected.entries
        );
    }
    let entries = ((size / 20) / 45_000).clamp(50, 6_000) as usize;
    let cfg = HarGenConfig { entries, bodies: true, seed };
    let stats = ensure_file(&dir.join("browser.har"), &cfg).map_err(|e| e.to_string())?;
    println!("HAR: {} bytes, {} entries", stats.bytes, stats.entries);
    Ok(())
}

fn server_log(
    path: &Path,
    bytes: u64,
    seed: u64,
    layout: Layout,
    verbose: bool,
    gz: bool,
) -> Result<Counts, String> {
    let spec = ServerLogSpec { bytes, seed, layout, verbose, start_epoch_s: 1_793_000_000 };
    let file = File::create(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let w = BufWriter::with_capacity(1 << 20, file);
    let counts = if gz {
        let mut enc = flate2::write::GzEncoder::new(w, flate2::Compression::fast());
        let c = write_server_log(&spec, &mut enc).map_err(|e| e.to_string())?;
        enc.finish().map_err(|e| e.to_string())?.flush().map_err(|e| e.to_string())?;
        c
    } else {
        let mut w = w;
        let c = write_server_log(&spec, &mut w).map_err(|e| e.to_string())?;
        w.flush().map_err(|e| e.to_string())?;
        c
    };
    Ok(counts)
}

fn request_log(dir: &Path, size: u64, seed: u64, kind: Kind) -> Result<(), String> {
    let (_, file) = kind.names();
    let path = dir.join(file);
    let f = File::create(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut w = BufWriter::with_capacity(1 << 20, f);
    let c = access_gen::write_log(kind, size, seed, 1_793_000_000, &mut w)
        .map_err(|e| e.to_string())?;
    w.flush().map_err(|e| e.to_string())?;
    println!(
        "{file}: {} bytes, {} lines, {} requests ({} slow), {} other lines",
        c.bytes, c.lines, c.requests, c.slow, c.other
    );
    Ok(())
}

fn wrapped(dir: &Path, size: u64, seed: u64, framing: Framing) -> Result<(), String> {
    let file = match framing {
        Framing::Docker => "octopus-server-json.log",
        Framing::Cri => "0.log",
    };
    let path = dir.join(file);
    let spec = ServerLogSpec {
        bytes: size,
        seed,
        layout: Layout::WithPid,
        verbose: false,
        start_epoch_s: 1_793_000_000,
    };
    let wrap = WrapSpec { framing, offset_minutes: 600, piece: container_gen::PIECE };
    let f = File::create(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut out = BufWriter::with_capacity(1 << 20, f);
    let w = container_gen::write_wrapped(&spec, wrap, &mut out).map_err(|e| e.to_string())?;
    out.flush().map_err(|e| e.to_string())?;
    println!(
        "{file}: {} bytes, {} records ({} split lines); inside: {} lines, {} entries, {} requests",
        w.bytes, w.records, w.split_lines, w.log.lines, w.log.entries, w.log.requests
    );
    Ok(())
}

fn telemetry(dir: &Path, kind: &str, size: u64, seed: u64) -> Result<(), String> {
    use octodiag_bench::telemetry_gen as t;
    let size = size as usize;
    let (name, g) = match kind {
        "otel" => ("traces.jsonl", t::otel(size, seed)),
        "pdh-csv" => ("perfmon.csv", t::pdh_csv(size, seed)),
        "sadf" => ("sadf.txt", t::sadf(size, seed)),
        "prometheus" => ("prometheus.json", t::prometheus(size, seed)),
        _ => ("trace.speedscope.json", t::speedscope(size, seed)),
    };
    fs::write(dir.join(name), &g.bytes).map_err(|e| e.to_string())?;
    println!(
        "{name}: {} bytes, {} lines, {} entries, {} sql/series/threads, {} requests/blank/frames, {} tasks",
        g.bytes.len(),
        g.lines,
        g.entries,
        g.sql_or_series,
        g.requests_or_blank,
        g.tasks
    );
    Ok(())
}

fn report(what: &str, c: Counts) {
    println!(
        "{what}: {} bytes, {} lines, {} entries, {} requests, {} sql",
        c.bytes, c.lines, c.entries, c.requests, c.sql
    );
}

fn parse_size(s: &str) -> Result<u64, String> {
    let t = s.trim();
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let n: u64 = t[..split].parse().map_err(|_| format!("bad size {s}"))?;
    let mult = match t[split..].to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "kib" | "k" => 1 << 10,
        "mib" | "m" => 1 << 20,
        "gib" | "g" => 1 << 30,
        "mb" => 1_000_000,
        "gb" => 1_000_000_000,
        u => return Err(format!("unknown unit {u}")),
    };
    Ok(n * mult)
}
