//! Deterministic generators of web-server and proxy request logs: Octopus's
//! W3C log, IIS, nginx, ingress-nginx, HAProxy and Traefik (JSON).
//!
//! Each writes the producer's real layout (testdata/web-logs/README.md lists the
//! specifications) with a realistic mix: the Octopus API paths, mostly fast
//! requests with a tail of slow ones and time-outs, statuses to match, the odd
//! restart (W3C directives again) or foreign line (nginx's error log on the same
//! stream). [`Counts`] says what was written, for assertions.

use std::io::{self, Write};

use crate::rng::Rng;

/// Which log.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// Octopus `Web-yyyy-MM-dd.log`.
    W3c,
    /// IIS `u_ex*.log`.
    Iis,
    /// nginx combined + `$request_time $upstream_response_time`.
    Nginx,
    /// ingress-nginx `upstreaminfo`.
    IngressNginx,
    /// HAProxy httplog with a syslog header.
    Haproxy,
    /// Traefik JSON.
    Traefik,
}

impl Kind {
    /// The `--kind` name and a file name for it.
    pub fn names(self) -> (&'static str, &'static str) {
        match self {
            Kind::W3c => ("w3c", "Web-2026-11-03.log"),
            Kind::Iis => ("iis", "u_ex261103.log"),
            Kind::Nginx => ("nginx", "access.log"),
            Kind::IngressNginx => ("ingress-nginx", "ingress-access.log"),
            Kind::Haproxy => ("haproxy", "haproxy.log"),
            Kind::Traefik => ("traefik", "traefik-access.json"),
        }
    }

    /// Every kind.
    pub const ALL: [Kind; 6] =
        [Kind::W3c, Kind::Iis, Kind::Nginx, Kind::IngressNginx, Kind::Haproxy, Kind::Traefik];
}

/// What was generated.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    /// Physical lines.
    pub lines: u64,
    /// Request lines.
    pub requests: u64,
    /// Requests whose logged duration is 1 s or more.
    pub slow: u64,
    /// Lines that are not requests and not directives (foreign lines, Traefik's own).
    pub other: u64,
    /// Bytes written.
    pub bytes: u64,
}

const PATHS: &[&str] = &[
    "/api/Spaces-1/dashboard",
    "/api/Spaces-1/projects/Projects-{n}/releases",
    "/api/tasks",
    "/api/Spaces-1/deployments",
    "/api/Spaces-1/environments",
    "/api/users/me",
    "/api/Spaces-1/machines",
    "/api/events",
    "/api/tasks/ServerTasks-{n}/details",
    "/api/octopusservernodes/ping",
];

const QUERIES: &[&str] =
    &["-", "skip=0&take=30", "spaces=Spaces-1&skip=0&take=10", "verbose=false"];

const AGENTS: &[&str] = &[
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36",
    "Octopus.Client/14.3.1 (Microsoft Windows 10.0.20348; x64) .NET/8.0",
    "octo/9.1.7",
];

/// One generated request.
struct Req {
    method: &'static str,
    path: String,
    query: &'static str,
    status: u16,
    ms: u64,
    upstream_ms: u64,
    bytes: u64,
    agent: &'static str,
    client: u64,
}

struct Gen {
    rng: Rng,
    micros: i64,
    counts: Counts,
}

impl Gen {
    fn request(&mut self) -> Req {
        let roll = self.rng.below(1000);
        let ms = match roll {
            0..=849 => self.rng.range(3, 300),
            850..=989 => self.rng.range(300, 5000),
            990..=997 => self.rng.range(5000, 30_000),
            _ => 60_000 + self.rng.below(3),
        };
        let status = match (ms, self.rng.below(100)) {
            (60_000.., _) => 504,
            (_, 0..=84) => 200,
            (_, 85..=89) => 304,
            (_, 90..=94) => 401,
            (_, 95..=97) => 404,
            _ => 500,
        };
        let path = self.rng.pick(PATHS).replace("{n}", &self.rng.range(1, 5000).to_string());
        let proxy_ms = self.rng.range(0, 15);
        self.micros += self.rng.range(1_000, 400_000) as i64;
        self.counts.requests += 1;
        let (query, agent): (&&str, &&str) = (self.rng.pick(QUERIES), self.rng.pick(AGENTS));
        Req {
            method: if self.rng.chance(0.85) { "GET" } else { "POST" },
            path,
            query,
            status,
            ms: ms + proxy_ms,
            upstream_ms: ms,
            bytes: self.rng.range(100, 60_000),
            agent,
            client: self.rng.below(200),
        }
    }

    fn civil(&self) -> (i32, u32, u32, i64, i64, i64, i64) {
        let secs = self.micros.div_euclid(1_000_000);
        let (y, mo, d) = octodiag_parsers::time::civil_from_days(secs.div_euclid(86_400));
        let sod = secs.rem_euclid(86_400);
        (y, mo, d, sod / 3600, sod / 60 % 60, sod % 60, self.micros.rem_euclid(1_000_000))
    }

