//! Content rules for the telemetry formats (traces, counters, profiles), kept
//! apart from [`crate::detect`] so that the log rules there stay short. As
//! there, the first KiB decides and the file name only breaks ties.

use crate::detect::Format;

/// The telemetry format `head` (the first KiB, after any BOM) is in, if any.
pub fn by_content(head: &[u8], lower_name: &str) -> Option<Format> {
    let first = first_line(head);
    let text = trim_start(head);
    if text.starts_with(b"{") {
        return json_format(head, lower_name);
    }
    if first.starts_with(b"\"(PDH-CSV 4.0)") || first.starts_with(b"\"(PDH-TSV 4.0)") {
        return Some(Format::PdhCsv);
    }
    if first.starts_with(b"# hostname;interval;timestamp") {
        return Some(Format::Sadf);
    }
    if first.starts_with(b"Timestamp,Provider,Counter Name,Counter Type,") {
        return Some(Format::DotnetCounters);
    }
    if is_gcdump_report(head) {
        return Some(Format::GcdumpReport);
    }
    None
}

/// JSON documents: OTLP traces, speedscope profiles, Prometheus responses.
fn json_format(head: &[u8], lower_name: &str) -> Option<Format> {
    if contains(head, b"\"resourceSpans\"") {
        return Some(Format::OtelTraces);
    }
    let speedscope = contains(head, b"speedscope.app/file-format-schema")
        || (contains(head, b"\"profiles\"") && contains(head, b"\"shared\""));
    if speedscope || lower_name.ends_with(".speedscope.json") {
        return Some(Format::Speedscope);
    }
    let status = contains(head, b"\"status\"");
    if status && (contains(head, b"\"resultType\"") || contains(head, b"\"errorType\"")) {
        return Some(Format::Prometheus);
    }
    None
}

/// `dotnet-gcdump report`: the summary (`… GC Heap bytes`) or the table header.
fn is_gcdump_report(head: &[u8]) -> bool {
    head.split(|b| *b == b'\n').take(8).any(|line| {
        let line = trim_end(line);
        line.ends_with(b"GC Heap bytes")
            || (contains(line, b"Object Bytes")
                && contains(line, b"Count")
                && line.ends_with(b"Type"))
    })
}

/// What a binary capture is and which tool opens it, for files octodiag lists
/// but never parses (`exports.md` §5). Dumps and EventPipe traces are known by
/// their magic; the JetBrains files by extension, when the content is binary.
pub fn binary_capture(lower_name: &str, head: &[u8], binary: bool) -> Option<&'static str> {
    if head.starts_with(b"MDMP") {
        return Some("process dump (minidump): open it in WinDbg, Visual Studio or dotnet-dump");
    }
    if head.starts_with(b"Nettrace") || head.starts_with(b"\x08\x00\x00\x00Nettrace") {
        return Some(NETTRACE);
    }
    if !binary && !head.is_empty() {
        return None;
    }
    let ext = |e: &str| lower_name.ends_with(e);
    Some(match () {
        _ if ext(".dtp") || lower_name.contains(".dtp.") => {
            "dotTrace performance snapshot: open it in JetBrains dotTrace"
        }
        _ if ext(".dtt") => "dotTrace timeline snapshot: open it in JetBrains dotTrace",
        _ if ext(".dmw") => "dotMemory workspace: open it in JetBrains dotMemory",
        _ if ext(".nettrace") => NETTRACE,
        _ if ext(".dmp") => "process dump: open it in WinDbg, Visual Studio or dotnet-dump",
        _ if ext(".gcdump") => {
            "GC heap dump: open it in PerfView or Visual Studio, or run `dotnet-gcdump report` \
             on it and give octodiag the text"
        }
        _ if ext(".blg") => {
            "binary performance counter log: convert it with `relog file.blg -f csv -o file.csv`"
        }
        _ => return None,
    })
}

const NETTRACE: &str =
    "EventPipe trace (.nettrace): open it in PerfView, Visual Studio or dotTrace, \
                        or convert it with `dotnet-trace convert --format Speedscope`";

fn first_line(head: &[u8]) -> &[u8] {
    head.split(|b| *b == b'\n').find(|l| !l.iter().all(u8::is_ascii_whitespace)).unwrap_or(&[])
}

fn trim_start(b: &[u8]) -> &[u8] {
    let n = b.iter().take_while(|c| c.is_ascii_whitespace()).count();
    &b[n..]
}

