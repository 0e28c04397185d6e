//! The single funnel from paths to bytes: [`open_inputs`] turns files, folders,
//! `.gz` streams, `.zip` bundles and standard input into [`Source`]s, each of
//! which exposes one `&[u8]`.
//!
//! ```text
//!   PATH ──► walk (sorted, loop-safe) ──► regular file ──► sniff magic ──┬─► plain: mmap | read
//!   "-"  ──► stdin (read) ───────────────────────────────────────────────┤
//!                                                                        ├─► gzip: MultiGzDecoder (budget),
//!                                                                        │   now, or on a thread while parsed
//!                                                                        │   (`stream_gzip`, crate::inflate)
//!                                                                        └─► zip: each member (budget) ─► sniff gzip
//! ```
//!
//! Memory-mapping is decided in one place, [`OpenOptions::should_map`], and
//! this module's one `unsafe` block lives in `map_file` (the others, for the
//! background decoder's buffer, in [`crate::inflate`]). Every failure becomes a
//! [`Problem`] on the input it concerns; opening never aborts the run.

use std::collections::HashSet;
use std::fs::{self, File};
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use memmap2::Mmap;

use crate::error::{Problem, Problems};
use crate::inflate::Inflating;

mod archive;
pub use archive::{decode_zstd, tar_members, TarMember, TarWalk};

/// How inputs are opened.
#[derive(Clone, Debug)]
pub struct OpenOptions {
    /// Largest decompressed size of one `.gz` stream or zip member.
    pub max_decompressed: u64,
    /// Largest decompressed total for the whole run (all streams and members).
    pub max_total_decompressed: u64,
    /// Files at least this large are memory-mapped (when mapping is allowed).
    pub mmap_threshold: u64,
    /// Allow memory-mapping at all (`--no-mmap` turns it off).
    pub allow_mmap: bool,
    /// Most members read from one zip archive.
    pub max_zip_members: usize,
    /// Decode `.gz` files on a background thread while they are parsed
    /// ([`crate::inflate`]) instead of before; the CLI turns it on. Off, every
    /// source is complete when [`open_inputs`] returns.
    pub stream_gzip: bool,
}

impl Default for OpenOptions {
    fn default() -> Self {
        OpenOptions {
            max_decompressed: 4 << 30,
            max_total_decompressed: 16 << 30,
            mmap_threshold: 8 << 20,
            allow_mmap: true,
            max_zip_members: 100_000,
            stream_gzip: false,
        }
    }
}

/// The bytes of a source: a read-only map of a file, an owned buffer, or a
/// gzip stream still being decoded (its bytes so far).
enum Data {
    Mapped(Mmap),
    Owned(Vec<u8>),
    Inflating(Arc<Inflating>),
}

/// Most `.gz` files decoded in the background at once; the rest decode as opened.
const MAX_STREAMING: usize = 8;

/// How the bytes were obtained, for `inputs` and debugging.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    /// Memory-mapped file.
    Mapped,
    /// Read into memory.
    Read,
    /// Decompressed from gzip.
    Gzip,
    /// Decompressed zip member.
    ZipMember,
    /// Decompressed from zstd (alone or as a tar member).
    Zstd,
    /// A member of a tar archive.
    TarMember,
    /// Standard input.
    Stdin,
    /// Nothing could be read.
    Failed,
}

/// One file, archive member or stream, reduced to bytes.
pub struct Source {
    /// Display name: the path, or `bundle.zip!/Logs/OctopusServer.txt`, or `-`.
    pub name: String,
    /// Final path component (for format tie-breaks and node folders).
    pub file_name: String,
    /// Node guessed from enclosing folders (nearest not named `Logs`).
    pub folder_node: Option<String>,
    /// How the bytes were obtained.
    pub access: Access,
    /// Size of the input on disk (compressed size for `.gz`).
    pub stored_bytes: u64,
    /// Problems met while opening (truncated gzip, refused member, …).
    pub problems: Problems,
    /// The container-log framing the bytes were decoded from, if any
    /// ([`crate::unwrap`]): [`Source::bytes`] is then the decoded text.
    pub wrapper: Option<Box<crate::unwrap::Wrapper>>,
    data: Data,
    watch: Option<Watch>,
}

