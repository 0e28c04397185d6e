//! Task logs: on-disk JSON lines (`servertasks-N_x.txt`, `*.tl.txt`) and
//! downloaded raw text, assembled into [`Task`]s.

use crate::detect::Format;
use crate::event::SourceId;
use crate::parse::Parsed;
use crate::source::Source;
use crate::task::Task;

/// What one task-log source contributes to the task model; fragments of the same
/// task (parts of a `*.tl.txt` folder, the JSON and text forms) are assembled later.
#[derive(Clone, Debug)]
pub struct TaskFragment {
    /// A task as far as this source knows it.
    pub task: Task,
}

/// Parses one task-log source.
pub fn parse(_id: SourceId, _source: &Source, _format: Format) -> Parsed {
    Parsed::default()
}

/// Assembles fragments from all sources into tasks, merging the same task id.
pub fn assemble(fragments: Vec<TaskFragment>) -> Vec<Task> {
    fragments.into_iter().map(|f| f.task).collect()
}
