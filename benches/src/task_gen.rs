//! Deterministic generators of large, realistic task logs, with the counts a
//! correct parser must report (benchmarks and smoke tests assert them, so a
//! fast but wrong parser fails).
//!
//! One big deployment is written in each form:
//!
//! * [`on_disk`]: JSON lines as in `TaskLogs/servertasks-N_x.txt`: package
//!   acquisition with `UPD` progress per target, then steps whose targets run
//!   in parallel (their lines interleave), each with verbose script output
//!   (some of it with HTML-safe `\u0027` escapes), progress lines, warnings,
//!   and now and then a target-mutex wait;
//! * [`raw_text`]: the downloaded raw form of a similar deployment, in tree
//!   order, with multi-line messages and section separators.
//!
//! Sizes are approximate: generation stops at the first step boundary past
//! the requested size.

use std::fmt::Write as _;

use octodiag_parsers::Timestamp;

use crate::rng::Rng;

/// What a correct parser must find in a generated log.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Expected {
    /// Physical lines.
    pub lines: u64,
    /// Entries (on-disk: lines; raw: section headers plus messages).
    pub entries: u64,
    /// Top-level steps, `Acquire packages` included.
    pub steps: usize,
    /// Targets under the deployment steps.
    pub targets: usize,
    /// Target-mutex waits.
    pub mutex_waits: usize,
    /// Their total length in microseconds.
    pub mutex_wait_us: i64,
    /// Task duration in microseconds.
    pub duration_us: i64,
}

/// A generated log and what it holds.
#[derive(Clone, Debug)]
pub struct Generated {
    /// File name to give the source (decides nothing, but looks right).
    pub file_name: &'static str,
    /// The bytes.
    pub bytes: Vec<u8>,
    /// Expected counts.
    pub expected: Expected,
}

const TARGETS: usize = 8;
const ROOT: &str = "ServerTasks-90210_BENCH4DISK";
const START_US: i64 = 1_793_678_400_000_000; // 2026-11-03T04:00:00Z

const BUSY: &str = "Waiting for the script in task ServerTasks-90209 to finish as that script requires that no other Octopus scripts are executing on this target at the same time.";

struct Disk {
    out: Vec<u8>,
    now: i64,
    rng: Rng,
    expected: Expected,
    guid: u64,
}

impl Disk {
    fn new(capacity: usize) -> Disk {
        Disk {
            out: Vec::with_capacity(capacity + (1 << 20)),
            now: START_US,
            rng: Rng(0x9E37_79B9_7F4A_7C15),
            expected: Expected::default(),
            guid: 0,
        }
    }

    /// A child correlation id: parent + `/` + 32 hex digits.
    fn child(&mut self, parent: &str) -> String {
        self.guid += 1;
        let h = self.guid.wrapping_mul(0x9E37_79B9_7F4A_7C15);
        format!("{parent}/{h:016x}{:016x}", h.rotate_left(17) ^ 0xA5A5)
    }

    fn tick(&mut self, max_ms: u64) {
        self.now += 1000 * (1 + self.rng.below(max_ms)) as i64 + self.rng.below(1000) as i64;
    }

    /// Appends one line; `message` must already be JSON-escaped.
    fn line(&mut self, corr: &str, cat: &str, message: &str, progress: u32) {
        let (y, mo, d, h, mi, s, us) = Timestamp(self.now).to_civil();
        let mut text = String::with_capacity(corr.len() + message.len() + 64);
        let _ = write!(
            text,
            "[\"{corr}\",\"{cat}\",\"{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}.{us:06}0+00:00\",\"{message}\",\"\",{progress}]"
        );
        self.out.extend_from_slice(text.as_bytes());
        self.out.push(b'\n');
        self.expected.lines += 1;
    }
}

/// An on-disk log of about `target_bytes`.
pub fn on_disk(target_bytes: usize) -> Generated {
    let mut g = Disk::new(target_bytes);
    g.line(ROOT, "INF", "Deploy Acme.Platform release 7.3.0 to Production", 0);
    g.tick(5);
    g.line(ROOT, "VBS", "Guided failure is not enabled for this task", 0);
    acquire_packages(&mut g);
    let mut k = 0;
    while g.out.len() < target_bytes {
        k += 1;
        deployment_step(&mut g, k);
    }
    g.tick(20);
    g.line(ROOT, "INF", "The deployment completed successfully.", 0);
    g.tick(5);
    g.line(ROOT, "FIN", "Finished", 0);
    g.expected.entries = g.expected.lines;
    g.expected.steps = 1 + k;
    g.expected.duration_us = g.now - START_US;
    Generated { file_name: "servertasks-90210_bench4disk.txt", bytes: g.out, expected: g.expected }
}

