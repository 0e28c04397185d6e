//! The model counter exports are read into: one [`CounterSeries`] per counter
//! (not one event per sample), with a normalised [`SeriesKind`] for the
//! counters that explain a slow server, and the [`Role`] of what it measures.

use crate::time::{Clock, Timestamp};

/// One counter over time.
#[derive(Clone, Debug, PartialEq)]
pub struct CounterSeries {
    /// Machine the counter was read on (`\\HOST` in a PDH path, sadf's `hostname`,
    /// Prometheus `instance`), when known.
    pub host: Option<String>,
    /// Counter object: `Processor`, `Process`, `SQLServer:Buffer Manager`, a sadf
    /// section (`cpu`, `memory`, `disk`, …), a dotnet-counters provider, a Prometheus
    /// metric name.
    pub object: String,
    /// Instance: `_Total`, `Octopus.Server#1`, `0 C:`, sadf's `all`/CPU number/device.
    pub instance: Option<String>,
    /// Counter name as written (`% Processor Time`, `%idle`, `Working Set (MB)`).
    pub counter: String,
    /// What the counter is, when it is one analysis uses.
    pub kind: SeriesKind,
    /// What it measures: the Octopus process, the host, SQL Server, …
    pub role: Role,
    /// Unit of the values in `points` (after `scale`).
    pub unit: Unit,
    /// Factor applied to the values as written (`Available MBytes` × 1048576 → bytes;
    /// a per-process CPU % × 1/cores); 1 when none.
    pub scale: f64,
    /// Which clock the timestamps are on: UTC when the export says how (PDH bias,
    /// sadf `UTC` suffix, Unix times), else the recording machine's local time.
    pub clock: Clock,
    /// Samples in file order (exports are written in time order, but not checked).
    pub points: Vec<(Timestamp, f64)>,
    /// Samples left blank (`" "`, `""`: a rate's first sample, a process not running).
    pub blank: u32,
    /// Samples that were not numbers (`-nan`, `-1.#IND`, truncated exponents, `NaN`).
    pub unparsable: u32,
    /// Prometheus labels other than `__name__` and `instance` (empty for other formats).
    pub labels: Vec<(String, String)>,
}

impl CounterSeries {
    /// An empty series.
    pub fn new(object: impl Into<String>, counter: impl Into<String>, clock: Clock) -> Self {
        CounterSeries {
            host: None,
            object: object.into(),
            instance: None,
            counter: counter.into(),
            kind: SeriesKind::Other,
            role: Role::Unknown,
            unit: Unit::Unknown,
            scale: 1.0,
            clock,
            points: Vec::new(),
            blank: 0,
            unparsable: 0,
            labels: Vec::new(),
        }
    }

    /// `\\HOST\Object(instance)\Counter`, the name users know counters by.
    pub fn name(&self) -> String {
        let host = self.host.as_deref().map(|h| format!("\\\\{h}")).unwrap_or_default();
        match &self.instance {
            Some(i) => format!("{host}\\{}({i})\\{}", self.object, self.counter),
            None => format!("{host}\\{}\\{}", self.object, self.counter),
        }
    }

    /// Smallest and largest value, ignoring non-finite ones.
    pub fn min_max(&self) -> Option<(f64, f64)> {
        let mut it = self.points.iter().map(|p| p.1).filter(|v| v.is_finite());
        let first = it.next()?;
        Some(it.fold((first, first), |(lo, hi), v| (lo.min(v), hi.max(v))))
    }

    /// The aggregate instance (`_Total`, sadf's `all`), or no instance at all.
    pub fn is_total(&self) -> bool {
        self.instance.as_deref().is_none_or(|i| i.eq_ignore_ascii_case("_total") || i == "all")
    }

    /// Points inside `[from, to]` (a slice: the points are in file order, which
    /// every exporter writes in time order).
    pub fn window(&self, from: Timestamp, to: Timestamp) -> &[(Timestamp, f64)] {
        let start = self.points.partition_point(|p| p.0 < from);
        let end = self.points.partition_point(|p| p.0 <= to);
        self.points.get(start..end.max(start)).unwrap_or_default()
    }
}

