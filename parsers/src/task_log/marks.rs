//! The few messages the task model needs, recognised once when a line is read
//! so that the text itself can be dropped (octopus.md §2.8, §4.3).
//!
//! Both forms use the same wording; the on-disk form is JSON-escaped, but
//! none of the phrases below contains a character JSON escapes, so the
//! escaped bytes can be matched as they are.

use memchr::memmem;

use crate::task::WaitKind;

/// What a message line means for the task model.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Mark {
    /// Nothing the model uses.
    #[default]
    None,
    /// The start of a wait; it lasts until the next line of the same node.
    Wait(WaitKind),
    /// `… Release {ver} is …; it will be deleted. Reason: …`.
    WillDelete,
    /// `… Release {ver} is …; it will be kept. Reason: …`.
    WillKeep,
    /// `Delete release {ver}`.
    DeleteRelease,
}

/// Messages that start a target-mutex wait: 3.x Tentacles, scripts that need the
/// target to themselves (I7824), workers (I7710).
const MUTEX_PREFIXES: [&[u8]; 3] = [
    b"This Tentacle is currently busy",
    b"Waiting for the script in task",
    b"Waiting on scripts in task",
];

/// Classifies a message (escaped or not; leading spaces are ignored).
pub fn classify(message: &[u8]) -> Mark {
    let m = trim_start(message);
    match m.first() {
        Some(b'T' | b'W') if MUTEX_PREFIXES.iter().any(|p| m.starts_with(p)) => {
            Mark::Wait(WaitKind::Mutex)
        }
        Some(b'A') if m.starts_with(b"Acquiring packages") => {
            Mark::Wait(WaitKind::PackageAcquisition)
        }
        Some(b'D') if m.starts_with(b"Delete release ") => Mark::DeleteRelease,
        Some(_) => retention_decision(m),
        None => Mark::None,
    }
}

/// `…; it will be deleted.` / `…; it will be kept.` anywhere in the message.
fn retention_decision(m: &[u8]) -> Mark {
    let Some(at) = memmem::find(m, b" it will be ") else { return Mark::None };
    let rest = &m[at + b" it will be ".len()..];
    if rest.starts_with(b"deleted") {
        Mark::WillDelete
    } else if rest.starts_with(b"kept") {
        Mark::WillKeep
    } else {
        Mark::None
    }
}

fn trim_start(b: &[u8]) -> &[u8] {
    let n = b.iter().take_while(|c| **c == b' ').count();
    &b[n..]
}

/// Counts of retention lines in one node.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RetentionCounts {
    /// `it will be deleted` decisions.
    pub will_delete: u32,
    /// `it will be kept` decisions.
    pub will_keep: u32,
    /// `Delete release` lines.
    pub delete_lines: u32,
}

impl RetentionCounts {
    /// Counts one mark.
    pub fn add(&mut self, mark: Mark) {
        match mark {
            Mark::WillDelete => self.will_delete += 1,
            Mark::WillKeep => self.will_keep += 1,
            Mark::DeleteRelease => self.delete_lines += 1,
            Mark::None | Mark::Wait(_) => {}
        }
    }

    /// Adds another node's counts.
    pub fn merge(&mut self, other: RetentionCounts) {
        self.will_delete += other.will_delete;
        self.will_keep += other.will_keep;
        self.delete_lines += other.delete_lines;
    }

    /// Releases deleted: a decision and its `Delete release` line describe the same
    /// release, so the larger of the two counts is taken rather than their sum.
    pub fn deleted(self) -> u32 {
        self.will_delete.max(self.delete_lines)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mutex_waits_in_all_three_wordings() {
        let busy = b"This Tentacle is currently busy performing a task that cannot be run in conjunction with any other task. Please wait...";
        assert_eq!(classify(busy), Mark::Wait(WaitKind::Mutex));
        let script = b"Waiting for the script in task ServerTasks-2299 to finish as that script requires that no other Octopus scripts are executing on this target at the same time.";
        assert_eq!(classify(script), Mark::Wait(WaitKind::Mutex));
        assert_eq!(
            classify(b"Waiting on scripts in task ServerTasks-7 to finish"),
            Mark::Wait(WaitKind::Mutex)
        );
        assert_eq!(classify(b"  Waiting on scripts in task X"), Mark::Wait(WaitKind::Mutex));
    }

    #[test]
    fn package_acquisition_and_retention_lines() {
        assert_eq!(classify(b"Acquiring packages"), Mark::Wait(WaitKind::PackageAcquisition));
        assert_eq!(classify(b"Delete release 0.0.12"), Mark::DeleteRelease);
        let del = b"Retention Policy Examples/[Default] - Release 0.0.12 is in phase Staging, with a policy of Last 3 items; it will be deleted. Reason: Undeployed, but 3 of 3 have been kept";
        assert_eq!(classify(del), Mark::WillDelete);
        let keep = b"Default Lifecycle/[Default] - Release 1.4.2 is on the dashboard; it will be kept. Reason: Latest release";
        assert_eq!(classify(keep), Mark::WillKeep);
    }

    #[test]
    fn ordinary_lines_are_not_marked() {
        assert_eq!(classify(b""), Mark::None);
        assert_eq!(classify(b"Deleting directory C:\\x"), Mark::None);
        assert_eq!(classify(b"Acquire Packages completed"), Mark::None);
        assert_eq!(classify(b"it will be fine"), Mark::None);
        assert_eq!(classify(b"Waiting for the deployment"), Mark::None);
    }

    #[test]
    fn deleted_takes_the_larger_count() {
        let mut c = RetentionCounts::default();
        [Mark::WillDelete, Mark::DeleteRelease, Mark::WillDelete, Mark::WillKeep]
            .into_iter()
            .for_each(|m| c.add(m));
        assert_eq!((c.deleted(), c.will_keep), (2, 1));
    }
}
