//! Generators of telemetry inputs (`gen --kind otel|pdh-csv|sadf|prometheus|speedscope`),
//! each with the counts a reader must find.
//!
//! Shapes follow `testdata/telemetry/` (see its README): OTel batches of 30 spans
//! as the Octopus file exporter writes them (SQL with `db.*` attributes and some
//! escaped multi-line statements, SERVER requests, task spans naming
//! `ServerTasks-N`, Git and unit-of-work spans, plus attributes octodiag skips),
//! a PDH-CSV of a 4-core Octopus host sampled every 15 s, `sadf -d` CPU and memory
//! sections, a Prometheus `query_range` matrix and a dotnet-trace speedscope file.

use std::fmt::Write as _;

use crate::rng::Rng;

/// Bytes written and what they hold.
#[derive(Clone, Debug, Default)]
pub struct Generated {
    /// The file.
    pub bytes: Vec<u8>,
    /// Lines (batches for OTel, rows plus headers for counters).
    pub lines: u64,
    /// OTel: spans; counters: data rows (sadf: rows of all sections); speedscope: events.
    pub entries: u64,
    /// OTel: SQL spans; counters: series; speedscope: threads.
    pub sql_or_series: u64,
    /// OTel: SERVER request spans; PDH: blank values; speedscope: frames.
    pub requests_or_blank: u64,
    /// OTel: task spans (naming a `ServerTasks-N`, not SQL or requests).
    pub tasks: u64,
}

const T0_NS: u64 = 1_793_678_400_000_000_000; // 2026-11-03T04:00:00Z

