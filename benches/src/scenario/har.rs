//! The browser recording as Chrome or Firefox exports it (har.md §4.1, §4.2):
//! Chrome with UTC `Z` times, fractional timings and `_error` on failures;
//! Firefox with the user's local offset, integer timings and a `browser` field.

use std::fmt::Write as _;

use super::clock::{http_date, iso_ms_offset, iso_ms_z};
use super::messages::base_url;
use super::timeline::Plan;
use super::traffic::HarEntry;
use super::variations::HarExporter;

/// The HAR file's text.
pub fn render(p: &Plan, entries: &[HarEntry]) -> String {
    let firefox = p.v.har == Some(HarExporter::Firefox);
    let user = p.har.as_ref().map_or(0, |s| s.user_offset_min);
    let stamp = |t: i64| if firefox { iso_ms_offset(t, user) } else { iso_ms_z(t) };
    let base = base_url(p);
    let mut s = String::with_capacity(entries.len() * 1200 + 512);
    let creator = if firefox {
        r#""creator":{"name":"Firefox","version":"128.0"},"browser":{"name":"Firefox","version":"128.0"}"#
    } else {
        r#""creator":{"name":"WebInspector","version":"537.36"}"#
    };
    let _ = write!(s, r#"{{"log":{{"version":"1.2",{creator},"pages":["#);
    if let Some(first) = entries.first().filter(|_| firefox || p.v.day % 2 == 0) {
        let _ = write!(
            s,
            r#"{{"startedDateTime":"{}","id":"page_1","title":"{base}/app#/Spaces-1","pageTimings":{{"onContentLoad":-1,"onLoad":-1}}}}"#,
            stamp(first.start)
        );
    }
    s.push_str(r#"],"entries":["#);
    for (i, e) in entries.iter().enumerate() {
        if i > 0 {
            s.push(',');
        }
        entry(&mut s, e, base, firefox, &stamp(e.start));
    }
    s.push_str("]}}\n");
    s
}

fn entry(s: &mut String, e: &HarEntry, base: &str, firefox: bool, started: &str) {
    let host = base.split("//").nth(1).unwrap_or(base);
    let failed = e.status == 0;
    let (http, ip) = if failed {
        ("", "")
    } else if firefox {
        ("HTTP/2", "10.20.30.40")
    } else {
        ("http/2.0", "10.20.30.40")
    };
    let size = 400 + (e.path.len() * 97) % 30_000;
    let t = &e.timings;
    let time: f64 = [t[0], t[1], t[2], t[4], t[5], t[6]].iter().filter(|x| **x > 0.0).sum();
    let date = http_date(e.start + ((time - t[6].max(0.0)) * 1000.0) as i64);
    let num = |x: f64| if firefox { format!("{}", x.round() as i64) } else { format!("{:.3}", x) };
    let _ = write!(
        s,
        r#"{{"_priority":"High","_resourceType":"xhr","cache":{{}},"connection":"443","pageref":"page_1","request":{{"method":"{}","url":"{base}{}","httpVersion":"{http}","headers":[{{"name":":authority","value":"{host}"}},{{"name":"accept","value":"application/json"}},{{"name":"x-octopus-csrf-token","value":"SAMPLE-CSRF-PLACEHOLDER"}}],"queryString":[],"cookies":[],"headersSize":-1,"bodySize":0}},"#,
        e.method, e.path
    );
    if failed {
        let error = if firefox {
            String::new()
        } else {
            format!(r#","_error":"{}""#, e.error.unwrap_or("net::ERR_FAILED"))
        };
        let _ = write!(
            s,
            r#""response":{{"status":0,"statusText":"","httpVersion":"","headers":[],"cookies":[],"content":{{"size":0,"mimeType":"x-unknown"}},"redirectURL":"","headersSize":-1,"bodySize":-1,"_transferSize":0{error}}},"#
        );
    } else {
        let error = if firefox { "" } else { r#","_error":null"# };
        let _ = write!(
            s,
            r#""response":{{"status":{},"statusText":"","httpVersion":"{http}","headers":[{{"name":"content-type","value":"application/json; charset=utf-8"}},{{"name":"date","value":"{date}"}}],"cookies":[],"content":{{"size":{size},"mimeType":"application/json"}},"redirectURL":"","headersSize":-1,"bodySize":{size},"_transferSize":{}{error}}},"#,
            e.status,
            size + 310
        );
    }
    let phases = ["blocked", "dns", "connect", "ssl", "send", "wait", "receive"];
    let timings: Vec<String> =
        phases.iter().zip(t).map(|(k, v)| format!(r#""{k}":{}"#, num(*v))).collect();
    let _ = write!(
        s,
        r#""serverIPAddress":"{ip}","startedDateTime":"{started}","time":{},"timings":{{{}}}}}"#,
        num(time),
        timings.join(",")
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::Rng;
    use crate::scenario::incidents::inject;
    use crate::scenario::kinds::Kind;
    use crate::scenario::traffic;
    use crate::scenario::variations::draw;

    #[test]
    fn the_recording_is_valid_json_that_the_parser_reads_whole() {
        for kind in [Kind::Network, Kind::HangRestart, Kind::HangRecover] {
            for seed in 0..6 {
                let mut rng = Rng::new(seed ^ kind.salt());
                let v = draw(kind, &mut rng);
                let mut p = Plan::base(kind, v, &mut rng);
                inject(&mut p, &mut rng);
                p.finish(&mut rng);
                let r = traffic::generate(&p, &mut rng);
                let text = render(&p, &r.har);
                let json: serde_json::Value = serde_json::from_str(&text).unwrap();
                let entries = json["log"]["entries"].as_array().unwrap();
                assert_eq!(entries.len(), r.har.len());
                let parsed = octodiag_parsers::har::parse_bytes(0, text.as_bytes());
                assert!(parsed.problems.is_empty(), "{:?}", parsed.problems.list);
                assert_eq!(parsed.events.len(), r.har.len());
                let failed = entries.iter().filter(|e| e["response"]["status"] == 0).count();
                assert_eq!(failed > 0, kind != Kind::Network, "{kind:?} {seed}");
            }
        }
    }
}
