use super::*;
use crate::parse::Parsed;

fn cpu(json: &str) -> (Parsed, CpuProfile) {
    let mut p = speedscope::parse(json.as_bytes());
    let Some(Profile::Cpu(c)) = p.profile.take().map(|b| *b) else { panic!("{:?}", p.problems) };
    (p, c)
}

/// dotnet-trace's shape: exporter first, startValue/endValue as strings, one
/// evented profile per thread. Thread 1: Main 0–10 ms, inside it Work 2–8 ms,
/// inside that Work again (recursion) 3–5 ms. Thread 2: Idle 0–4 ms.
const EVENTED: &str = r#"{"exporter": "speedscope@1.3.2", "name": "trace", "activeProfileIndex": 0, "$schema": "https://www.speedscope.app/file-format-schema.json", "shared": { "frames": [ { "name": "Main" }, { "name": "Work" }, { "name": "Idle" } ] }, "profiles": [
{ "type": "evented", "name": "Thread (1)", "unit": "milliseconds", "startValue": "0", "endValue": "10", "events": [
 { "type": "O", "frame": 0, "at": 0 }, { "type": "O", "frame": 1, "at": 2 }, { "type": "O", "frame": 1, "at": 3 },
 { "type": "C", "frame": 1, "at": 5 }, { "type": "C", "frame": 1, "at": 8 }, { "type": "C", "frame": 0, "at": 10 } ]},
{ "type": "evented", "name": "Thread (2)", "unit": "milliseconds", "startValue": 0, "endValue": 4, "events": [
 { "type": "O", "frame": 2, "at": 0 }, { "type": "C", "frame": 2, "at": 4 } ]} ] }"#;

fn times(h: &[FrameTime]) -> Vec<(&str, f64, f64)> {
    h.iter().map(|t| (t.name.as_str(), t.inclusive_ms, t.exclusive_ms)).collect()
}

#[test]
fn evented_inclusive_and_exclusive() {
    let (p, c) = cpu(EVENTED);
    assert!(p.problems.is_empty());
    assert_eq!(p.entries, 2);
    assert_eq!((c.threads.len(), c.frames.len(), c.start), (2, 3, None));
    assert_eq!(c.exporter.as_deref(), Some("speedscope@1.3.2"));
    assert_eq!((c.threads[0].start, c.threads[0].end), (0.0, 10.0));
    let h = c.hottest(None, 10);
    assert_eq!(
        times(&h.by_inclusive),
        [("Main", 10.0, 4.0), ("Work", 6.0, 6.0), ("Idle", 4.0, 4.0)]
    );
    assert_eq!(h.by_exclusive[0].name, "Work");
    assert_eq!((h.total_ms, h.unbalanced), (14.0, 0));
}

#[test]
fn evented_within_a_window() {
    let (_, c) = cpu(EVENTED);
    let h = c.hottest(Some((4.0, 9.0)), 2);
    // Main: 4–9 inclusive; exclusive only 8–9. Work: 4–8. Idle: 0–4 is outside.
    assert_eq!(times(&h.by_inclusive), [("Main", 5.0, 1.0), ("Work", 4.0, 4.0)]);
    assert_eq!(h.total_ms, 5.0);
}

#[test]
fn sampled_profile_with_weights_and_units() {
    let json = r#"{"$schema": "https://www.speedscope.app/file-format-schema.json", "shared": {"frames": [{"name": "a"}, {"name": "b"}, {"name": "c"}]},
"profiles": [{"type": "sampled", "name": "p", "unit": "microseconds", "startValue": 0, "endValue": 6000,
"samples": [[0, 1], [0, 1, 1], [0, 2], [0, 9]], "weights": [1000, 2000, 3000, 500]}]}"#;
    let (p, c) = cpu(json);
    assert_eq!(p.problems.list.len(), 1, "frame 9 does not exist");
    let h = c.hottest(None, 3);
    assert_eq!(times(&h.by_inclusive), [("a", 6.5, 0.5), ("b", 3.0, 3.0), ("c", 3.0, 3.0)]);
    let h = c.hottest(Some((0.5, 2.0)), 3);
    assert_eq!(times(&h.by_inclusive), [("a", 1.5, 0.0), ("b", 1.5, 1.5)]);
}

#[test]
fn unbalanced_events_are_counted_not_fatal() {
    let json = r#"{"shared":{"frames":[{"name":"x"},{"name":"y"}]},"profiles":[{"type":"evented","name":"t","unit":"milliseconds","startValue":0,"endValue":5,
"events":[{"type":"O","frame":0,"at":0},{"type":"O","frame":1,"at":1},{"type":"C","frame":0,"at":2},{"type":"C","frame":1,"at":3}]}]}"#;
    let (_, c) = cpu(json);
    let h = c.hottest(None, 5);
    assert_eq!(h.unbalanced, 2, "x closed over y, then y closed when not open");
    assert_eq!(times(&h.by_inclusive), [("x", 2.0, 1.0), ("y", 1.0, 1.0)]);
}

#[test]
fn not_speedscope_is_a_problem() {
    let p = speedscope::parse(b"{\"profiles\": 3}");
    assert!(p.profile.is_none());
    assert!(p.problems.list[0].reason.starts_with("not a speedscope file"));
}
