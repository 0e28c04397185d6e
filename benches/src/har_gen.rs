//! A deterministic generator of large, realistic Octopus-portal HAR files.
//!
//! The shape follows a Chrome DevTools "Export HAR (with content)" of an
//! Octopus web-portal session (har.md §4.1): `_initiator` stacks,
//! `_priority`, `_resourceType`, HTTP/2 pseudo-headers, cookies, fractional
//! timings with `-1` on reused connections, `_fromCache` hits, failed
//! requests with `_error`, JSON API bodies full of escapes, and large base64
//! bodies for scripts, fonts and images. As in the corpus, bodies are most
//! of the bytes (har.md §6).
//!
//! The same [`HarGenConfig`] always gives the same bytes, and [`HarGenStats`]
//! says what was written, so a benchmark or test can assert the parser's
//! counts against the generator's.

use std::fmt::Write as _;
use std::io::{self, Write};

use octodiag_parsers::{Clock, Timestamp};

/// What to generate.
#[derive(Clone, Copy, Debug)]
pub struct HarGenConfig {
    /// Number of entries.
    pub entries: usize,
    /// Write response bodies (`content.text`); without them entries are small.
    pub bodies: bool,
    /// Seed of the pseudo-random choices.
    pub seed: u64,
}

impl HarGenConfig {
    /// About 260 MB: 6,000 entries with bodies (the size of file users report).
    pub fn large() -> HarGenConfig {
        HarGenConfig { entries: 6_000, bodies: true, seed: 0x0c70_d1a6 }
    }

    /// A few MB, for tests.
    pub fn small() -> HarGenConfig {
        HarGenConfig { entries: 300, bodies: true, seed: 7 }
    }

    /// Many tiny entries without bodies (reliability.md row 49).
    pub fn tiny(entries: usize) -> HarGenConfig {
        HarGenConfig { entries, bodies: false, seed: 49 }
    }
}

/// What was written.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HarGenStats {
    /// Entries written.
    pub entries: usize,
    /// Entries marked `_fromCache`.
    pub cached: usize,
    /// Entries with status 0 and `_error`.
    pub failed: usize,
    /// Entries whose `wait` exceeds 1 s (the slow API calls).
    pub slow: usize,
    /// Bytes of `content.text` (as written, escapes included).
    pub body_bytes: u64,
    /// Bytes of the whole file.
    pub bytes: u64,
}

/// A small, fast, deterministic generator (SplitMix64).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }

    /// A duration in ms with microsecond digits, between `lo` and `hi`.
    fn ms(&mut self, lo: f64, hi: f64) -> f64 {
        let x = (self.next() >> 11) as f64 / (1u64 << 53) as f64;
        ((lo + x * (hi - lo)) * 1000.0).round() / 1000.0
    }
}

/// What kind of request an entry is.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Api,
    Script,
    Font,
    Image,
}

const API_PATHS: &[&str] = &[
    "/api/Spaces-1/dashboard?highestLatestVersionPerProjectAndEnvironment=true",
    "/api/Spaces-1/projects/Projects-{n}/releases?skip=0&take=30",
    "/api/tasks?skip=0&take=10&spaces=Spaces-1",
    "/api/octopusservernodes/ping",
    "/api/Spaces-1/projects/Projects-{n}",
    "/api/Spaces-1/deployments?skip=0&take=30&projects=Projects-{n}",
    "/api/Spaces-1/variables/variableset-Projects-{n}",
    "/api/users/me",
    "/api/Spaces-1/projects/Projects-{n}/progression",
    "/api/serverstatus/health",
];

const BASE64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Writes a HAR to `out` and says what it holds.
///
/// # Errors
///
/// Only those of `out`.
pub fn write_har(out: &mut impl Write, cfg: &HarGenConfig) -> io::Result<HarGenStats> {
    let mut g = Gen { rng: Rng(cfg.seed), noise: base64_noise(cfg.seed), buf: String::new() };
    let mut stats = HarGenStats::default();
    let mut bytes = 0u64;
    let head = r#"{"log":{"version":"1.2","creator":{"name":"WebInspector","version":"537.36"},"pages":[{"startedDateTime":"2026-11-03T04:10:00.000Z","id":"page_1","title":"https://octopus.acme.local/app#/Spaces-1","pageTimings":{"onContentLoad":912.4,"onLoad":1288.7}}],"entries":["#;
    out.write_all(head.as_bytes())?;
    bytes += head.len() as u64;
    for i in 0..cfg.entries {
        if i > 0 {
            out.write_all(b",")?;
            bytes += 1;
        }
        g.entry(i, cfg, &mut stats);
        out.write_all(g.buf.as_bytes())?;
        bytes += g.buf.len() as u64;
    }
    out.write_all(b"]}}\n")?;
    stats.entries = cfg.entries;
    stats.bytes = bytes + 4;
    Ok(stats)
}

