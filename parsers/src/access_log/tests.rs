use super::*;
use crate::event::{AccessDetail, EventKind, Request};
use crate::time::Clock;

fn req(p: &Parsed, i: usize) -> (&Request, &AccessDetail) {
    match &p.events[i].kind {
        EventKind::Request(r) => (r, r.access.as_deref().expect("access detail")),
        other => panic!("event {i} is not a request: {other:?}"),
    }
}

fn time(p: &Parsed, i: usize) -> String {
    p.events[i].time.rfc3339(p.events[i].clock)
}

fn s<'a>(t: &'a Option<crate::event::Text>, b: &'a [u8]) -> std::borrow::Cow<'a, str> {
    t.as_ref().expect("text").resolve(b)
}

fn one(origin: AccessOrigin, line: &str) -> Parsed {
    let p = parse(0, line.as_bytes(), origin);
    assert!(p.problems.is_empty(), "{:?}", p.problems.list);
    assert_eq!(p.events.len(), 1);
    p
}

#[test]
fn nginx_combined_without_timing_is_untimed() {
    let l = r#"203.0.113.9 - - [10/Oct/2025:15:55:36 +0200] "GET /api/tasks?skip=0&apikey=API-XYZ HTTP/1.1" 200 5120 "https://octo/app" "Mozilla/5.0 (X11)""#;
    let p = one(AccessOrigin::Nginx, l);
    let b = l.as_bytes();
    let (r, a) = req(&p, 0);
    assert_eq!(time(&p, 0), "2025-10-10T13:55:36.000Z", "the offset is applied");
    assert_eq!(
        (r.method.resolve(b), r.url.resolve(b)),
        ("GET".into(), "/api/tasks?skip=0&apikey=API-XYZ".into())
    );
    assert_eq!((r.status, r.duration_ms, a.untimed), (Some(200), 0.0, true));
    assert_eq!(
        (s(&a.client, b), s(&a.user_agent, b)),
        ("203.0.113.9".into(), "Mozilla/5.0 (X11)".into())
    );
    assert!(a.user.is_none() && a.upstream_ms.is_none());
    assert_eq!(a.bytes_sent, Some(5120));
}

#[test]
fn nginx_positional_request_and_upstream_times() {
    let l = r#"10.0.0.1 - bob [10/Oct/2025:13:55:36 +0000] "POST /api/deployments HTTP/1.1" 201 90 "-" "octo-cli" 2.517 2.503"#;
    let p = one(AccessOrigin::Nginx, l);
    let (r, a) = req(&p, 0);
    assert_eq!((r.duration_ms, a.upstream_ms, a.untimed), (2517.0, Some(2503.0), false));
    assert_eq!(s(&a.user, l.as_bytes()), "bob");
    let retried = r#"10.0.0.1 - - [10/Oct/2025:13:55:36 +0000] "GET / HTTP/1.1" 200 9 "-" "x" 0.120 0.004, 0.100"#;
    let p = one(AccessOrigin::Nginx, retried);
    let (_, a) = req(&p, 0);
    assert_eq!((a.upstream_ms, a.upstream_tries), (Some(104.0), Some(2)));
    let no_upstream = r#"10.0.0.1 - - [10/Oct/2025:13:55:36 +0000] "GET /x HTTP/1.1" 404 0 "-" "x" 0.000 - "1.2.3.4""#;
    let p = one(AccessOrigin::Nginx, no_upstream);
    let (r, a) = req(&p, 0);
    assert_eq!((r.duration_ms, a.upstream_ms), (0.0, None));
    assert!(!a.untimed, "0.000 is a time");
}

