//! Format detection from content: the first KiB decides, the file name only
//! breaks ties (an empty file, or a first KiB that fits nothing).
//!
//! Web-server and proxy logs get one format per producer (`w3c-octopus`,
//! `iis`, `nginx`, `ingress-nginx`, `haproxy`, `traefik`) rather than one
//! `web-log` format with a flavour: the producer decides the clock (W3C and
//! Traefik JSON are UTC, CLF dates carry an offset, HAProxy's has none),
//! whether the logged time is the start or the end, and which timings exist,
//! and a user reading `inputs` needs to see it. Their grammars are shared
//! underneath ([`crate::web_log`], [`crate::access_log`]).

use crate::event::AccessOrigin;

/// The formats octodiag reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Format {
    /// `OctopusServer.txt` and its archives (NLog layout).
    ServerLog,
    /// On-disk `TaskLogs` JSON lines (`servertasks-N_x.txt`, `*.tl.txt`).
    TaskLogJson,
    /// Scheduled-job logs in TaskLogs (`scheduledtasks_*.txt`), same line format.
    ScheduledTaskLog,
    /// A downloaded raw task log (`Task ID: …` header, `|` gutter).
    TaskLogText,
    /// An HTTP Archive (browser recording).
    Har,
    /// Octopus's W3C request log (`Web-yyyy-MM-dd.log`, `#Software: Octopus Deploy`).
    W3cOctopus,
    /// An IIS W3C log (`u_ex*.log`, `#Software: Microsoft Internet Information Services`).
    Iis,
    /// An nginx access log (`combined`, with or without timings).
    Nginx,
    /// An ingress-nginx access log (`upstreaminfo`).
    IngressNginx,
    /// An HAProxy HTTP log.
    Haproxy,
    /// A Traefik access log (CLF or JSON).
    Traefik,
    /// OpenTelemetry trace file: OTLP/JSON lines (`ExportTraceServiceRequest` per line).
    OtelTraces,
    /// Windows performance counters as PDH-CSV 4.0 / PDH-TSV (perfmon, typeperf, relog).
    PdhCsv,
    /// Linux sysstat `sadf -d` export (`# hostname;interval;timestamp;…`).
    Sadf,
    /// `dotnet-counters collect --format csv`.
    DotnetCounters,
    /// A Prometheus HTTP API `query_range` (or `query`) JSON response.
    Prometheus,
    /// A speedscope profile (`dotnet-trace --format Speedscope`).
    Speedscope,
    /// The text `dotnet-gcdump report` prints.
    GcdumpReport,
    /// A binary profiler capture or dump, listed but never parsed.
    BinaryCapture,
    /// Not recognised.
    Unknown,
}

impl Format {
    /// Name used in tables and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Format::ServerLog => "server-log",
            Format::TaskLogJson => "task-log-json",
            Format::ScheduledTaskLog => "scheduled-task-log",
            Format::TaskLogText => "task-log-text",
            Format::Har => "har",
            Format::W3cOctopus => "w3c-octopus",
            Format::Iis => "iis",
            Format::Nginx => "nginx",
            Format::IngressNginx => "ingress-nginx",
            Format::Haproxy => "haproxy",
            Format::Traefik => "traefik",
            Format::OtelTraces => "otel-traces",
            Format::PdhCsv => "pdh-csv",
            Format::Sadf => "sadf",
            Format::DotnetCounters => "dotnet-counters",
            Format::Prometheus => "prometheus",
            Format::Speedscope => "speedscope",
            Format::GcdumpReport => "gcdump-report",
            Format::BinaryCapture => "binary-capture",
            Format::Unknown => "unknown",
        }
    }
}

impl Format {
    /// The producer, for request logs of web servers and proxies.
    pub fn access_origin(self) -> Option<AccessOrigin> {
        Some(match self {
            Format::W3cOctopus => AccessOrigin::W3cOctopus,
            Format::Iis => AccessOrigin::Iis,
            Format::Nginx => AccessOrigin::Nginx,
            Format::IngressNginx => AccessOrigin::IngressNginx,
            Format::Haproxy => AccessOrigin::Haproxy,
            Format::Traefik => AccessOrigin::Traefik,
            _ => return None,
        })
    }

    fn of_origin(o: AccessOrigin) -> Format {
        match o {
            AccessOrigin::W3cOctopus => Format::W3cOctopus,
            AccessOrigin::Iis => Format::Iis,
            AccessOrigin::Nginx => Format::Nginx,
            AccessOrigin::IngressNginx => Format::IngressNginx,
            AccessOrigin::Haproxy => Format::Haproxy,
            AccessOrigin::Traefik => Format::Traefik,
        }
    }
}

