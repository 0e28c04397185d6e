//! Shared helpers for end-to-end tests that drive the real `octodiag` binary.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Output;

use assert_cmd::Command;

pub mod schema;

/// The repository root (parent of `cli/`).
pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

/// A path under `testdata/`.
pub fn testdata(rel: &str) -> PathBuf {
    repo().join("testdata").join(rel)
}

/// `octodiag ARGS…` run from the repository root.
pub fn octodiag(args: &[&str]) -> Output {
    Command::cargo_bin("octodiag").unwrap().current_dir(repo()).args(args).output().unwrap()
}

/// Same with bytes on standard input.
pub fn octodiag_stdin(args: &[&str], stdin: Vec<u8>) -> Output {
    Command::cargo_bin("octodiag")
        .unwrap()
        .current_dir(repo())
        .args(args)
        .write_stdin(stdin)
        .output()
        .unwrap()
}

/// Decodes NDJSON output into values, failing on any bad line.
pub fn ndjson(out: &Output) -> Vec<serde_json::Value> {
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("bad JSON line {l:?}: {e}")))
        .collect()
}

/// Decodes one JSON document.
pub fn json(out: &Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("bad JSON: {e}\n{}", String::from_utf8_lossy(&out.stdout)))
}

/// Stderr as text.
pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// gzip-compresses bytes.
pub fn gzip(data: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

/// Writes a zip archive with the given (name, bytes) members.
pub fn write_zip(path: &Path, members: &[(&str, &[u8])]) {
    use std::io::Write;
    let file = std::fs::File::create(path).unwrap();
    let mut w = zip::ZipWriter::new(file);
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, bytes) in members {
        w.start_file(*name, opts).unwrap();
        w.write_all(bytes).unwrap();
    }
    w.finish().unwrap();
}