#[test]
fn nginx_key_value_timings() {
    let l = r#"10.0.0.1 - - [10/Oct/2025:13:55:36 +0000] "GET /api HTTP/1.1" 502 150 "-" "x" "10.1.1.1" rt=1.250 uct="0.001" uht="1.200" urt="0.600, 0.640" us="502, 502" ua="10.0.0.5:8080, 10.0.0.6:8080""#;
    let p = one(AccessOrigin::Nginx, l);
    let b = l.as_bytes();
    let (r, a) = req(&p, 0);
    assert_eq!(r.duration_ms, 1250.0);
    assert_eq!(
        (a.upstream_ms, a.upstream_tries, a.upstream_connect_ms, a.upstream_header_ms),
        (Some(1240.0), Some(2), Some(1.0), Some(1200.0))
    );
    assert_eq!(a.upstream_status, Some(502));
    assert_eq!(s(&a.upstream_addr, b), "10.0.0.5:8080, 10.0.0.6:8080");
    let long = r#"10.0.0.1 - - [10/Oct/2025:13:55:36 +0000] "GET /api HTTP/1.1" 200 1 "-" "x" request_time=0.333 upstream_response_time=0.300 request_id=abc"#;
    let p = one(AccessOrigin::Nginx, long);
    let (r, a) = req(&p, 0);
    assert_eq!((r.duration_ms, a.upstream_ms), (333.0, Some(300.0)));
    assert_eq!(s(&a.request_id, long.as_bytes()), "abc");
}

#[test]
fn ingress_nginx_upstreaminfo() {
    let l = r#"192.168.1.10 - - [10/Oct/2025:13:55:36 +0000] "GET /api/Spaces-1/dashboard HTTP/2.0" 200 48213 "https://octopus.example.com/app" "Mozilla/5.0" 512 3.104 [octopus-octopus-web-8080] [] 10.244.1.17:8080 48213 3.101 200 5d7f0c1e9a2b4c3d8e9f0a1b2c3d4e5f"#;
    let p = one(AccessOrigin::IngressNginx, l);
    let b = l.as_bytes();
    let (r, a) = req(&p, 0);
    assert_eq!(
        (r.duration_ms, a.upstream_ms, a.upstream_status),
        (3104.0, Some(3101.0), Some(200))
    );
    assert_eq!(a.bytes_received, Some(512));
    assert_eq!(s(&a.upstream_name, b), "octopus-octopus-web-8080");
    assert_eq!(s(&a.upstream_addr, b), "10.244.1.17:8080");
    assert_eq!(s(&a.request_id, b), "5d7f0c1e9a2b4c3d8e9f0a1b2c3d4e5f");
    let retried = r#"192.168.1.10 - - [10/Oct/2025:13:55:36 +0000] "GET / HTTP/1.1" 200 1 "-" "x" 90 0.700 [ns-svc-80] [] 10.0.0.1:80, 10.0.0.2:80 0, 1 0.500, 0.199 502, 200 id1"#;
    let p = one(AccessOrigin::IngressNginx, retried);
    let (_, a) = req(&p, 0);
    assert_eq!(
        (a.upstream_ms, a.upstream_tries, a.upstream_status),
        (Some(699.0), Some(2), Some(200))
    );
    assert_eq!(s(&a.upstream_addr, retried.as_bytes()), "10.0.0.1:80, 10.0.0.2:80");
    assert_eq!(s(&a.request_id, retried.as_bytes()), "id1");
    let old = r#"10.0.0.9 - [10.0.0.9] - - [10/Oct/2025:13:55:36 +0000] "GET /api HTTP/1.1" 503 190 "-" "x" 80 0.000 [default-octo-80] - - - -"#;
    let p = one(AccessOrigin::IngressNginx, old);
    let (r, a) = req(&p, 0);
    assert_eq!(
        (r.status, r.duration_ms, a.upstream_ms, a.upstream_addr.is_none()),
        (Some(503), 0.0, None, true)
    );
}

