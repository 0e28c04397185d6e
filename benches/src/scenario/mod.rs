//! A randomised corpus of support bundles, each with what a right diagnosis
//! says, for measuring `octodiag analyze` on data nobody tuned it for.
//!
//! A bundle is drawn from `(kind, seed)`: [`variations`] draws what differs
//! between real bundles (layout, log era, nodes, verbosity, days and
//! rotation, line endings, clock offset, which logs were collected);
//! [`timeline`] lays out a normal day of recurring tasks and deployments;
//! [`incidents`] adds the kind's incident and harmless look-alikes; then
//! [`traffic`], [`server_log`], [`task_logs`] and [`har`] write the files a
//! server, its task-log folder and a browser would hold, and [`layout`] puts
//! them in folders or a zip. The incident shows only the way it would in real
//! files: durations, status codes, SQL timings, task-log times, silence.
//! [`expected`] records every draw and the right answers, beside the bundle.
//!
//! ```text
//! (kind, seed) ─► variations ─► timeline + incidents ─► traffic ─┬─► server_log ─┐
//!                                                                ├─► task_logs ──┼─► layout ─► DIR/<kind>-<seed>/
//!                                                                └─► har ────────┘   expected ─► DIR/<kind>-<seed>.expected.json
//! ```

pub mod clock;
pub mod expected;
pub mod har;
pub mod incidents;
pub mod kinds;
pub mod layout;
pub mod messages;
pub mod names;
pub mod run;
pub mod score;
pub mod server_log;
pub mod task_logs;
pub mod timeline;
pub mod traffic;
pub mod variations;

use std::io;
use std::path::{Path, PathBuf};

pub use expected::Expected;
pub use kinds::Kind;

use crate::rng::Rng;

/// `<kind>-<seed>`, the bundle's folder name.
pub fn bundle_name(kind: Kind, seed: u64) -> String {
    format!("{}-{seed}", kind.name())
}

/// Writes the bundle of `(kind, seed)` into the folder `out` and returns what a
/// right diagnosis says. The same arguments always write the same bytes.
///
/// # Errors
///
/// Only those of writing the files.
pub fn generate(kind: Kind, seed: u64, out: &Path) -> io::Result<Expected> {
    let mut rng = Rng::new(seed ^ kind.salt());
    let v = variations::draw(kind, &mut rng);
    let mut plan = timeline::Plan::base(kind, v, &mut rng);
    incidents::inject(&mut plan, &mut rng);
    plan.finish(&mut rng);
    let requests = traffic::generate(&plan, &mut rng);
    let logs = (0..plan.v.collected_nodes)
        .map(|n| server_log::render(&plan, n, &requests.per_node[n], &mut rng))
        .collect();
    let tasks = task_logs::render(&plan);
    let har = plan.har.as_ref().map(|_| har::render(&plan, &requests.har));
    let contents = layout::Contents { logs, tasks, har };
    let files = layout::place(&plan, contents, &mut rng, out)?;
    Ok(Expected::of(&plan, seed, &requests.har, files))
}

/// The path of a bundle's expectation: beside the bundle, not in it.
pub fn expected_path(dir: &Path, kind: Kind, seed: u64) -> PathBuf {
    dir.join(format!("{}.expected.json", bundle_name(kind, seed)))
}

/// Writes `per_kind` bundles of each of `kinds` (seeds `seed`, `seed + 1`, …)
/// into `dir`, each with its expectation beside it, in parallel.
///
/// # Errors
///
/// The first write that failed.
pub fn write_corpus(
    dir: &Path,
    kinds: &[Kind],
    per_kind: u64,
    seed: u64,
) -> io::Result<Vec<Expected>> {
    use rayon::prelude::*;
    let jobs: Vec<(Kind, u64)> =
        kinds.iter().flat_map(|k| (seed..seed + per_kind).map(move |s| (*k, s))).collect();
    jobs.par_iter()
        .map(|(k, s)| {
            let e = generate(*k, *s, &dir.join(bundle_name(*k, *s)))?;
            e.write(&expected_path(dir, *k, *s))?;
            Ok(e)
        })
        .collect()
}

/// Reads every `*.expected.json` in `dir`, in name order.
///
/// # Errors
///
/// When the folder or a file cannot be read.
pub fn read_corpus(dir: &Path) -> io::Result<Vec<Expected>> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.to_string_lossy().ends_with(".expected.json"))
        .collect();
    paths.sort();
    paths.iter().map(|p| Expected::read(p)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree(dir: &Path) -> Vec<(String, Vec<u8>)> {
        let mut out = Vec::new();
        let mut stack = vec![dir.to_path_buf()];
        while let Some(d) = stack.pop() {
            for e in std::fs::read_dir(&d).unwrap() {
                let p = e.unwrap().path();
                if p.is_dir() {
                    stack.push(p);
                } else {
                    out.push((
                        p.strip_prefix(dir).unwrap().display().to_string(),
                        std::fs::read(&p).unwrap(),
                    ));
                }
            }
        }
        out.sort();
        out
    }

    #[test]
    fn same_seed_same_bundle_and_expectation() {
        let base = std::env::temp_dir().join(format!("octodiag-scenario-{}", std::process::id()));
        for kind in [Kind::Retention, Kind::HangRecover] {
            let (a, b) = (base.join("a"), base.join("b"));
            let ea = generate(kind, 7, &a).unwrap();
            let eb = generate(kind, 7, &b).unwrap();
            assert_eq!(ea, eb);
            assert_eq!(tree(&a), tree(&b));
            assert!(!tree(&a).is_empty());
            let _ = std::fs::remove_dir_all(&base);
        }
    }

    #[test]
    fn a_corpus_round_trips_its_expectations() {
        let dir = std::env::temp_dir().join(format!("octodiag-corpus-{}", std::process::id()));
        let written = write_corpus(&dir, &[Kind::None, Kind::Network], 2, 40).unwrap();
        let read = read_corpus(&dir).unwrap();
        assert_eq!(read.len(), 4);
        for e in &written {
            assert!(read.contains(e));
            assert!(dir.join(&e.bundle).is_dir());
            assert!(!dir.join(&e.bundle).join("expected.json").exists());
        }
        let _ = std::fs::remove_dir_all(&dir);
    }
}
