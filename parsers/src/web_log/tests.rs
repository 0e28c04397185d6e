use super::*;
use crate::event::{EventKind, Request};
use crate::time::Clock;

fn req(p: &Parsed, i: usize) -> &Request {
    match &p.events[i].kind {
        EventKind::Request(r) => r,
        other => panic!("event {i} is not a request: {other:?}"),
    }
}

fn utc(p: &Parsed, i: usize) -> String {
    assert_eq!(p.events[i].clock, Clock::Utc);
    p.events[i].time.rfc3339(Clock::Utc)
}

const OCTOPUS: &str =
    "#Software: Octopus Deploy 0.0.0-local\n#Version: 1.0\n#Date: 2017-03-28 03:49:55\n\
#Fields: date time cs-method cs-uri-stem s-port cs-username c-ip sc-status time-taken\n\
2017-03-28\t03:49:55\tGET\t/api\t8065\t-\t::1\t200\t513\n\
2017-03-28\t03:50:10\tGET\t/api/tasks\t8065\tadmin\t::1\t200\t1327\n\
2017-03-28\t13:50:31\tGET\t/api/serverstatus\t8065\tadmin\t::1\t200\t2915\n\
2017-03-28\t03:51:22\tGET\t/api/serverstatus\t8065\tadmin\t::1\t200\t23\n";

#[test]
fn octopus_log_tab_separated_utc_end_times() {
    let p = parse(0, OCTOPUS.as_bytes(), AccessOrigin::W3cOctopus);
    assert!(p.problems.is_empty(), "{:?}", p.problems.list);
    assert_eq!((p.entries, p.lines, p.skipped_lines, p.events.len()), (4, 8, 0, 4));
    let b = OCTOPUS.as_bytes();
    let r = req(&p, 1);
    assert_eq!((r.method.resolve(b), r.url.resolve(b)), ("GET".into(), "/api/tasks".into()));
    assert_eq!((r.duration_ms, r.status), (1327.0, Some(200)));
    let a = r.access.as_deref().unwrap();
    assert_eq!(a.origin, AccessOrigin::W3cOctopus);
    assert_eq!(a.user.as_ref().unwrap().resolve(b), "admin");
    assert_eq!(a.client.as_ref().unwrap().resolve(b), "::1");
    assert_eq!(a.server_port, Some(8065));
    assert!(!a.logged_at_start && !a.untimed && !a.plus_is_space);
    assert!(req(&p, 0).access.as_ref().unwrap().user.is_none(), "`-` is no user");
    assert_eq!(p.events[1].line, 6);
    // The backwards jump is kept as logged, not read as a day change.
    assert_eq!(utc(&p, 2), "2017-03-28T13:50:31.000Z");
    assert_eq!(utc(&p, 3), "2017-03-28T03:51:22.000Z");
}

#[test]
fn iis_log_space_separated_with_plus_query_substatus_and_bytes() {
    let log = "#Software: Microsoft Internet Information Services 10.0\r\n#Version: 1.0\r\n\
#Date: 2025-10-10 13:00:00\r\n\
#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status sc-bytes cs-bytes time-taken\r\n\
2025-10-10 13:55:36 10.0.0.4 GET /api/Spaces-1/projects skip=0&apikey=API-ABCDEF0123456789 443 ACME\\jo+smith 10.1.2.3 Mozilla/5.0+(Windows+NT+10.0;+Win64;+x64) - 200 0 0 5120 830 2345\r\n\
2025-10-10 13:55:37 10.0.0.4 POST /api/users/login - 443 - 10.1.2.3 - - 502 3 12002 1200 400 30012\r\n";
    let b = log.as_bytes();
    let p = parse(0, b, AccessOrigin::Iis);
    assert!(p.problems.is_empty(), "{:?}", p.problems.list);
    assert_eq!((p.entries, p.lines), (2, 6));
    let r = req(&p, 0);
    assert_eq!(utc(&p, 0), "2025-10-10T13:55:36.000Z");
    assert_eq!((r.url.resolve(b), r.duration_ms), ("/api/Spaces-1/projects".into(), 2345.0));
    assert_eq!(r.full_url(b), "/api/Spaces-1/projects?skip=0&apikey=API-ABCDEF0123456789");
    let a = r.access.as_deref().unwrap();
    assert!(a.plus_is_space);
    assert_eq!(a.decoded(a.user.as_ref().unwrap(), b), "ACME\\jo smith");
    assert_eq!(
        a.decoded(a.user_agent.as_ref().unwrap(), b),
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64)"
    );
    assert_eq!(
        (a.bytes_sent, a.bytes_received, a.substatus, a.win32_status),
        (Some(5120), Some(830), Some(0), Some(0))
    );
    let failed = req(&p, 1);
    let f = failed.access.as_deref().unwrap();
    assert_eq!((failed.status, f.substatus, f.win32_status), (Some(502), Some(3), Some(12002)));
    assert!(f.query.is_none() && f.user_agent.is_none());
    assert_eq!(p.events[1].level, crate::event::Level::Warn);
}

