//! `octodiag har redact`: a copy of a HAR file safe to attach to a ticket.
//!
//! The rules live in `octodiag_parsers::har::redact` and are documented for
//! users in `docs/har-redaction.md`. This module reads the input, refuses to
//! overwrite it, and writes the result to a file or standard output.

use std::fs;
use std::io::Write;
use std::path::Path;

use anyhow::{bail, Context, Result};
use octodiag_parsers::har::redact::{redact_har, RedactOptions};

use crate::args::RedactArgs;
use crate::render::escape::terminal;
use crate::{output, Outcome};

/// Runs `har redact`. Every failure is fatal (exit 2): a partial redaction
/// is worse than none.
pub fn redact(args: &RedactArgs) -> Result<Outcome> {
    let shown = terminal(&args.input.to_string_lossy()).into_owned();
    if let Some(out) = &args.output {
        refuse_to_overwrite(&args.input, out)?;
    }
    let bytes = fs::read(&args.input).with_context(|| format!("{shown}: cannot read"))?;
    let opts = RedactOptions { drop_bodies: args.drop_bodies };
    let (redacted, stats) = redact_har(&bytes, &opts).with_context(|| shown.clone())?;
    match &args.output {
        Some(path) => write_file(path, &redacted)?,
        None => {
            let mut out = output::stdout();
            out.write_all(&redacted)?;
            output::finish(out)?;
        }
    }
    let mut err = std::io::stderr().lock();
    let _ = writeln!(
        err,
        "octodiag: {shown}: {} entries, {} values redacted, {} bodies removed{}",
        stats.entries,
        stats.values,
        stats.bodies_dropped,
        if stats.repaired { "; lone surrogates or invalid UTF-8 replaced with U+FFFD" } else { "" }
    );
    Ok(Outcome::Clean)
}

/// `-o` naming the input itself (by any path) would destroy the original.
fn refuse_to_overwrite(input: &Path, output: &Path) -> Result<()> {
    let same = match (fs::canonicalize(input), fs::canonicalize(output)) {
        (Ok(a), Ok(b)) => a == b,
        _ => input == output,
    };
    if same {
        bail!(
            "{}: refusing to overwrite the input; choose another -o",
            terminal(&output.to_string_lossy())
        );
    }
    Ok(())
}

/// Writes next to the target and renames, so a failed write never leaves
/// a half-written HAR under the requested name.
fn write_file(path: &Path, bytes: &[u8]) -> Result<()> {
    let shown = terminal(&path.to_string_lossy()).into_owned();
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".octodiag-tmp");
    let tmp = std::path::PathBuf::from(tmp);
    fs::write(&tmp, bytes).with_context(|| format!("{shown}: cannot write"))?;
    fs::rename(&tmp, path).or_else(|e| {
        let _ = fs::remove_file(&tmp);
        Err(e).with_context(|| format!("{shown}: cannot write"))
    })
}