/// The HAR in memory.
pub fn generate(cfg: &HarGenConfig) -> (Vec<u8>, HarGenStats) {
    let mut v = Vec::new();
    let stats = match write_har(&mut v, cfg) {
        Ok(s) => s,
        Err(e) => unreachable!("writing to a Vec cannot fail: {e}"),
    };
    (v, stats)
}

/// Makes sure `path` holds the HAR of `cfg` (writing it if it is missing or
/// has another size) and returns its stats. Benchmarks keep the file in the
/// git-ignored `benches/out/` so that it is generated once.
///
/// # Errors
///
/// When the file cannot be written.
pub fn ensure_file(path: &std::path::Path, cfg: &HarGenConfig) -> io::Result<HarGenStats> {
    let stats = write_har(&mut io::sink(), cfg)?;
    let len = std::fs::metadata(path).map(|m| m.len()).ok();
    if len != Some(stats.bytes) {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let mut w = io::BufWriter::with_capacity(1 << 20, std::fs::File::create(path)?);
        write_har(&mut w, cfg)?;
        w.flush()?;
    }
    Ok(stats)
}

/// 1 MiB of random base64 characters, sliced for bodies.
fn base64_noise(seed: u64) -> Vec<u8> {
    let mut rng = Rng(seed ^ 0xb64);
    (0..1 << 20).map(|_| BASE64[rng.below(64) as usize]).collect()
}

struct Gen {
    rng: Rng,
    noise: Vec<u8>,
    buf: String,
}

impl Gen {
    fn entry(&mut self, i: usize, cfg: &HarGenConfig, stats: &mut HarGenStats) {
        self.buf.clear();
        let kind = match self.rng.below(100) {
            0..=69 => Kind::Api,
            70..=84 => Kind::Script,
            85..=89 => Kind::Font,
            _ => Kind::Image,
        };
        let failed = self.rng.below(200) == 0;
        let cached = !failed && kind != Kind::Api && self.rng.below(2) == 0;
        let path = self.path(kind);
        let start_ms = i as u64 * 137 + self.rng.below(100);
        let wait = self.wait(&path, kind, cached, failed);
        stats.cached += cached as usize;
        stats.failed += failed as usize;
        stats.slow += (wait > 1000.0) as usize;
        self.open_entry(&path, kind, start_ms, cached, failed);
        self.response(kind, cached, failed, cfg.bodies, stats);
        self.timings(wait, cached, failed, i == 0);
    }

    fn path(&mut self, kind: Kind) -> String {
        let n = 1 + self.rng.below(400);
        match kind {
            Kind::Api => {
                let p = API_PATHS[self.rng.below(API_PATHS.len() as u64) as usize];
                p.replace("{n}", &n.to_string())
            }
            Kind::Script => format!("/chunks/{n:04}.{:08x}.js", self.rng.next() as u32),
            Kind::Font => format!("/fonts/roboto-{n}.woff2"),
            Kind::Image => format!("/images/project-logo-{n}.png"),
        }
    }

    /// Server time: the dashboard and release lists are slow, as in the bundle story.
    fn wait(&mut self, path: &str, kind: Kind, cached: bool, failed: bool) -> f64 {
        match () {
            _ if failed => 0.0,
            _ if cached => self.rng.ms(0.02, 0.4),
            _ if path.contains("/dashboard?") => self.rng.ms(8000.0, 9500.0),
            _ if path.contains("/releases?") => self.rng.ms(3500.0, 4500.0),
            _ if path.ends_with("/ping") => self.rng.ms(3.0, 9.0),
            _ if kind == Kind::Api => self.rng.ms(20.0, 600.0),
            _ => self.rng.ms(15.0, 80.0),
        }
    }

