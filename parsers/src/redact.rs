//! Secrets never leave octodiag unredacted.
//!
//! Octopus API keys (`API-…`), `apikey=` query values, session cookies,
//! bearer tokens and CSRF tokens appear in HAR files and in the URLs the
//! server logs. Every command that prints a URL, header or message passes it
//! through this module first.

use std::borrow::Cow;

/// What replaces a secret value.
pub const MARKER: &str = "REDACTED";

/// Query-string and form parameter names whose values are secrets (lower case).
pub const SECRET_PARAMS: &[&str] = &[
    "apikey",
    "api_key",
    "api-key",
    "x-octopus-apikey",
    "token",
    "access_token",
    "id_token",
    "refresh_token",
    "code",
    "password",
    "pwd",
    "secret",
    "client_secret",
    "csrf",
    "csrftoken",
    "x-octopus-csrf-token",
    "sig",
    "signature",
    "session",
    "sessionid",
    "auth",
    "authorization",
    "state",
    "nonce",
];

/// Header names whose values are secrets (lower case). Cookies are handled by name.
pub const SECRET_HEADERS: &[&str] = &[
    "authorization",
    "proxy-authorization",
    "cookie",
    "set-cookie",
    "x-octopus-apikey",
    "x-api-key",
    "x-octopus-csrf-token",
    "x-csrf-token",
    "x-xsrf-token",
    "x-auth-token",
];

/// Whether a query/form parameter name is secret.
pub fn is_secret_param(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    SECRET_PARAMS.contains(&lower.as_str())
        || lower.contains("apikey")
        || lower.contains("token")
        || lower.contains("password")
        || lower.contains("secret")
}

/// Whether a header name is secret.
pub fn is_secret_header(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    SECRET_HEADERS.contains(&lower.as_str()) || lower.contains("apikey") || lower.contains("token")
}

/// Replaces the values of secret query parameters in a URL (and any
/// `API-XXXX` Octopus key anywhere in it) with [`MARKER`].
pub fn redact_url(url: &str) -> Cow<'_, str> {
    let url = redact_api_keys(url);
    let Some(q) = url.find('?') else { return url };
    let (head, query) = url.split_at(q + 1);
    let (query, fragment) = match query.find('#') {
        Some(h) => query.split_at(h),
        None => (query, ""),
    };
    let mut changed = false;
    let parts: Vec<String> = query
        .split('&')
        .map(|pair| match pair.split_once('=') {
            Some((k, v)) if is_secret_param(&percent_decode_lossy(k)) && !v.is_empty() => {
                changed = true;
                format!("{k}={MARKER}")
            }
            _ => pair.to_string(),
        })
        .collect();
    if !changed {
        return url;
    }
    Cow::Owned(format!("{head}{}{fragment}", parts.join("&")))
}

/// Replaces Octopus API keys (`API-` followed by 20+ upper-case letters and
/// digits) and `Bearer …` tokens in free text.
pub fn redact_api_keys(text: &str) -> Cow<'_, str> {
    if !text.contains("API-") && !text.contains("earer ") {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    let mut changed = false;
    while let Some(i) = find_secret_start(rest) {
        let (before, from) = rest.split_at(i);
        out.push_str(before);
        let prefix_len = if from.starts_with("API-") { 4 } else { "Bearer ".len() };
        let token_len = from[prefix_len..]
            .find(|c: char| {
                !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '~' | '+' | '/' | '='))
            })
            .unwrap_or(from.len() - prefix_len);
        let is_key = !from.starts_with("API-") || token_len >= 16;
        if is_key && token_len > 0 {
            out.push_str(&from[..prefix_len]);
            out.push_str(MARKER);
            changed = true;
        } else {
            out.push_str(&from[..prefix_len + token_len]);
        }
        rest = &from[prefix_len + token_len..];
    }
    if !changed {
        return Cow::Borrowed(text);
    }
    out.push_str(rest);
    Cow::Owned(out)
}

fn find_secret_start(s: &str) -> Option<usize> {
    let a = s.find("API-");
    let b = s.find("Bearer ").or_else(|| s.find("bearer "));
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

fn percent_decode_lossy(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            if let (Some(h), Some(l)) = (b.get(i + 1).and_then(hex), b.get(i + 2).and_then(hex)) {
                out.push(h << 4 | l);
                i += 3;
                continue;
            }
        }
        out.push(if b[i] == b'+' { b' ' } else { b[i] });
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn hex(c: &u8) -> Option<u8> {
    (*c as char).to_digit(16).map(|d| d as u8)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_secrets_are_replaced() {
        assert_eq!(
            redact_url("https://octo/api/projects?apikey=API-ABCDEFGHIJKLMNOPQRSTUV&skip=0"),
            "https://octo/api/projects?apikey=REDACTED&skip=0"
        );
        assert_eq!(redact_url("/api/x?ApiKey=abc#frag"), "/api/x?ApiKey=REDACTED#frag");
        assert_eq!(redact_url("/api/x?access_token=abc&b=2"), "/api/x?access_token=REDACTED&b=2");
        assert_eq!(redact_url("/api/x?skip=30"), "/api/x?skip=30");
        assert!(matches!(redact_url("/api/x?skip=30"), Cow::Borrowed(_)));
    }

    #[test]
    fn api_keys_and_bearer_tokens_in_text() {
        assert_eq!(
            redact_api_keys("key API-ABCDEFGHIJKLMNOPQRSTUVWX1 used"),
            "key API-REDACTED used"
        );
        assert_eq!(
            redact_api_keys("Authorization: Bearer eyJhbGciOi.x.y"),
            "Authorization: Bearer REDACTED"
        );
        assert_eq!(redact_api_keys("API-docs"), "API-docs");
        assert_eq!(redact_api_keys("/api/users"), "/api/users");
    }
}
