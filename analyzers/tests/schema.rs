//! The checked-in JSON Schema of `analyze --format json` is the one generated
//! from the report types. Regenerate it with
//! `OCTODIAG_UPDATE_SCHEMA=1 cargo test -p octodiag-analyzers --test schema`.

use std::path::Path;

#[test]
fn checked_in_schema_is_the_generated_one() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/analyze.schema.json");
    let generated =
        serde_json::to_string_pretty(&octodiag_analyzers::report::schema()).unwrap() + "\n";
    if std::env::var_os("OCTODIAG_UPDATE_SCHEMA").is_some() {
        std::fs::write(&path, &generated).unwrap();
    }
    let checked_in = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        checked_in == generated,
        "docs/analyze.schema.json differs from the schema generated from the report types; \
         regenerate it with OCTODIAG_UPDATE_SCHEMA=1 cargo test -p octodiag-analyzers --test schema"
    );
}
