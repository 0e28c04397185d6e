//! Neutralising text before it reaches a terminal or an HTML page.
//!
//! Log lines, URLs, zip member names and file names are attacker-controlled:
//! an `ESC ] 0 ;` sequence in a URL would retitle the terminal, `\x1b[2J`
//! would clear it, `\r` would hide what precedes it. Every string printed to
//! a terminal goes through [`terminal`], which makes C0 and C1 controls, DEL
//! and bidi overrides visible as `\x1b`-style escapes (as tracing-subscriber
//! does since CVE-2025-58160). JSON output is escaped by serde_json itself.

use std::borrow::Cow;
use std::fmt::Write;

/// Makes control characters and bidi overrides visible.
pub fn terminal(s: &str) -> Cow<'_, str> {
    if !s.chars().any(needs_escape) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if needs_escape(c) {
            let v = c as u32;
            if v <= 0xff {
                let _ = write!(out, "\\x{v:02x}");
            } else {
                let _ = write!(out, "\\u{{{v:04x}}}");
            }
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

fn needs_escape(c: char) -> bool {
    let v = c as u32;
    v < 0x20
        || v == 0x7f
        || (0x80..=0x9f).contains(&v)
        || matches!(v, 0x200e | 0x200f | 0x202a..=0x202e | 0x2066..=0x2069)
}

/// Escapes text for HTML element content and attribute values.
#[allow(dead_code)] // for the HTML report, not written yet
pub fn html(s: &str) -> Cow<'_, str> {
    if !s.contains(['<', '>', '&', '"', '\'']) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 16);
    for c in s.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// Cuts text to at most `max` characters, marking the cut.
pub fn excerpt(s: &str, max: usize) -> Cow<'_, str> {
    match s.char_indices().nth(max) {
        None => Cow::Borrowed(s),
        Some((i, _)) => Cow::Owned(format!("{}…", &s[..i])),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_become_visible() {
        assert_eq!(terminal("a\x1b]0;t\x07b"), "a\\x1b]0;t\\x07b");
        assert_eq!(terminal("x\ry"), "x\\x0dy");
        assert_eq!(terminal("\u{9b}2J"), "\\x9b2J");
        assert_eq!(terminal("abc\u{202e}def"), "abc\\u{202e}def");
        assert!(matches!(terminal("plain / text"), Cow::Borrowed(_)));
    }

    #[test]
    fn html_and_excerpt() {
        assert_eq!(html("<img onerror='x'>&"), "&lt;img onerror=&#39;x&#39;&gt;&amp;");
        assert_eq!(excerpt("abcdef", 3), "abc…");
        assert_eq!(excerpt("abc", 3), "abc");
    }
}