#[test]
fn haproxy_with_and_without_syslog() {
    let l = r#"Feb  6 12:14:14 localhost haproxy[14389]: 10.0.1.2:33317 [06/Feb/2009:12:14:14.655] http-in static/srv1 10/0/30/69/109 200 2750 - - ---- 1/1/1/1/0 0/0 {1wt.eu} {} "GET /index.html HTTP/1.1""#;
    let p = one(AccessOrigin::Haproxy, l);
    let b = l.as_bytes();
    let (r, a) = req(&p, 0);
    assert_eq!(p.events[0].clock, Clock::Local);
    assert_eq!(time(&p, 0), "2009-02-06T12:14:14.764", "accept date + Ta");
    assert_eq!(
        (r.url.resolve(b), r.status, r.duration_ms),
        ("/index.html".into(), Some(200), 109.0)
    );
    assert_eq!(
        (a.client_ms, a.queue_ms, a.upstream_connect_ms, a.upstream_ms),
        (Some(10.0), Some(0.0), Some(30.0), Some(69.0))
    );
    assert_eq!(
        (s(&a.client, b), s(&a.upstream_name, b), s(&a.termination, b)),
        ("10.0.1.2:33317".into(), "static/srv1".into(), "----".into())
    );
    assert!(a.logged_at_start);
    let raw = r#"10.0.0.5:55480 [27/Jun/2019:21:42:38.916] public_ssl~ be_http/srva 0/0/0/-1/63387 504 194 - - sH-- 15/13/10/0/+1 0/0 "PATCH /api/upload/4ddad61736a6 HTTP/1.1""#;
    let p = one(AccessOrigin::Haproxy, raw);
    let (r, a) = req(&p, 0);
    assert_eq!(
        (r.status, r.duration_ms, a.upstream_ms, a.upstream_tries),
        (Some(504), 63387.0, None, Some(2))
    );
    assert_eq!(s(&a.termination, raw.as_bytes()), "sH--");
}

#[test]
fn haproxy_iso_syslog_gives_utc_and_truncated_request_is_read() {
    let l = r#"2012-06-12T17:56:11+00:00 localhost haproxy[21732]: 127.0.0.1:40074 [12/Jun/2012:19:56:10.548] fe be/i-8bcc18ed:9105 14/0/0/283/575 200 107 - - ---- 232/162/162/5/0 0/0 "POST /intake HTTP/1.1"#;
    let p = one(AccessOrigin::Haproxy, l);
    assert_eq!(p.events[0].clock, Clock::Utc);
    assert_eq!(time(&p, 0), "2012-06-12T17:56:11.123Z");
    let (r, _) = req(&p, 0);
    assert_eq!(r.method.resolve(l.as_bytes()), "POST");
}

#[test]
fn haproxy_badreq_and_tcp_lines_are_kept_as_log() {
    let bad = r#"10.0.0.1:1 [06/Feb/2009:12:14:14.655] fe fe/<NOSRV> -1/-1/-1/-1/2 400 187 - - PR-- 1/1/0/0/0 0/0 "<BADREQ>""#;
    let p = one(AccessOrigin::Haproxy, bad);
    assert!(matches!(p.events[0].kind, EventKind::Log));
    let tcp = "10.0.0.1:1 [06/Feb/2009:12:14:14.655] fnt bck/srv1 0/0/5007 212 -- 0/0/0/0/3 0/0";
    let p = one(AccessOrigin::Haproxy, tcp);
    assert!(matches!(p.events[0].kind, EventKind::Log));
}

#[test]
fn traefik_clf_start_plus_duration() {
    let l = r#"10.42.0.1 - - [10/Oct/2025:13:55:36 +0000] "GET /api/serverstatus HTTP/2.0" 200 1234 "-" "Mozilla/5.0" 4242 "octopus-web@kubernetes" "http://10.42.0.17:8080" 1520ms"#;
    let p = one(AccessOrigin::Traefik, l);
    let b = l.as_bytes();
    let (r, a) = req(&p, 0);
    assert_eq!(time(&p, 0), "2025-10-10T13:55:37.520Z");
    assert_eq!((r.duration_ms, a.logged_at_start), (1520.0, true));
    assert_eq!(
        (s(&a.upstream_name, b), s(&a.upstream_addr, b)),
        ("octopus-web@kubernetes".into(), "http://10.42.0.17:8080".into())
    );
}

