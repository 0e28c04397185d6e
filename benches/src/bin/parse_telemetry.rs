//! Times the telemetry readers on generated input, by wall clock and by the
//! thread's own CPU time (`/proc/thread-self/schedstat`, Linux), so a figure can
//! be read on a busy shared machine where wall time is mostly waiting.
//!
//! ```text
//! parse_telemetry otel|otel-zst|pdh-csv [MB] [ITERATIONS]
//! ```

use std::process::ExitCode;
use std::time::Instant;

use octodiag_bench::telemetry_gen;
use octodiag_parsers::counters::pdh;
use octodiag_parsers::otel;
use octodiag_parsers::source::decode_zstd;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let kind = args.first().map_or("otel", String::as_str);
    let mb: usize = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(100);
    let iterations: u32 = args.get(2).and_then(|a| a.parse().ok()).unwrap_or(5);
    let (input, expected) = match kind {
        "otel" | "otel-zst" => {
            let g = telemetry_gen::otel(mb << 20, 42);
            (g.bytes, g.entries)
        }
        "pdh-csv" => {
            let g = telemetry_gen::pdh_csv(mb << 20, 42);
            (g.bytes, g.entries)
        }
        other => {
            eprintln!("parse_telemetry: unknown kind {other}");
            return ExitCode::from(2);
        }
    };
    let compressed = (kind == "otel-zst").then(|| zstd_encode(&input));
    let (wall, cpu) = (Instant::now(), cpu_ns());
    for _ in 0..iterations {
        let entries = match (kind, &compressed) {
            ("pdh-csv", _) => pdh::parse(0, &input).entries,
            (_, Some(c)) => otel::parse_bytes(0, &decode_zstd(c, u64::MAX / 2).bytes).entries,
            _ => otel::parse_bytes(0, &input).entries,
        };
        assert_eq!(entries, expected);
    }
    let mb_total = input.len() as f64 * iterations as f64 / 1e6;
    let cpu_s = (cpu_ns() - cpu) as f64 / 1e9;
    println!(
        "{kind}: {:.1} MB × {iterations}, {expected} entries each: wall {:.0} MB/s, CPU {:.0} MB/s",
        input.len() as f64 / 1e6,
        mb_total / wall.elapsed().as_secs_f64(),
        mb_total / cpu_s
    );
    ExitCode::SUCCESS
}

fn zstd_encode(input: &[u8]) -> Vec<u8> {
    // Level 3 is zstd's default (what Octopus's files are assumed to use).
    zstd::encode_all(input, 3).expect("in memory")
}

/// Nanoseconds this thread has run on a CPU.
fn cpu_ns() -> u64 {
    let stat = std::fs::read_to_string("/proc/thread-self/schedstat").unwrap_or_default();
    stat.split_whitespace().next().and_then(|n| n.parse().ok()).unwrap_or(0)
}