    fn clf_date(&self) -> String {
        const MONTHS: [&str; 12] =
            ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
        let (y, mo, d, h, mi, s, _) = self.civil();
        format!("{d:02}/{}/{y:04}:{h:02}:{mi:02}:{s:02} +0000", MONTHS[mo as usize - 1])
    }
}

/// Writes about `bytes` of `kind` to `out`, starting at `start_epoch_s` (UTC).
pub fn write_log(
    kind: Kind,
    bytes: u64,
    seed: u64,
    start_epoch_s: i64,
    out: &mut impl Write,
) -> io::Result<Counts> {
    let mut g =
        Gen { rng: Rng::new(seed), micros: start_epoch_s * 1_000_000, counts: Counts::default() };
    let mut buf = Vec::with_capacity(1 << 20);
    let mut since_header = 0u64;
    let mut first = true;
    while g.counts.bytes + (buf.len() as u64) < bytes {
        // The first directives, and again after a restart every 200 000 lines.
        if matches!(kind, Kind::W3c | Kind::Iis) && (first || since_header > 200_000) {
            directives(kind, &mut g, &mut buf);
            since_header = 0;
            first = false;
        }
        since_header += 1;
        line(kind, &mut g, &mut buf);
        g.counts.lines += 1;
        if buf.len() > (1 << 20) - 8192 {
            g.counts.bytes += buf.len() as u64;
            out.write_all(&buf)?;
            buf.clear();
        }
    }
    g.counts.bytes += buf.len() as u64;
    out.write_all(&buf)?;
    Ok(g.counts)
}

fn directives(kind: Kind, g: &mut Gen, buf: &mut Vec<u8>) {
    let (y, mo, d, h, mi, s, _) = g.civil();
    let (software, fields) = match kind {
        Kind::W3c => ("Octopus Deploy 2019.13.7", "date time cs-method cs-uri-stem s-port cs-username c-ip sc-status time-taken"),
        _ => ("Microsoft Internet Information Services 10.0", "date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status sc-bytes cs-bytes time-taken"),
    };
    let _ = write!(buf, "#Software: {software}\n#Version: 1.0\n#Date: {y:04}-{mo:02}-{d:02} {h:02}:{mi:02}:{s:02}\n#Fields: {fields}\n");
    g.counts.lines += 4;
}

fn line(kind: Kind, g: &mut Gen, buf: &mut Vec<u8>) {
    if kind == Kind::Nginx && g.rng.chance(0.001) {
        g.counts.other += 1;
        let _ = writeln!(buf, "2026/11/03 13:55:39 [warn] 29#29: *{} upstream server temporarily disabled while reading response header from upstream", g.rng.below(99_999));
        return;
    }
    if kind == Kind::Traefik && g.rng.chance(0.001) {
        g.counts.other += 1;
        let _ = writeln!(buf, "{{\"level\":\"warn\",\"msg\":\"Error while Peeking first byte: read tcp: connection reset by peer\",\"time\":\"2026-11-03T13:55:00Z\"}}");
        return;
    }
    let r = g.request();
    // Octopus logs its own time; the proxies theirs, which includes Octopus's.
    let logged = if kind == Kind::W3c { r.upstream_ms } else { r.ms };
    g.counts.slow += u64::from(logged >= 1000);
    match kind {
        Kind::W3c => w3c(g, &r, buf),
        Kind::Iis => iis(g, &r, buf),
        Kind::Nginx => nginx(g, &r, buf),
        Kind::IngressNginx => ingress(g, &r, buf),
        Kind::Haproxy => haproxy(g, &r, buf),
        Kind::Traefik => traefik(g, &r, buf),
    }
}

fn w3c(g: &Gen, r: &Req, buf: &mut Vec<u8>) {
    let (y, mo, d, h, mi, s, _) = g.civil();
    let user = if r.status == 401 { "-" } else { "admin" };
    let _ = writeln!(
        buf,
        "{y:04}-{mo:02}-{d:02}\t{h:02}:{mi:02}:{s:02}\t{}\t{}\t8065\t{user}\t10.0.{}.{}\t{}\t{}",
        r.method,
        r.path,
        r.client / 50,
        r.client,
        r.status,
        r.upstream_ms
    );
}

fn iis(g: &Gen, r: &Req, buf: &mut Vec<u8>) {
    let (y, mo, d, h, mi, s, _) = g.civil();
    let agent = r.agent.replace(' ', "+");
    let (sub, win32) = if r.status == 504 { (3, 12002) } else { (0, 0) };
    let _ = writeln!(buf, "{y:04}-{mo:02}-{d:02} {h:02}:{mi:02}:{s:02} 10.0.0.4 {} {} {} 443 ACME\\user{} 10.1.{}.{} {agent} - {} {sub} {win32} {} {} {}", r.method, r.path, r.query, r.client % 7, r.client / 50, r.client, r.status, r.bytes, 300 + r.client, r.ms);
}