/// What a file looked like when it was opened, to detect change while parsing.
#[derive(Clone, Debug)]
struct Watch {
    path: PathBuf,
    len: u64,
    modified: Option<SystemTime>,
}

impl Source {
    /// The bytes, without any BOM stripping (parsers do that).
    ///
    /// A `.gz` source still being decoded ([`Source::inflating`]) gives the bytes
    /// decoded so far; after [`Source::settle`], all of them.
    pub fn bytes(&self) -> &[u8] {
        match &self.data {
            Data::Mapped(m) => m,
            Data::Owned(v) => v,
            Data::Inflating(i) => i.available(),
        }
    }

    /// The first `n` bytes (fewer if the source is shorter), waiting for them if
    /// the source is still being decoded.
    pub fn head(&self, n: usize) -> &[u8] {
        let bytes = match self.inflating() {
            Some(i) => i.wait_for(n).0,
            None => self.bytes(),
        };
        &bytes[..bytes.len().min(n)]
    }

    /// The decoder of a `.gz` source opened with [`OpenOptions::stream_gzip`].
    pub fn inflating(&self) -> Option<&Inflating> {
        match &self.data {
            Data::Inflating(i) => Some(i),
            _ => None,
        }
    }

    /// Waits for background decoding to end, if any, and records why it stopped
    /// early (a truncated stream, a limit reached) among the source's problems.
    pub fn settle(&mut self) {
        if let Some(p) = self.inflating().and_then(Inflating::take_problem) {
            self.problems.push(p);
        }
    }

    /// A source made from bytes in memory (tests, generated data).
    pub fn from_bytes(name: impl Into<String>, bytes: Vec<u8>) -> Source {
        let name = name.into();
        let file_name = last_component(&name).to_string();
        Source {
            folder_node: folder_node(&name),
            file_name,
            name,
            access: Access::Read,
            stored_bytes: bytes.len() as u64,
            problems: Problems::default(),
            wrapper: None,
            data: Data::Owned(bytes),
            watch: None,
        }
    }

    /// Replaces the bytes by decoded ones (container unwrapping).
    pub(crate) fn replace_bytes(&mut self, bytes: Vec<u8>) {
        self.data = Data::Owned(bytes);
    }

    fn failed(name: String, problem: Problem) -> Source {
        let mut s = Source::from_bytes(name, Vec::new());
        s.access = Access::Failed;
        s.problems.push(problem);
        s
    }

    /// Checks whether the file changed since it was opened (the live
    /// `OctopusServer.txt` keeps growing; rotation may truncate it) and
    /// records a problem if so. Call after parsing.
    pub fn check_unchanged(&mut self) {
        let Some(w) = &self.watch else { return };
        let Ok(meta) = fs::metadata(&w.path) else { return };
        let now = meta.len();
        if now > w.len {
            let msg = format!("{} bytes appended during the run were not read", now - w.len);
            self.problems.push(Problem::whole(msg));
        } else if now < w.len || meta.modified().ok() != w.modified {
            let msg = "file changed while being read; results for it may be incomplete";
            self.problems.push(Problem::whole(msg));
        }
    }
}

impl std::fmt::Debug for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Source")
            .field("name", &self.name)
            .field("access", &self.access)
            .field("len", &self.bytes().len())
            .finish()
    }
}

/// Opens every path (files, folders, archives, `-`), in a deterministic order.
pub fn open_inputs(paths: &[String], opts: &OpenOptions) -> Vec<Source> {
    let budget = Arc::new(AtomicU64::new(opts.max_total_decompressed));
    let mut opener = Opener { opts, out: Vec::new(), budget, streaming: 0 };
    for p in paths {
        if p == "-" {
            opener.open_stdin();
        } else {
            opener.open_path(Path::new(p), &mut HashSet::new());
        }
    }
    // Container framings (Docker, CRI, kubectl) are removed before any format is detected.
    crate::unwrap::unwrap_all(opener.out, opts.max_decompressed, &opener.budget)
}

struct Opener<'o> {
    opts: &'o OpenOptions,
    out: Vec<Source>,
    /// Decompressed bytes the run may still produce (shared with background decoders).
    budget: Arc<AtomicU64>,
    /// `.gz` files being decoded in the background.
    streaming: usize,
}

