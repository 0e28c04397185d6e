//! speedscope JSON (`https://www.speedscope.app/file-format-schema.json`), as
//! `dotnet-trace collect --format Speedscope` and `dotnet-trace convert` write it:
//!
//! ```text
//! {"exporter": "speedscope@1.3.2", "name": "trace", "activeProfileIndex": 0,
//!  "$schema": "https://www.speedscope.app/file-format-schema.json",
//!  "shared": { "frames": [ { "name": "Thread (1234)" }, … ] },
//!  "profiles": [ { "type": "evented", "name": "Thread (1234)", "unit": "milliseconds",
//!                  "startValue": "0", "endValue": "5012.5",
//!                  "events": [ { "type": "O", "frame": 0, "at": 0 }, … ] } ] }
//! ```
//!
//! dotnet-trace writes one evented profile per thread and `startValue`/`endValue`
//! as **strings**; numbers are accepted too. Sampled profiles (`samples`,
//! `weights`) from other tools are read as well. Unknown fields are ignored.

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, Deserializer, Visitor};
use serde::Deserialize;

use super::{CpuProfile, FrameEvent, Profile, Samples, ThreadProfile};
use crate::error::Problem;
use crate::parse::Parsed;

#[derive(Deserialize)]
struct File<'a> {
    #[serde(borrow, default)]
    name: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    exporter: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    shared: Shared<'a>,
    #[serde(borrow, default)]
    profiles: Vec<RawProfile<'a>>,
}

#[derive(Deserialize, Default)]
struct Shared<'a> {
    #[serde(borrow, default)]
    frames: Vec<RawFrame<'a>>,
}

#[derive(Deserialize)]
struct RawFrame<'a> {
    #[serde(borrow, default)]
    name: Cow<'a, str>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawProfile<'a> {
    #[serde(rename = "type", borrow, default)]
    kind: Cow<'a, str>,
    #[serde(borrow, default)]
    name: Cow<'a, str>,
    #[serde(borrow, default)]
    unit: Cow<'a, str>,
    #[serde(default)]
    start_value: Num,
    #[serde(default)]
    end_value: Num,
    #[serde(default)]
    events: Vec<RawEvent>,
    #[serde(default)]
    samples: Vec<Vec<Num>>,
    #[serde(default)]
    weights: Vec<Num>,
}

#[derive(Deserialize)]
struct RawEvent {
    #[serde(rename = "type")]
    kind: Num,
    #[serde(default)]
    frame: Num,
    #[serde(default)]
    at: Num,
}

/// A number written as a number or a string; `O`/`C` event types read as 1/0.
#[derive(Clone, Copy, Default)]
struct Num(f64);

impl<'de> Deserialize<'de> for Num {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Num, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Num;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a number or a numeric string")
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Num, E> {
                Ok(Num(v))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Num, E> {
                Ok(Num(v as f64))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Num, E> {
                Ok(Num(v as f64))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Num, E> {
                match v {
                    "O" => Ok(Num(1.0)),
                    "C" => Ok(Num(0.0)),
                    _ => v
                        .trim()
                        .parse()
                        .map(Num)
                        .map_err(|_| E::custom(format!("not a number: '{v}'"))),
                }
            }
        }
        d.deserialize_any(V)
    }
}

/// Parses a speedscope file.
pub fn parse(bytes: &[u8]) -> Parsed {
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let mut parsed = Parsed::default();
    let file: File = match serde_json::from_slice(body) {
        Ok(f) => f,
        Err(e) => {
            parsed
                .problems
                .push(Problem::at_line(e.line() as u64, format!("not a speedscope file: {e}")));
            return parsed;
        }
    };
    let frames: Vec<String> = file.shared.frames.into_iter().map(|f| f.name.into_owned()).collect();
    let mut bad_frames = 0u64;
    let threads = file
        .profiles
        .into_iter()
        .map(|p| thread(p, frames.len(), &mut bad_frames))
        .collect::<Vec<_>>();
    if bad_frames > 0 {
        let reason = format!(
            "{bad_frames} events or samples name a frame that is not in `shared.frames`; ignored"
        );
        parsed.problems.push(Problem::whole(reason));
    }
    parsed.entries = threads.len() as u64;
    parsed.lines = 1 + memchr::memchr_iter(b'\n', body).count() as u64;
    let profile = CpuProfile {
        name: file.name.map(Cow::into_owned),
        exporter: file.exporter.map(Cow::into_owned),
        frames,
        threads,
        start: None,
    };
    parsed.profile = Some(Box::new(Profile::Cpu(profile)));
    parsed
}

fn thread(p: RawProfile<'_>, frames: usize, bad: &mut u64) -> ThreadProfile {
    let index = |n: Num, bad: &mut u64| -> Option<u32> {
        let i = n.0 as u32;
        let ok = n.0 >= 0.0 && (i as usize) < frames && n.0.fract() == 0.0;
        if !ok {
            *bad += 1;
        }
        ok.then_some(i)
    };
    let samples = if p.kind == "sampled" {
        let stacks =
            p.samples.iter().map(|s| s.iter().filter_map(|&n| index(n, bad)).collect()).collect();
        Samples::Sampled { stacks, weights: p.weights.iter().map(|w| w.0).collect() }
    } else {
        let events = p
            .events
            .iter()
            .filter_map(|e| {
                let frame = index(e.frame, bad)?;
                Some(FrameEvent { at: e.at.0, frame, open: e.kind.0 == 1.0 })
            })
            .collect();
        Samples::Evented(events)
    };
    let unit = if p.unit.is_empty() { "none".to_string() } else { p.unit.into_owned() };
    ThreadProfile {
        name: p.name.into_owned(),
        unit,
        start: p.start_value.0,
        end: p.end_value.0,
        samples,
    }
}
