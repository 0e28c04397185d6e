//! A copy of a HAR file that is safe to attach to a support ticket
//! (`octodiag har redact`). What is removed, and why, is documented for
//! users in `docs/har-redaction.md`; keep the two in step.
//!
//! ```text
//! bytes ─► serde_json::Value (key order kept) ─► per entry: request, response, websocket
//!                                                    │  names: headers (allow-list), cookies (all),
//!                                                    │  query/form/JSON keys (secret names)
//!                                                    ▼
//!                     every string in the document: API keys, bearer tokens, JWTs, URL secrets,
//!                     and every value replaced above, wherever else it appears (echoes)
//!                                                    ▼
//!                                  log.comment says what was done ─► pretty JSON
//! ```
//!
//! This is not the hot path: the document is held as a `serde_json::Value`,
//! which costs a few times the file size in memory, so that every string in
//! it can be visited and the output keeps every field the input had.

use std::fmt;

use aho_corasick::{AhoCorasick, MatchKind};
use serde_json::{Map, Value};

use super::walk;
use crate::redact::{
    is_harmless_header, is_secret_key, is_secret_param, is_url_header, redact_api_keys,
    redact_form, redact_url, MARKER,
};

/// How to redact.
#[derive(Clone, Copy, Debug, Default)]
pub struct RedactOptions {
    /// Also remove request and response bodies (`postData.text`/`params`,
    /// `content.text`, WebSocket message data).
    pub drop_bodies: bool,
}

/// What a redaction did, for the summary line.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RedactStats {
    /// Entries in the output (always the number in the input).
    pub entries: usize,
    /// Values replaced or rewritten.
    pub values: usize,
    /// Bodies removed (with `drop_bodies`, or because they could not be
    /// checked, such as multipart uploads).
    pub bodies_dropped: usize,
    /// Lone UTF-16 surrogates or invalid UTF-8 had to be replaced with
    /// U+FFFD to read the file.
    pub repaired: bool,
}

/// Why a file could not be redacted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RedactError(pub String);

impl fmt::Display for RedactError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for RedactError {}

/// The comment added to `log.comment` of every redacted file.
pub const LOG_COMMENT: &str = "Redacted by octodiag har redact: values of headers not on its \
     allow-list, all cookie values, secret query/form/JSON values, Octopus API keys, \
     authorization tokens and JWTs were replaced by REDACTED (see docs/har-redaction.md).";

const BODY_DROPPED: &str = "Body removed by octodiag har redact.";

/// Redacts a HAR file (`bytes` as read, BOM allowed) and returns the new
/// file, pretty-printed, with the same entries in the same order.
///
/// # Errors
///
/// When `bytes` is not JSON, is truncated, nests deeper than 128 levels,
/// or is not a HAR (no `log.entries` array).
pub fn redact_har(
    bytes: &[u8],
    opts: &RedactOptions,
) -> Result<(Vec<u8>, RedactStats), RedactError> {
    let body = super::json_body(bytes).map_err(|p| RedactError(p.reason))?;
    let at = super::offset_in(bytes, body);
    let mut stats = RedactStats::default();
    let mut root: Value = match serde_json::from_slice(body) {
        Ok(v) => v,
        Err(e) => match walk::repair(body).map(|fixed| serde_json::from_slice(&fixed)) {
            Some(Ok(v)) => {
                stats.repaired = true;
                v
            }
            _ => return Err(RedactError(super::describe_error(body, at, &e))),
        },
    };
    let mut r = Redactor { opts: *opts, stats, secrets: Vec::new(), echoes: None };
    r.document(&mut root)?;
    let mut out = serde_json::to_vec_pretty(&root).map_err(|e| RedactError(e.to_string()))?;
    out.push(b'\n');
    Ok((out, r.stats))
}

struct Redactor {
    opts: RedactOptions,
    stats: RedactStats,
    /// Every value replaced by name (a cookie, a header, a password), to
    /// find it again where it is echoed: in a URL, a body, another header
    /// (Google Analytics copies cookies into `utmcc=` query values).
    secrets: Vec<String>,
    /// A matcher over `secrets`, built before the final pass.
    echoes: Option<AhoCorasick>,
}

/// Shorter values are not looked for elsewhere: `1`, `true` or `en` would
/// match everywhere.
const MIN_ECHO_LEN: usize = 8;

