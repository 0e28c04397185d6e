//! URL → endpoint normalisation, so that `/api/Spaces-1/projects/Projects-123/releases?skip=30`
//! and `/api/Spaces-2/projects/Projects-7/releases?skip=0` count as one endpoint:
//! `GET /api/{spaceId}/projects/{projectId}/releases`.
//!
//! Rules, per path segment: Octopus document ids (`Projects-123`) become
//! `{projectId}`; GUIDs `{guid}`; 32-hex ids `{id}`; numbers `{n}`; versions
//! (`1.4.2`) `{version}`; other segments are lower-cased. The query string and
//! fragment are dropped, and anything before `/api/` (scheme, host, a virtual
//! directory such as `/latest`) is removed.

/// The normalised endpoint of a method and URL.
pub fn endpoint(method: &str, url: &str) -> String {
    let mut out = String::with_capacity(url.len().min(96) + method.len() + 1);
    endpoint_into(&mut out, method, url);
    out
}

/// [`endpoint`] written into a reused buffer (no allocation per request).
pub fn endpoint_into(out: &mut String, method: &str, url: &str) {
    out.extend(method.chars().map(|c| c.to_ascii_uppercase()));
    out.push(' ');
    let path = path_of(url);
    if path.is_empty() {
        out.push('/');
    }
    for seg in path.split('/').filter(|s| !s.is_empty()) {
        out.push('/');
        push_segment(out, seg);
    }
}

/// Where `needle` first occurs in `hay`. A prebuilt memchr searcher: `str::find`
/// with a string pattern builds a new searcher per call (a million calls per GB).
fn find(hay: &str, finder: &memchr::memmem::Finder<'_>) -> Option<usize> {
    finder.find(hay.as_bytes())
}

fn api_finder() -> &'static memchr::memmem::Finder<'static> {
    static F: std::sync::OnceLock<memchr::memmem::Finder<'static>> = std::sync::OnceLock::new();
    F.get_or_init(|| memchr::memmem::Finder::new("/api/"))
}

fn scheme_finder() -> &'static memchr::memmem::Finder<'static> {
    static F: std::sync::OnceLock<memchr::memmem::Finder<'static>> = std::sync::OnceLock::new();
    F.get_or_init(|| memchr::memmem::Finder::new("://"))
}

/// The path of a URL from `/api/` on (or the whole path), without query or fragment.
pub fn path_of(url: &str) -> &str {
    let end = memchr::memchr2(b'?', b'#', url.as_bytes()).unwrap_or(url.len());
    let no_query = &url[..end];
    if let Some(i) = find(no_query, api_finder())
        .or_else(|| no_query.ends_with("/api").then(|| no_query.len() - 4))
    {
        return &no_query[i..];
    }
    match find(no_query, scheme_finder()) {
        Some(i) => {
            let after = &no_query[i + 3..];
            after.find('/').map_or("", |j| &after[j..])
        }
        None => no_query,
    }
}

/// The path and query of a URL (scheme and host removed), for matching the same
/// request seen by the browser and by the server.
pub fn path_with_query(url: &str) -> &str {
    match find(url, scheme_finder()) {
        Some(i) => {
            let after = &url[i + 3..];
            after.find('/').map_or("/", |j| &after[j..])
        }
        None => url,
    }
}

fn push_segment(out: &mut String, seg: &str) {
    if push_document_id_kind(out, seg) {
        // written
    } else if is_guid(seg) {
        out.push_str("{guid}");
    } else if seg.len() == 32 && seg.bytes().all(|b| b.is_ascii_hexdigit()) {
        out.push_str("{id}");
    } else if seg.bytes().all(|b| b.is_ascii_digit()) {
        out.push_str("{n}");
    } else if is_version(seg) {
        out.push_str("{version}");
    } else {
        out.extend(seg.chars().map(|c| c.to_ascii_lowercase()));
    }
}

/// `Projects-123` → `{projectId}`, `ServerTasks-9` → `{serverTaskId}`, `Policies-1` →
/// `{policyId}`, written straight into `out`; false (nothing written) for other segments.
fn push_document_id_kind(out: &mut String, seg: &str) -> bool {
    let Some((prefix, num)) = seg.rsplit_once('-') else { return false };
    if num.is_empty() || !num.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    let mut chars = prefix.chars();
    let Some(first) = chars.next() else { return false };
    if !first.is_ascii_uppercase() || !prefix.chars().all(|c| c.is_ascii_alphanumeric()) {
        return false;
    }
    let singular = match (prefix.strip_suffix("ies"), prefix.strip_suffix('s')) {
        (Some(stem), _) => (stem, "y"),
        (None, Some(stem)) => (stem, ""),
        (None, None) => (prefix, ""),
    };
    out.push('{');
    out.push(first.to_ascii_lowercase());
    out.push_str(&singular.0[first.len_utf8()..]);
    out.push_str(singular.1);
    out.push_str("Id}");
    true
}

fn is_guid(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 36
        && b.iter().enumerate().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => *c == b'-',
            _ => c.is_ascii_hexdigit(),
        })
}

fn is_version(s: &str) -> bool {
    let core = s.split(['-', '+']).next().unwrap_or(s);
    core.contains('.')
        && core.split('.').all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_issue_example() {
        assert_eq!(
            endpoint("GET", "/api/Spaces-1/projects/Projects-123/releases?skip=30"),
            "GET /api/{spaceId}/projects/{projectId}/releases"
        );
    }

    #[test]
    fn hosts_virtual_directories_and_ids() {
        assert_eq!(
            endpoint("get", "https://octo:8085/latest/api/Spaces-1/projects/"),
            "GET /api/{spaceId}/projects"
        );
        assert_eq!(
            endpoint("GET", "http://o/api/tasks/ServerTasks-306571/details?verbose=True"),
            "GET /api/tasks/{serverTaskId}/details"
        );
        assert_eq!(
            endpoint("POST", "https://o/api/Spaces-1/machinepolicies/MachinePolicies-1"),
            "POST /api/{spaceId}/machinepolicies/{machinePolicyId}"
        );
        assert_eq!(
            endpoint("GET", "/api/Spaces-1/projects/Projects-1/releases/1.4.2"),
            "GET /api/{spaceId}/projects/{projectId}/releases/{version}"
        );
        assert_eq!(
            endpoint("GET", "/api/interruptions/0b9c2e3f-1db3-4cde-ac71-5e42c9114041"),
            "GET /api/interruptions/{guid}"
        );
        assert_eq!(endpoint("GET", "https://o/app#/Spaces-1"), "GET /app");
        assert_eq!(endpoint("GET", "https://octopus.acme.local"), "GET /");
        assert_eq!(endpoint("GET", "/api/events/123"), "GET /api/events/{n}");
        assert_eq!(endpoint("GET", "/api/Users-1-extra"), "GET /api/users-1-extra");
    }
}
