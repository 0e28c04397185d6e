//! Validated settings built from raw flags: sizes parsed, offsets checked.
//! Only these types reach the library crates.

use anyhow::{bail, Context, Result};
use octodiag_parsers::{OpenOptions, ParseOptions, UtcOffset};

use crate::args::InputOpts;

/// Everything needed to load inputs.
#[derive(Clone, Debug)]
pub struct InputSettings {
    /// Paths as given.
    pub paths: Vec<String>,
    /// How to open them.
    pub open: OpenOptions,
    /// How to parse them.
    pub parse: ParseOptions,
    /// Worker threads (None: one per core).
    pub threads: Option<usize>,
    /// The server's UTC offset when given on the command line.
    pub server_utc_offset: Option<UtcOffset>,
}

impl InputSettings {
    /// Validates the shared input flags.
    pub fn from_opts(o: &InputOpts) -> Result<InputSettings> {
        let max_decompressed = parse_size(&o.max_decompressed)
            .with_context(|| format!("--max-decompressed {:?}", o.max_decompressed))?;
        let server_utc_offset = match &o.server_utc_offset {
            None => None,
            Some(s) => Some(UtcOffset::parse(s).with_context(|| {
                format!("--server-utc-offset {s:?}: expected ±HH:MM, for example +10:00")
            })?),
        };
        if o.threads == Some(0) {
            bail!("--threads must be at least 1");
        }
        let open = OpenOptions {
            max_decompressed,
            allow_mmap: !o.no_mmap,
            max_total_decompressed: OpenOptions::default()
                .max_total_decompressed
                .max(max_decompressed),
            // Parse `.gz` logs while they are decoded (a second core would idle otherwise).
            stream_gzip: true,
            ..OpenOptions::default()
        };
        let mut parse = ParseOptions::default();
        // A testing knob, not a flag: tests set a tiny chunk size to check that
        // results do not depend on how a log is cut for parallel parsing.
        if let Some(size) = std::env::var("OCTODIAG_CHUNK_SIZE").ok().and_then(|s| s.parse().ok()) {
            parse.server_log.chunk_size = size;
        }
        Ok(InputSettings {
            paths: o.paths.clone(),
            open,
            parse,
            threads: o.threads,
            server_utc_offset,
        })
    }
}

/// Parses `4GiB`, `500MiB`, `100MB`, `1024`, `2G`.
pub fn parse_size(text: &str) -> Result<u64> {
    let t = text.trim();
    let split = t.find(|c: char| !c.is_ascii_digit() && c != '.').unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let value: f64 = num.parse().with_context(|| format!("not a size: {text:?}"))?;
    let mult: u64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" | "kb" => 1_000,
        "kib" => 1 << 10,
        "m" | "mb" => 1_000_000,
        "mib" => 1 << 20,
        "g" | "gb" => 1_000_000_000,
        "gib" => 1 << 30,
        "t" | "tb" => 1_000_000_000_000,
        "tib" => 1 << 40,
        other => bail!("unknown size unit {other:?} (use B, KiB, MiB, GiB, KB, MB, GB)"),
    };
    Ok((value * mult as f64) as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes() {
        assert_eq!(parse_size("4GiB").unwrap(), 4 << 30);
        assert_eq!(parse_size("500MiB").unwrap(), 500 << 20);
        assert_eq!(parse_size("100MB").unwrap(), 100_000_000);
        assert_eq!(parse_size("1024").unwrap(), 1024);
        assert!(parse_size("lots").is_err());
        assert!(parse_size("5 parsecs").is_err());
    }
}