/// Counters analysis uses, whatever the exporter called them. Values are in the
/// series' [`Unit`] after [`CounterSeries::scale`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum SeriesKind {
    /// Machine CPU, 0–100 (`Processor(_Total)\% Processor Time`, sadf 100 − `%idle`);
    /// per-CPU instances have the same kind ([`CounterSeries::is_total`] tells).
    HostCpuPercent,
    /// Time the CPUs waited for I/O, 0–100 (sadf `%iowait`).
    CpuIowaitPercent,
    /// A process's CPU as 0–100 of the whole machine: PDH `Process(x)\% Processor Time`
    /// divided by the number of `Processor(N)` instances in the same file, or .NET's
    /// `cpu-usage`, which is already relative to all CPUs.
    ProcessCpuPercent,
    /// A process's CPU per logical CPU (can exceed 100: 314 = 3.14 CPUs), when the core
    /// count was not in the file. Divide by the core count (the server log's
    /// `ProcessorCount`) to get [`SeriesKind::ProcessCpuPercent`].
    ProcessCpuPercentOfOneCpu,
    /// `Process(x)\Private Bytes`, bytes.
    ProcessPrivateBytes,
    /// `Process(x)\Working Set`, .NET's working set, cAdvisor's working set; bytes.
    ProcessWorkingSet,
    /// `Process(x)\Handle Count`.
    ProcessHandles,
    /// `Process(x)\Thread Count`.
    ProcessThreads,
    /// `Memory\Available MBytes` (and KBytes, Bytes), sadf `kbavail`; bytes.
    MemoryAvailableBytes,
    /// `Memory\% Committed Bytes In Use`, sadf `%commit`; percent.
    MemoryCommittedPercent,
    /// sadf `%memused`; percent of physical memory in use.
    MemoryUsedPercent,
    /// `Paging File(_Total)\% Usage`, sadf `%swpused`; percent.
    PagingPercent,
    /// `Memory\Pages/sec`.
    PagesPerSec,
    /// `Current Disk Queue Length`, `Avg. Disk Queue Length`, sadf `aqu-sz`.
    DiskQueueLength,
    /// `Avg. Disk sec/Read`, sadf `r_await` (converted to seconds).
    DiskSecPerRead,
    /// `Avg. Disk sec/Write`, sadf `w_await` (converted to seconds).
    DiskSecPerWrite,
    /// `Avg. Disk sec/Transfer`, sadf `await` (converted to seconds).
    DiskSecPerTransfer,
    /// `% Idle Time` of a disk; percent.
    DiskIdlePercent,
    /// sadf `%util` of a disk; percent busy.
    DiskBusyPercent,
    /// `System\Processor Queue Length`, sadf `runq-sz`.
    ProcessorQueueLength,
    /// `Network Interface(x)\Bytes Total/sec`.
    NetworkBytesPerSec,
    /// `SQL Statistics\Batch Requests/sec`.
    SqlBatchRequests,
    /// `SQL Statistics\SQL Compilations/sec`.
    SqlCompilations,
    /// `General Statistics\User Connections`.
    SqlUserConnections,
    /// `General Statistics\Processes blocked`.
    SqlBlockedProcesses,
    /// `Buffer Manager\Page life expectancy`, seconds.
    SqlPageLifeExpectancy,
    /// `Memory Manager\Memory Grants Pending`.
    SqlMemoryGrantsPending,
    /// `Locks(x)\Lock Waits/sec`.
    SqlLockWaits,
    /// `Locks(x)\Number of Deadlocks/sec`.
    SqlDeadlocks,
    /// .NET GC heap size, bytes.
    GcHeapBytes,
    /// .NET `% Time in GC since last GC`.
    GcTimePercent,
    /// .NET thread-pool queue length.
    ThreadPoolQueueLength,
    /// .NET thread-pool thread count.
    ThreadPoolThreads,
    /// .NET exceptions (per interval).
    ExceptionCount,
    /// Anything else, kept with its names (and labels).
    Other,
}