#[test]
fn traefik_json_nanoseconds_and_escapes() {
    let l = r#"{"ClientAddr":"10.0.0.9:51234","ClientHost":"10.0.0.9","ClientUsername":"-","DownstreamContentSize":812,"DownstreamStatus":200,"Duration":2512345678,"OriginContentSize":812,"OriginDuration":2500000000,"OriginStatus":200,"Overhead":12345678,"RequestHost":"octopus.example.com","RequestMethod":"GET","RequestPath":"/api/tasks?skip=0\u0026take=10","RequestProtocol":"HTTP/2.0","RetryAttempts":0,"RouterName":"octo@docker","ServiceAddr":"172.18.0.4:8080","ServiceName":"octopus@docker","StartUTC":"2025-10-10T13:55:36.123456789Z","request_User-Agent":"Mozilla/5.0","level":"info","msg":"","time":"2025-10-10T13:55:38Z"}"#;
    let p = one(AccessOrigin::Traefik, l);
    let b = l.as_bytes();
    let (r, a) = req(&p, 0);
    assert_eq!(time(&p, 0), "2025-10-10T13:55:38.635Z");
    assert_eq!(p.events[0].time.0 % 1_000_000, 635_801);
    assert_eq!((r.duration_ms, a.upstream_ms, r.status), (2512.345678, Some(2500.0), Some(200)));
    assert_eq!(r.url.resolve(b), "/api/tasks?skip=0&take=10");
    assert_eq!(r.full_url(b), "http://octopus.example.com/api/tasks?skip=0&take=10");
    assert_eq!(
        (s(&a.client, b), s(&a.upstream_addr, b), s(&a.upstream_name, b)),
        ("10.0.0.9".into(), "172.18.0.4:8080".into(), "octopus@docker".into())
    );
    assert_eq!((a.bytes_sent, a.upstream_tries, a.user.is_none()), (Some(812), None, true));
}

#[test]
fn traefik_json_own_messages_and_broken_lines() {
    let log = "{\"level\":\"warn\",\"msg\":\"config reloaded\",\"time\":\"2025-10-10T13:55:36Z\"}\n{\"RequestMethod\":\"GET\",\n";
    let p = parse(0, log.as_bytes(), AccessOrigin::Traefik);
    assert_eq!(p.events.len(), 1);
    assert_eq!(p.events[0].level, crate::event::Level::Warn);
    assert!(matches!(p.events[0].kind, EventKind::Log));
    assert_eq!(p.problems.list.len(), 1);
    assert_eq!(p.problems.list[0].line, Some(2));
}

#[test]
fn foreign_lines_are_one_problem_per_run() {
    let log = "2025/10/10 13:55:36 [notice] 1#1: start worker processes\n\
2025/10/10 13:55:36 [notice] 1#1: start worker process 29\n\
10.0.0.1 - - [10/Oct/2025:13:55:36 +0000] \"GET / HTTP/1.1\" 200 1 \"-\" \"x\"\n\
/docker-entrypoint.sh: done\n";
    let p = parse(0, log.as_bytes(), AccessOrigin::Nginx);
    assert_eq!((p.entries, p.skipped_lines, p.lines), (1, 3, 4));
    let got: Vec<_> = p.problems.list.iter().map(|p| (p.line, p.reason.as_str())).collect();
    assert_eq!(
        got,
        vec![
            (Some(1), "2 lines not in the access-log format (lines 1-2)"),
            (Some(4), "line not in the access-log format; skipped"),
        ]
    );
}