impl Opener<'_> {
    fn open_stdin(&mut self) {
        let mut buf = Vec::new();
        match io::stdin().lock().read_to_end(&mut buf) {
            Ok(_) => self.push_decoded("-".into(), buf, Access::Stdin, 0, None),
            Err(e) => self.out.push(Source::failed("-".into(), Problem::whole(e.to_string()))),
        }
    }

    fn open_path(&mut self, path: &Path, visited: &mut HashSet<(u64, u64)>) {
        let name = path.to_string_lossy().into_owned();
        let meta = match fs::metadata(path) {
            Ok(m) => m,
            Err(e) => return self.out.push(Source::failed(name, Problem::whole(io_reason(&e)))),
        };
        if meta.is_dir() {
            self.walk_dir(path, &meta, visited);
        } else if meta.is_file() {
            self.open_file(path, name, &meta);
        } else {
            self.out.push(Source::failed(name, Problem::whole("not a regular file; skipped")));
        }
    }

    fn walk_dir(&mut self, dir: &Path, meta: &fs::Metadata, visited: &mut HashSet<(u64, u64)>) {
        if !visited.insert(dir_key(meta)) {
            let name = dir.to_string_lossy().into_owned();
            let p = Problem::whole("symbolic link loop; folder already visited, skipped");
            return self.out.push(Source::failed(name, p));
        }
        let mut entries: Vec<PathBuf> = match fs::read_dir(dir) {
            Ok(rd) => rd.filter_map(|e| e.ok().map(|e| e.path())).collect(),
            Err(e) => {
                let name = dir.to_string_lossy().into_owned();
                return self.out.push(Source::failed(name, Problem::whole(io_reason(&e))));
            }
        };
        entries.sort();
        for entry in entries {
            self.open_path(&entry, visited);
        }
        visited.remove(&dir_key(meta));
    }

    fn open_file(&mut self, path: &Path, name: String, meta: &fs::Metadata) {
        let mut file = match File::open(path) {
            Ok(f) => f,
            Err(e) => return self.out.push(Source::failed(name, Problem::whole(io_reason(&e)))),
        };
        // 512 bytes: a tar header's `ustar` magic sits at offset 257.
        let mut magic = [0u8; 512];
        let n = read_up_to(&mut file, &mut magic).unwrap_or(0);
        let watch =
            Watch { path: path.to_path_buf(), len: meta.len(), modified: meta.modified().ok() };
        match sniff_container(&magic[..n]) {
            Container::Gzip => self.open_gzip_file(path, name, meta),
            Container::Zip => self.open_zip_file(path, name, meta.len()),
            Container::Zstd => self.open_zstd_file(path, name, meta.len()),
            Container::Tar => self.open_tar_file(path, name, meta),
            Container::Plain => self.open_plain(path, name, meta, watch),
        }
    }

    fn open_plain(&mut self, path: &Path, name: String, meta: &fs::Metadata, watch: Watch) {
        let file_name = last_component(&name).to_string();
        let (data, access) = if self.opts.should_map(&file_name, meta) {
            match map_file(path) {
                Ok(m) => (Data::Mapped(m), Access::Mapped),
                Err(_) => match fs::read(path) {
                    Ok(v) => (Data::Owned(v), Access::Read),
                    Err(e) => {
                        return self.out.push(Source::failed(name, Problem::whole(io_reason(&e))))
                    }
                },
            }
        } else {
            match fs::read(path) {
                Ok(v) => (Data::Owned(v), Access::Read),
                Err(e) => {
                    return self.out.push(Source::failed(name, Problem::whole(io_reason(&e))))
                }
            }
        };
        self.out.push(Source {
            folder_node: folder_node(&name),
            file_name,
            name,
            access,
            stored_bytes: meta.len(),
            problems: Problems::default(),
            wrapper: None,
            data,
            watch: Some(watch),
        });
    }

    fn open_gzip_file(&mut self, path: &Path, name: String, meta: &fs::Metadata) {
        let stored = meta.len();
        // Small files decode in no time; and each streamed one takes two threads.
        let worth_streaming = stored >= self.opts.mmap_threshold && self.streaming < MAX_STREAMING;
        if self.opts.stream_gzip && worth_streaming {
            let mapped = self.opts.should_map(last_component(&name), meta).then(|| map_file(path));
            let compressed: io::Result<Box<dyn AsRef<[u8]> + Send>> = match mapped {
                Some(Ok(m)) => Ok(Box::new(m)),
                _ => fs::read(path).map(|v| Box::new(v) as Box<dyn AsRef<[u8]> + Send>),
            };
            let compressed = match compressed {
                Ok(c) => c,
                Err(e) => {
                    return self.out.push(Source::failed(name, Problem::whole(io_reason(&e))))
                }
            };
            // No room to reserve, or no thread to start: decode now instead.
            let started =
                Inflating::start(compressed, self.member_limit(), Arc::clone(&self.budget));
            if let Ok(inflating) = started {
                self.streaming += 1;
                let watch =
                    Watch { path: path.to_path_buf(), len: stored, modified: meta.modified().ok() };
                return self.push_inflating(name, inflating, stored, watch);
            }
        }
        match fs::read(path) {
            Ok(bytes) => self.push_gzip(name, &bytes, stored),
            Err(e) => self.out.push(Source::failed(name, Problem::whole(io_reason(&e)))),
        }
    }

    /// A `.gz` source decoded in the background while it is parsed (its file
    /// may be mapped, so it is watched for change like a mapped plain file).
    fn push_inflating(
        &mut self,
        name: String,
        inflating: Arc<Inflating>,
        stored: u64,
        watch: Watch,
    ) {
        let display = strip_gz_suffix(&name);
        let mut s = Source::from_bytes(display, Vec::new());
        s.name = name;
        s.access = Access::Gzip;
        s.stored_bytes = stored;
        s.data = Data::Inflating(inflating);
        s.watch = Some(watch);
        self.out.push(s);
    }

    /// Decodes a gzip stream (all members) within the budget and pushes the result.
    fn push_gzip(&mut self, name: String, compressed: &[u8], stored: u64) {
        let limit = self.member_limit();
        let decoded = decode_gzip(compressed, limit);
        let display = strip_gz_suffix(&name);
        let mut problems = Problems::default();
        if let Some(p) = decoded.problem {
            problems.push(p);
        }
        self.spend(decoded.bytes.len());
        let mut s = Source::from_bytes(display, decoded.bytes);
        s.name = name;
        s.access = Access::Gzip;
        s.stored_bytes = stored;
        s.problems = problems;
        self.out.push(s);
    }

    fn open_zip_file(&mut self, path: &Path, name: String, stored: u64) {
        let file = match File::open(path) {
            Ok(f) => f,
            Err(e) => return self.out.push(Source::failed(name, Problem::whole(io_reason(&e)))),
        };
        let reader = io::BufReader::new(file);
        let mut archive = match zip::ZipArchive::new(reader) {
            Ok(a) => a,
            Err(e) => {
                let p = Problem::whole(format!("corrupt zip: {e}"));
                return self.out.push(with_stored(Source::failed(name, p), stored));
            }
        };
        if archive.len() > self.opts.max_zip_members {
            let p = Problem::whole(format!(
                "zip has {} members; only the first {} are read",
                archive.len(),
                self.opts.max_zip_members
            ));
            self.out.push(Source::failed(name.clone(), p));
        }
        if archive.has_overlapping_files().unwrap_or(true) {
            let p = Problem::whole("refused: overlapping zip entries (possible zip bomb)");
            return self.out.push(with_stored(Source::failed(name, p), stored));
        }
        let count = archive.len().min(self.opts.max_zip_members);
        for index in 0..count {
            self.open_zip_member(&mut archive, index, &name);
        }
    }

    fn open_zip_member<R: Read + io::Seek>(
        &mut self,
        archive: &mut zip::ZipArchive<R>,
        index: usize,
        zip_name: &str,
    ) {
        let limit = self.member_limit();
        let mut member = match archive.by_index(index) {
            Ok(m) => m,
            Err(e) => {
                let label = format!("{zip_name}!#{index}");
                let p = Problem::whole(format!("unreadable zip member: {e}"));
                return self.out.push(Source::failed(label, p));
            }
        };
        if member.is_dir() {
            return;
        }
        let inner = match member.name() {
            Ok(n) => n.replace('\\', "/"),
            Err(_) => format!("#{index}:{}", String::from_utf8_lossy(member.name_raw())),
        };
        let label = format!("{zip_name}!/{}", inner.trim_start_matches('/'));
        if member.is_symlink() {
            let p = Problem::whole("symbolic link member; skipped");
            return self.out.push(Source::failed(label, p));
        }
        if member.size() > limit {
            let p = Problem::whole(format!(
                "refused: decompressed size {} exceeds the limit of {} (--max-decompressed)",
                human_bytes(member.size()),
                human_bytes(limit)
            ));
            return self.out.push(Source::failed(label, p));
        }
        let stored = member.compressed_size();
        let mut bytes = Vec::with_capacity(member.size().min(64 << 20) as usize);
        let read = (&mut member).take(limit + 1).read_to_end(&mut bytes);
        let mut problems = Problems::default();
        if let Err(e) = read {
            problems.push(Problem::whole(format!(
                "zip member damaged after {} bytes: {e}",
                bytes.len()
            )));
        }
        if bytes.len() as u64 > limit {
            bytes.truncate(limit as usize);
            problems
                .push(Problem::whole("zip member larger than its declared size; cut at the limit"));
        }
        drop(member);
        if sniff_container(&bytes) == Container::Gzip {
            return self.push_gzip(label, &bytes, stored);
        }
        if matches!(sniff_container(&bytes), Container::Zstd | Container::Tar) {
            return self.push_archive_member(label, &bytes, problems, 0);
        }
        self.spend(bytes.len());
        let mut s = Source::from_bytes(label, bytes);
        s.access = Access::ZipMember;
        s.stored_bytes = stored;
        s.problems = problems;
        if sniff_container(s.bytes()) == Container::Zip {
            s.problems.push(Problem::whole("zip inside a zip is not opened (nesting limit 1)"));
        }
        self.out.push(s);
    }

    fn push_decoded(
        &mut self,
        name: String,
        bytes: Vec<u8>,
        access: Access,
        stored: u64,
        problem: Option<Problem>,
    ) {
        if sniff_container(&bytes) == Container::Gzip {
            return self.push_gzip(name, &bytes, stored);
        }
        if matches!(sniff_container(&bytes), Container::Zstd | Container::Tar) {
            return self.push_archive_member(name, &bytes, Problems::default(), 0);
        }
        let mut s = Source::from_bytes(name, bytes);
        s.access = access;
        s.stored_bytes = stored;
        if let Some(p) = problem {
            s.problems.push(p);
        }
        self.out.push(s);
    }

    /// Takes what an eagerly decoded stream produced from the run's budget.
    fn spend(&self, n: usize) {
        let n = n as u64;
        let _ = self.budget.fetch_update(Ordering::Relaxed, Ordering::Relaxed, |left| {
            Some(left.saturating_sub(n))
        });
    }

    /// What one more stream may decode: the per-member limit, capped by what is
    /// left of the run's total budget.
    fn member_limit(&self) -> u64 {
        let left = self.budget.load(Ordering::Relaxed);
        self.opts.max_decompressed.min(left)
    }
}

