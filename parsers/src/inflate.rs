//! Decompressing a gzip file while it is being parsed.
//!
//! Inflating a gzip stream is sequential, and on a 1 GiB log it takes about
//! as long as everything else together: decoding first and parsing after
//! leaves one core idle for the whole decode. An [`Inflating`] decodes on its
//! own thread into a reserved, fixed-address anonymous mapping and publishes
//! how much is ready; readers see an ever longer prefix of the final bytes
//! ([`Inflating::available`], [`Inflating::wait_for`]) and the server-log
//! parser starts on whole chunks while the rest is still being decoded.
//!
//! ```text
//!   decoder thread ──writes──► [ ready ........ | being written | reserved, untouched ]
//!   parse workers  ◄─reads───  [ ready ........ ]  (len published with Release, read with Acquire)
//! ```
//!
//! The limits are those of the eager path ([`crate::source::decode_gzip`]):
//! at most `limit` bytes per stream, and a run-wide budget shared by every
//! stream, with the same messages when either is reached.

use std::io::Read;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex};

use memmap2::{MmapMut, MmapOptions};

use crate::error::Problem;
use crate::source::{human_bytes, over_limit};

/// Bytes decoded between two announcements of progress.
const STEP: usize = 1 << 20;

/// How far ahead of the decoder pages are made resident.
const PREFAULT_AHEAD: usize = 16 << 20;

/// Asks the kernel to make `[offset, offset + len)` of the mapping resident and
/// writable now. No user-level access to the bytes: safe beside the decoder.
#[cfg(target_os = "linux")]
fn populate_write(map: &MmapMut, offset: usize, len: usize) -> std::io::Result<()> {
    map.advise_range(memmap2::Advice::PopulateWrite, offset, len)
}

#[cfg(not(target_os = "linux"))]
fn populate_write(_: &MmapMut, _: usize, _: usize) -> std::io::Result<()> {
    Err(std::io::ErrorKind::Unsupported.into())
}

/// A gzip stream being decoded on its own thread; see the module doc.
pub struct Inflating {
    /// Start of the reserved mapping. Only ever used to build `&[u8]` over
    /// `[0, ready)` (readers) and `&mut [u8]` over `[ready, cap)` (the decoder).
    base: *mut u8,
    /// Bytes decoded and visible to readers; never decreases, never exceeds the limit.
    ready: AtomicUsize,
    /// Whether decoding has ended, and why it stopped early if it did.
    state: Mutex<State>,
    /// Signalled after every step and at the end.
    progress: Condvar,
    /// Keeps the reservation mapped. Its bytes are never borrowed through it after
    /// `base` was taken (no reference to the whole buffer exists while the decoder
    /// writes); it is only handed to `madvise` ([`Inflating::prefault`]).
    reservation: MmapMut,
}

#[derive(Default)]
struct State {
    done: bool,
    problem: Option<Problem>,
}

// SAFETY: `base` points into `reservation`, which lives as long as `self`. The decoder
// thread is the only writer and writes only at or beyond `ready`; readers build
// slices only below `ready`, which they load with Acquire after the decoder's
// Release store, so every byte they see was fully written and is never written
// again. The two regions never overlap.
unsafe impl Send for Inflating {}
// SAFETY: as above: shared access is reads of the published prefix, the atomics
// and the mutex-guarded state.
unsafe impl Sync for Inflating {}

impl Inflating {
    /// Starts decoding `compressed` (every gzip member) on a new thread, keeping
    /// at most `limit` bytes and taking what it decodes from `budget` (bytes left
    /// for the whole run). `Err` when the buffer cannot be reserved or the thread
    /// cannot start: the caller decodes eagerly instead.
    pub fn start(
        compressed: Box<dyn AsRef<[u8]> + Send>,
        limit: u64,
        budget: Arc<AtomicU64>,
    ) -> std::io::Result<Arc<Inflating>> {
        // One byte past the limit, to tell "exactly the limit" from "more".
        let cap = usize::try_from(limit.saturating_add(1)).unwrap_or(usize::MAX).max(1);
        // Reserved address space only: pages exist once the decoder writes them.
        let mut map = MmapOptions::new().len(cap).no_reserve_swap().map_anon()?;
        let base = map.as_mut_ptr();
        let me = Arc::new(Inflating {
            base,
            ready: AtomicUsize::new(0),
            state: Mutex::new(State::default()),
            progress: Condvar::new(),
            reservation: map,
        });
        let worker = Arc::clone(&me);
        std::thread::Builder::new().name("octodiag-inflate".into()).spawn(move || {
            // Readers wait for `done`: it must be set even if decoding panicked.
            let run = || worker.decode((*compressed).as_ref(), limit, cap, &budget);
            if std::panic::catch_unwind(std::panic::AssertUnwindSafe(run)).is_err() {
                worker.finish(Some(Problem::whole("gzip decoder failed; input cut here")));
            }
        })?;
        // Without it, the decoder still works: it takes its own page faults.
        let helper = Arc::clone(&me);
        let _ = std::thread::Builder::new()
            .name("octodiag-prefault".into())
            .spawn(move || helper.prefault(cap));
        Ok(me)
    }