impl Redactor {
    fn document(&mut self, root: &mut Value) -> Result<(), RedactError> {
        let not_har = || RedactError("not a HAR: no `log.entries` array".into());
        let log = root.get_mut("log").and_then(Value::as_object_mut).ok_or_else(not_har)?;
        let entries = log.get_mut("entries").and_then(Value::as_array_mut).ok_or_else(not_har)?;
        self.stats.entries = entries.len();
        for entry in entries.iter_mut().filter_map(Value::as_object_mut) {
            self.entry(entry);
        }
        add_comment(log, LOG_COMMENT);
        self.echoes = echo_matcher(&mut self.secrets);
        self.strings(root);
        Ok(())
    }

    fn entry(&mut self, entry: &mut Map<String, Value>) {
        if let Some(req) = entry.get_mut("request").and_then(Value::as_object_mut) {
            self.headers(req.get_mut("headers"));
            self.cookies(req.get_mut("cookies"));
            self.query_string(req.get_mut("queryString"));
            if let Some(post) = req.get_mut("postData").and_then(Value::as_object_mut) {
                self.post_data(post);
            }
        }
        if let Some(resp) = entry.get_mut("response").and_then(Value::as_object_mut) {
            self.headers(resp.get_mut("headers"));
            self.cookies(resp.get_mut("cookies"));
            if let Some(content) = resp.get_mut("content").and_then(Value::as_object_mut) {
                self.content(content);
            }
        }
        if let Some(Value::Array(messages)) = entry.get_mut("_webSocketMessages") {
            for m in messages.iter_mut().filter_map(Value::as_object_mut) {
                self.websocket_message(m);
            }
        }
    }

    /// Keeps the values of allow-listed headers only.
    fn headers(&mut self, list: Option<&mut Value>) {
        for h in pairs(list) {
            let name = h.get("name").and_then(Value::as_str).unwrap_or_default().to_string();
            if !is_harmless_header(&name) {
                self.replace(h.get_mut("value"));
            } else if is_url_header(&name) {
                self.rewrite(h.get_mut("value"), |v| redact_url(v).into_owned());
            }
        }
    }

    /// Every cookie value, whatever its name.
    fn cookies(&mut self, list: Option<&mut Value>) {
        for c in pairs(list) {
            self.replace(c.get_mut("value"));
        }
    }

    fn query_string(&mut self, list: Option<&mut Value>) {
        for q in pairs(list) {
            let name = q.get("name").and_then(Value::as_str).unwrap_or_default();
            if is_secret_param(name) {
                self.replace(q.get_mut("value"));
            }
        }
    }

    fn post_data(&mut self, post: &mut Map<String, Value>) {
        if self.opts.drop_bodies {
            let had = post.remove("text").is_some() | post.remove("params").is_some();
            if had {
                self.stats.bodies_dropped += 1;
                add_comment(post, BODY_DROPPED);
            }
            return;
        }
        self.query_string(post.get_mut("params"));
        let mime = mime_of(post);
        let Some(Value::String(text)) = post.get_mut("text") else { return };
        match redact_request_body(text, &mime, &mut self.secrets) {
            Body::Unchanged => {}
            Body::Rewritten(t) => {
                *text = t;
                self.stats.values += 1;
            }
            Body::Unreadable => {
                *text = MARKER.to_string();
                self.stats.bodies_dropped += 1;
            }
        }
    }

    fn content(&mut self, content: &mut Map<String, Value>) {
        if self.opts.drop_bodies {
            content.remove("encoding");
            if content.remove("text").is_some() {
                self.stats.bodies_dropped += 1;
                add_comment(content, BODY_DROPPED);
            }
            return;
        }
        let base64 = content.get("encoding").and_then(Value::as_str) == Some("base64");
        let Some(Value::String(text)) = content.get_mut("text") else { return };
        match redact_response_body(text, base64, &mut self.secrets) {
            Body::Unchanged => {}
            Body::Rewritten(t) => {
                *text = t;
                self.stats.values += 1;
            }
            Body::Unreadable => {
                *text = MARKER.to_string();
                content.remove("encoding");
                self.stats.bodies_dropped += 1;
            }
        }
    }

