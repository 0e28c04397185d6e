//! Secrets never leave octodiag unredacted.
//!
//! Octopus API keys (`API-…`), `apikey=` query values, session cookies,
//! bearer tokens and CSRF tokens appear in HAR files and in the URLs the
//! server logs. Every command that prints a URL, header or message passes it
//! through this module first.
//!
//! Two kinds of rule, because deny-lists made for generic sites miss
//! vendor-specific names (reliability.md §5.2):
//! * by **name**: query and form parameters ([`is_secret_param`]), JSON keys
//!   in bodies ([`is_secret_key`]), and headers, where the HAR redactor keeps
//!   only the values of an allow-list of harmless headers
//!   ([`is_harmless_header`]);
//! * by **value**: anything shaped like an Octopus API key, a bearer token
//!   or a JWT, wherever it is ([`redact_api_keys`]), and URL user-info.

use std::borrow::Cow;
use std::sync::OnceLock;

use memchr::memmem::Finder;

/// Whether text may hold an API key, a bearer token or a JWT: the quick test run
/// on every URL and message, with searchers built once instead of per call.
fn might_hold_key(text: &str) -> bool {
    static FINDERS: OnceLock<[Finder<'static>; 3]> = OnceLock::new();
    let f =
        FINDERS.get_or_init(|| [Finder::new("API-"), Finder::new("earer "), Finder::new("eyJ")]);
    f.iter().any(|x| x.find(text.as_bytes()).is_some())
}

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
    "newvalue",
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

/// Fragments that make any parameter or key name secret (lower case).
const SECRET_FRAGMENTS: &[&str] = &[
    "apikey",
    "api_key",
    "api-key",
    "token",
    "passw",
    "secret",
    "csrf",
    "xsrf",
    "session",
    "credential",
    "privatekey",
    "private_key",
    "samlresponse",
    "samlrequest",
    "authorization",
];

/// Whether a query/form parameter name is secret.
pub fn is_secret_param(name: &str) -> bool {
    // Case-insensitive without allocating: this runs on every query parameter
    // of every request octodiag prints or analyses.
    SECRET_PARAMS.iter().any(|p| p.eq_ignore_ascii_case(name))
        || SECRET_FRAGMENTS.iter().any(|f| contains_ignore_ascii_case(name, f))
}

/// Whether `hay` contains the lower-case ASCII `needle`, ignoring ASCII case.
fn contains_ignore_ascii_case(hay: &str, needle: &str) -> bool {
    let (h, n) = (hay.as_bytes(), needle.as_bytes());
    n.is_empty() || h.windows(n.len()).any(|w| w.eq_ignore_ascii_case(n))
}

/// Whether a JSON key in a request or response body names a secret: a
/// password, an API key (`ApiKey` in `ApiKeyCreatedResource`), a token, or
/// the `NewValue` of an Octopus `SensitiveValue` (reliability.md §5.3).
///
/// Narrower than [`is_secret_param`]: Octopus resources are full of keys
/// such as `State` and `Code` that are not secrets in a body.
pub fn is_secret_key(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    SECRET_FRAGMENTS.iter().any(|f| lower.contains(f))
        || matches!(
            lower.as_str(),
            "newvalue" | "pwd" | "authorization" | "cookie" | "client_secret"
        )
}

/// Header names whose values [`is_harmless_header`] lets through (lower case).
/// Everything else is replaced when a HAR is redacted.
pub const HARMLESS_HEADERS: &[&str] = &[
    ":authority",
    ":method",
    ":path",
    ":scheme",
    ":status",
    "accept",
    "accept-encoding",
    "accept-language",
    "accept-ranges",
    "access-control-allow-credentials",
    "access-control-allow-headers",
    "access-control-allow-methods",
    "access-control-allow-origin",
    "access-control-expose-headers",
    "access-control-max-age",
    "access-control-request-headers",
    "access-control-request-method",
    "age",
    "cache-control",
    "connection",
    "content-disposition",
    "content-encoding",
    "content-language",
    "content-length",
    "content-location",
    "content-range",
    "content-security-policy",
    "content-type",
    "cross-origin-opener-policy",
    "cross-origin-resource-policy",
    "date",
    "dnt",
    "etag",
    "expires",
    "host",
    "if-modified-since",
    "if-none-match",
    "keep-alive",
    "last-modified",
    "location",
    "origin",
    "pragma",
    "priority",
    "range",
    "referer",
    "referrer-policy",
    "server",
    "server-timing",
    "strict-transport-security",
    "te",
    "timing-allow-origin",
    "transfer-encoding",
    "upgrade",
    "upgrade-insecure-requests",
    "user-agent",
    "vary",
    "via",
    "x-content-type-options",
    "x-frame-options",
    "x-powered-by",
    "x-requested-with",
    "x-xss-protection",
];

/// Whether a header's value may be kept in a redacted HAR. `sec-ch-*` and
/// `sec-fetch-*` (browser hints) are harmless too.
pub fn is_harmless_header(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    HARMLESS_HEADERS.contains(&lower.as_str())
        || lower.starts_with("sec-ch-")
        || lower.starts_with("sec-fetch-")
}

/// Whether a header's value is a URL (its query is redacted like a URL's).
pub fn is_url_header(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    matches!(lower.as_str(), "referer" | "location" | "origin" | "content-location" | ":path")
}

/// Whether a header name is secret.
pub fn is_secret_header(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    SECRET_HEADERS.contains(&lower.as_str()) || lower.contains("apikey") || lower.contains("token")
}

/// Replaces the values of secret query parameters in a URL, its user-info
/// (`https://user:pass@host`), and any `API-XXXX` key, bearer token or JWT
/// anywhere in it, with [`MARKER`].
pub fn redact_url(url: &str) -> Cow<'_, str> {
    let url = match redact_userinfo(url) {
        Cow::Borrowed(u) => redact_api_keys(u),
        Cow::Owned(u) => Cow::Owned(redact_api_keys(&u).into_owned()),
    };
    let Some(q) = url.find('?') else { return url };
    let (head, query) = url.split_at(q + 1);
    let (query, fragment) = match query.find('#') {
        Some(h) => query.split_at(h),
        None => (query, ""),
    };
    match redact_form(query) {
        Cow::Borrowed(_) => url,
        Cow::Owned(query) => Cow::Owned(format!("{head}{query}{fragment}")),
    }
}

