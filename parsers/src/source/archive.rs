//! The containers Octopus trace files come in: `.tar` chunks (also a
//! `.tar.inprogress` still being written, which may end mid-member) and zstd
//! streams (`.jsonl.zst`, magic `28 B5 2F FD`), alone or inside a tar or zip.
//!
//! ```text
//!   .tar / .tar.inprogress ──► members in order (tar crate: GNU and PAX long names)
//!        │                       ├─► zstd ──► decode (budget) ──► Source (a nested tar is walked)
//!        │                       ├─► gzip ──► the .gz path
//!        │                       ├─► tar  ──► walked again (at most MAX_TAR_DEPTH deep)
//!        │                       └─► plain ─► Source (a copy, counted against the budget)
//!        └─► cut mid-member: the complete prefix is kept, the cut is a problem on the member
//! ```
//!
//! Budgets are the ones gzip and zip members use: each decoded stream or copied
//! member is capped by [`OpenOptions::max_decompressed`](super::OpenOptions) and
//! by what is left of the run's total.

use std::fs;
use std::io::{self, Read};
use std::ops::Range;
use std::path::Path;

use super::{
    human_bytes, io_reason, map_file, over_limit, sniff_container, Access, Container, Decoded,
    Opener, Source,
};
use crate::error::{Problem, Problems};

/// A tar inside a tar inside a tar (the Diagnostics "Download" is a tar of
/// the chunk tars) is as deep as Octopus goes; deeper is refused.
const MAX_TAR_DEPTH: u8 = 3;

/// One member of a tar archive, as a byte range of the archive.
#[derive(Debug, PartialEq, Eq)]
pub struct TarMember {
    /// Path inside the archive (`/` separators).
    pub name: String,
    /// Where its data lies in the archive bytes (shortened when the archive is cut).
    pub range: Range<usize>,
    /// Why the member is incomplete or skipped, if it is.
    pub problem: Option<Problem>,
    /// Not read at all (a link): `problem` says why.
    pub skipped: bool,
}

/// The readable members of a tar archive and why reading stopped early.
#[derive(Debug, Default)]
pub struct TarWalk {
    /// Regular-file members, in archive order.
    pub members: Vec<TarMember>,
    /// A problem about the archive as a whole (corrupt header, trailing garbage).
    pub problem: Option<Problem>,
}

/// Lists the regular files of the tar archive `bytes`, at most `max_members`.
/// Never fails: an archive that ends mid-member (a `.tar.inprogress`) yields the
/// member's complete prefix with a problem saying how much is missing.
pub fn tar_members(bytes: &[u8], max_members: usize) -> TarWalk {
    let mut walk = TarWalk::default();
    let mut archive = tar::Archive::new(io::Cursor::new(bytes));
    let entries = match archive.entries_with_seek() {
        Ok(e) => e,
        Err(e) => return TarWalk { problem: Some(corrupt_tar(&e)), ..TarWalk::default() },
    };
    for entry in entries {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                walk.problem = Some(corrupt_tar(&e));
                break;
            }
        };
        if walk.members.len() >= max_members {
            let reason = format!("tar has more than {max_members} members; the rest are not read");
            walk.problem = Some(Problem::whole(reason));
            break;
        }
        if let Some(member) = member_of(&entry, bytes.len()) {
            let cut = member.problem.is_some();
            walk.members.push(member);
            if cut {
                break;
            }
        }
    }
    walk
}

