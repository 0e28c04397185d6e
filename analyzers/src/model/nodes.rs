//! Node identity: which server-log files belong to one server instance, and
//! what each instance is called.

use crate::stats::Span;

/// What a stream's name rests on, strongest first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum NodeBasis {
    /// The log's own `Defaulting server node name to …` line.
    NodeNameLine,
    /// The `MachineName` of its start-up banner (a node is named after its machine
    /// unless configured otherwise).
    MachineName,
    /// The `Server node:` of raw task logs whose work this stream logged.
    TaskLogs,
    /// The only stream in the bundle, and the raw task logs name one node.
    OnlyStream,
    /// Nothing names it: the folder it was found in, as a label only.
    FolderLabel,
}

impl NodeBasis {
    /// How the answer says it.
    pub fn describe(self) -> &'static str {
        match self {
            NodeBasis::NodeNameLine => "its own 'Defaulting server node name' line",
            NodeBasis::MachineName => "the MachineName of its start-up banner",
            NodeBasis::TaskLogs => "the 'Server node' of raw task logs whose work it logged",
            NodeBasis::OnlyStream => "the only server log, and the raw task logs name one node",
            NodeBasis::FolderLabel => "its folder, only a label: nothing in the logs names it",
        }
    }
}

/// One server instance's log: its files (rotated archives), in time order.
#[derive(Clone, Debug)]
pub struct Stream {
    /// Its name (or label, see `basis`).
    pub name: String,
    /// What the name rests on.
    pub basis: NodeBasis,
    /// Input indexes of its files, in time order.
    pub sources: Vec<u32>,
    /// From its first entry to its last (UTC).
    pub span: Span,
}

/// Every stream, and what the logs say about the cluster.
#[derive(Clone, Debug, Default)]
pub struct Nodes {
    /// Server-log streams.
    pub streams: Vec<Stream>,
    /// Stream of each input (indexed like `Dataset::inputs`), `None` for non-server-logs.
    pub of_source: Vec<Option<usize>>,
    /// Node names raw task logs give that no stream carries (their server logs are missing).
    pub task_only: Vec<String>,
    /// Two or more nodes: streams overlapping in time, or two node names.
    pub ha: bool,
    /// What the HA verdict rests on.
    pub rests_on: Vec<String>,
}

impl Nodes {
    /// The node of an input: its stream's name, else `None`.
    pub fn of(&self, source: u32) -> Option<&str> {
        let i = (*self.of_source.get(source as usize)?)?;
        Some(self.streams.get(i)?.name.as_str())
    }

    /// Every node name: the streams', then those only task logs give.
    pub fn names(&self) -> Vec<String> {
        let mut v: Vec<String> = self.streams.iter().map(|s| s.name.clone()).collect();
        v.extend(self.task_only.iter().cloned());
        v
    }
}