impl OpenOptions {
    /// The one place that decides whether to memory-map a file.
    ///
    /// Map only large, regular files that are not being written: the live
    /// `OctopusServer.txt` (no archive number) and anything modified in the
    /// last two minutes are read instead, because a mapped file truncated by a
    /// writer kills the process with SIGBUS (shared/reliability.md §1).
    pub fn should_map(&self, file_name: &str, meta: &fs::Metadata) -> bool {
        if !self.allow_mmap || !meta.is_file() || meta.len() < self.mmap_threshold {
            return false;
        }
        if is_live_log_name(file_name) {
            return false;
        }
        let recent = meta
            .modified()
            .ok()
            .and_then(|m| SystemTime::now().duration_since(m).ok())
            .is_some_and(|age| age < Duration::from_secs(120));
        !recent
    }
}

/// `OctopusServer.txt` (not `OctopusServer.3.txt`) is the file NLog appends to.
pub fn is_live_log_name(file_name: &str) -> bool {
    file_name.eq_ignore_ascii_case("OctopusServer.txt")
        || file_name.eq_ignore_ascii_case("OctopusTentacle.txt")
}

/// Maps a file read-only.
fn map_file(path: &Path) -> io::Result<Mmap> {
    let file = File::open(path)?;
    // SAFETY: the map is read-only and lives only as long as its Source. The
    // contract memmap2 cannot check is that no other process truncates the
    // file while it is mapped; if one does, reading the lost pages raises
    // SIGBUS. `OpenOptions::should_map` therefore maps only files that are
    // not being written (never the live log, never a recently modified
    // file), and `Source::check_unchanged` reports any change afterwards.
    unsafe { Mmap::map(&file) }
}