/// Replaces the values of secret parameters in `a=1&b=2` text (a URL query
/// or an `application/x-www-form-urlencoded` body).
pub fn redact_form(text: &str) -> Cow<'_, str> {
    let mut changed = false;
    let parts: Vec<Cow<str>> = text
        .split('&')
        .map(|pair| match pair.split_once('=') {
            Some((k, v)) if !v.is_empty() && is_secret_param(&decoded_key(k)) => {
                changed = true;
                Cow::Owned(format!("{k}={MARKER}"))
            }
            _ => Cow::Borrowed(pair),
        })
        .collect();
    if changed {
        Cow::Owned(parts.join("&"))
    } else {
        Cow::Borrowed(text)
    }
}

/// `scheme://user:pass@host/…` → `scheme://REDACTED@host/…`.
fn redact_userinfo(url: &str) -> Cow<'_, str> {
    let Some(scheme_end) = url.find("://") else { return Cow::Borrowed(url) };
    let authority_start = scheme_end + 3;
    let rest = &url[authority_start..];
    let authority_len = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    match rest[..authority_len].rfind('@') {
        Some(at) => Cow::Owned(format!("{}{MARKER}{}", &url[..authority_start], &rest[at..])),
        None => Cow::Borrowed(url),
    }
}

/// Replaces Octopus API keys (`API-` followed by 16+ letters and digits),
/// `Bearer …` tokens (8+ characters) and JWTs (`eyJ….eyJ….…`) in free text.
pub fn redact_api_keys(text: &str) -> Cow<'_, str> {
    if !might_hold_key(text) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    let mut changed = false;
    while let Some((i, kind)) = find_secret_start(rest) {
        let (before, from) = rest.split_at(i);
        out.push_str(before);
        let (keep, token_len) = match kind {
            Secret::ApiKey => (4, token_len(&from[4..])),
            Secret::Bearer => (7, token_len(&from[7..])),
            Secret::Jwt => (0, jwt_len(from)),
        };
        let is_secret = match kind {
            Secret::ApiKey => token_len >= 16,
            // Real tokens are long; "bearer tokens" in prose is not one.
            Secret::Bearer => token_len >= 8,
            Secret::Jwt => token_len > 0,
        };
        if is_secret {
            out.push_str(&from[..keep]);
            out.push_str(MARKER);
            changed = true;
            rest = &from[keep + token_len..];
        } else {
            let skip = keep.max(3) + token_len;
            out.push_str(&from[..skip]);
            rest = &from[skip..];
        }
    }
    if !changed {
        return Cow::Borrowed(text);
    }
    out.push_str(rest);
    Cow::Owned(out)
}