fn target(r: &Req) -> String {
    match r.query {
        "-" => r.path.clone(),
        q => format!("{}?{q}", r.path),
    }
}

fn nginx(g: &Gen, r: &Req, buf: &mut Vec<u8>) {
    let _ = writeln!(buf, "10.1.{}.{} - - [{}] \"{} {} HTTP/1.1\" {} {} \"https://octopus.acme.local/app\" \"{}\" {}.{:03} {}.{:03}", r.client / 50, r.client, g.clf_date(), r.method, target(r), r.status, r.bytes, r.agent, r.ms / 1000, r.ms % 1000, r.upstream_ms / 1000, r.upstream_ms % 1000);
}

fn ingress(g: &mut Gen, r: &Req, buf: &mut Vec<u8>) {
    let id = g.rng.next_u64();
    let _ = writeln!(buf, "10.1.{}.{} - - [{}] \"{} {} HTTP/2.0\" {} {} \"https://octopus.acme.local/app\" \"{}\" {} {}.{:03} [octopus-octopus-web-8080] [] 10.244.1.{}:8080 {} {}.{:03} {} {id:016x}{id:016x}", r.client / 50, r.client, g.clf_date(), r.method, target(r), r.status, r.bytes, r.agent, 400 + r.client, r.ms / 1000, r.ms % 1000, r.client % 3 + 10, r.bytes, r.upstream_ms / 1000, r.upstream_ms % 1000, r.status);
}

fn haproxy(g: &Gen, r: &Req, buf: &mut Vec<u8>) {
    const MONTHS: [&str; 12] =
        ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    let (y, mo, d, h, mi, s, us) = g.civil();
    let month = MONTHS[mo as usize - 1];
    let (tr, term) = if r.status == 504 {
        ("-1".to_string(), "sH--")
    } else {
        (r.upstream_ms.to_string(), "----")
    };
    let _ = writeln!(buf, "{month} {d:2} {h:02}:{mi:02}:{s:02} lb1 haproxy[1402]: 10.1.{}.{}:{} [{d:02}/{month}/{y:04}:{h:02}:{mi:02}:{s:02}.{:03}] octopus-https~ octopus/octo{} 0/0/1/{tr}/{} {} {} - - {term} 12/12/3/2/0 0/0 \"{} {} HTTP/1.1\"", r.client / 50, r.client, 40_000 + r.client, us / 1000, r.client % 2 + 1, r.ms, r.status, r.bytes, r.method, target(r));
}

fn traefik(g: &Gen, r: &Req, buf: &mut Vec<u8>) {
    let (y, mo, d, h, mi, s, us) = g.civil();
    let start = format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}.{us:06}000Z");
    let path = target(r).replace('&', "\\u0026");
    let _ = writeln!(buf, "{{\"ClientAddr\":\"10.1.{a}.{b}:51234\",\"ClientHost\":\"10.1.{a}.{b}\",\"ClientPort\":\"51234\",\"ClientUsername\":\"-\",\"DownstreamContentSize\":{bytes},\"DownstreamStatus\":{st},\"Duration\":{dur},\"OriginContentSize\":{bytes},\"OriginDuration\":{odur},\"OriginStatus\":{st},\"Overhead\":{over},\"RequestAddr\":\"octopus.acme.local\",\"RequestContentSize\":0,\"RequestCount\":{n},\"RequestHost\":\"octopus.acme.local\",\"RequestMethod\":\"{m}\",\"RequestPath\":\"{path}\",\"RequestPort\":\"-\",\"RequestProtocol\":\"HTTP/1.1\",\"RequestScheme\":\"https\",\"RetryAttempts\":0,\"RouterName\":\"octopus@kubernetes\",\"ServiceAddr\":\"10.42.0.17:8080\",\"ServiceName\":\"octopus-web-8080@kubernetes\",\"ServiceURL\":\"http://10.42.0.17:8080\",\"StartLocal\":\"{start}\",\"StartUTC\":\"{start}\",\"entryPointName\":\"websecure\",\"request_User-Agent\":\"{ua}\",\"level\":\"info\",\"msg\":\"\",\"time\":\"{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}Z\"}}",
        a = r.client / 50, b = r.client, bytes = r.bytes, st = r.status, dur = r.ms * 1_000_000 + 123_456, odur = r.upstream_ms * 1_000_000, over = (r.ms - r.upstream_ms) * 1_000_000, n = g.counts.requests, m = r.method, ua = r.agent);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_bytes_and_sizes_are_met() {
        for kind in Kind::ALL {
            let (mut a, mut b) = (Vec::new(), Vec::new());
            let ca = write_log(kind, 50_000, 9, 1_793_000_000, &mut a).unwrap();
            write_log(kind, 50_000, 9, 1_793_000_000, &mut b).unwrap();
            assert_eq!(a, b);
            assert!(a.len() >= 50_000 && ca.bytes == a.len() as u64, "{kind:?}");
            assert!(ca.requests > 20, "{kind:?} {ca:?}");
        }
    }
}
