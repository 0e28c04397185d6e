//! A deterministic generator of large, realistic Octopus Server logs.
//!
//! The mix of messages follows `shared/formats/octopus.md` §1.7, not one
//! repeated line: slow `Request took` lines (INFO) and, in verbose mode, every
//! request at DEBUG with TRACE request starts; SQL timings of every variant with
//! multi-line statements; `N transactions active`; high-transactions dumps;
//! exceptions with stack traces; Halibut lines; task and start-up lines. The
//! generator counts what it writes ([`Counts`]) so benchmarks can assert the
//! parser's answer, not just its speed.

use std::io::{self, Write};

pub use crate::rng::Rng;

/// Line layout.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Layout {
    /// 3.15+: `date  pid  tid LEVEL  message`.
    WithPid,
    /// 3.x: `date  tid LEVEL  message`.
    NoPid,
}

/// What to generate.
#[derive(Clone, Debug)]
pub struct ServerLogSpec {
    /// Approximate size in bytes.
    pub bytes: u64,
    /// Seed.
    pub seed: u64,
    /// Layout.
    pub layout: Layout,
    /// Verbose logging (every request at DEBUG, TRACE starts).
    pub verbose: bool,
    /// Start of the log, seconds since the Unix epoch (local time).
    pub start_epoch_s: i64,
}

/// What was generated, for assertions.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    /// Entries (first lines).
    pub entries: u64,
    /// Physical lines.
    pub lines: u64,
    /// `Request took` entries.
    pub requests: u64,
    /// SQL timing entries.
    pub sql: u64,
    /// Bytes written.
    pub bytes: u64,
}

const PATHS: &[&str] = &[
    "/api/Spaces-1/dashboard?highestLatestVersionPerProjectAndEnvironment=true",
    "/api/Spaces-1/projects/Projects-{n}/releases?skip=0&take=30",
    "/api/tasks?skip=0&take=10&spaces=Spaces-1",
    "/api/Spaces-1/deployments?skip=0&take=30&projects=Projects-{n}",
    "/api/Spaces-1/environments?skip=0&take=2147483647",
    "/api/users/me",
    "/api/Spaces-1/machines?skip=0&take=100",
    "/api/events?skip=0&take=30&spaces=Spaces-1",
    "/api/tasks/ServerTasks-{n}/details?verbose=false",
    "/api/octopusservernodes/ping",
];

const TABLES: &[&str] =
    &["Release", "Deployment", "ServerTask", "Event", "Dashboard", "Project", "Machine"];

/// Writes a server log to `out` and returns what it wrote.
pub fn write_server_log(spec: &ServerLogSpec, out: &mut impl Write) -> io::Result<Counts> {
    let mut g = Gen {
        rng: Rng::new(spec.seed),
        spec,
        counts: Counts::default(),
        micros: spec.start_epoch_s * 1_000_000,
    };
    let mut buf = Vec::with_capacity(1 << 20);
    g.start_up(&mut buf);
    while g.counts.bytes + (buf.len() as u64) < spec.bytes {
        g.entry(&mut buf);
        if buf.len() > (1 << 20) - 4096 {
            g.counts.bytes += buf.len() as u64;
            out.write_all(&buf)?;
            buf.clear();
        }
    }
    g.counts.bytes += buf.len() as u64;
    out.write_all(&buf)?;
    Ok(g.counts)
}

struct Gen<'s> {
    rng: Rng,
    spec: &'s ServerLogSpec,
    counts: Counts,
    micros: i64,
}