#[derive(Clone, Copy)]
enum Secret {
    ApiKey,
    Bearer,
    Jwt,
}

fn find_secret_start(s: &str) -> Option<(usize, Secret)> {
    let candidates = [
        (s.find("API-"), Secret::ApiKey),
        (s.find("Bearer "), Secret::Bearer),
        (s.find("bearer "), Secret::Bearer),
        (s.find("eyJ"), Secret::Jwt),
    ];
    candidates.into_iter().filter_map(|(i, k)| i.map(|i| (i, k))).min_by_key(|(i, _)| *i)
}

/// Length of a token made of URL-safe and base64 characters.
fn token_len(s: &str) -> usize {
    s.find(|c: char| {
        !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '~' | '+' | '/' | '='))
    })
    .unwrap_or(s.len())
}

/// Length of a JWT at the start of `s` (`eyJ<b64url>.eyJ<b64url>.<b64url>`), or 0.
fn jwt_len(s: &str) -> usize {
    let b64 = |s: &str| {
        s.find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_'))).unwrap_or(s.len())
    };
    let header = b64(s);
    let Some(payload) = s[header..].strip_prefix('.') else { return 0 };
    if !payload.starts_with("eyJ") {
        return 0;
    }
    let payload_len = b64(payload);
    let after = &payload[payload_len..];
    match after.strip_prefix('.') {
        Some(sig) => header + 1 + payload_len + 1 + b64(sig),
        None => 0,
    }
}

/// A parameter name, percent-decoded only when it needs to be.
fn decoded_key(k: &str) -> Cow<'_, str> {
    if k.contains(['%', '+']) {
        Cow::Owned(percent_decode_lossy(k))
    } else {
        Cow::Borrowed(k)
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
        assert_eq!(redact_api_keys("bearer tokens are secret"), "bearer tokens are secret");
        assert_eq!(redact_api_keys("/api/users"), "/api/users");
        assert_eq!(
            redact_api_keys("API-SHORT API-ABCDEFGHIJKLMNOPQRSTUVWXYZ"),
            "API-SHORT API-REDACTED"
        );
    }

    #[test]
    fn jwts_anywhere() {
        let jwt = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ1c2VyIn0.c2lnbmF0dXJl-_x";
        assert_eq!(redact_api_keys(&format!("t={jwt}&x=1")), "t=REDACTED&x=1");
        assert_eq!(
            redact_api_keys(&format!("{{\"id_token\":\"{jwt}\"}}")),
            "{\"id_token\":\"REDACTED\"}"
        );
        assert_eq!(redact_api_keys("eyJhbGciOi only a header"), "eyJhbGciOi only a header");
        assert_eq!(redact_api_keys("eyJa.notpayload.x"), "eyJa.notpayload.x");
    }

    #[test]
    fn url_userinfo_and_broader_names() {
        assert_eq!(redact_url("https://bob:hunter2@octo/api?x=1"), "https://REDACTED@octo/api?x=1");
        assert_eq!(redact_url("https://octo/a@b"), "https://octo/a@b");
        assert_eq!(
            redact_url("/x?SAMLResponse=abc&user_session=q&skip=1"),
            "/x?SAMLResponse=REDACTED&user_session=REDACTED&skip=1"
        );
        assert_eq!(redact_url("/x?%61pikey=abc"), "/x?%61pikey=REDACTED");
        assert!(!is_secret_key("State"));
        assert!(is_secret_key("NewValue") && is_secret_key("ApiKey") && is_secret_key("Password"));
    }

    #[test]
    fn headers_are_allow_listed() {
        assert!(is_harmless_header("Content-Type") && is_harmless_header("sec-fetch-mode"));
        assert!(!is_harmless_header("X-Octopus-ApiKey") && !is_harmless_header("Cookie"));
        assert!(
            !is_harmless_header("X-Octopus-Csrf-Token") && !is_harmless_header("Authorization")
        );
        assert!(is_url_header("Referer") && !is_url_header("Accept"));
    }

    #[test]
    fn percent_decoding_never_panics_on_multibyte_text() {
        assert_eq!(redact_url("/x?%aé=1&%=2&a%2=3"), "/x?%aé=1&%=2&a%2=3");
    }
}