/// Container formats recognised by magic bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Container {
    /// `1f 8b`.
    Gzip,
    /// `PK\x03\x04` (or an empty archive `PK\x05\x06`).
    Zip,
    /// `28 B5 2F FD` (a zstd frame).
    Zstd,
    /// A tar header (`ustar` at offset 257, or a valid pre-POSIX header checksum).
    Tar,
    /// Anything else.
    Plain,
}

/// Recognises gzip, zip, zstd and tar by their first bytes, never by name.
pub fn sniff_container(head: &[u8]) -> Container {
    match head {
        [0x1f, 0x8b, ..] => Container::Gzip,
        [b'P', b'K', 3, 4, ..] | [b'P', b'K', 5, 6, ..] => Container::Zip,
        [0x28, 0xb5, 0x2f, 0xfd, ..] => Container::Zstd,
        _ if archive::looks_like_tar(head) => Container::Tar,
        _ => Container::Plain,
    }
}

/// Result of decoding a gzip stream: what could be decoded, and why it stopped early.
pub struct Decoded {
    /// Decoded bytes (possibly a prefix).
    pub bytes: Vec<u8>,
    /// Why decoding stopped early, if it did.
    pub problem: Option<Problem>,
}

/// Decodes every member of a gzip stream, keeping the decoded prefix when the
/// stream is truncated or corrupt, and stopping at `limit` bytes of output.
pub fn decode_gzip(compressed: &[u8], limit: u64) -> Decoded {
    let mut decoder = flate2::read::MultiGzDecoder::new(compressed).take(limit + 1);
    let mut bytes = Vec::with_capacity((compressed.len() * 8).min(256 << 20));
    let problem = match decoder.read_to_end(&mut bytes) {
        Ok(_) if bytes.len() as u64 > limit => {
            bytes.truncate(limit as usize);
            Some(over_limit(limit))
        }
        Ok(_) if bytes.is_empty() && compressed.len() < 18 => {
            Some(Problem::whole("empty or truncated gzip"))
        }
        Ok(_) => None,
        Err(e) => Some(Problem::whole(format!(
            "truncated or corrupt gzip after {} decoded bytes: {e}",
            bytes.len()
        ))),
    };
    Decoded { bytes, problem }
}