fn acquire_packages(g: &mut Disk) {
    let ap = g.child(ROOT);
    g.line(&ap, "PLN", "Acquire packages", 0);
    g.tick(10);
    g.line(&ap, "INF", "Acquiring packages", 0);
    for t in 1..=TARGETS {
        let node = g.child(&ap);
        g.tick(5);
        g.line(&node, "INF", &format!("web{t:02}"), 0);
        let up = g.child(&node);
        g.line(&up, "INF", "Upload package Acme.Platform version 7.3.0", 0);
        for pct in (5..=100).step_by(5) {
            g.tick(40);
            g.line(&up, "UPD", "Uploading package Acme.Platform 7.3.0", pct);
        }
        g.line(&up, "VBS", "Package uploaded", 0);
        g.line(&up, "FIN", "Finished", 0);
        g.line(&node, "FIN", "Finished", 0);
    }
    g.tick(10);
    g.line(&ap, "INF", "All packages have been acquired", 0);
    g.line(&ap, "FIN", "Finished", 0);
}

/// A step whose targets run in parallel: their lines are dealt round-robin.
fn deployment_step(g: &mut Disk, k: usize) {
    let step = g.child(ROOT);
    g.line(&step, "PLN", &format!("Step {k}: Deploy Acme.Component{k}"), 0);
    g.tick(20);
    g.line(&step, "INF", &format!("Deploying Acme.Component{k} to {TARGETS} targets"), 0);
    let targets: Vec<String> = (0..TARGETS).map(|_| g.child(&step)).collect();
    let mut waiting: Vec<Option<i64>> = vec![None; TARGETS];
    for (t, corr) in targets.iter().enumerate() {
        g.tick(3);
        g.line(corr, "INF", &format!("web{:02}", t + 1), 0);
        g.line(corr, "VBS", "Octopus Server version: 2025.3.10412", 0);
        if g.rng.below(10) == 0 {
            g.line(corr, "INF", BUSY, 0);
            waiting[t] = Some(g.now);
            g.expected.mutex_waits += 1;
        }
    }
    let rounds = 40 + g.rng.below(40) as usize;
    for round in 0..rounds {
        for (t, corr) in targets.iter().enumerate() {
            g.tick(25);
            if let Some(since) = waiting[t].take() {
                g.expected.mutex_wait_us += g.now - since;
            }
            script_output(g, corr, k, t, round);
        }
    }
    for corr in &targets {
        g.tick(10);
        g.line(corr, "INF", "Successfully finished Acme.Platform on this target", 0);
        g.line(corr, "FIN", "Finished", 0);
    }
    g.expected.targets += TARGETS;
    g.tick(10);
    g.line(&step, "VBS", &format!("Step {k}: Deploy Acme.Component{k} completed"), 0);
    g.line(&step, "FIN", "Finished", 0);
}

fn script_output(g: &mut Disk, corr: &str, k: usize, t: usize, round: usize) {
    let roll = g.rng.below(20);
    let kb = 10 + g.rng.below(990);
    let message = match roll {
        0 => return g.line(corr, "UPD", "Extracting package", (round * 100 / 80) as u32),
        1 => format!(
            "The IIS application pool \\u0027Acme{k}\\u0027 took {} seconds to stop",
            2 + round % 9
        ),
        2 | 3 => format!("Updating appsettings.Production.json on web{:02}", t + 1),
        _ => format!(
            "    + Copying C:\\\\Octopus\\\\Applications\\\\Production\\\\Acme.Platform\\\\7.3.0\\\\bin\\\\Acme.Component{k}.{round}.dll (\\u0027{kb} KB\\u0027)"
        ),
    };
    let cat = match roll {
        1 => "WRN",
        2 | 3 => "INF",
        _ => "VBS",
    };
    g.line(corr, cat, &message, 0);
}

const RAW_BUSY: &str =
    "This Tentacle is currently busy performing a task that cannot be run in conjunction with any other task. Please wait...";

struct Raw {
    out: String,
    seconds: u32,
    rng: Rng,
    expected: Expected,
}

impl Raw {
    fn tick(&mut self, max_s: u64) {
        self.seconds += self.rng.below(max_s + 1) as u32;
    }