impl SeriesKind {
    /// Name used in JSON output.
    pub fn as_str(self) -> &'static str {
        use SeriesKind::*;
        match self {
            HostCpuPercent => "host-cpu-percent",
            CpuIowaitPercent => "cpu-iowait-percent",
            ProcessCpuPercent => "process-cpu-percent",
            ProcessCpuPercentOfOneCpu => "process-cpu-percent-of-one-cpu",
            ProcessPrivateBytes => "process-private-bytes",
            ProcessWorkingSet => "process-working-set",
            ProcessHandles => "process-handles",
            ProcessThreads => "process-threads",
            MemoryAvailableBytes => "memory-available-bytes",
            MemoryCommittedPercent => "memory-committed-percent",
            MemoryUsedPercent => "memory-used-percent",
            PagingPercent => "paging-percent",
            PagesPerSec => "pages-per-sec",
            DiskQueueLength => "disk-queue-length",
            DiskSecPerRead => "disk-sec-per-read",
            DiskSecPerWrite => "disk-sec-per-write",
            DiskSecPerTransfer => "disk-sec-per-transfer",
            DiskIdlePercent => "disk-idle-percent",
            DiskBusyPercent => "disk-busy-percent",
            ProcessorQueueLength => "processor-queue-length",
            NetworkBytesPerSec => "network-bytes-per-sec",
            SqlBatchRequests => "sql-batch-requests",
            SqlCompilations => "sql-compilations",
            SqlUserConnections => "sql-user-connections",
            SqlBlockedProcesses => "sql-blocked-processes",
            SqlPageLifeExpectancy => "sql-page-life-expectancy",
            SqlMemoryGrantsPending => "sql-memory-grants-pending",
            SqlLockWaits => "sql-lock-waits",
            SqlDeadlocks => "sql-deadlocks",
            GcHeapBytes => "gc-heap-bytes",
            GcTimePercent => "gc-time-percent",
            ThreadPoolQueueLength => "thread-pool-queue-length",
            ThreadPoolThreads => "thread-pool-threads",
            ExceptionCount => "exception-count",
            Other => "other",
        }
    }
}

/// What a series measures, where the counter path tells.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum Role {
    /// The Octopus Server process (`Process(Octopus.Server)`, `Octopus.Server#1`, …).
    OctopusServer,
    /// SQL Server: its counter objects (`SQLServer:…`, `MSSQL$NAME:…`) or its process `sqlservr`.
    SqlServer,
    /// The machine: processors, memory, disks, paging file, network, system queue.
    Host,
    /// Another process.
    Process,
    /// Not told by the export.
    #[default]
    Unknown,
}

impl Role {
    /// Name used in JSON output.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::OctopusServer => "octopus-server",
            Role::SqlServer => "sql-server",
            Role::Host => "host",
            Role::Process => "process",
            Role::Unknown => "unknown",
        }
    }
}

/// Unit of a series' values.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum Unit {
    /// 0–100 (or more, for a per-CPU process %).
    Percent,
    /// Bytes.
    Bytes,
    /// Seconds.
    Seconds,
    /// Events per second.
    PerSecond,
    /// A count or a length.
    Count,
    /// Not known.
    #[default]
    Unknown,
}

impl Unit {
    /// Name used in JSON output.
    pub fn as_str(self) -> &'static str {
        match self {
            Unit::Percent => "percent",
            Unit::Bytes => "bytes",
            Unit::Seconds => "seconds",
            Unit::PerSecond => "per-second",
            Unit::Count => "count",
            Unit::Unknown => "unknown",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_min_max_and_window() {
        let mut s = CounterSeries::new("Process", "% Processor Time", Clock::Utc);
        s.host = Some("OCTO1".into());
        s.instance = Some("Octopus.Server".into());
        assert_eq!(s.name(), "\\\\OCTO1\\Process(Octopus.Server)\\% Processor Time");
        s.points = vec![(Timestamp(10), 5.0), (Timestamp(20), f64::NAN), (Timestamp(30), 1.0)];
        assert_eq!(s.min_max(), Some((1.0, 5.0)));
        assert_eq!(s.window(Timestamp(15), Timestamp(30)).len(), 2);
        assert!(s.window(Timestamp(31), Timestamp(40)).is_empty());
        assert!(!s.is_total());
    }
}