    fn open_entry(&mut self, path: &str, kind: Kind, start_ms: u64, cached: bool, failed: bool) {
        let b = &mut self.buf;
        let (ty, prio) = match kind {
            Kind::Api => ("xhr", "High"),
            Kind::Script => ("script", "High"),
            Kind::Font => ("font", "VeryHigh"),
            Kind::Image => ("image", "Low"),
        };
        let base = Timestamp::from_civil(2026, 11, 3, 4, 10, 0, 0).unwrap_or_default();
        let start = base.add_micros(start_ms as i64 * 1000).rfc3339(Clock::Utc);
        let _ = write!(
            b,
            r#"{{"_initiator":{{"type":"script","stack":{{"callFrames":[{{"functionName":"fetchJson","scriptId":"41","url":"https://octopus.acme.local/main.9f3c1e.js","lineNumber":1,"columnNumber":88121}},{{"functionName":"","scriptId":"41","url":"https://octopus.acme.local/main.9f3c1e.js","lineNumber":1,"columnNumber":90412}}],"parent":{{"description":"Promise.then","callFrames":[{{"functionName":"load","scriptId":"41","url":"https://octopus.acme.local/main.9f3c1e.js","lineNumber":1,"columnNumber":1204}}]}}}}}},"_priority":"{prio}","_resourceType":"{ty}","cache":{{}},"connection":"443","pageref":"page_1","#
        );
        if cached {
            b.push_str(r#""_fromCache":"memory","#);
        }
        let q = path.split_once('?').map_or("", |(_, q)| q);
        let query: Vec<String> = q
            .split('&')
            .filter(|p| !p.is_empty())
            .map(|p| {
                let (k, v) = p.split_once('=').unwrap_or((p, ""));
                format!(r#"{{"name":"{k}","value":"{v}"}}"#)
            })
            .collect();
        let _ = write!(
            b,
            r#""request":{{"method":"GET","url":"https://octopus.acme.local{path}","httpVersion":"http/2.0","headers":[{{"name":":authority","value":"octopus.acme.local"}},{{"name":":method","value":"GET"}},{{"name":":path","value":"{path}"}},{{"name":":scheme","value":"https"}},{{"name":"accept","value":"application/json, text/plain, */*"}},{{"name":"accept-encoding","value":"gzip, deflate, br, zstd"}},{{"name":"accept-language","value":"en-AU,en;q=0.9"}},{{"name":"cookie","value":"OctopusIdentificationToken_e7c1=SAMPLE-SESSION-PLACEHOLDER; Octopus-Csrf-Token_e7c1=SAMPLE-CSRF-PLACEHOLDER"}},{{"name":"referer","value":"https://octopus.acme.local/app"}},{{"name":"sec-ch-ua","value":"\"Chromium\";v=\"130\", \"Google Chrome\";v=\"130\""}},{{"name":"sec-fetch-mode","value":"cors"}},{{"name":"user-agent","value":"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36"}},{{"name":"x-octopus-csrf-token","value":"SAMPLE-CSRF-PLACEHOLDER"}}],"queryString":[{}],"cookies":[{{"name":"OctopusIdentificationToken_e7c1","value":"SAMPLE-SESSION-PLACEHOLDER","path":"/","domain":"octopus.acme.local","expires":"1969-12-31T23:59:59.000Z","httpOnly":true,"secure":true}}],"headersSize":-1,"bodySize":0}},"serverIPAddress":"{}","startedDateTime":"{start}","#,
            query.join(","),
            if failed { "" } else { "10.20.30.40" },
        );
    }

    fn response(
        &mut self,
        kind: Kind,
        cached: bool,
        failed: bool,
        bodies: bool,
        stats: &mut HarGenStats,
    ) {
        let status = if failed { 0 } else { 200 };
        let mime = match kind {
            Kind::Api => "application/json",
            Kind::Script => "application/javascript",
            Kind::Font => "font/woff2",
            Kind::Image => "image/png",
        };
        let body = if bodies && !failed { self.body(kind) } else { String::new() };
        stats.body_bytes += body.len() as u64;
        let size = if kind == Kind::Api { body.len() } else { body.len() / 4 * 3 };
        let b = &mut self.buf;
        let _ = write!(
            b,
            r#""response":{{"status":{status},"statusText":"","httpVersion":"{}","headers":[{{"name":"cache-control","value":"no-cache"}},{{"name":"content-type","value":"{mime}; charset=utf-8"}},{{"name":"date","value":"Tue, 03 Nov 2026 04:10:00 GMT"}},{{"name":"server","value":"Microsoft-HTTPAPI/2.0"}},{{"name":"x-content-type-options","value":"nosniff"}}],"cookies":[],"content":{{"size":{size},"mimeType":"{mime}""#,
            if failed { "" } else { "http/2.0" },
        );
        if !body.is_empty() {
            let enc = if kind == Kind::Api { "" } else { r#","encoding":"base64""# };
            let _ = write!(b, r#","text":"{body}"{enc}"#);
        }
        let error = if failed { r#""net::ERR_ABORTED""# } else { "null" };
        let transfer = if cached || failed { 0 } else { size + 310 };
        let _ = write!(
            b,
            r#"}},"redirectURL":"","headersSize":-1,"bodySize":{},"_transferSize":{transfer},"_error":{error}}},"#,
            if failed { -1 } else { transfer as i64 },
        );
    }

    /// An API body is JSON (escaped inside the HAR string); other bodies are base64.
    fn body(&mut self, kind: Kind) -> String {
        let len = match kind {
            Kind::Api => 1_000 + self.rng.below(30_000) as usize,
            Kind::Script => 20_000 + self.rng.below(280_000) as usize,
            Kind::Font => 40_000 + self.rng.below(60_000) as usize,
            Kind::Image => 2_000 + self.rng.below(60_000) as usize,
        };
        if kind != Kind::Api {
            let len = len / 4 * 4;
            let start =
                self.rng.below((self.noise.len() - len.min(self.noise.len())) as u64 + 1) as usize;
            let mut s = String::with_capacity(len);
            while s.len() < len {
                let take = (len - s.len()).min(self.noise.len() - start);
                s.push_str(
                    std::str::from_utf8(&self.noise[start..start + take]).unwrap_or_default(),
                );
            }
            return s;
        }
        let mut s = String::with_capacity(len + 200);
        s.push_str(r#"{\"ItemType\":\"Release\",\"TotalResults\":412,\"Items\":["#);
        let mut n = 0;
        while s.len() < len {
            let _ = write!(
                s,
                r#"{{\"Id\":\"Releases-{n}\",\"Version\":\"2026.11.{n}\",\"ProjectId\":\"Projects-21\",\"Assembled\":\"2026-11-0{}T04:10:00.000+10:00\",\"ReleaseNotes\":\"Fixes \\\"slow\\\" dashboard\\nand more\",\"Links\":{{\"Self\":\"/api/Spaces-1/releases/Releases-{n}\"}}}},"#,
                1 + n % 9
            );
            n += 1;
        }
        s.push_str(r#"{}]}"#);
        s
    }

    fn timings(&mut self, wait: f64, cached: bool, failed: bool, first: bool) {
        let b = &mut self.buf;
        if failed {
            let blocked = self.rng.ms(1.0, 3000.0);
            let _ = write!(
                b,
                r#""time":{blocked},"timings":{{"blocked":{blocked},"dns":-1,"ssl":-1,"connect":-1,"send":0,"wait":0,"receive":0,"_blocked_queueing":-1}}}}"#
            );
            return;
        }
        let (blocked, queue) =
            if cached { (-1.0, -1.0) } else { (self.rng.ms(0.5, 40.0), self.rng.ms(0.1, 0.5)) };
        let (dns, connect, ssl) = if first { (3.12, 18.44, 11.02) } else { (-1.0, -1.0, -1.0) };
        let send = if cached { 0.0 } else { self.rng.ms(0.05, 0.6) };
        let receive = self.rng.ms(0.01, if cached { 0.2 } else { 40.0 });
        let time: f64 =
            [blocked, dns, connect, send, wait, receive].iter().filter(|v| **v > 0.0).sum();
        let _ = write!(
            b,
            r#""time":{time:.3},"timings":{{"blocked":{blocked},"dns":{dns},"ssl":{ssl},"connect":{connect},"send":{send},"wait":{wait},"receive":{receive},"_blocked_queueing":{queue}}}}}"#
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deterministic_and_valid_json() {
        let cfg = HarGenConfig { entries: 40, bodies: true, seed: 3 };
        let (a, sa) = generate(&cfg);
        let (b, sb) = generate(&cfg);
        assert_eq!((a.len(), &sa), (b.len(), &sb));
        assert_eq!(a, b);
        assert_eq!(sa.bytes, a.len() as u64);
        let v: serde_json::Value = serde_json::from_slice(&a).unwrap();
        assert_eq!(v["log"]["entries"].as_array().unwrap().len(), 40);
    }
}