fn trim_end(b: &[u8]) -> &[u8] {
    let n = b.iter().rev().take_while(|c| c.is_ascii_whitespace()).count();
    &b[..b.len() - n]
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    memchr::memmem::find(hay, needle).is_some()
}

#[cfg(test)]
mod tests {
    use crate::detect::{detect, Format};

    fn fmt(name: &str, text: &[u8]) -> Format {
        detect(name, text).format
    }

    #[test]
    fn otel_lines_and_pretty_document() {
        let line = br#"{"resourceSpans":[{"resource":{"attributes":[]},"scopeSpans":[]}]}"#;
        assert_eq!(fmt("traces-1776.jsonl", line), Format::OtelTraces);
        assert_eq!(fmt("x.json", b"{\n  \"resourceSpans\": [\n"), Format::OtelTraces);
        // A HAR with a "log" key is still a HAR.
        assert_eq!(fmt("a.json", b"{\"log\":{\"version\":\"1.2\"}}"), Format::Har);
    }

    #[test]
    fn counters_by_first_line() {
        let pdh =
            b"\"(PDH-CSV 4.0) (GMT Standard Time)(-60)\",\"\\\\H\\Memory\\Available MBytes\"\r\n";
        assert_eq!(fmt("perf.csv", pdh), Format::PdhCsv);
        assert_eq!(fmt("x", b"\xEF\xBB\xBF\"(PDH-TSV 4.0)\"\t\"\\\\H\\X\\Y\"\n"), Format::PdhCsv);
        let sadf = b"# hostname;interval;timestamp;CPU;%user;%nice\nvm;1;2026-11-27 10:51:05 UTC;-1;0.5;0\n";
        assert_eq!(fmt("cpu.txt", sadf), Format::Sadf);
        let dc = b"Timestamp,Provider,Counter Name,Counter Type,Mean/Increment\n";
        assert_eq!(fmt("counters.csv", dc), Format::DotnetCounters);
        assert_eq!(fmt("a.csv", b"a,b,c\n1,2,3\n"), Format::Unknown);
    }

    #[test]
    fn prometheus_and_speedscope_json() {
        let prom = br#"{"status":"success","data":{"resultType":"matrix","result":[]}}"#;
        assert_eq!(fmt("q.json", prom), Format::Prometheus);
        let err = br#"{"status":"error","errorType":"bad_data","error":"parse error"}"#;
        assert_eq!(fmt("q.json", err), Format::Prometheus);
        let ss = br#"{"exporter": "speedscope@1.3.2", "name": "trace", "activeProfileIndex": 0, "$schema": "https://www.speedscope.app/file-format-schema.json", "shared": {"#;
        assert_eq!(fmt("trace.speedscope.json", ss), Format::Speedscope);
        assert_eq!(fmt("p.speedscope.json", b"{\"x\":1}"), Format::Speedscope);
    }

    #[test]
    fn gcdump_report_by_summary_or_header() {
        let r = b"     46,312,836  GC Heap bytes\n        617,236  GC Heap objects\n";
        assert_eq!(fmt("heap.txt", r), Format::GcdumpReport);
        let h = b"   Object Bytes     Count  Type\n      8,388,632         1  System.Byte[]\n";
        assert_eq!(fmt("heap.txt", h), Format::GcdumpReport);
    }

    #[test]
    fn binary_captures_by_magic_then_extension() {
        let d = detect("whatever.bin", b"MDMP\x93\xa7\0\0\x0d\0\0\0");
        assert_eq!(d.format, Format::BinaryCapture);
        assert!(d.reason.unwrap().contains("WinDbg"));
        let n = detect("trace.nettrace", b"Nettrace\x14\0\0\0!FastSerialization.1");
        assert!(n.reason.unwrap().contains("PerfView"));
        let dtp = detect("Octopus.Server.dtp", b"\0\0\x01\x02\x03\x04\x05\x06\x07\x08");
        assert!(dtp.reason.unwrap().contains("dotTrace performance"));
        assert_eq!(
            fmt("snap.dtt", b"\x01\x02\x03\x04\x05\x06\x07\x08\x0e\x0f"),
            Format::BinaryCapture
        );
        assert_eq!(fmt("snap.dmw", b""), Format::BinaryCapture);
        // A text file named .dmp is read for what it is.
        assert_eq!(
            fmt("odd.dmp", b"2016-05-30 12:09:20.4621     38  INFO  hello\n"),
            Format::ServerLog
        );
    }
}