/// Why a stream was cut at `limit` bytes.
pub fn over_limit(limit: u64) -> Problem {
    Problem::whole(format!(
        "refused: decompressed size exceeds the limit of {} (--max-decompressed); \
         only the first {} were read",
        human_bytes(limit),
        human_bytes(limit)
    ))
}

/// `x.txt.gz` is shown as itself but detected as `x.txt`.
fn strip_gz_suffix(name: &str) -> String {
    name.strip_suffix(".gz").unwrap_or(name).to_string()
}

fn with_stored(mut s: Source, stored: u64) -> Source {
    s.stored_bytes = stored;
    s
}

/// The final component of a display name (`a/b/c.txt` → `c.txt`).
pub fn last_component(name: &str) -> &str {
    name.rsplit(['/', '\\', '!']).next().unwrap_or(name)
}

/// The node a file belongs to, from its folders: the nearest enclosing folder
/// not named `Logs` (nor `TaskLogs`), with a `.zip` suffix removed.
pub fn folder_node(name: &str) -> Option<String> {
    let parts: Vec<&str> =
        name.split(['/', '\\', '!']).filter(|p| !p.is_empty() && *p != "." && *p != "..").collect();
    let folders = parts.split_last().map(|(_, rest)| rest).unwrap_or(&[]);
    folders
        .iter()
        .rev()
        .map(|f| f.strip_suffix(".zip").unwrap_or(f))
        .find(|f| !f.eq_ignore_ascii_case("logs") && !f.eq_ignore_ascii_case("tasklogs"))
        .map(str::to_string)
}

