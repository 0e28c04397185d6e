use super::*;
use crate::source::{open_inputs, OpenOptions};

/// A tar archive of `(name, data)` members (GNU headers, as GNU tar writes).
pub(crate) fn tar_of(members: &[(&str, &[u8])]) -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    for (name, data) in members {
        let mut h = tar::Header::new_gnu();
        h.set_size(data.len() as u64);
        h.set_mode(0o644);
        h.set_cksum();
        b.append_data(&mut h, name, *data).expect("in memory");
    }
    b.into_inner().expect("in memory")
}

fn zst(data: &[u8]) -> Vec<u8> {
    zstd::encode_all(data, 3).expect("in memory")
}

fn open_one(name: &str, bytes: &[u8], opts: &OpenOptions) -> Vec<Source> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    fs::write(&path, bytes).unwrap();
    open_inputs(&[path.to_string_lossy().into_owned()], opts)
}

/// The name without the temporary folder: `t.tar!/a.jsonl`.
fn short(s: &Source) -> &str {
    let outer_end = s.name.find('!').unwrap_or(s.name.len());
    let folder_end = s.name[..outer_end].rfind('/').map_or(0, |i| i + 1);
    &s.name[folder_end..]
}

#[test]
fn sniffs_zstd_and_tar_by_content() {
    assert_eq!(sniff_container(&zst(b"x")), Container::Zstd);
    assert_eq!(sniff_container(&tar_of(&[("a.txt", b"hi")])), Container::Tar);
    assert_eq!(sniff_container(b"{\"resourceSpans\":[]}"), Container::Plain);
    assert!(!looks_like_tar(&[b'a'; 600]));
}

#[test]
fn tar_with_two_members_lists_both_in_order() {
    let tar = tar_of(&[("traces/a.jsonl", b"line a\n"), ("traces/b.jsonl", b"line b\nline c\n")]);
    let walk = tar_members(&tar, 100);
    assert!(walk.problem.is_none());
    let names: Vec<&str> = walk.members.iter().map(|m| m.name.as_str()).collect();
    assert_eq!(names, ["traces/a.jsonl", "traces/b.jsonl"]);
    assert_eq!(&tar[walk.members[1].range.clone()], b"line b\nline c\n");
}

#[test]
fn tar_cut_mid_member_keeps_the_prefix_and_reports_the_rest() {
    let second = vec![b'x'; 3000];
    let tar = tar_of(&[("a.jsonl", b"complete\n"), ("b.jsonl", &second)]);
    // Header of b at 1024, its data at 1536..4536: cut after 1000 data bytes.
    let cut = &tar[..2536];
    let walk = tar_members(cut, 100);
    assert_eq!(walk.members.len(), 2);
    assert!(walk.members[0].problem.is_none());
    let b = &walk.members[1];
    assert_eq!(b.range, 1536..2536);
    let reason = &b.problem.as_ref().unwrap().reason;
    assert!(reason.contains("only 1000 B of 2.9 KiB"), "{reason}");
}

#[test]
fn tar_cut_inside_a_header_reports_the_archive() {
    let tar = tar_of(&[("a.jsonl", b"complete\n"), ("b.jsonl", b"more\n")]);
    let walk = tar_members(&tar[..1024 + 100], 100);
    assert_eq!(walk.members.len(), 1);
    assert!(walk.problem.unwrap().reason.starts_with("tar archive unreadable"));
}

#[test]
fn zstd_round_trip_multi_frame_and_truncated() {
    let mut two = zst(b"first\n");
    two.extend(zst(b"second\n"));
    let d = decode_zstd(&two, 1 << 20);
    assert_eq!(d.bytes, b"first\nsecond\n");
    assert!(d.problem.is_none());
    let data: Vec<u8> = (0..200_000u32).flat_map(|i| format!("line {i}\n").into_bytes()).collect();
    let full = zstd::encode_all(&data[..], 1).unwrap();
    let d = decode_zstd(&full[..full.len() / 2], 1 << 30);
    assert!(data.starts_with(&d.bytes));
    assert!(d.problem.unwrap().reason.contains("truncated or corrupt zstd"));
}