    /// Makes the pages just ahead of the decoder resident before it reaches them,
    /// on another core: zero-filling a fresh page on first write was a third of
    /// the decoder's time (0.5 s of system time per GiB), on the critical path.
    /// Stays at most [`PREFAULT_AHEAD`] ahead, so at most that much is populated
    /// beyond the final length; stops when decoding ends or the kernel cannot
    /// (`MADV_POPULATE_WRITE` needs Linux 5.14).
    fn prefault(&self, cap: usize) {
        let mut populated = 0usize;
        loop {
            let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
            while !state.done && populated >= self.ready.load(Ordering::Acquire) + PREFAULT_AHEAD {
                state = self.progress.wait(state).unwrap_or_else(|e| e.into_inner());
            }
            if state.done {
                return;
            }
            drop(state);
            let len = STEP.min(cap - populated);
            if len == 0 || populate_write(&self.reservation, populated, len).is_err() {
                return;
            }
            populated += len;
        }
    }

    /// The bytes decoded so far: a prefix of the final bytes, which never changes.
    pub fn available(&self) -> &[u8] {
        let ready = self.ready.load(Ordering::Acquire);
        // SAFETY: `[0, ready)` was written before `ready` was published (Release)
        // and is never written again; the mapping outlives `self`.
        unsafe { std::slice::from_raw_parts(self.base, ready) }
    }

    /// Waits until at least `n` bytes are decoded or decoding has ended; returns
    /// what is available and whether decoding has ended.
    pub fn wait_for(&self, n: usize) -> (&[u8], bool) {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        while !state.done && self.ready.load(Ordering::Acquire) < n {
            state = self.progress.wait(state).unwrap_or_else(|e| e.into_inner());
        }
        let done = state.done;
        drop(state);
        (self.available(), done)
    }

    /// What is decoded now and whether decoding has ended, without waiting.
    pub fn peek(&self) -> (&[u8], bool) {
        let done = self.state.lock().unwrap_or_else(|e| e.into_inner()).done;
        // Read after `done`: once done, `ready` is final.
        (self.available(), done)
    }

    /// Waits for the end of decoding and returns every decoded byte.
    pub fn wait_done(&self) -> &[u8] {
        self.wait_for(usize::MAX).0
    }

    /// Why decoding stopped early, once it has ended (taken: reported once).
    pub fn take_problem(&self) -> Option<Problem> {
        self.wait_done();
        self.state.lock().unwrap_or_else(|e| e.into_inner()).problem.take()
    }

    /// The decoder thread's work: every member, step by step, publishing as it goes.
    fn decode(&self, compressed: &[u8], limit: u64, cap: usize, budget: &AtomicU64) {
        let mut decoder = flate2::bufread::MultiGzDecoder::new(compressed);
        let mut len = 0usize;
        let problem = loop {
            if len >= cap {
                break Some(over_limit(limit));
            }
            let want = take_budget(budget, (cap - len).min(STEP) as u64) as usize;
            if want == 0 {
                // The budget is spent: a problem only if the stream goes on.
                let mut probe = [0u8; 1];
                break match read_full(&mut decoder, &mut probe) {
                    Ok(0) => None,
                    _ => Some(over_budget(len)),
                };
            }
            // SAFETY: `[len, len + want)` lies inside the mapping (len + want ≤ cap)
            // and beyond everything published: no reader can see it yet.
            let buf = unsafe { std::slice::from_raw_parts_mut(self.base.add(len), want) };
            match read_full(&mut decoder, buf) {
                Ok(0) => break None,
                Ok(n) => {
                    budget.fetch_add((want - n) as u64, Ordering::Relaxed);
                    len += n;
                    self.publish(len.min(cap - 1));
                }
                Err(e) => break Some(corrupt(len, &e)),
            }
        };
        let problem = problem.or_else(|| {
            (len == 0 && compressed.len() < 18).then(|| Problem::whole("empty or truncated gzip"))
        });
        self.publish(len.min(cap - 1));
        self.finish(problem);
    }