fn dir_key(meta: &fs::Metadata) -> (u64, u64) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        (meta.dev(), meta.ino())
    }
    #[cfg(not(unix))]
    {
        let _ = meta;
        (0, 0)
    }
}

fn read_up_to(file: &mut File, buf: &mut [u8]) -> io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match file.read(&mut buf[n..])? {
            0 => break,
            k => n += k,
        }
    }
    Ok(n)
}

fn io_reason(e: &io::Error) -> String {
    match e.kind() {
        io::ErrorKind::NotFound => "not found".into(),
        io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => e.to_string(),
    }
}

/// `1.5 GiB`, `200 MiB`, `12 KiB`, `17 B`.
pub fn human_bytes(n: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut v = n as f64;
    let mut u = 0;
    while v >= 1024.0 && u < UNITS.len() - 1 {
        v /= 1024.0;
        u += 1;
    }
    if u == 0 {
        format!("{n} B")
    } else if v.fract() == 0.0 {
        format!("{v:.0} {}", UNITS[u])
    } else {
        format!("{v:.1} {}", UNITS[u])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_util::gz;

    #[test]
    fn sniffs_by_magic_not_name() {
        assert_eq!(sniff_container(&gz(b"x")), Container::Gzip);
        assert_eq!(sniff_container(b"PK\x03\x04rest"), Container::Zip);
        assert_eq!(sniff_container(b"2016-05-30"), Container::Plain);
        assert_eq!(sniff_container(b""), Container::Plain);
    }

    #[test]
    fn gzip_multi_member_is_read_whole() {
        let mut two = gz(b"first\n");
        two.extend(gz(b"second\n"));
        let d = decode_gzip(&two, 1 << 20);
        assert_eq!(d.bytes, b"first\nsecond\n");
        assert!(d.problem.is_none());
    }

    #[test]
    fn truncated_gzip_keeps_prefix_and_reports() {
        let data: Vec<u8> =
            (0..200_000u32).flat_map(|i| format!("line {i}\n").into_bytes()).collect();
        let full = gz(&data);
        let d = decode_gzip(&full[..full.len() / 2], 1 << 30);
        assert!(!d.bytes.is_empty());
        assert!(data.starts_with(&d.bytes));
        let reason = d.problem.unwrap().reason;
        assert!(reason.contains("truncated or corrupt gzip"), "{reason}");
    }

    #[test]
    fn gzip_over_limit_is_refused() {
        let d = decode_gzip(&gz(&vec![0u8; 1 << 20]), 1000);
        assert_eq!(d.bytes.len(), 1000);
        assert!(d.problem.unwrap().reason.starts_with("refused"));
    }

    #[test]
    fn node_from_folders() {
        assert_eq!(folder_node("bundle/node-a/Logs/OctopusServer.txt").as_deref(), Some("node-a"));
        assert_eq!(folder_node("b.zip!/Logs/OctopusServer.txt").as_deref(), Some("b"));
        assert_eq!(folder_node("OctopusServer.txt"), None);
        assert_eq!(folder_node("./Logs/OctopusServer.txt"), None);
    }

    #[test]
    fn live_log_is_never_mapped() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("OctopusServer.txt");
        fs::write(&path, vec![b'x'; 100]).unwrap();
        let meta = fs::metadata(&path).unwrap();
        let opts = OpenOptions { mmap_threshold: 0, ..OpenOptions::default() };
        assert!(!opts.should_map("OctopusServer.txt", &meta));
        assert!(is_live_log_name("octopusserver.txt"));
        assert!(!is_live_log_name("OctopusServer.0.txt"));
        // Recently modified files are read too.
        assert!(!opts.should_map("OctopusServer.0.txt", &meta));
    }

    #[test]
    fn human_sizes() {
        assert_eq!(human_bytes(17), "17 B");
        assert_eq!(human_bytes(4 << 30), "4 GiB");
        assert_eq!(human_bytes(1536), "1.5 KiB");
    }
}