#[test]
fn zstd_over_limit_is_refused() {
    let d = decode_zstd(&zst(&vec![0u8; 1 << 20]), 1000);
    assert_eq!(d.bytes.len(), 1000);
    assert!(d.problem.unwrap().reason.starts_with("refused"));
}

#[test]
fn zst_file_opens_as_its_decoded_self() {
    let sources = open_one("t.jsonl.zst", &zst(b"{\"a\":1}\n"), &OpenOptions::default());
    assert_eq!(sources.len(), 1);
    assert_eq!(sources[0].bytes(), b"{\"a\":1}\n");
    assert_eq!(sources[0].file_name, "t.jsonl");
    assert_eq!(sources[0].access, Access::Zstd);
}

#[test]
fn tar_of_zst_members_opens_each_member() {
    let tar = tar_of(&[("one.jsonl.zst", &zst(b"1\n")), ("two.jsonl", b"2\n")]);
    let sources = open_one("t.tar", &tar, &OpenOptions::default());
    let got: Vec<(&str, &[u8])> = sources.iter().map(|s| (short(s), s.bytes())).collect();
    let one: &[u8] = b"1\n";
    let two: &[u8] = b"2\n";
    assert_eq!(got, [("t.tar!/one.jsonl.zst", one), ("t.tar!/two.jsonl", two)]);
    assert_eq!(sources[0].file_name, "one.jsonl");
    assert_eq!(sources[1].access, Access::TarMember);
}

#[test]
fn inprogress_tar_cut_mid_zst_member_keeps_complete_lines() {
    let lines: Vec<u8> =
        (0..300_000u32).flat_map(|i| format!("{{\"n\":{i}}}\n").into_bytes()).collect();
    let tar =
        tar_of(&[("a.jsonl", b"x\n"), ("b.jsonl.zst", &zstd::encode_all(&lines[..], 1).unwrap())]);
    let cut = &tar[..tar.len() / 2];
    let sources = open_one("t.tar.inprogress", cut, &OpenOptions::default());
    assert_eq!(sources.len(), 2);
    let b = &sources[1];
    assert!(!b.bytes().is_empty() && lines.starts_with(b.bytes()));
    let reasons: Vec<&str> = b.problems.list.iter().map(|p| p.reason.as_str()).collect();
    assert_eq!(reasons.len(), 2, "{reasons:?}");
    assert!(reasons[0].starts_with("the archive ends inside this member"));
    assert!(reasons[1].contains("truncated or corrupt zstd"));
}

#[test]
fn tar_of_tars_is_walked_and_budget_applies_to_members() {
    let inner = tar_of(&[("x.jsonl", b"inner\n")]);
    let outer = tar_of(&[("chunk-1.tar", &inner), ("big.jsonl", &[b'y'; 5000])]);
    let opts = OpenOptions { max_decompressed: 4000, ..OpenOptions::default() };
    let sources = open_one("t.tar", &outer, &opts);
    assert_eq!(short(&sources[0]), "t.tar!/chunk-1.tar!/x.jsonl");
    assert_eq!(sources[0].bytes(), b"inner\n");
    assert_eq!(sources[1].access, Access::Failed);
    assert!(sources[1].problems.list[0].reason.starts_with("refused: member size"));
}

#[test]
fn zip_member_that_is_a_tar_is_walked() {
    use std::io::Write;
    let tar = tar_of(&[("m.jsonl", b"in tar\n")]);
    let mut w = zip::ZipWriter::new(io::Cursor::new(Vec::new()));
    w.start_file("traces.tar", zip::write::SimpleFileOptions::default()).unwrap();
    w.write_all(&tar).unwrap();
    let zip = w.finish().unwrap().into_inner();
    let sources = open_one("t.zip", &zip, &OpenOptions::default());
    assert_eq!(short(&sources[0]), "t.zip!/traces.tar!/m.jsonl");
    assert_eq!(sources[0].bytes(), b"in tar\n");
}
