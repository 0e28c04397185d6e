//! Evidence: the lines a finding rests on, quoted from their inputs with
//! secrets redacted. Facts keep only where a line is ([`Origin`]); the text
//! is read back from the input only for the few lines that are quoted.

use std::sync::OnceLock;

use octodiag_parsers::redact::redact_api_keys;
use regex::Regex;

use crate::dataset::Dataset;
use crate::origin::Origin;

/// Longest excerpt quoted, in characters.
const EXCERPT_CHARS: usize = 300;

/// A quotable line: where it is and what it says (redacted, escaped on output).
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Evidence {
    /// Input path.
    pub source: String,
    /// 1-based line (HAR: entry index).
    pub line: u64,
    /// The first line of the entry, cut to 300 characters, secrets redacted.
    pub excerpt: String,
}

/// Quotes the line at an origin: how analyses ask for evidence without
/// holding the inputs.
pub type Quote<'q> = dyn Fn(&Origin) -> Evidence + Sync + 'q;

/// Redacts secrets in free text: Octopus API keys, bearer tokens, secret query values.
pub fn redact_text(text: &str) -> String {
    static RE: OnceLock<Regex> = OnceLock::new();
    let re = RE.get_or_init(|| {
        Regex::new(r"(?i)\b(api[-_]?key|access_token|id_token|refresh_token|token|password|pwd|secret|client_secret|csrf[-_a-z]*)=([^&\s'\x22]+)")
            .expect("static regex")
    });
    let keys = redact_api_keys(text);
    // Every pattern needs `=`: most texts (transaction names) skip the regex.
    if !keys.contains('=') {
        return keys.into_owned();
    }
    re.replace_all(&keys, "$1=REDACTED").into_owned()
}

/// The quotable first line of the entry at `origin`.
pub fn quote(data: &Dataset<'_>, origin: &Origin) -> Evidence {
    let input = data.inputs.get(origin.source as usize);
    let bytes = input.map_or(&[][..], |i| i.bytes);
    let start = origin.offset as usize;
    let end = (start + origin.len as usize).min(bytes.len());
    let entry = bytes.get(start..end).unwrap_or_default();
    let first = entry.split(|b| *b == b'\n').next().unwrap_or_default();
    excerpt_of(data, origin.source, origin.line, first)
}

/// The quotable text of line `line` (1-based) of an input, found by scanning:
/// used only for the few task-log lines quoted as evidence.
pub fn quote_line(data: &Dataset<'_>, source: u32, line: u64) -> Evidence {
    let bytes = data.inputs.get(source as usize).map_or(&[][..], |i| i.bytes);
    let text =
        bytes.split(|b| *b == b'\n').nth(line.saturating_sub(1) as usize).unwrap_or_default();
    excerpt_of(data, source, line, text)
}

fn excerpt_of(data: &Dataset<'_>, source: u32, line: u64, text: &[u8]) -> Evidence {
    let name = data.inputs.get(source as usize).map_or("?", |i| i.name).to_string();
    let text = String::from_utf8_lossy(text);
    let cut: String = text.trim_end_matches('\r').chars().take(EXCERPT_CHARS).collect();
    Evidence { source: name, line, excerpt: redact_text(&cut) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn free_text_redaction() {
        assert_eq!(
            redact_text("GET /api/x?apikey=API-ABCDEFGHIJKLMNOPQRSTUV&skip=1 token=abc"),
            "GET /api/x?apikey=REDACTED&skip=1 token=REDACTED"
        );
        assert_eq!(
            redact_text("Authorization: Bearer abc.def.ghi9"),
            "Authorization: Bearer REDACTED"
        );
    }
}
