//! The modules of each crate depend on one another in one direction: this
//! reads every `crate::<module>` path in a crate's sources, builds the graph
//! of its top-level modules and fails on a cycle, naming it. (`lib.rs` and
//! `main.rs`, the roots that declare the modules, are left out.)

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Top-level module → the top-level modules it names.
type Graph = BTreeMap<String, BTreeSet<String>>;

fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let p = entry.path();
        if p.is_dir() {
            sources(&p, out);
        } else if p.extension().is_some_and(|e| e == "rs") {
            out.push(p);
        }
    }
}

/// The top-level module a source file belongs to (`facts/fold.rs` → `facts`).
fn module_of(src: &Path, file: &Path) -> Option<String> {
    let rel = file.strip_prefix(src).ok()?;
    let first = rel.components().next()?.as_os_str().to_str()?;
    let name = first.trim_end_matches(".rs");
    (!matches!(name, "lib" | "main")).then(|| name.to_string())
}

/// The module graph of the crate whose sources are in `src`.
pub fn graph(src: &Path) -> Graph {
    let re = regex::Regex::new(r"\bcrate::([a-z_][a-z0-9_]*)").unwrap();
    // `use crate::{a, b::c}` names `a` and `b`.
    let group = regex::Regex::new(r"\bcrate::\{([^}]*)\}").unwrap();
    let first = regex::Regex::new(r"(?:^|,)\s*([a-z_][a-z0-9_]*)").unwrap();
    let mut files = Vec::new();
    sources(src, &mut files);
    let mut g = Graph::new();
    for f in files {
        let Some(m) = module_of(src, &f) else { continue };
        let text = std::fs::read_to_string(&f).unwrap();
        // Code only: a doc link names a module without depending on it.
        let code: String = text
            .lines()
            .filter(|l| !l.trim_start().starts_with("//"))
            .collect::<Vec<_>>()
            .join("\n");
        let deps = g.entry(m.clone()).or_default();
        let grouped = group.captures_iter(&code).flat_map(|g| {
            let inner = g[1].to_string();
            first.captures_iter(&inner).map(|c| c[1].to_string()).collect::<Vec<_>>()
        });
        let named = re.captures_iter(&code).map(|c| c[1].to_string());
        deps.extend(named.chain(grouped).filter(|d| *d != m));
    }
    g
}

/// A cycle in `g`, if there is one, as the list of modules around it.
pub fn cycle(g: &Graph) -> Option<Vec<String>> {
    fn visit(
        g: &Graph,
        m: &str,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(i) = path.iter().position(|p| p == m) {
            let mut c = path[i..].to_vec();
            c.push(m.to_string());
            return Some(c);
        }
        if !done.insert(m.to_string()) {
            return None;
        }
        path.push(m.to_string());
        for d in g.get(m).into_iter().flatten() {
            if let Some(c) = visit(g, d, path, done) {
                return Some(c);
            }
        }
        path.pop();
        None
    }
    let mut done = BTreeSet::new();
    g.keys().find_map(|m| visit(g, m, &mut Vec::new(), &mut done))
}

fn assert_acyclic(crate_dir: &str) {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(crate_dir).join("src");
    let g = graph(&src);
    assert!(g.len() > 3, "{crate_dir}: found only {g:?}");
    if let Some(c) = cycle(&g) {
        panic!("{crate_dir}: modules depend on each other in a circle: {}", c.join(" → "));
    }
}

#[test]
fn analyzers_modules_are_acyclic() {
    assert_acyclic("analyzers");
}

#[test]
fn cli_modules_are_acyclic() {
    assert_acyclic("cli");
}

/// The check itself finds a planted cycle.
#[test]
fn a_cycle_is_found() {
    let mut g = Graph::new();
    g.entry("a".into()).or_default().insert("b".into());
    g.entry("b".into()).or_default().insert("c".into());
    g.entry("c".into()).or_default().insert("a".into());
    assert_eq!(cycle(&g), Some(vec!["a".into(), "b".into(), "c".into(), "a".into()]));
    g.get_mut("c").unwrap().clear();
    assert_eq!(cycle(&g), None);
}

/// Prints the analyzers' module graph (`--nocapture`), for the docs.
#[test]
fn print_analyzers_graph() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    for (m, deps) in graph(&src) {
        println!("{m} → {}", deps.into_iter().collect::<Vec<_>>().join(", "));
    }
}