/// OTLP/JSON lines of about `size` bytes.
pub fn otel(size: usize, seed: u64) -> Generated {
    let mut g = Generated::default();
    let mut rng = Rng::new(seed);
    let mut line = String::with_capacity(200_000);
    let mut t = T0_NS;
    while g.bytes.len() < size {
        line.clear();
        line.push_str(r#"{"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"Octopus.Server"}},{"key":"service.instance.id","value":{"stringValue":"0b8a3c1e-1111-4c2d-9e0f-a1b2c3d4e5f6"}}]},"scopeSpans":["#);
        for (i, scope) in ["Octopus.DataAccess", "Microsoft.AspNetCore", "Octopus", "Octopus.Tasks"]
            .iter()
            .enumerate()
        {
            let n = [18, 5, 5, 2][i];
            let _ = write!(
                line,
                r#"{}{{"scope":{{"name":"{scope}","version":""}},"spans":["#,
                if i > 0 { "," } else { "" }
            );
            for k in 0..n {
                t += rng.range(100_000, 20_000_000);
                if k > 0 {
                    line.push(',');
                }
                span(&mut line, &mut rng, &mut g, scope, t);
            }
            line.push_str("]}");
        }
        line.push_str("]}]}\n");
        g.bytes.extend_from_slice(line.as_bytes());
        g.lines += 1;
    }
    g
}

fn span(out: &mut String, rng: &mut Rng, g: &mut Generated, scope: &str, start: u64) {
    let (trace, id, parent) = (rng.next_u64(), rng.next_u64(), rng.next_u64());
    let dur = rng.range(50_000, 400_000_000);
    let (name, kind) = match scope {
        "Octopus.DataAccess" => {
            (*rng.pick(&["SQL", "EF SQL", "Stored Procedure: GetNextKeyBlock"]), 3)
        }
        "Microsoft.AspNetCore" => ("GET /api/{spaceId}/projects/{id}", 2),
        "Octopus.Tasks" => ("Execute task", 1),
        _ => (
            *rng.pick(&[
                "UnitOfWork: Do",
                "GitCommitReader.FileExists",
                "Mediator.Do CreateUserCommand",
            ]),
            1,
        ),
    };
    let _ = write!(
        out,
        r#"{{"traceId":"{trace:016x}{id:016X}","spanId":"{id:016x}","parentSpanId":"{parent:016x}","name":"{name}","kind":{kind},"startTimeUnixNano":"{start}","endTimeUnixNano":"{}","flags":257,"attributes":["#,
        start + dur
    );
    skipped_attributes(out, rng);
    match scope {
        "Octopus.DataAccess" => sql_attributes(out, rng, g),
        "Microsoft.AspNetCore" => request_attributes(out, rng, g),
        "Octopus.Tasks" => {
            g.tasks += 1;
            let _ = write!(
                out,
                r#",{{"key":"octopus.task.id","value":{{"stringValue":"ServerTasks-{}"}}}}"#,
                rng.range(1000, 9999)
            );
        }
        _ => out.push_str(
            r#",{"key":"octopus.unit_of_work.name","value":{"stringValue":"CreateUserCommand"}}"#,
        ),
    }
    out.push_str("]}");
    g.entries += 1;
}

/// Attributes octodiag reads past: thread and code attributes, test-harness keys.
fn skipped_attributes(out: &mut String, rng: &mut Rng) {
    let _ = write!(
        out,
        r#"{{"key":"thread.id","value":{{"intValue":{}}}}},{{"key":"code.namespace","value":{{"stringValue":"Octopus.Server.Web.Controllers"}}}},{{"key":"test.run.identifier","value":{{"stringValue":"1efe3b1e-388c-4227-a2f5-ad1ed2fdc0a4"}}}},{{"key":"teamcity.buildConfName","value":{{"stringValue":"Other IsolatedIntegrationTests: Linux"}}}},{{"key":"application.version","value":{{"stringValue":"2026.2.12259"}}}}"#,
        rng.range(1, 200)
    );
}

fn sql_attributes(out: &mut String, rng: &mut Rng, g: &mut Generated) {
    g.sql_or_series += 1;
    let statement = if rng.chance(0.3) {
        r#"\nSELECT [Id], [Name], [JSON]\nFROM [dbo].[Project]\nWHERE [SpaceId] = @spaceId AND [Name] = N\u0027x\u0027\nORDER BY [Name]"#
    } else {
        "SELECT [Id], [JSON] FROM [dbo].[Release] WHERE [ProjectId] = @projectId ORDER BY [Assembled] DESC"
    };
    let _ = write!(
        out,
        r#",{{"key":"db.name","value":{{"stringValue":"Octopus"}}}},{{"key":"db.statement","value":{{"stringValue":"{statement}"}}}},{{"key":"db.statement_type","value":{{"stringValue":"Text"}}}},{{"key":"db.spid","value":{{"intValue":{}}}}},{{"key":"db.connection.sqlclient_id","value":{{"stringValue":"4a33170e-3464-4eec-96aa-c6a6b536dec7"}}}},{{"key":"db.transaction.sqlclient_id","value":{{}}}},{{"key":"peer.service","value":{{"stringValue":"sql01"}}}}"#,
        rng.range(51, 120)
    );
}

fn request_attributes(out: &mut String, rng: &mut Rng, g: &mut Generated) {
    g.requests_or_blank += 1;
    let _ = write!(
        out,
        r#",{{"key":"http.request.method","value":{{"stringValue":"GET"}}}},{{"key":"http.route","value":{{"stringValue":"/api/{{spaceId}}/projects/{{id}}"}}}},{{"key":"url.path","value":{{"stringValue":"/api/Spaces-1/projects/Projects-{}"}}}},{{"key":"server.address","value":{{"stringValue":"octopus.example.com"}}}},{{"key":"http.response.status_code","value":{{"intValue":200}}}},{{"key":"user_agent.original","value":{{"stringValue":"Mozilla/5.0 (Windows NT 10.0; Win64; x64)"}}}}"#,
        rng.range(1, 3000)
    );
}

/// Counter columns of a 4-core Octopus host.
const PDH_COUNTERS: [&str; 16] = [
    r"\Processor(_Total)\% Processor Time",
    r"\Processor(0)\% Processor Time",
    r"\Processor(1)\% Processor Time",
    r"\Processor(2)\% Processor Time",
    r"\Processor(3)\% Processor Time",
    r"\Process(Octopus.Server)\% Processor Time",
    r"\Process(Octopus.Server)\Private Bytes",
    r"\Process(Octopus.Server)\Working Set",
    r"\Process(Octopus.Server)\Thread Count",
    r"\Memory\Available MBytes",
    r"\Memory\% Committed Bytes In Use",
    r"\Paging File(_Total)\% Usage",
    r"\PhysicalDisk(0 C:)\Avg. Disk sec/Read",
    r"\PhysicalDisk(0 C:)\Avg. Disk sec/Write",
    r"\PhysicalDisk(0 C:)\Current Disk Queue Length",
    r"\System\Processor Queue Length",
];

/// PDH-CSV of about `size` bytes: 15-s rows, the first row's rate counters blank.
pub fn pdh_csv(size: usize, seed: u64) -> Generated {
    let mut rng = Rng::new(seed);
    let mut out = String::from("\"(PDH-CSV 4.0) (AUS Eastern Standard Time)(-600)\"");
    for c in PDH_COUNTERS {
        let _ = write!(out, ",\"\\\\OCTO-NODE1{c}\"");
    }
    out.push_str("\r\n");
    let mut g =
        Generated { lines: 1, sql_or_series: PDH_COUNTERS.len() as u64, ..Generated::default() };
    let mut t = 0u64;
    while out.len() < size {
        let (d, rest) = (t / 86_400, t % 86_400);
        let _ = write!(
            out,
            "\"11/{:02}/2026 {:02}:{:02}:{:02}.{:03}\"",
            1 + d % 28,
            rest / 3600,
            rest / 60 % 60,
            rest % 60,
            rng.below(1000)
        );
        for c in 0..PDH_COUNTERS.len() {
            if g.entries == 0 && c < 6 {
                out.push_str(",\" \"");
                g.requests_or_blank += 1;
            } else {
                let _ = write!(out, ",\"{}\"", rng.below(1_000_000_000) as f64 / 7919.0);
            }
        }
        out.push_str("\r\n");
        g.entries += 1;
        g.lines += 1;
        t += 15;
    }
    g.bytes = out.into_bytes();
    g
}

/// `sadf -d -- -u -r` of about `size` bytes: a CPU section then a memory section.
pub fn sadf(size: usize, seed: u64) -> Generated {
    let mut rng = Rng::new(seed);
    let rows = (size / 2 / 75).max(1) as u64;
    let mut out = String::from(
        "# hostname;interval;timestamp;CPU;%user;%nice;%system;%iowait;%steal;%idle\n",
    );
    for i in 0..rows {
        let idle = rng.below(10_000) as f64 / 100.0;
        let _ = writeln!(
            out,
            "vm;600;{};-1;{:.2};0.00;1.00;0.50;0.00;{idle:.2}",
            stamp(i),
            (99.0 - idle).max(0.0)
        );
    }
    out.push_str("# hostname;interval;timestamp;kbmemfree;kbavail;kbmemused;%memused;kbbuffers;kbcached;kbcommit;%commit;kbactive;kbinact;kbdirty\n");
    for i in 0..rows {
        let _ = writeln!(
            out,
            "vm;600;{};2177897;{};192156;{:.2};44844;2393124;60048;0.24;839212;1596376;14248",
            stamp(i),
            rng.range(1_000_000, 9_000_000),
            rng.below(9000) as f64 / 100.0
        );
    }
    // CPU: 6 columns + %busy; memory: 11 columns.
    Generated {
        bytes: out.into_bytes(),
        lines: 2 + 2 * rows,
        entries: 2 * rows,
        sql_or_series: 18,
        ..Generated::default()
    }
}

fn stamp(i: u64) -> String {
    let t = 600 * i;
    format!(
        "2026-11-{:02} {:02}:{:02}:{:02} UTC",
        1 + t / 86_400 % 28,
        t % 86_400 / 3600,
        t / 60 % 60,
        t % 60
    )
}

/// A Prometheus `query_range` matrix of about `size` bytes (series of 1440 points).
pub fn prometheus(size: usize, seed: u64) -> Generated {
    let mut rng = Rng::new(seed);
    let mut out = String::from(r#"{"status":"success","data":{"resultType":"matrix","result":["#);
    let mut g = Generated::default();
    while out.len() < size || g.sql_or_series == 0 {
        let _ = write!(
            out,
            r#"{}{{"metric":{{"__name__":"windows_process_private_bytes","instance":"octo-node{}:9182","process":"Octopus.Server"}},"values":["#,
            if g.sql_or_series > 0 { "," } else { "" },
            g.sql_or_series
        );
        for p in 0..1440u64 {
            let _ = write!(
                out,
                r#"{}[{}.5,"{}"]"#,
                if p > 0 { "," } else { "" },
                1_793_678_400 + 60 * p,
                rng.range(1_000_000_000, 4_000_000_000)
            );
            g.entries += 1;
        }
        out.push_str("]}");
        g.sql_or_series += 1;
    }
    out.push_str("]}}\n");
    g.lines = 1;
    g.bytes = out.into_bytes();
    g
}

/// A dotnet-trace speedscope file of about `size` bytes: 8 threads, 200 frames.
pub fn speedscope(size: usize, seed: u64) -> Generated {
    let mut rng = Rng::new(seed);
    let frames = 200u64;
    let mut out = String::from(
        r#"{"exporter": "speedscope@1.3.2", "name": "gen", "activeProfileIndex": 0, "$schema": "https://www.speedscope.app/file-format-schema.json", "shared": { "frames": [ "#,
    );
    for f in 0..frames {
        let _ = write!(
            out,
            r#"{}{{ "name": "Octopus.Server.Generated.Method{f}()" }}"#,
            if f > 0 { ", " } else { "" }
        );
    }
    out.push_str("] }, \"profiles\": [ ");
    let threads = 8u64;
    let per_thread = (size / threads as usize / 45).max(2) as u64 / 2;
    let mut g = Generated {
        sql_or_series: threads,
        requests_or_blank: frames,
        lines: 1,
        ..Generated::default()
    };
    for th in 0..threads {
        let _ = write!(
            out,
            r#"{}{{ "type": "evented", "name": "Thread ({th})", "unit": "milliseconds", "startValue": "0", "endValue": "{}", "events": [ "#,
            if th > 0 { ", " } else { "" },
            per_thread * 2
        );
        for k in 0..per_thread {
            let f = rng.below(frames);
            let _ = write!(
                out,
                r#"{}{{ "type": "O", "frame": {f}, "at": {} }}, {{ "type": "C", "frame": {f}, "at": {} }}"#,
                if k > 0 { ", " } else { "" },
                2 * k,
                2 * k + 1
            );
            g.entries += 2;
        }
        out.push_str("]}");
    }
    out.push_str("] }\n");
    g.bytes = out.into_bytes();
    g
}