    /// Marks decoding as ended and wakes every waiter.
    fn finish(&self, problem: Option<Problem>) {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        state.done = true;
        state.problem = state.problem.take().or(problem);
        drop(state);
        self.progress.notify_all();
    }

    fn publish(&self, ready: usize) {
        // Taking the lock orders the store with waiters' checks (no lost wake-up).
        let state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        self.ready.store(ready, Ordering::Release);
        drop(state);
        self.progress.notify_all();
    }
}

/// Fills `buf` as far as the stream goes (a decoder may return short reads).
fn read_full(r: &mut impl Read, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match r.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return if n > 0 { Ok(n) } else { Err(e) },
        }
    }
    Ok(n)
}

/// Takes up to `n` bytes from the run's budget; returns how many it took.
fn take_budget(budget: &AtomicU64, n: u64) -> u64 {
    match budget.fetch_update(Ordering::Relaxed, Ordering::Relaxed, |left| Some(left - left.min(n)))
    {
        Ok(left) => left.min(n),
        Err(_) => 0,
    }
}

fn over_budget(read: usize) -> Problem {
    Problem::whole(format!(
        "refused: the run's total decompressed size limit was reached; only the first {} were read",
        human_bytes(read as u64)
    ))
}

fn corrupt(read: usize, e: &std::io::Error) -> Problem {
    Problem::whole(format!("truncated or corrupt gzip after {read} decoded bytes: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::decode_gzip;
    use crate::test_util::gz;

    fn lines(n: u32) -> Vec<u8> {
        (0..n).flat_map(|i| format!("line {i}\n").into_bytes()).collect()
    }

    /// Decodes in the background and returns the bytes and the problem.
    fn inflate(compressed: Vec<u8>, limit: u64, budget: u64) -> (Vec<u8>, Option<String>) {
        let i = Inflating::start(Box::new(compressed), limit, Arc::new(AtomicU64::new(budget)))
            .expect("reserve and start");
        let bytes = i.wait_done().to_vec();
        (bytes, i.take_problem().map(|p| p.reason))
    }

    /// Every case gives what the eager decoder gives: bytes and problem.
    #[test]
    fn same_bytes_and_problems_as_decoding_first() {
        let data = lines(400_000); // ~5 MB: several steps
        let full = gz(&data);
        let mut two = gz(b"first\n");
        two.extend(gz(b"second\n"));
        let cases: Vec<(&str, Vec<u8>, u64)> = vec![
            ("whole", full.clone(), 1 << 30),
            ("two members", two, 1 << 30),
            ("truncated", full[..full.len() / 2].to_vec(), 1 << 30),
            ("over the limit", full.clone(), 1_000_000),
            ("exactly the limit", full.clone(), data.len() as u64),
            ("empty", Vec::new(), 1 << 30),
            ("not gzip", b"plain text".to_vec(), 1 << 30),
        ];
        for (name, compressed, limit) in cases {
            let eager = decode_gzip(&compressed, limit);
            let (bytes, problem) = inflate(compressed, limit, u64::MAX);
            assert_eq!(bytes, eager.bytes, "{name}");
            let kind = |p: Option<String>| p.map(|r| r.split(':').next().unwrap_or("").to_string());
            assert_eq!(kind(problem), kind(eager.problem.map(|p| p.reason)), "{name}");
        }
    }

    /// The run's budget is shared: a stream stops where it runs out, and one that
    /// ends exactly at it is whole.
    #[test]
    fn the_run_budget_is_respected() {
        let data = lines(300_000);
        let (bytes, problem) = inflate(gz(&data), 1 << 30, 2_000_000);
        assert_eq!(bytes.len(), 2_000_000);
        assert!(data.starts_with(&bytes));
        assert!(problem.unwrap().contains("total decompressed size"));
        let (bytes, problem) = inflate(gz(&data), 1 << 30, data.len() as u64);
        assert_eq!((bytes.len(), problem), (data.len(), None));
    }

    /// Readers waiting for more than there will ever be are woken at the end.
    #[test]
    fn waiting_past_the_end_returns() {
        let data = lines(1000);
        let i = Inflating::start(Box::new(gz(&data)), 1 << 30, Arc::new(AtomicU64::new(u64::MAX)))
            .unwrap();
        let (bytes, done) = i.wait_for(usize::MAX);
        assert!(done);
        assert_eq!(bytes, &data[..]);
    }
}