#[test]
fn detection_of_each_layout() {
    let nginx =
        r#"10.0.0.1 - - [10/Oct/2025:13:55:36 +0000] "GET / HTTP/1.1" 200 1 "-" "x" 0.001 0.001"#;
    let ingress = r#"10.0.0.1 - - [10/Oct/2025:13:55:36 +0000] "GET / HTTP/1.1" 200 1 "-" "x" 90 0.700 [ns-svc-80] [] 10.0.0.2:80 1 0.199 200 id"#;
    let traefik = r#"10.0.0.1 - - [10/Oct/2025:13:55:36 +0000] "GET / HTTP/1.1" 200 1 "-" "x" 1 "r@docker" "http://a:1" 3ms"#;
    let haproxy = "10.0.0.1:1 [06/Feb/2009:12:14:14.655] fe be/s 1/0/0/1/2 200 1 - - ---- 1/1/1/1/0 0/0 \"GET / HTTP/1.1\"";
    let json = r#"{"RequestMethod":"GET","DownstreamStatus":200}"#;
    assert_eq!(detect_line(nginx.as_bytes()), Some(AccessOrigin::Nginx));
    assert_eq!(detect_line(ingress.as_bytes()), Some(AccessOrigin::IngressNginx));
    assert_eq!(detect_line(traefik.as_bytes()), Some(AccessOrigin::Traefik));
    assert_eq!(detect_line(haproxy.as_bytes()), Some(AccessOrigin::Haproxy));
    assert_eq!(detect_line(json.as_bytes()), Some(AccessOrigin::Traefik));
    assert_eq!(detect_line(br#"{"log":"x"}"#), None);
    assert_eq!(
        detect_line(b"2021-07-08 03:16:32.9895  19480     73  INFO  Request took 5ms: GET /"),
        None
    );
}

mod no_panic {
    use proptest::prelude::*;

    use super::*;

    /// Lines made of the pieces the grammars look for, shuffled, so that the
    /// parsers get deep into their productions before meeting nonsense.
    fn near_miss() -> impl Strategy<Value = Vec<u8>> {
        let piece = prop_oneof![
            Just(&b"10.0.0.1 - - "[..]),
            Just(&b"[10/Oct/2025:13:55:36 +0000] "[..]),
            Just(&b"[06/Feb/2009:12:14:14.655] "[..]),
            Just(&b"\"GET /api HTTP/1.1\" "[..]),
            Just(&b"200 512 "[..]),
            Just(&b"0/0/1/-1/+5 "[..]),
            Just(&b"fe be/s "[..]),
            Just(&b"0.004, 0.010 : - "[..]),
            Just(&b"rt=\"0.5 "[..]),
            Just(&b"[ns-svc-80] "[..]),
            Just(&b"{\"RequestMethod\":\"GET\",\"Duration\":"[..]),
            Just(&b"\"\\u00"[..]),
            Just(&b"\n"[..]),
            Just(&b"#Fields: date time cs-method\n"[..]),
            Just(&b"2025-10-10\t13:55:36\tGET\t"[..]),
            Just(&b"\xff\x00"[..]),
        ];
        proptest::collection::vec(piece, 0..40).prop_map(|p| p.concat())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn request_logs_never_panic(bytes in near_miss(), noise in proptest::collection::vec(any::<u8>(), 0..200)) {
            for b in [&bytes, &noise] {
                for origin in [AccessOrigin::Nginx, AccessOrigin::IngressNginx, AccessOrigin::Haproxy, AccessOrigin::Traefik] {
                    let p = parse(0, b, origin);
                    prop_assert!(p.entries + p.skipped_lines <= p.lines);
                }
                for origin in [AccessOrigin::W3cOctopus, AccessOrigin::Iis] {
                    let _ = crate::web_log::parse(0, b, origin);
                }
                let _ = detect_line(b);
                let _ = crate::detect::detect("x.log", b);
            }
        }
    }
}
