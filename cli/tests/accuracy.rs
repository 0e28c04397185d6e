//! The randomised scenario corpus (`octodiag-bench`'s `scenario` module): 12
//! kinds × 18 seeds of bundles nobody tuned the detectors for, each drawn across
//! layouts, log eras, node counts, verbosity, rotation, line endings, clock
//! offsets and collection habits.
//!
//! * `the_corpus_is_well_formed` (always run): every bundle is written,
//!   `octodiag inputs` reads every file of it without a problem, and each
//!   expectation agrees with its own draws and with the files on disk.
//! * `accuracy_targets_per_kind`: runs
//!   `octodiag analyze` on every bundle, prints the accuracy table (see it with
//!   `--nocapture`) and asserts per kind: top-1 right ≥ 95 %, questionnaire
//!   right ≥ 95 %, and nothing ≥ 0.5 on `none`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use octodiag_bench::scenario::{self, run, score, Expected, Kind};
use serde_json::Value;

/// Seeds per kind (12 kinds × 18 = 216 bundles).
const SEEDS: u64 = 18;
/// Seeds per kind of the corpus check (the first seeds of the same corpus).
const CHECK_SEEDS: u64 = 4;
/// The first seed.
const FIRST_SEED: u64 = 1;
/// Worker threads running the binary (the machine has 2 cores).
const THREADS: usize = 2;

fn octodiag() -> &'static Path {
    Path::new(env!("CARGO_BIN_EXE_octodiag"))
}

/// Writes the corpus of `seeds` seeds per kind into a fresh folder under
/// cargo's per-target temporary folder; returns it and how long it took.
fn corpus(name: &str, seeds: u64) -> (PathBuf, Vec<Expected>, f64) {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    let started = Instant::now();
    let corpus =
        scenario::write_corpus(&dir, &Kind::ALL, seeds, FIRST_SEED).expect("corpus written");
    assert_eq!(corpus.len(), Kind::ALL.len() * seeds as usize);
    (dir, corpus, started.elapsed().as_secs_f64())
}

#[test]
fn accuracy_targets_per_kind() {
    let (dir, corpus, written) = corpus("scenario-corpus", SEEDS);
    let started = Instant::now();
    let verdicts = run::score_corpus(octodiag(), &dir, &corpus, THREADS);
    println!("{}", score::table(&verdicts));
    println!("{}", score::failures(&verdicts));
    println!(
        "{} bundles: written in {written:.1} s, analysed in {:.1} s",
        verdicts.len(),
        started.elapsed().as_secs_f64()
    );
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(verdicts.len(), corpus.len(), "every bundle scored");
    let errors: Vec<String> = verdicts
        .iter()
        .filter_map(|v| v.error.as_ref().map(|e| format!("{}: {e}", v.bundle)))
        .collect();
    assert!(errors.is_empty(), "analyze failed on:\n{}", errors.join("\n"));
    let mut misses = Vec::new();
    for (kind, s) in score::stats(&verdicts) {
        if s.top1_share() < 0.95 {
            misses.push(format!("{}: top-1 right {}/{}", kind.name(), s.top1, s.bundles));
        }
        if s.questionnaire_share() < 0.95 {
            misses.push(format!(
                "{}: questionnaire right {}/{}",
                kind.name(),
                s.questionnaire,
                s.bundles
            ));
        }
        if s.none_clean.0 != s.none_clean.1 {
            misses.push(format!(
                "{}: something ≥ 0.5 on {} of {}",
                kind.name(),
                s.none_clean.1 - s.none_clean.0,
                s.none_clean.1
            ));
        }
    }
    assert!(misses.is_empty(), "accuracy targets missed:\n{}", misses.join("\n"));
}