    fn websocket_message(&mut self, m: &mut Map<String, Value>) {
        let Some(Value::String(data)) = m.get_mut("data") else { return };
        if self.opts.drop_bodies {
            if !data.is_empty() {
                data.clear();
                self.stats.bodies_dropped += 1;
            }
            return;
        }
        if let Body::Rewritten(t) = redact_response_body(data, false, &mut self.secrets) {
            *data = t;
            self.stats.values += 1;
        }
    }

    /// Replaces a non-empty value with the marker, remembering it.
    fn replace(&mut self, value: Option<&mut Value>) {
        let Some(v) = value else { return };
        let empty = v.is_null() || v.as_str().is_some_and(str::is_empty);
        if !empty && v.as_str() != Some(MARKER) {
            if let Some(old) = v.as_str() {
                remember(&mut self.secrets, old);
            }
            *v = Value::String(MARKER.into());
            self.stats.values += 1;
        }
    }

    fn rewrite(&mut self, value: Option<&mut Value>, f: impl Fn(&str) -> String) {
        if let Some(Value::String(s)) = value {
            let new = f(s);
            if new != *s {
                *s = new;
                self.stats.values += 1;
            }
        }
    }

    /// The value rules, on every string of the document (and every object
    /// key): URLs by [`redact_url`], everything by [`redact_api_keys`].
    fn strings(&mut self, v: &mut Value) {
        match v {
            Value::String(s) => {
                let new = redact_string(s);
                let new = match (&self.echoes, new) {
                    (Some(ac), new) => echo_free(ac, new.as_deref().unwrap_or(s)).or(new),
                    (None, new) => new,
                };
                if let Some(new) = new {
                    *s = new;
                    self.stats.values += 1;
                }
            }
            Value::Array(a) => a.iter_mut().for_each(|x| self.strings(x)),
            Value::Object(m) => {
                if m.keys().any(|k| redact_string(k).is_some()) {
                    let old = std::mem::take(m);
                    for (k, x) in old {
                        m.insert(redact_string(&k).unwrap_or(k), x);
                    }
                }
                m.values_mut().for_each(|x| self.strings(x));
            }
            _ => {}
        }
    }
}

/// The rewritten text, or `None` when nothing in it is secret.
fn redact_string(s: &str) -> Option<String> {
    let looks_like_url =
        ["http://", "https://", "ws://", "wss://"].iter().any(|p| s.starts_with(p));
    let new = if looks_like_url { redact_url(s) } else { redact_api_keys(s) };
    match new {
        std::borrow::Cow::Owned(n) if n != s => Some(n),
        _ => None,
    }
}

/// Records a replaced value, and the parts of it that may travel alone:
/// the values of `a=b; c=d` cookie lists, the token after `Bearer `, and
/// their percent-decoded forms.
fn remember(secrets: &mut Vec<String>, value: &str) {
    let mut add = |v: &str| {
        let v = v.trim().trim_matches('"');
        if v.len() >= MIN_ECHO_LEN && v != MARKER {
            secrets.push(v.to_string());
            let decoded = percent_decode(v);
            if decoded != v && decoded.len() >= MIN_ECHO_LEN {
                secrets.push(decoded);
            }
        }
    };
    add(value);
    for part in value.split([';', ',', '&', '\n']) {
        add(part.split_once('=').map_or(part, |(_, v)| v));
    }
    if let Some((_, token)) = value.trim().split_once(' ') {
        add(token);
    }
}

/// A leftmost-longest matcher over the remembered values (deduplicated).
fn echo_matcher(secrets: &mut Vec<String>) -> Option<AhoCorasick> {
    secrets.sort();
    secrets.dedup();
    if secrets.is_empty() {
        return None;
    }
    AhoCorasick::builder().match_kind(MatchKind::LeftmostLongest).build(secrets.iter()).ok()
}