    /// One second in 32 messages: a 100 MB log spans about 8 hours, well under
    /// the day beyond which times of day become ambiguous.
    fn sometimes_tick(&mut self) {
        if self.rng.below(32) == 0 {
            self.seconds += 1;
        }
    }

    fn section(&mut self, depth: usize, boxed: bool, name: &str) {
        let indent = "  ".repeat(depth);
        let head =
            if boxed { format!("== Success: {name} ==") } else { format!("Success: {name}") };
        let _ = writeln!(self.out, "{:20}| {indent}{head}", "");
        self.expected.lines += 1;
        self.expected.entries += 1;
    }

    fn message(&mut self, depth: usize, level: &str, text: &str) {
        let s = self.seconds;
        let indent = "  ".repeat(depth + 1);
        let _ = writeln!(
            self.out,
            "{:02}:{:02}:{:02}   {level:<8} | {indent}{text}",
            s / 3600,
            s / 60 % 60,
            s % 60
        );
        self.expected.lines += 1;
        self.expected.entries += 1;
    }

    fn continuation(&mut self, depth: usize, text: &str) {
        let _ = writeln!(self.out, "{:20}| {}{text}", "", "  ".repeat(depth + 1));
        self.expected.lines += 1;
    }

    fn separator(&mut self, depth: usize) {
        let _ = writeln!(self.out, "{:20}| {}", "", "  ".repeat(depth));
        self.expected.lines += 1;
    }
}

/// A raw task log of about `target_bytes`, starting at 06:00:00 local.
pub fn raw_text(target_bytes: usize) -> Generated {
    let mut g = Raw {
        out: String::with_capacity(target_bytes + (1 << 20)),
        seconds: 6 * 3600,
        rng: Rng(0xD1B5_4A32_D192_ED03),
        expected: Expected::default(),
    };
    let header = "Task ID:        ServerTasks-90211\nTask status:    Success\n\
                  Task queued:    Tuesday, 3 November 2026 5:59 AM\n\
                  Task started:   Tuesday, 3 November 2026 6:00 AM\n\
                  Server version: 2025.3.10412\nServer node:    OCTO-NODE1\n\n";
    g.out.push_str(header);
    g.expected.lines += 7;
    g.section(0, true, "Deploy Acme.Platform release 7.3.0 to Production");
    g.message(0, "Verbose", "Guided failure is not enabled for this task");
    g.separator(0);
    let start = g.seconds;
    let mut k = 0;
    while g.out.len() < target_bytes {
        k += 1;
        raw_step(&mut g, k);
    }
    g.expected.steps = k;
    g.expected.duration_us = (g.seconds - start) as i64 * 1_000_000;
    Generated {
        file_name: "ServerTasks-90211.log.txt",
        bytes: g.out.into_bytes(),
        expected: g.expected,
    }
}

fn raw_step(g: &mut Raw, k: usize) {
    g.section(1, true, &format!("Step {k}: Deploy Acme.Component{k}"));
    g.tick(2);
    g.message(1, "Info", &format!("Deploying Acme.Component{k} to {TARGETS} targets"));
    g.separator(1);
    for t in 1..=TARGETS {
        g.section(2, false, &format!("web{t:02}"));
        g.sometimes_tick();
        g.message(2, "Verbose", "Octopus Server version: 2025.3.10412");
        g.message(2, "Verbose", "Environment Information:");
        for line in [
            "  OperatingSystem: Microsoft Windows NT 10.0.20348.0",
            "  OsBitVersion: x64",
            "  Success: True",
        ] {
            g.continuation(2, line);
        }
        let mut waiting = None;
        if g.rng.below(40) == 0 {
            g.message(2, "Info", RAW_BUSY);
            waiting = Some(g.seconds);
            g.tick(20);
            g.expected.mutex_waits += 1;
        }
        for n in 0..(30 + g.rng.below(30)) {
            g.sometimes_tick();
            if let Some(since) = waiting.take() {
                g.expected.mutex_wait_us += (g.seconds - since) as i64 * 1_000_000;
            }
            let level = if n % 7 == 0 { "Info" } else { "Verbose" };
            g.message(2, level, &format!("    + Copying C:\\Octopus\\Applications\\Production\\Acme.Platform\\7.3.0\\bin\\Acme.Component{k}.{n}.dll"));
        }
        g.message(2, "Info", "Successfully finished Acme.Platform on this target");
        g.separator(2);
    }
    g.expected.targets += TARGETS;
}
