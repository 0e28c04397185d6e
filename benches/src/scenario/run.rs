//! Runs the real `octodiag` on every bundle of a corpus, a few at a time, and
//! scores each report.

use std::path::Path;
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use serde_json::Value;

use super::expected::Expected;
use super::score::{score, Verdict};

/// `octodiag analyze --format json BUNDLE`: the report, or why there is none.
/// Exit code 1 (finished, some inputs had problems) still yields a report.
pub fn analyze(octodiag: &Path, bundle: &Path) -> Result<Value, String> {
    let out = Command::new(octodiag)
        .args(["analyze", "--format", "json"])
        .arg(bundle)
        .output()
        .map_err(|e| format!("{}: {e}", octodiag.display()))?;
    if !matches!(out.status.code(), Some(0 | 1)) {
        let err = String::from_utf8_lossy(&out.stderr);
        return Err(format!("exit {:?}: {}", out.status.code(), err.lines().next().unwrap_or("")));
    }
    serde_json::from_slice(&out.stdout).map_err(|e| format!("bad JSON: {e}"))
}

/// Scores every bundle of `dir` on `threads` workers; verdicts in the order of
/// `corpus`. A bundle the tool failed on is scored wrong on every count.
pub fn score_corpus(
    octodiag: &Path,
    dir: &Path,
    corpus: &[Expected],
    threads: usize,
) -> Vec<Verdict> {
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<Verdict>>> = Mutex::new(vec![None; corpus.len()]);
    std::thread::scope(|s| {
        for _ in 0..threads.max(1) {
            s.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(e) = corpus.get(i) else { break };
                let report = analyze(octodiag, &dir.join(&e.bundle));
                let mut v = score(e, report.as_ref().unwrap_or(&Value::Null));
                v.error = report.err();
                if let Ok(mut r) = results.lock() {
                    r[i] = Some(v);
                }
            });
        }
    });
    results.into_inner().unwrap_or_default().into_iter().flatten().collect()
}