#[test]
fn fields_changing_mid_file_rebuild_the_map() {
    let log = "#Fields: date time cs-method cs-uri-stem sc-status time-taken\n\
2025-01-02 10:00:00 GET /a 200 10\n\
#Software: Microsoft Internet Information Services 10.0\n\
#Fields: time c-ip cs-method cs-uri-stem time-taken sc-status date\n\
10:00:05 10.9.8.7 PUT /b 20 204 2025-01-02\n";
    let b = log.as_bytes();
    let p = parse(0, b, AccessOrigin::Iis);
    assert!(p.problems.is_empty(), "{:?}", p.problems.list);
    assert_eq!(p.events.len(), 2);
    let second = req(&p, 1);
    assert_eq!(
        (second.method.resolve(b), second.status, second.duration_ms),
        ("PUT".into(), Some(204), 20.0)
    );
    assert_eq!(second.access.as_ref().unwrap().client.as_ref().unwrap().resolve(b), "10.9.8.7");
    assert_eq!(utc(&p, 1), "2025-01-02T10:00:05.000Z");
}

#[test]
fn date_from_the_directive_when_no_date_field() {
    let log = "#Date: 2025-03-04 00:00:01\n#Fields: time cs-method cs-uri-stem sc-status time-taken\n23:59:59.250 GET /x 200 1\n";
    let p = parse(0, log.as_bytes(), AccessOrigin::Iis);
    assert_eq!(utc(&p, 0), "2025-03-04T23:59:59.250Z");
}

#[test]
fn malformed_lines_are_problems_with_their_line() {
    let log = "2017-03-28\t03:49:55\tGET\t/api\t8065\t-\t::1\t200\t513\n\
2017-03-28\t03:49:56\tGET\t/api\t8065\t-\t::1\t200\t513\n\
#Fields: date time cs-method cs-uri-stem sc-status time-taken\n\
2017-03-28 03:50:00 GET /ok 200 5\n\
2017-03-28 03:50:01 GET /short 200\n\
2017-13-28 03:50:02 GET /baddate 200 5\n\
2017-03-28 03:50:03 GET /badnum 2x0 5\n\
#Fields:\n";
    let p = parse(0, log.as_bytes(), AccessOrigin::W3cOctopus);
    assert_eq!(p.events.len(), 1);
    assert_eq!(p.skipped_lines, 6);
    let got: Vec<(Option<u64>, &str)> =
        p.problems.list.iter().map(|p| (p.line, p.reason.as_str())).collect();
    assert_eq!(
        got,
        vec![
            (Some(1), "2 lines before any #Fields directive (lines 1-2)"),
            (Some(5), "5 values where #Fields lists 6; line skipped"),
            (Some(6), "no valid date and time; line skipped"),
            (Some(7), "sc-status or time-taken is not a number; line skipped"),
            (Some(8), "#Fields names no field"),
        ]
    );
}

#[test]
fn missing_time_taken_is_untimed_and_said_once() {
    let log = "#Fields: date time cs-method cs-uri-stem sc-status\n2025-01-02 10:00:00 GET /a 200\n2025-01-02 10:00:01 GET /b 200\n";
    let p = parse(0, log.as_bytes(), AccessOrigin::Iis);
    assert_eq!(p.events.len(), 2);
    assert_eq!(p.problems.list.len(), 1);
    assert!(p.problems.list[0].reason.starts_with("no time-taken field"));
    let r = req(&p, 1);
    assert_eq!(r.duration_ms, 0.0);
    assert!(r.access.as_ref().unwrap().untimed);
}

#[test]
fn line_without_method_is_kept_as_log() {
    let log = "#Fields: date time sc-status time-taken\n2025-01-02 10:00:00 200 5\n";
    let p = parse(0, log.as_bytes(), AccessOrigin::Iis);
    assert_eq!(p.entries, 1);
    assert!(matches!(p.events[0].kind, EventKind::Log));
}

#[test]
fn date_and_time_productions() {
    assert_eq!(date(b"2025-02-28").unwrap().rfc3339(Clock::Utc), "2025-02-28T00:00:00.000Z");
    assert!(date(b"2025-02-30").is_none());
    assert!(date(b"2025/02/28").is_none());
    assert_eq!(time_of_day(b"01:02:03"), Some(3_723_000_000));
    assert_eq!(time_of_day(b"01:02:03.5"), Some(3_723_500_000));
    assert!(time_of_day(b"24:00:00").is_none());
    assert!(time_of_day(b"01:02:03x").is_none());
}