/// The outcome of detection: a format, and for `Unknown` the reason.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Detection {
    /// The format.
    pub format: Format,
    /// Why it is unknown, or for `BinaryCapture` what it is and which tool opens it (or `None`).
    pub reason: Option<&'static str>,
}

const HEAD: usize = 1024;

/// Bytes [`detect`] may look at: the head, after a UTF-8 BOM.
pub const DETECT_BYTES: usize = HEAD + 3;

/// Detects the format of a source from its first KiB, using `file_name` only as a tie-break.
pub fn detect(file_name: &str, bytes: &[u8]) -> Detection {
    let lower = file_name.to_ascii_lowercase();
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        return unknown("UTF-16 text; re-save the file as UTF-8");
    }
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let head = &body[..body.len().min(HEAD)];
    if let Some(what) = crate::telemetry_detect::binary_capture(&lower, head, looks_binary(head)) {
        return Detection { format: Format::BinaryCapture, reason: Some(what) };
    }
    if head.iter().all(|b| b.is_ascii_whitespace()) {
        return by_name_when_empty(&lower);
    }
    if looks_binary(head) {
        return unknown("binary data");
    }
    if let Some(f) = crate::telemetry_detect::by_content(head, &lower) {
        return Detection { format: f, reason: None };
    }
    // A head shorter than HEAD is the whole source: its last line is complete.
    if let Some(f) = by_content(head, &lower, body.len() < HEAD) {
        return Detection { format: f, reason: None };
    }
    unknown("content matches no supported format")
}

fn by_content(head: &[u8], lower_name: &str, whole: bool) -> Option<Format> {
    let first = first_non_blank_line(head);
    if first.starts_with(b"[\"") && looks_like_task_json(first) {
        let scheduled =
            lower_name.starts_with("scheduledtasks_") || first.starts_with(b"[\"ScheduledTasks_");
        return Some(if scheduled { Format::ScheduledTaskLog } else { Format::TaskLogJson });
    }
    if let Some(f) = w3c(head, lower_name) {
        return Some(f);
    }
    // Traefik writes its keys in alphabetical order: a line cut by the head still
    // shows `DownstreamStatus` and `OriginDuration` (and its lines run past a KiB).
    let traefik = crate::access_log::traefik_json::is_access_entry;
    if first.starts_with(b"{") && head.split(|b| *b == b'\n').any(traefik) {
        return Some(Format::Traefik);
    }
    if first.starts_with(b"{") && contains(head, b"\"log\"") {
        return Some(Format::Har);
    }
    if first.starts_with(b"{") && lower_name.ends_with(".har") {
        return Some(Format::Har);
    }
    if first.starts_with(b"Task ID:") || head.split(|b| *b == b'\n').any(is_raw_task_body_line) {
        return Some(Format::TaskLogText);
    }
    if head.split(|b| *b == b'\n').any(is_server_log_start) {
        return Some(Format::ServerLog);
    }
    complete_lines(head, whole)
        .take(16)
        .find_map(crate::access_log::detect_line)
        .map(Format::of_origin)
}

/// The lines of the head, without `\r`; the last one only if it is known to be
/// complete (it ends with a newline, or the head is the whole source).
fn complete_lines(head: &[u8], whole: bool) -> impl Iterator<Item = &[u8]> {
    let cut = match memchr::memrchr(b'\n', head) {
        _ if whole => head,
        Some(i) => &head[..i],
        None => &[],
    };
    cut.split(|b| *b == b'\n').map(|l| l.strip_suffix(b"\r").unwrap_or(l))
}

/// A W3C extended log: a `#Fields:` or `#Software:` directive in the head. The
/// `#Software:` line names the producer; without one, the file name does
/// (`Web-*.log` is Octopus's, anything else IIS's), then the separator
/// (Octopus writes tabs).
fn w3c(head: &[u8], lower_name: &str) -> Option<Format> {
    let directive =
        |l: &[u8], name: &[u8]| l.len() >= name.len() && l[..name.len()].eq_ignore_ascii_case(name);
    let mut lines = head.split(|b| *b == b'\n');
    let software = lines.clone().find(|l| directive(l, b"#Software:"));
    let fields = lines.clone().position(|l| directive(l, b"#Fields:"));
    if software.is_none() && fields.is_none() {
        return None;
    }
    if let Some(s) = software {
        if contains(s, b"Octopus Deploy") {
            return Some(Format::W3cOctopus);
        }
        if contains(s, b"Internet Information Services") {
            return Some(Format::Iis);
        }
    }
    if lower_name.starts_with("web-") && lower_name.ends_with(".log") {
        return Some(Format::W3cOctopus);
    }
    let tabbed = fields.and_then(|i| lines.nth(i + 1)).is_some_and(|l| l.contains(&b'\t'));
    let iis_name = lower_name.starts_with("u_ex") || lower_name.starts_with("ex");
    Some(if tabbed && !iis_name { Format::W3cOctopus } else { Format::Iis })
}