/// `s` with every remembered value replaced, or `None` if it had none.
fn echo_free(ac: &AhoCorasick, s: &str) -> Option<String> {
    if !ac.is_match(s) {
        return None;
    }
    Some(ac.replace_all(s, &vec![MARKER; ac.patterns_len()]))
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = |j: usize| b.get(j).and_then(|c| (*c as char).to_digit(16));
        match (b[i], hex(i + 1), hex(i + 2)) {
            (b'%', Some(h), Some(l)) => {
                out.push((h * 16 + l) as u8);
                i += 3;
            }
            (c, _, _) => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The `{name, value}` objects of a HAR list (headers, cookies, query, params).
fn pairs(list: Option<&mut Value>) -> impl Iterator<Item = &mut Map<String, Value>> {
    list.and_then(Value::as_array_mut).into_iter().flatten().filter_map(Value::as_object_mut)
}

fn mime_of(obj: &Map<String, Value>) -> String {
    obj.get("mimeType").and_then(Value::as_str).unwrap_or_default().to_ascii_lowercase()
}

/// Appends to (or sets) the `comment` of a HAR object.
fn add_comment(obj: &mut Map<String, Value>, text: &str) {
    let comment = match obj.get("comment").and_then(Value::as_str) {
        Some(c) if !c.is_empty() && !c.contains(text) => format!("{c} {text}"),
        Some(c) if c.contains(text) => return,
        _ => text.to_string(),
    };
    obj.insert("comment".into(), Value::String(comment));
}

/// What became of a body.
#[derive(Debug, PartialEq, Eq)]
enum Body {
    Unchanged,
    Rewritten(String),
    /// A body that cannot be checked for secrets; it is replaced whole.
    Unreadable,
}

/// Request bodies: JSON and form data are redacted by key; anything else
/// (multipart uploads, plain text) cannot be checked and is replaced.
fn redact_request_body(text: &str, mime: &str, secrets: &mut Vec<String>) -> Body {
    if text.is_empty() {
        return Body::Unchanged;
    }
    if let Some(json) = redact_json_text(text, secrets) {
        return json;
    }
    if mime.contains("x-www-form-urlencoded") || looks_like_form(text) {
        return match redact_form(text) {
            std::borrow::Cow::Owned(t) => Body::Rewritten(redact_api_keys(&t).into_owned()),
            std::borrow::Cow::Borrowed(_) => by_pattern(text),
        };
    }
    Body::Unreadable
}

/// Response bodies: JSON by key and pattern; other text (HTML, scripts) by
/// pattern; base64 bodies are decoded first. Binary bodies that contain
/// something key-shaped are replaced.
fn redact_response_body(text: &str, base64: bool, secrets: &mut Vec<String>) -> Body {
    if !base64 {
        return redact_json_text(text, secrets).unwrap_or_else(|| by_pattern(text));
    }
    let Some(bytes) = base64_decode(text) else { return Body::Unreadable };
    match String::from_utf8(bytes) {
        Ok(decoded) => match redact_response_body(&decoded, false, secrets) {
            Body::Rewritten(t) => Body::Rewritten(base64_encode(t.as_bytes())),
            other => other,
        },
        Err(e) if has_api_key(e.as_bytes()) => Body::Unreadable,
        Err(_) => Body::Unchanged,
    }
}

/// Whether binary data holds something shaped like an Octopus API key
/// (`API-` and 16 letters or digits), without decoding it as text.
fn has_api_key(bytes: &[u8]) -> bool {
    memchr::memmem::find_iter(bytes, b"API-").any(|at| {
        let key = &bytes[at + 4..];
        key.len() >= 16 && key[..16].iter().all(u8::is_ascii_alphanumeric)
    })
}

fn by_pattern(text: &str) -> Body {
    match redact_api_keys(text) {
        std::borrow::Cow::Owned(t) => Body::Rewritten(t),
        std::borrow::Cow::Borrowed(_) => Body::Unchanged,
    }
}

/// `Some` when `text` is JSON (object or array): its secret keys and
/// key-shaped strings redacted, re-serialised only if something changed.
fn redact_json_text(text: &str, secrets: &mut Vec<String>) -> Option<Body> {
    let t = text.trim_start();
    if !(t.starts_with('{') || t.starts_with('[')) {
        return None;
    }
    let mut v: Value = serde_json::from_str(text).ok()?;
    if !redact_json_value(&mut v, secrets) {
        return Some(Body::Unchanged);
    }
    Some(serde_json::to_string(&v).map_or(Body::Unreadable, Body::Rewritten))
}

/// Redacts a parsed body in place; returns whether anything changed.
fn redact_json_value(v: &mut Value, secrets: &mut Vec<String>) -> bool {
    match v {
        Value::String(s) => match redact_string(s) {
            Some(new) => {
                *s = new;
                true
            }
            None => false,
        },
        Value::Array(a) => a.iter_mut().fold(false, |acc, x| redact_json_value(x, secrets) | acc),
        Value::Object(m) => m.iter_mut().fold(false, |acc, (k, x)| {
            let secret = is_secret_key(k) && !x.is_null() && x.as_str() != Some(MARKER);
            if secret && !matches!(x, Value::Bool(_)) {
                if let Some(old) = x.as_str() {
                    remember(secrets, old);
                }
                *x = Value::String(MARKER.into());
                return true;
            }
            redact_json_value(x, secrets) | acc
        }),
        _ => false,
    }
}

fn looks_like_form(text: &str) -> bool {
    !text.contains(char::is_whitespace)
        && text.split('&').all(|p| p.split_once('=').is_some_and(|(k, _)| !k.is_empty()))
}

const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Standard base64 with padding (what HAR writers use for `content.text`).
fn base64_encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = chunk.iter().enumerate().fold(0u32, |n, (i, b)| n | (*b as u32) << (16 - 8 * i));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(B64[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Decodes standard or URL-safe base64, padded or not, ignoring ASCII
/// whitespace. `None` when it is not base64.
fn base64_decode(text: &str) -> Option<Vec<u8>> {
    let body = text.trim_end_matches(|c: char| c == '=' || c.is_ascii_whitespace()).as_bytes();
    let mut out = Vec::with_capacity(body.len() / 4 * 3 + 3);
    // Fast path: whole groups of four characters, no whitespace.
    let mut groups = body.chunks_exact(4);
    for g in groups.by_ref() {
        let v = [
            B64_VALUE[g[0] as usize],
            B64_VALUE[g[1] as usize],
            B64_VALUE[g[2] as usize],
            B64_VALUE[g[3] as usize],
        ];
        if v.contains(&INVALID) {
            return base64_decode_slow(body);
        }
        let n = (v[0] as u32) << 18 | (v[1] as u32) << 12 | (v[2] as u32) << 6 | v[3] as u32;
        out.extend_from_slice(&[(n >> 16) as u8, (n >> 8) as u8, n as u8]);
    }
    let mut tail = out;
    let rest = base64_decode_slow(groups.remainder())?;
    tail.extend_from_slice(&rest);
    Some(tail)
}

const INVALID: u8 = 0xff;

/// The value of each base64 character (standard and URL-safe alphabets).
const B64_VALUE: [u8; 256] = {
    let mut t = [INVALID; 256];
    let mut i = 0;
    while i < 64 {
        t[B64[i] as usize] = i as u8;
        i += 1;
    }
    t[b'-' as usize] = 62;
    t[b'_' as usize] = 63;
    t
};

/// Character by character, skipping ASCII whitespace; `None` when not base64.
fn base64_decode_slow(body: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(body.len() / 4 * 3);
    let (mut acc, mut bits) = (0u32, 0u32);
    for c in body.iter().filter(|c| !c.is_ascii_whitespace()) {
        let v = B64_VALUE[*c as usize];
        if v == INVALID {
            return None;
        }
        acc = acc << 6 | v as u32;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    (bits < 6).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_replaced_by_name_are_replaced_where_they_are_echoed() {
        let mut secrets = Vec::new();
        remember(&mut secrets, "__utma=2050747.276242.131010; short=1; sid=abc%2Fdef%3D12");
        remember(&mut secrets, "Bearer opaque-token-value");
        let ac = echo_matcher(&mut secrets).unwrap();
        let url =
            "https://x/__utm.gif?utmcc=__utma%3D2050747.276242.131010%3B&s=abc/def=12&t=short=1";
        assert_eq!(
            echo_free(&ac, url).unwrap(),
            "https://x/__utm.gif?utmcc=__utma%3DREDACTED%3B&s=REDACTED&t=short=1"
        );
        assert_eq!(echo_free(&ac, "token opaque-token-value used").unwrap(), "token REDACTED used");
        assert_eq!(echo_free(&ac, "nothing here"), None);
    }

    #[test]
    fn base64_matches_rfc4648_vectors_and_round_trips() {
        let vectors = [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ];
        for (plain, encoded) in vectors {
            assert_eq!(base64_encode(plain.as_bytes()), encoded);
            assert_eq!(base64_decode(encoded).unwrap(), plain.as_bytes());
        }
        let all: Vec<u8> = (0..=255).collect();
        assert_eq!(base64_decode(&base64_encode(&all)).unwrap(), all);
        assert_eq!(base64_decode("Zm9v\nYmFy").unwrap(), b"foobar");
        assert_eq!(base64_decode("Zm9vYg").unwrap(), b"foob");
        assert_eq!(base64_decode("not base64!"), None);
    }

    #[test]
    fn request_bodies() {
        let login = r#"{"Username":"admin","Password":"hunter2","RememberMe":false,"State":{}}"#;
        assert_eq!(
            redact_request_body(login, "application/json", &mut vec![]),
            Body::Rewritten(
                r#"{"Username":"admin","Password":"REDACTED","RememberMe":false,"State":{}}"#
                    .into()
            )
        );
        let sensitive = r#"{"Value":{"HasValue":true,"NewValue":"s3cret","Hint":null}}"#;
        assert_eq!(
            redact_request_body(sensitive, "", &mut vec![]),
            Body::Rewritten(
                r#"{"Value":{"HasValue":true,"NewValue":"REDACTED","Hint":null}}"#.into()
            )
        );
        assert_eq!(
            redact_request_body(
                "user=a&password=b",
                "application/x-www-form-urlencoded",
                &mut vec![]
            ),
            Body::Rewritten("user=a&password=REDACTED".into())
        );
        assert_eq!(
            redact_request_body(r#"{"Name":"x"}"#, "application/json", &mut vec![]),
            Body::Unchanged
        );
        assert_eq!(
            redact_request_body("--boundary\r\n…", "multipart/form-data", &mut vec![]),
            Body::Unreadable
        );
    }

    #[test]
    fn response_bodies_including_base64() {
        let created =
            r#"{"Id":"apikeys-1","ApiKey":"API-ABCDEFGHIJKLMNOPQRSTUVWXYZ","Purpose":"x"}"#;
        let want = r#"{"Id":"apikeys-1","ApiKey":"REDACTED","Purpose":"x"}"#;
        assert_eq!(redact_response_body(created, false, &mut vec![]), Body::Rewritten(want.into()));
        let encoded = base64_encode(created.as_bytes());
        assert_eq!(
            redact_response_body(&encoded, true, &mut vec![]),
            Body::Rewritten(base64_encode(want.as_bytes()))
        );
        let html = "<p>key API-ABCDEFGHIJKLMNOPQRSTUVWXYZ</p>";
        assert_eq!(
            redact_response_body(html, false, &mut vec![]),
            Body::Rewritten("<p>key API-REDACTED</p>".into())
        );
        let png = base64_encode(&[0x89, b'P', b'N', b'G', 0xff, 0x00]);
        assert_eq!(redact_response_body(&png, true, &mut vec![]), Body::Unchanged);
        let mut binary_with_key = vec![0xff, 0xfe];
        binary_with_key.extend_from_slice(b"API-ABCDEFGHIJKLMNOPQRSTUVWXYZ");
        assert_eq!(
            redact_response_body(&base64_encode(&binary_with_key), true, &mut vec![]),
            Body::Unreadable
        );
    }

    mod no_canary_survives {
        //! reliability.md §5.5: a canary dropped into any secret slot of an
        //! entry never reaches the redacted file.
        use proptest::prelude::*;

        use super::super::{base64_encode, redact_har, RedactOptions};

        /// An entry with `canary` in slot `slot` (and `name` where a slot
        /// takes a name).
        fn entry_with(slot: usize, name: &str, canary: &str) -> String {
            let api_key = format!("API-{}", canary.to_uppercase());
            let (mut req_headers, mut resp_headers, mut cookies, mut query) =
                (vec![], vec![], vec![], vec![]);
            let (mut url, mut post, mut body, mut extra) =
                ("https://o/api/x".to_string(), String::new(), String::new(), String::new());
            let json = |k: &str, v: &str| serde_json::json!({ k: v }).to_string();
            match slot {
                0 => req_headers.push((name.to_string(), canary.to_string())),
                1 => resp_headers.push(("Set-Cookie".into(), format!("sid={canary}; path=/; HttpOnly"))),
                2 => cookies.push(canary.to_string()),
                3 => {
                    url = format!("https://o/api/x?{name}={canary}&skip=0");
                    query.push((name.to_string(), canary.to_string()));
                }
                4 => post = serde_json::json!({"mimeType": "application/json", "text": json(name, canary)}).to_string(),
                5 => post = serde_json::json!({"mimeType": "application/x-www-form-urlencoded",
                                              "text": format!("user=a&{name}={canary}"),
                                              "params": [{"name": name, "value": canary}]}).to_string(),
                6 => post = serde_json::json!({"mimeType": "text/plain", "text": format!("{name}: {canary}")}).to_string(),
                7 => body = serde_json::json!({"mimeType": "application/json", "text": json(name, canary)}).to_string(),
                8 => body = serde_json::json!({"mimeType": "application/json", "encoding": "base64",
                                              "text": base64_encode(json(name, &api_key).as_bytes())}).to_string(),
                9 => extra = serde_json::json!([{"type": "send", "data": json(name, canary)}]).to_string(),
                10 => url = format!("https://user:{canary}@o/api/x"),
                11 => url = format!("https://o/api/x?x=eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.{canary}"),
                _ => extra = serde_json::json!([{"type": "send", "data": format!("hello {api_key} there")}]).to_string(),
            }
            let pairs = |v: &[(String, String)]| {
                serde_json::Value::from(
                    v.iter()
                        .map(|(n, v)| serde_json::json!({"name": n, "value": v}))
                        .collect::<Vec<_>>(),
                )
            };
            let cookie_list: Vec<serde_json::Value> = cookies
                .iter()
                .map(|c| serde_json::json!({"name": "OctopusIdentificationToken", "value": c}))
                .collect();
            let mut e = serde_json::json!({
                "startedDateTime": "2026-11-03T04:10:00Z", "time": 5,
                "request": {"method": "POST", "url": url, "headers": pairs(&req_headers),
                            "queryString": pairs(&query), "cookies": cookie_list},
                "response": {"status": 200, "headers": pairs(&resp_headers), "cookies": [],
                             "content": {"size": 0, "mimeType": "text/plain"}},
                "timings": {"send": 1, "wait": 3, "receive": 1}
            });
            if !post.is_empty() {
                e["request"]["postData"] = serde_json::from_str(&post).unwrap();
            }
            if !body.is_empty() {
                e["response"]["content"] = serde_json::from_str(&body).unwrap();
            }
            if !extra.is_empty() {
                e["_webSocketMessages"] = serde_json::from_str(&extra).unwrap();
            }
            e.to_string()
        }

        /// Header names (slot 0) that must lose their value.
        fn header_names() -> impl Strategy<Value = String> {
            prop::sample::select(vec![
                "Authorization",
                "Cookie",
                "X-Octopus-ApiKey",
                "X-Octopus-Csrf-Token",
                "X-Custom-Token",
                "Proxy-Authorization",
                "X-Anything-Unknown",
            ])
            .prop_map(String::from)
        }

        /// Parameter and JSON key names (the other slots) that name a secret.
        fn key_names() -> impl Strategy<Value = String> {
            prop::sample::select(vec![
                "apikey",
                "ApiKey",
                "api_key",
                "access_token",
                "Password",
                "passwd",
                "client_secret",
                "NewValue",
                "refresh_token",
                "SAMLResponse",
                "session_id",
                "csrf",
                "X-Custom-Token",
                "Authorization",
                "Proxy-Authorization",
            ])
            .prop_map(String::from)
        }

        fn slot_and_name() -> impl Strategy<Value = (usize, String)> {
            (0usize..13).prop_flat_map(|slot| {
                let names = if slot == 0 { header_names().boxed() } else { key_names().boxed() };
                (Just(slot), names)
            })
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(300))]

            #[test]
            fn in_any_slot((slot, name) in slot_and_name(), canary in "CANARY[a-z0-9]{12}", drop in any::<bool>()) {
                let entry = entry_with(slot, &name, &canary);
                let har = format!(r#"{{"log": {{"entries": [{entry}]}}}}"#);
                prop_assume!(har.contains(&canary) || har.contains(&canary.to_uppercase()) || slot == 8);
                let (out, stats) = redact_har(har.as_bytes(), &RedactOptions { drop_bodies: drop }).unwrap();
                let out = String::from_utf8(out).unwrap();
                prop_assert_eq!(stats.entries, 1);
                prop_assert!(!out.to_lowercase().contains(&canary.to_lowercase()), "slot {} name {}: {}", slot, name, out);
            }
        }
    }
}
