//! Whole reports pinned as snapshots (`insta`): every command's output on the
//! bundled sample and on each fixed scenario. A refactor must leave them
//! byte-identical; an intended change of output is reviewed with
//! `cargo insta review` (or `INSTA_UPDATE=always`) and committed with it.

mod util;

use util::*;

const INPUTS: &[&str] = &[
    "testdata/bundle",
    "testdata/scenarios/crash-restart",
    "testdata/scenarios/health-check",
    "testdata/scenarios/network",
    "testdata/scenarios/project",
    "testdata/scenarios/quiet-day",
    "testdata/scenarios/retention",
    "testdata/scenarios/sql-pool",
    "testdata/scenarios/task-queue",
];

/// The snapshot name of an input folder: `bundle`, `scenarios-retention`…
fn name_of(path: &str) -> String {
    path.trim_start_matches("testdata/").replace('/', "-")
}

/// Stdout of `octodiag ARGS PATH`, which must finish (exit 0 or 1).
fn output_of(args: &[&str], path: &str) -> String {
    let mut all = args.to_vec();
    all.push(path);
    let out = octodiag(&all);
    assert!(out.status.code().is_some_and(|c| c <= 1), "{all:?}: {}", stderr(&out));
    String::from_utf8(out.stdout).expect("UTF-8 output")
}

fn pin(command: &str, args: &[&str]) {
    for path in INPUTS {
        let text = output_of(args, path);
        insta::assert_snapshot!(format!("{command}-{}", name_of(path)), text);
    }
}

#[test]
fn analyze_json_reports() {
    pin("analyze-json", &["analyze", "--format", "json"]);
}

#[test]
fn analyze_tables() {
    pin("analyze-table", &["analyze"]);
}

#[test]
fn tasks_json() {
    pin("tasks-json", &["tasks", "--format", "json"]);
}

#[test]
fn inputs_json() {
    pin("inputs-json", &["inputs", "--format", "json"]);
}