fn by_name_when_empty(lower: &str) -> Detection {
    if lower.starts_with("octopusserver") && lower.ends_with(".txt") {
        return Detection { format: Format::ServerLog, reason: None };
    }
    if lower.ends_with(".log") && (lower.starts_with("u_ex") || lower.starts_with("web-")) {
        let format = if lower.starts_with("web-") { Format::W3cOctopus } else { Format::Iis };
        return Detection { format, reason: None };
    }
    unknown("empty")
}

fn unknown(reason: &'static str) -> Detection {
    Detection { format: Format::Unknown, reason: Some(reason) }
}

/// More than 10% control bytes (other than tab, CR, LF, FF, ESC) or any NUL run at the start.
fn looks_binary(head: &[u8]) -> bool {
    let control = head
        .iter()
        .filter(|&&b| b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r' | 0x0c | 0x1b))
        .count();
    control * 10 > head.len() || head.starts_with(&[0, 0])
}

fn first_non_blank_line(head: &[u8]) -> &[u8] {
    head.split(|b| *b == b'\n').find(|l| !l.iter().all(|b| b.is_ascii_whitespace())).unwrap_or(&[])
}

fn looks_like_task_json(line: &[u8]) -> bool {
    // ["<corr>","INF","2016-…
    let Some(close) = memchr::memchr(b'"', &line[2..]).map(|i| i + 2) else { return false };
    let rest = &line[close..];
    rest.len() > 10 && rest[..3] == *b"\",\"" && rest[6..9] == *b"\",\""
}

/// A server-log entry start: `yyyy-MM-dd HH:mm:ss.ffff` then whitespace.
pub fn is_server_log_start(line: &[u8]) -> bool {
    crate::server_log::grammar::header(line).is_some()
}

/// `HH:mm:ss   Level    |` or 20 spaces then `|`.
fn is_raw_task_body_line(line: &[u8]) -> bool {
    if line.len() > 20 && line[..20].iter().all(|b| *b == b' ') && line[20] == b'|' {
        return true;
    }
    line.len() > 12
        && crate::time::digits::<2>(line).is_some()
        && line[2] == b':'
        && line[5] == b':'
        && line[8..11] == *b"   "
        && memchr::memchr(b'|', &line[..line.len().min(40)]).is_some()
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    memchr::memmem::find(hay, needle).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fmt(name: &str, text: &[u8]) -> Format {
        detect(name, text).format
    }

    #[test]
    fn server_log_both_layouts_and_bom() {
        let old = b"2016-05-30 12:09:20.4621     38  INFO  Request took 1320ms: POST http://x/api";
        let new = b"\xEF\xBB\xBF2017-07-12 11:57:43.3142  15048      1  INFO  Loading plugins";
        assert_eq!(fmt("whatever.log", old), Format::ServerLog);
        assert_eq!(fmt("x", new), Format::ServerLog);
    }

    #[test]
    fn server_log_starting_mid_exception() {
        let t = b"   at Foo.Bar()\n   at Baz()\n2016-05-30 12:09:20.4621     38  INFO  hello\n";
        assert_eq!(fmt("OctopusServer.0.txt", t), Format::ServerLog);
    }

    #[test]
    fn task_logs_both_forms() {
        let json = br#"["ServerTasks-21_GJZWYYV2KT","PLN","2016-07-29T04:18:53.2370194+00:00","Step 1","",0]"#;
        assert_eq!(fmt("servertasks-21_gjzwyyv2kt.txt", json), Format::TaskLogJson);
        let sched = br#"["ScheduledTasks_ProcessSubscriptions","INF","2020-07-27T06:58:12.0000000+00:00","x","",0]"#;
        assert_eq!(fmt("scheduledtasks_processsubscriptions.txt", sched), Format::ScheduledTaskLog);
        let raw = b"Task ID:        ServerTasks-16572\nTask status:    Success\n";
        assert_eq!(fmt("x.txt", raw), Format::TaskLogText);
        let body = b"                    | == Success: Deploy ==\n13:51:05   Verbose  |   Guided\n";
        assert_eq!(fmt("x.txt", body), Format::TaskLogText);
    }

    #[test]
    fn har_by_content_and_name() {
        assert_eq!(fmt("a.json", b"{\n  \"log\": {\"version\": \"1.2\"}}"), Format::Har);
        assert_eq!(fmt("a.har", b"{ \"x\": 1 }"), Format::Har);
        assert_eq!(fmt("a.json", b"{ \"x\": 1 }"), Format::Unknown);
    }

    #[test]
    fn w3c_by_software_line_then_name_then_separator() {
        let octo =
            b"#Software: Octopus Deploy 2019.1.0\n#Version: 1.0\n#Fields: date time cs-method\n";
        assert_eq!(fmt("anything.log", octo), Format::W3cOctopus);
        let iis = b"#Software: Microsoft Internet Information Services 10.0\r\n#Version: 1.0\r\n";
        assert_eq!(fmt("u_ex251010.log", iis), Format::Iis);
        let bare = b"#Fields: date time cs-method cs-uri-stem\n2025-01-01\t00:00:00\tGET\t/\n";
        assert_eq!(fmt("Web-2025-01-01.log", bare), Format::W3cOctopus);
        assert_eq!(fmt("x.log", bare), Format::W3cOctopus, "tabs");
        assert_eq!(fmt("u_ex1.log", bare), Format::Iis, "the IIS name wins over tabs");
        assert_eq!(fmt("x.log", b"#Fields: date time\n2025-01-01 00:00:00\n"), Format::Iis);
        assert_eq!(fmt("u_ex251010.log", b""), Format::Iis);
        assert_eq!(fmt("Web-2025-01-01.log", b""), Format::W3cOctopus);
        assert_eq!(fmt("x.sh", b"# a comment\necho hi\n"), Format::Unknown);
    }

    #[test]
    fn proxies_by_content() {
        let nginx =
            b"10.0.0.1 - - [10/Oct/2025:13:55:36 +0000] \"GET / HTTP/1.1\" 200 1 \"-\" \"x\"\n";
        assert_eq!(fmt("access.log", nginx), Format::Nginx);
        let haproxy = b"Feb  6 12:14:14 localhost haproxy[1]: 10.0.0.1:1 [06/Feb/2009:12:14:14.655] fe be/s 1/0/0/1/2 200 1 - - ---- 1/1/1/1/0 0/0 \"GET / HTTP/1.1\"\n";
        assert_eq!(fmt("haproxy.log", haproxy), Format::Haproxy);
        let traefik = b"{\"level\":\"info\",\"msg\":\"x\"}\n{\"RequestMethod\":\"GET\",\"StartUTC\":\"2025-10-10T13:55:36Z\"}\n";
        assert_eq!(fmt("access.json", traefik), Format::Traefik);
        let cut = br#"{"ClientHost":"10.0.0.1","DownstreamStatus":200,"Duration":5,"OriginDuration":4,"Request"#;
        assert_eq!(fmt("access.json", &[&cut[..], &[b'x'; 1100]].concat()), Format::Traefik);
        let noise = b"/docker-entrypoint.sh: hello\n10.0.0.1 - - [10/Oct/2025:13:55:36 +0000] \"GET / HTTP/1.1\" 200 1\n";
        assert_eq!(fmt("x", noise), Format::Nginx, "a later line decides");
        let mut cut = vec![b'a'; 1000];
        cut.push(b'\n');
        cut.extend_from_slice(nginx);
        assert_eq!(fmt("x", &cut), Format::Unknown, "a line cut by the head is not enough");
        assert_eq!(
            fmt("x", &nginx[..nginx.len() - 1]),
            Format::Nginx,
            "a whole file needs no newline"
        );
    }

    #[test]
    fn unknowns_have_reasons() {
        assert_eq!(detect("a", b"").reason, Some("empty"));
        assert_eq!(fmt("OctopusServer.txt", b""), Format::ServerLog);
        assert_eq!(
            detect("a", b"\x7fELF\x02\x01\x01\0\0\0\0\0\0\0\0\0\x02\0").reason,
            Some("binary data")
        );
        assert_eq!(
            detect("a", b"\xFF\xFEh\0i\0").reason,
            Some("UTF-16 text; re-save the file as UTF-8")
        );
        assert_eq!(
            detect("a", b"hello world\n").reason,
            Some("content matches no supported format")
        );
    }
}