/// The member an entry stands for, or `None` for directories and other
/// non-file entries (links are reported as skipped members).
fn member_of<R: Read>(entry: &tar::Entry<'_, R>, archive_len: usize) -> Option<TarMember> {
    let kind = entry.header().entry_type();
    let name = match entry.path() {
        Ok(p) => p.to_string_lossy().replace('\\', "/"),
        Err(_) => String::from_utf8_lossy(&entry.path_bytes()).into_owned(),
    };
    if kind.is_symlink() || kind.is_hard_link() {
        let problem = Some(Problem::whole("link member; skipped"));
        return Some(TarMember { name, range: 0..0, problem, skipped: true });
    }
    if !(kind.is_file() || kind.is_contiguous()) {
        return None;
    }
    let start = usize::try_from(entry.raw_file_position()).unwrap_or(usize::MAX).min(archive_len);
    let size = usize::try_from(entry.size()).unwrap_or(usize::MAX);
    let end = start.saturating_add(size);
    let problem = (end > archive_len).then(|| {
        Problem::whole(format!(
            "the archive ends inside this member: only {} of {} bytes are present \
             (a .tar.inprogress still being written?); the rest is lost",
            human_bytes((archive_len - start) as u64),
            human_bytes(size as u64)
        ))
    });
    Some(TarMember { name, range: start..end.min(archive_len), problem, skipped: false })
}

fn corrupt_tar(e: &io::Error) -> Problem {
    Problem::whole(format!(
        "tar archive unreadable from here on ({e}); the members before are kept"
    ))
}

/// Decodes every frame of a zstd stream, keeping the decoded prefix when the
/// stream is truncated or corrupt, and stopping at `limit` bytes of output.
pub fn decode_zstd(compressed: &[u8], limit: u64) -> Decoded {
    let declared = zstd::zstd_safe::get_frame_content_size(compressed).ok().flatten();
    let guess = declared.unwrap_or(compressed.len() as u64 * 8).min(limit).min(1 << 30);
    let mut bytes = Vec::with_capacity(guess as usize);
    let mut decoder = match zstd::stream::read::Decoder::with_buffer(compressed) {
        Ok(d) => d.take(limit + 1),
        Err(e) => {
            let problem = Some(Problem::whole(format!("zstd decoder could not start: {e}")));
            return Decoded { bytes, problem };
        }
    };
    let problem = match decoder.read_to_end(&mut bytes) {
        Ok(_) if bytes.len() as u64 > limit => {
            bytes.truncate(limit as usize);
            Some(over_limit(limit))
        }
        Ok(_) => None,
        Err(e) => Some(Problem::whole(format!(
            "truncated or corrupt zstd after {} decoded bytes: {e}",
            bytes.len()
        ))),
    };
    Decoded { bytes, problem }
}