#[test]
fn the_corpus_is_well_formed() {
    let (dir, corpus, _) = corpus("scenario-corpus-check", CHECK_SEEDS);
    for e in &corpus {
        consistent(e, &dir);
    }
    let root = dir.as_path();
    let failures: Vec<String> = std::thread::scope(|s| {
        let chunks: Vec<&[Expected]> = corpus.chunks(corpus.len().div_ceil(THREADS)).collect();
        let handles: Vec<_> = chunks
            .into_iter()
            .map(|chunk| {
                s.spawn(move || {
                    chunk.iter().filter_map(|e| read_back(e, root).err()).collect::<Vec<_>>()
                })
            })
            .collect();
        handles.into_iter().flat_map(|h| h.join().unwrap()).collect()
    });
    assert!(
        failures.is_empty(),
        "{} bundles not read cleanly:\n{}",
        failures.len(),
        failures.join("\n")
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// The expectation agrees with its draws and with the files on disk.
fn consistent(e: &Expected, dir: &Path) {
    let v = &e.variations;
    let name = &e.bundle;
    assert_eq!(name, &format!("{}-{}", e.kind.name(), e.seed));
    assert!(dir.join(name).is_dir() && !dir.join(name).join("expected.json").exists(), "{name}");
    assert_eq!(e.causes, e.kind.causes(), "{name}");
    assert_eq!(
        e.ha_cluster,
        if v.nodes.len() > 1 { "HA cluster" } else { "single node" },
        "{name}"
    );
    assert_eq!(e.unresponsive, if e.kind.is_hang() { "yes" } else { "no" }, "{name}");
    let recovered = match e.kind {
        Kind::HangRecover => "yes",
        Kind::HangRestart => "no",
        _ => "not applicable",
    };
    assert_eq!(e.recovered_without_restart, recovered, "{name}");
    assert_eq!(e.server_utc_offset, v.offset, "{name}");
    assert_eq!(e.offset_derivable, !e.offset_evidence.is_empty(), "{name}");
    assert_eq!(e.incident.is_some(), e.kind != Kind::None, "{name}");
    for s in &e.subject_any {
        assert!(v.nodes.contains(s) || e.kind == Kind::Project, "{name}: subject {s}");
    }
    assert!(e.kind != Kind::Project || e.subject_any.len() == 1, "{name}");
    let logs = e.files.iter().filter(|f| f.format == "server-log").count();
    assert!(
        logs >= v.collected_nodes && logs <= v.collected_nodes * v.days as usize,
        "{name}: {logs} server logs"
    );
    assert_eq!(
        e.files.iter().filter(|f| f.format == "har").count(),
        usize::from(v.har.is_some()),
        "{name}"
    );
    for f in &e.files {
        let on_disk = f.path.split("!/").next().unwrap_or(&f.path);
        assert!(dir.join(name).join(on_disk).is_file(), "{name}: {} missing", f.path);
    }
}

/// `octodiag inputs` reads every file of the bundle, each in the format it was written in.
fn read_back(e: &Expected, dir: &Path) -> Result<(), String> {
    let bundle = dir.join(&e.bundle);
    let out = Command::new(octodiag())
        .args(["inputs", "--format", "json"])
        .arg(&bundle)
        .output()
        .map_err(|err| format!("{}: {err}", e.bundle))?;
    if out.status.code() != Some(0) {
        let why = String::from_utf8_lossy(&out.stderr);
        return Err(format!(
            "{}: exit {:?}: {}",
            e.bundle,
            out.status.code(),
            why.lines().take(3).collect::<Vec<_>>().join(" / ")
        ));
    }
    let report: Value =
        serde_json::from_slice(&out.stdout).map_err(|err| format!("{}: {err}", e.bundle))?;
    let inputs = report["inputs"].as_array().cloned().unwrap_or_default();
    let mut read: BTreeMap<String, usize> = BTreeMap::new();
    for i in &inputs {
        *read.entry(i["format"].as_str().unwrap_or("?").to_string()).or_default() += 1;
        if i["entries"].as_u64().unwrap_or(0) == 0 {
            return Err(format!("{}: {} has no entries", e.bundle, i["path"]));
        }
    }
    let mut written: BTreeMap<String, usize> = BTreeMap::new();
    for f in &e.files {
        *written.entry(f.format.clone()).or_default() += 1;
    }
    if read != written {
        return Err(format!("{}: wrote {written:?}, read {read:?}", e.bundle));
    }
    Ok(())
}
