//! The kinds of fact: what each keeps beyond the shared header
//! ([`crate::origin::Fact`]). Kept compact: a large log has a million requests.

use std::borrow::Cow;

use octodiag_parsers::event::BrowserTiming;
use octodiag_parsers::{Level, Timestamp, UtcOffset};

use super::Timed;
use crate::origin::Fact;
use crate::transaction::Correlation;
use crate::units::micros;

/// A request, from the server log or a HAR file; its fact's time is when it ended.
#[derive(Clone, Debug)]
pub struct Request {
    /// Duration in milliseconds.
    pub ms: f64,
    /// Index into [`super::Facts::endpoints`] (whose text begins with the method).
    pub endpoint: u32,
    /// Status, when known.
    pub status: Option<u16>,
    /// Logged level.
    pub level: Level,
    /// Correlation id (32 hex digits) as bytes: compared, never printed.
    pub correlation: Option<Correlation>,
    /// What only some requests have: a path to match browser and server, browser timings.
    pub extra: Option<Box<ReqExtra>>,
}

/// A request fact.
pub type Req = Fact<Request>;

/// The rarer parts of a [`Request`], boxed so that the common case stays small.
#[derive(Clone, Debug, Default)]
pub struct ReqExtra {
    /// URL path and query (redacted), for matching browser and server: kept for
    /// browser entries, and for server requests only when a HAR file was given.
    pub path: Option<Box<str>>,
    /// Browser timings (HAR only).
    pub browser: Option<BrowserTiming>,
}

impl Request {
    /// The redacted path and query, when kept.
    pub fn path(&self) -> Option<&str> {
        self.extra.as_ref()?.path.as_deref()
    }

    /// Browser timings (HAR entries).
    pub fn browser(&self) -> Option<&BrowserTiming> {
        self.extra.as_ref()?.browser.as_ref()
    }

    /// [`Request::endpoint`] as an index.
    pub fn endpoint_index(&self) -> usize {
        self.endpoint as usize
    }
}

impl Req {
    /// When it ended (server lines are logged then; HAR entries, logged at the
    /// start, were given `end = start + duration`).
    pub fn end(&self) -> Timestamp {
        self.time
    }

    /// When it started: the end less the duration.
    pub fn start(&self) -> Timestamp {
        self.time.add_micros(-micros(self.ms))
    }
}

/// A slow SQL operation (at or above [`crate::slow::SLOW_SQL_MS`]; faster ones
/// are only counted). Its texts are interned in [`super::Facts::names`], and what
/// analysis reads from the transaction name (component, task, correlation id) is
/// extracted once, while folding.
#[derive(Clone, Debug)]
pub struct Sql {
    /// Milliseconds.
    pub ms: f64,
    /// Operation words (`Reader`, `Execute reader`…): a [`super::Facts::names`] index.
    pub operation: u32,
    /// Table named in the statement, when found: a [`super::Facts::names`] index.
    pub table: Option<u32>,
    /// The transaction's component ([`crate::transaction::component`]), redacted.
    pub component: u32,
    /// `N` of the `ServerTasks-N` named in the transaction.
    pub task: Option<std::num::NonZeroU64>,
    /// Correlation id at the end of a web-request transaction name.
    pub correlation: Option<Correlation>,
}

/// A slow SQL fact; its time is when it was logged (the operation ended then).
pub type SqlFact = Fact<Sql>;

/// What a pressure line showed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PressureKind {
    /// `N transactions active`.
    TransactionsActive,
    /// The high-number-of-transactions dump.
    HighTransactionsDump,
    /// No connection could be taken from the pool.
    PoolExhausted,
    /// A command timed out.
    CommandTimeout,
    /// A deadlock victim.
    Deadlock,
    /// Any other SQL error.
    SqlError,
}

impl PressureKind {
    /// The name used in the report.
    pub fn as_str(self) -> &'static str {
        match self {
            PressureKind::TransactionsActive => "transactions-active",
            PressureKind::HighTransactionsDump => "high-transactions-dump",
            PressureKind::PoolExhausted => "pool-exhausted",
            PressureKind::CommandTimeout => "command-timeout",
            PressureKind::Deadlock => "deadlock",
            PressureKind::SqlError => "sql-error",
        }
    }

    /// An error, as opposed to a count of transactions.
    pub fn is_error(self) -> bool {
        !matches!(self, PressureKind::TransactionsActive | PressureKind::HighTransactionsDump)
    }
}

/// Something that shows pressure on the database connection pool.
#[derive(Clone, Debug)]
pub struct Pressure {
    /// `N transactions active`, or the dump's transaction count.
    pub active: Option<u32>,
    /// What it was.
    pub kind: PressureKind,
    /// Transaction name, when given (redacted).
    pub transaction: Option<String>,
}

/// A server start (version banner).
#[derive(Clone, Debug)]
pub struct Start {
    /// Version.
    pub version: String,
    /// PID, when the layout has it.
    pub pid: Option<u32>,
}

/// A plain point event worth counting (errors, Halibut failures, task lines).
#[derive(Clone, Debug)]
pub struct Point {
    /// A short label (task description, endpoint, event kind…).
    pub label: Cow<'static, str>,
    /// Milliseconds, when the line gives a duration.
    pub ms: Option<f64>,
}

/// Only a time: what is kept of the many facts that are counted, not analysed
/// (fast SQL). No origin: none of them is ever quoted.
#[derive(Clone, Copy, Debug)]
pub struct Stamp {
    /// When.
    pub time: Timestamp,
    /// Still on the server's local clock.
    pub local: bool,
}

impl Timed for Stamp {
    fn time(&self) -> Timestamp {
        self.time
    }

    fn to_utc(&mut self, offset: UtcOffset) {
        if std::mem::take(&mut self.local) {
            self.time = self.time.local_to_utc(offset);
        }
    }

    fn shift_line(&mut self, _: u64) {}
}