impl Gen<'_> {
    fn header(&mut self, buf: &mut Vec<u8>, level: &str) {
        self.micros += self.rng.range(100, 400_000) as i64;
        let secs = self.micros.div_euclid(1_000_000);
        let frac = self.micros.rem_euclid(1_000_000) / 100;
        let (y, mo, d) = octodiag_parsers::time::civil_from_days(secs.div_euclid(86_400));
        let sod = secs.rem_euclid(86_400);
        let tid = self.rng.range(1, 300);
        let _ = match self.spec.layout {
            Layout::WithPid => write!(
                buf,
                "{y:04}-{mo:02}-{d:02} {:02}:{:02}:{:02}.{frac:04}  {:>5}  {tid:>5} {level:>5}  ",
                sod / 3600,
                sod / 60 % 60,
                sod % 60,
                4242
            ),
            Layout::NoPid => write!(
                buf,
                "{y:04}-{mo:02}-{d:02} {:02}:{:02}:{:02}.{frac:04}  {tid:>5} {level:>5}  ",
                sod / 3600,
                sod / 60 % 60,
                sod % 60
            ),
        };
        self.counts.entries += 1;
        self.counts.lines += 1;
    }

    fn line(&mut self, buf: &mut Vec<u8>, text: &str) {
        buf.extend_from_slice(text.as_bytes());
        buf.push(b'\n');
        self.counts.lines += 1;
    }

    fn start_up(&mut self, buf: &mut Vec<u8>) {
        self.header(buf, "INFO");
        buf.extend_from_slice(
            b"Octopus.Server version 2025.3.10412 (2025.3.10412) instance OctopusServer\n",
        );
        self.header(buf, "INFO");
        buf.extend_from_slice(b"Environment Information:\n");
        for l in [
            "  OperatingSystem: Microsoft Windows NT 10.0.20348.0",
            "  MachineName: OCTO-BENCH",
            "  ProcessorCount: 8",
        ] {
            self.line(buf, l);
        }
    }

    fn path(&mut self) -> String {
        let p = *self.rng.pick(PATHS);
        p.replace("{n}", &self.rng.range(1, 5000).to_string())
    }

    fn correlation(&mut self) -> String {
        format!("{:016x}{:016x}", self.rng.next_u64(), self.rng.next_u64())
    }

    fn entry(&mut self, buf: &mut Vec<u8>) {
        let roll = self.rng.range(0, 1000);
        match roll {
            0..=399 => self.request(buf),
            400..=649 => self.sql(buf),
            650..=699 => self.halibut(buf),
            700..=719 => self.transactions(buf),
            720..=724 => self.exception(buf),
            725..=726 => self.dump(buf),
            727..=740 => self.task_line(buf),
            _ => self.plain(buf),
        }
    }

    fn request(&mut self, buf: &mut Vec<u8>) {
        let slow = self.rng.chance(0.3);
        if !slow && !self.spec.verbose {
            return self.plain(buf);
        }
        let ms = if slow { self.rng.range(1000, 30_000) } else { self.rng.range(3, 999) };
        let path = self.path();
        let corr = self.correlation();
        let method = if self.rng.chance(0.85) { "GET" } else { "POST" };
        if self.spec.verbose {
            self.header(buf, "TRACE");
            let _ = writeln!(buf, "{method:<5} https://octopus.acme.local{path} {corr}");
        }
        self.header(buf, if slow { "INFO" } else { "DEBUG" });
        let _ =
            writeln!(buf, "Request took {ms}ms: {method} https://octopus.acme.local{path} {corr}");
        self.counts.requests += 1;
    }

    fn sql(&mut self, buf: &mut Vec<u8>) {
        let slow = self.rng.chance(0.4);
        if !slow && !self.spec.verbose {
            return self.plain(buf);
        }
        let ms = if slow { self.rng.range(300, 20_000) } else { self.rng.range(1, 299) };
        let table = *self.rng.pick(TABLES);
        self.header(buf, if slow { "INFO" } else { "DEBUG" });
        let txn = match self.rng.range(0, 3) {
            0 => format!(
                "DashboardFactory|{:08x}-aaaa-bbbb-cccc-{:012x}|T{}",
                self.rng.next_u64() as u32,
                self.rng.next_u64() >> 16,
                self.rng.range(1, 200)
            ),
            // Retention runs every four hours as one task, as on a real server.
            1 => {
                let run = self.micros / (4 * 3600 * 1_000_000);
                let t = self.rng.range(1, 200);
                format!(
                    "ApplyRetentionPoliciesTaskController|ServerTasks-{}-{run:08x}|T{t}",
                    1000 + run % 9000
                )
            }
            _ => format!("https://octopus.acme.local{} {}", self.path(), self.correlation()),
        };
        let op = *self.rng.pick(&[
            "Execute reader",
            "Process reader",
            "Execute non query",
            "Insert",
            "Update",
            "Delete",
        ]);
        let _ = writeln!(buf, "{op} took {ms}ms in transaction '{txn}': SELECT *");
        self.line(buf, &format!("FROM dbo.[{table}]"));
        if self.rng.chance(0.5) {
            self.line(buf, "WHERE [Id] = @id");
        }
        self.counts.sql += 1;
    }

    fn halibut(&mut self, buf: &mut Vec<u8>) {
        self.header(buf, "INFO");
        let id = self.rng.range(100, 99_999);
        let _ = writeln!(buf, "poll://b2yf9fvn5hggm5hvjz72/   1717  Request IScriptService::GetStatus[{id}] was collected by the polling endpoint");
    }

    fn transactions(&mut self, buf: &mut Vec<u8>) {
        self.header(buf, "INFO");
        let _ = writeln!(buf, "{} transactions active", self.rng.range(80, 101));
    }

    fn exception(&mut self, buf: &mut Vec<u8>) {
        self.header(buf, "ERROR");
        buf.extend_from_slice(
            b"Unhandled exception from web server: The semaphore timeout period has expired\n",
        );
        self.line(buf, "System.Net.HttpListenerException (0x80004005): The semaphore timeout period has expired");
        for _ in 0..self.rng.range(3, 12) {
            self.line(buf, "   at System.Net.HttpResponseStream.Write(Byte[] buffer, Int32 offset, Int32 size)");
        }
    }

    fn dump(&mut self, buf: &mut Vec<u8>) {
        self.header(buf, "ERROR");
        buf.extend_from_slice(b"There are a high number of transactions active. The below information may help the Octopus team diagnose the problem:\n");
        self.line(buf, "Now: 2026-11-03T14:16:05");
        for i in 0..self.rng.range(2, 8) {
            self.line(buf, "");
            self.line(buf, &format!("Transaction 'DashboardFactory|{i}|T12' Open with 3 commands started at 2026-11-03T14:15:58 (7.20 seconds ago)"));
            self.line(buf, "2026-11-03T14:15:58 SELECT * FROM dbo.[Dashboard]");
        }
    }

    fn task_line(&mut self, buf: &mut Vec<u8>) {
        self.header(buf, "INFO");
        let ms = self.rng.range(200, 900_000);
        let _ = writeln!(buf, "Executing task \"Check target health for Default Machine Policy\" \"completed\" after {ms}ms.");
    }

    fn plain(&mut self, buf: &mut Vec<u8>) {
        self.header(buf, "INFO");
        let n = self.rng.range(0, 40);
        let _ = writeln!(buf, "Processed {n} subscriptions for {} events", n * 3);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use octodiag_parsers::server_log::{parse, ServerLogOptions};
    use octodiag_parsers::EventKind;

    fn generate(spec: &ServerLogSpec) -> (Vec<u8>, Counts) {
        let mut v = Vec::new();
        let c = write_server_log(spec, &mut v).unwrap();
        (v, c)
    }

    #[test]
    fn parser_agrees_with_the_generator() {
        for (layout, verbose) in [(Layout::WithPid, false), (Layout::NoPid, true)] {
            let spec = ServerLogSpec {
                bytes: 2 << 20,
                seed: 7,
                layout,
                verbose,
                start_epoch_s: 1_793_000_000,
            };
            let (bytes, counts) = generate(&spec);
            assert_eq!(counts.bytes, bytes.len() as u64);
            let log =
                parse(0, &bytes, &ServerLogOptions { chunk_size: 256 << 10, keep_generic: true });
            assert_eq!(log.entries, counts.entries);
            assert_eq!(log.lines, counts.lines);
            let requests =
                log.events.iter().filter(|e| matches!(e.kind, EventKind::Request(_))).count()
                    as u64;
            let sql =
                log.events.iter().filter(|e| matches!(e.kind, EventKind::Sql(_))).count() as u64;
            assert_eq!((requests, sql), (counts.requests, counts.sql));
            assert!(counts.requests > 1000, "{counts:?}");
        }
    }

    #[test]
    fn same_seed_same_bytes() {
        let spec = ServerLogSpec {
            bytes: 100_000,
            seed: 3,
            layout: Layout::WithPid,
            verbose: false,
            start_epoch_s: 0,
        };
        assert_eq!(generate(&spec).0, generate(&spec).0);
    }
}
