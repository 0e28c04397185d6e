//! The scenario corpus: write it, or score `octodiag` on it.
//!
//! ```text
//! scenarios --out DIR [--per-kind N] [--seed S] [--kinds a,b,…]
//! scenarios score DIR [--octodiag PATH] [-j N]
//! ```
//!
//! Writing puts `DIR/<kind>-<seed>/…` bundles and `DIR/<kind>-<seed>.expected.json`
//! beside them. Scoring runs `octodiag analyze --format json` on every bundle
//! (default binary `target/release/octodiag`) and prints the accuracy table per
//! kind, then one line per failed bundle.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use octodiag_bench::scenario::{self, run, score, Kind};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = if args.first().map(String::as_str) == Some("score") {
        score_cmd(&args[1..])
    } else {
        write_cmd(&args)
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("scenarios: {e}");
            ExitCode::from(2)
        }
    }
}

fn flag(args: &[String], name: &str) -> Option<String> {
    args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).cloned()
}

fn number(args: &[String], name: &str, default: u64) -> Result<u64, String> {
    flag(args, name)
        .map_or(Ok(default), |v| v.parse().map_err(|_| format!("{name} takes a number, not {v:?}")))
}

fn write_cmd(args: &[String]) -> Result<(), String> {
    let out = flag(args, "--out").ok_or("usage: scenarios --out DIR [--per-kind N] [--seed S] [--kinds a,b] | scenarios score DIR [--octodiag PATH] [-j N]")?;
    let per_kind = number(args, "--per-kind", 17)?;
    let seed = number(args, "--seed", 1)?;
    let kinds = match flag(args, "--kinds") {
        None => Kind::ALL.to_vec(),
        Some(list) => list
            .split(',')
            .map(|k| Kind::parse(k.trim()).ok_or(format!("unknown kind {k:?}")))
            .collect::<Result<_, _>>()?,
    };
    let dir = Path::new(&out);
    let started = Instant::now();
    let corpus =
        scenario::write_corpus(dir, &kinds, per_kind, seed).map_err(|e| format!("{out}: {e}"))?;
    let bytes: u64 = corpus.iter().flat_map(|e| &e.files).map(|f| f.bytes).sum();
    let largest =
        corpus.iter().map(|e| e.files.iter().map(|f| f.bytes).sum::<u64>()).max().unwrap_or(0);
    println!(
        "{} bundles, {:.1} MB (largest {:.1} MB) in {:.2} s → {out}",
        corpus.len(),
        bytes as f64 / 1e6,
        largest as f64 / 1e6,
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

fn score_cmd(args: &[String]) -> Result<(), String> {
    let dir = args
        .first()
        .filter(|a| !a.starts_with('-'))
        .ok_or("usage: scenarios score DIR [--octodiag PATH] [-j N]")?;
    let bin = flag(args, "--octodiag")
        .map_or_else(|| PathBuf::from("target/release/octodiag"), PathBuf::from);
    if !bin.exists() {
        return Err(format!("{}: not found (build it with `cargo build --release -p octodiag`, or pass --octodiag PATH)", bin.display()));
    }
    let threads = number(args, "-j", 2)? as usize;
    let corpus = scenario::read_corpus(Path::new(dir)).map_err(|e| format!("{dir}: {e}"))?;
    if corpus.is_empty() {
        return Err(format!("{dir}: no *.expected.json (write a corpus with --out first)"));
    }
    let started = Instant::now();
    let verdicts = run::score_corpus(&bin, Path::new(dir), &corpus, threads);
    println!("{}", score::table(&verdicts));
    let failures = score::failures(&verdicts);
    if !failures.is_empty() {
        println!("Failures:\n{failures}");
    }
    println!("{} bundles scored in {:.1} s", verdicts.len(), started.elapsed().as_secs_f64());
    Ok(())
}