impl Opener<'_> {
    /// A `.zst` file on disk.
    pub(super) fn open_zstd_file(&mut self, path: &Path, name: String, stored: u64) {
        match fs::read(path) {
            Ok(bytes) => self.push_zstd(name, &bytes, stored, Problems::default(), 0),
            Err(e) => self.out.push(Source::failed(name, Problem::whole(io_reason(&e)))),
        }
    }

    /// A `.tar` (or `.tar.inprogress`) on disk: mapped when large, else read.
    pub(super) fn open_tar_file(&mut self, path: &Path, name: String, meta: &fs::Metadata) {
        let mapped =
            self.opts.should_map(super::last_component(&name), meta).then(|| map_file(path));
        let bytes: Box<dyn AsRef<[u8]>> = match mapped {
            Some(Ok(m)) => Box::new(m),
            _ => match fs::read(path) {
                Ok(v) => Box::new(v),
                Err(e) => {
                    return self.out.push(Source::failed(name, Problem::whole(io_reason(&e))))
                }
            },
        };
        self.walk_tar(&name, (*bytes).as_ref(), 0);
    }

    /// Opens every member of a tar archive named `tar_name`.
    pub(super) fn walk_tar(&mut self, tar_name: &str, bytes: &[u8], depth: u8) {
        let walk = tar_members(bytes, self.opts.max_zip_members);
        for m in walk.members {
            let label = format!("{tar_name}!/{}", m.name.trim_start_matches("./"));
            let mut problems = Problems::default();
            match m.problem {
                Some(p) if m.skipped => {
                    self.out.push(Source::failed(label, p));
                    continue;
                }
                Some(p) => problems.push(p),
                None => {}
            }
            let data = bytes.get(m.range).unwrap_or_default();
            self.push_archive_member(label, data, problems, depth);
        }
        if let Some(p) = walk.problem {
            let mut s = Source::failed(tar_name.to_string(), p);
            s.stored_bytes = bytes.len() as u64;
            self.out.push(s);
        }
    }

    /// A member of a tar or zip archive (`depth`: tars already entered): decoded
    /// or walked by what its first bytes are, else kept as it is.
    pub(super) fn push_archive_member(
        &mut self,
        label: String,
        data: &[u8],
        problems: Problems,
        depth: u8,
    ) {
        let limit = self.member_limit();
        if data.len() as u64 > limit {
            let p = Problem::whole(format!(
                "refused: member size {} exceeds the limit of {} (--max-decompressed)",
                human_bytes(data.len() as u64),
                human_bytes(limit)
            ));
            return self.out.push(Source::failed(label, p));
        }
        match sniff_container(data) {
            Container::Zstd => self.push_zstd(label, data, data.len() as u64, problems, depth),
            Container::Gzip => {
                self.push_gzip(label, data, data.len() as u64);
                self.add_problems_to_last(problems);
            }
            Container::Tar if depth + 1 < MAX_TAR_DEPTH => self.walk_tar(&label, data, depth + 1),
            Container::Tar => {
                let p = Problem::whole("tar nested too deep; not opened");
                self.out.push(Source::failed(label, p));
            }
            Container::Zip | Container::Plain => self.push_plain_member(label, data, problems),
        }
    }

    fn push_plain_member(&mut self, label: String, data: &[u8], problems: Problems) {
        self.spend(data.len());
        let zip = sniff_container(data) == Container::Zip;
        let mut s = Source::from_bytes(label, data.to_vec());
        s.access = Access::TarMember;
        s.problems = problems;
        if zip {
            s.problems.push(Problem::whole("zip inside a tar is not opened; extract it first"));
        }
        self.out.push(s);
    }

    /// Decodes a zstd stream within the budget; a decoded tar (`.tar.zst`) is walked.
    pub(super) fn push_zstd(
        &mut self,
        name: String,
        compressed: &[u8],
        stored: u64,
        mut problems: Problems,
        depth: u8,
    ) {
        let decoded = decode_zstd(compressed, self.member_limit());
        self.spend(decoded.bytes.len());
        if let Some(p) = decoded.problem {
            problems.push(p);
        }
        let display = name.strip_suffix(".zst").unwrap_or(&name).to_string();
        if sniff_container(&decoded.bytes) == Container::Tar && depth + 1 < MAX_TAR_DEPTH {
            self.walk_tar(&display, &decoded.bytes, depth + 1);
            return self.add_problems_to_last(problems);
        }
        let mut s = Source::from_bytes(display, decoded.bytes);
        s.name = name;
        s.access = Access::Zstd;
        s.stored_bytes = stored;
        s.problems = problems;
        self.out.push(s);
    }

    fn add_problems_to_last(&mut self, problems: Problems) {
        if let Some(last) = self.out.last_mut() {
            last.problems.extend(problems);
        }
    }
}

/// Whether the first 512 bytes are a tar header: `ustar` at offset 257 (POSIX
/// and GNU), or a pre-POSIX header whose checksum adds up.
pub fn looks_like_tar(head: &[u8]) -> bool {
    if head.get(257..262) == Some(b"ustar") {
        return true;
    }
    let Some(block) = head.get(..512) else { return false };
    let Some(field) = block.get(148..156) else { return false };
    let digits: Vec<u8> = field.iter().copied().filter(u8::is_ascii_digit).collect();
    let Ok(Ok(stored)) = std::str::from_utf8(&digits).map(|d| u32::from_str_radix(d, 8)) else {
        return false;
    };
    let sum: u32 = block
        .iter()
        .enumerate()
        .map(|(i, b)| if (148..156).contains(&i) { 32 } else { *b as u32 })
        .sum();
    block[0] != 0 && sum == stored
}

#[cfg(test)]
mod tests;
