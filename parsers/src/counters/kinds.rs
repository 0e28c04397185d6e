//! Which counters are which: Windows counter paths (`exports.md` §4.3),
//! sysstat columns, .NET counters and Prometheus metric names mapped to a
//! [`SeriesKind`], a [`Role`], a [`Unit`] and a scale.

use super::series::{CounterSeries, Role, SeriesKind, Unit};

/// Kind, unit and scale of a counter.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Meaning {
    /// The normalised kind.
    pub kind: SeriesKind,
    /// Unit after scaling.
    pub unit: Unit,
    /// Factor applied to the values as written.
    pub scale: f64,
}

const fn m(kind: SeriesKind, unit: Unit, scale: f64) -> Meaning {
    Meaning { kind, unit, scale }
}

const OTHER: Meaning = m(SeriesKind::Other, Unit::Unknown, 1.0);

/// Fills in kind, role, unit and scale of a Windows counter (`object` without the
/// host, `instance` as written, `counter`).
pub fn classify_windows(s: &mut CounterSeries) {
    s.role = windows_role(&s.object, s.instance.as_deref());
    let meaning = windows_meaning(&s.object, &s.counter);
    apply(s, meaning);
}

/// Sets kind, unit and scale.
pub fn apply(s: &mut CounterSeries, meaning: Meaning) {
    s.kind = meaning.kind;
    s.unit =
        if meaning.kind == SeriesKind::Other { unit_from_name(&s.counter) } else { meaning.unit };
    s.scale = meaning.scale;
}

fn windows_role(object: &str, instance: Option<&str>) -> Role {
    let o = object.to_ascii_lowercase();
    if o.starts_with("sqlserver:") || o.starts_with("mssql$") {
        return Role::SqlServer;
    }
    if o == "process" || o == "thread" || o == ".net clr memory" {
        let base = instance.map(instance_base).unwrap_or_default().to_ascii_lowercase();
        return match base.as_str() {
            b if b.starts_with("octopus.server") => Role::OctopusServer,
            "sqlservr" => Role::SqlServer,
            "_total" | "idle" => Role::Host,
            _ => Role::Process,
        };
    }
    const HOST: [&str; 9] = [
        "processor",
        "processor information",
        "memory",
        "physicaldisk",
        "logicaldisk",
        "paging file",
        "system",
        "network interface",
        "network adapter",
    ];
    if HOST.contains(&o.as_str()) {
        Role::Host
    } else {
        Role::Unknown
    }
}

/// An instance without its `parent/` and `#index` parts: `Octopus.Server#1` → `Octopus.Server`.
pub fn instance_base(instance: &str) -> &str {
    let no_index = match instance.rsplit_once('#') {
        Some((base, idx)) if !idx.is_empty() && idx.bytes().all(|b| b.is_ascii_digit()) => base,
        _ => instance,
    };
    no_index.rsplit_once('/').map_or(no_index, |(_, child)| child)
}

fn windows_meaning(object: &str, counter: &str) -> Meaning {
    use SeriesKind::*;
    use Unit::*;
    let o = object.to_ascii_lowercase();
    let c = counter.to_ascii_lowercase();
    // SQL Server objects: `SQLServer:Buffer Manager`, `MSSQL$NAMED:Buffer Manager`.
    if let Some((_, sql_object)) =
        o.split_once(':').filter(|_| o.starts_with("sqlserver:") || o.starts_with("mssql$"))
    {
        return sql_meaning(sql_object, &c);
    }
    match (o.as_str(), c.as_str()) {
        ("processor" | "processor information", "% processor time") => {
            m(HostCpuPercent, Percent, 1.0)
        }
        ("process", "% processor time") => m(ProcessCpuPercentOfOneCpu, Percent, 1.0),
        ("process", "private bytes") => m(ProcessPrivateBytes, Bytes, 1.0),
        ("process", "working set" | "working set - private") => m(ProcessWorkingSet, Bytes, 1.0),
        ("process", "handle count") => m(ProcessHandles, Count, 1.0),
        ("process", "thread count") => m(ProcessThreads, Count, 1.0),
        ("memory", "available mbytes") => m(MemoryAvailableBytes, Bytes, 1_048_576.0),
        ("memory", "available kbytes") => m(MemoryAvailableBytes, Bytes, 1024.0),
        ("memory", "available bytes") => m(MemoryAvailableBytes, Bytes, 1.0),
        ("memory", "% committed bytes in use") => m(MemoryCommittedPercent, Percent, 1.0),
        ("memory", "pages/sec") => m(PagesPerSec, PerSecond, 1.0),
        ("paging file", "% usage") => m(PagingPercent, Percent, 1.0),
        ("physicaldisk" | "logicaldisk", c) => disk_meaning(c),
        ("system", "processor queue length") => m(ProcessorQueueLength, Count, 1.0),
        ("network interface" | "network adapter", "bytes total/sec") => {
            m(NetworkBytesPerSec, PerSecond, 1.0)
        }
        _ => OTHER,
    }
}

fn disk_meaning(counter: &str) -> Meaning {
    use SeriesKind::*;
    use Unit::*;
    match counter {
        "current disk queue length" | "avg. disk queue length" => m(DiskQueueLength, Count, 1.0),
        "avg. disk sec/read" => m(DiskSecPerRead, Seconds, 1.0),
        "avg. disk sec/write" => m(DiskSecPerWrite, Seconds, 1.0),
        "avg. disk sec/transfer" => m(DiskSecPerTransfer, Seconds, 1.0),
        "% idle time" => m(DiskIdlePercent, Percent, 1.0),
        _ => OTHER,
    }
}

fn sql_meaning(object: &str, counter: &str) -> Meaning {
    use SeriesKind::*;
    use Unit::*;
    match (object, counter) {
        ("sql statistics", "batch requests/sec") => m(SqlBatchRequests, PerSecond, 1.0),
        ("sql statistics", "sql compilations/sec") => m(SqlCompilations, PerSecond, 1.0),
        ("general statistics", "user connections") => m(SqlUserConnections, Count, 1.0),
        ("general statistics", "processes blocked") => m(SqlBlockedProcesses, Count, 1.0),
        ("buffer manager", "page life expectancy") => m(SqlPageLifeExpectancy, Seconds, 1.0),
        ("memory manager", "memory grants pending") => m(SqlMemoryGrantsPending, Count, 1.0),
        ("locks", "lock waits/sec") => m(SqlLockWaits, PerSecond, 1.0),
        ("locks", "number of deadlocks/sec") => m(SqlDeadlocks, PerSecond, 1.0),
        _ => OTHER,
    }
}

/// A unit guessed from a counter name, for counters with no known meaning.
pub fn unit_from_name(counter: &str) -> Unit {
    let c = counter.to_ascii_lowercase();
    if c.starts_with('%') || c.contains("(%)") {
        Unit::Percent
    } else if c.ends_with("/sec") || c.ends_with("/s") {
        Unit::PerSecond
    } else if c.contains("bytes") || c.contains("(by)") {
        Unit::Bytes
    } else {
        Unit::Unknown
    }
}

/// A `sadf -d` column of an activity section (`section`: `cpu`, `memory`, …).
pub fn sadf_meaning(section: &str, column: &str) -> Meaning {
    use SeriesKind::*;
    use Unit::*;
    match (section, column) {
        ("cpu", "%iowait") => m(CpuIowaitPercent, Percent, 1.0),
        ("memory", "kbavail") => m(MemoryAvailableBytes, Bytes, 1024.0),
        ("memory", "%memused") => m(MemoryUsedPercent, Percent, 1.0),
        ("memory", "%commit") => m(MemoryCommittedPercent, Percent, 1.0),
        ("swap", "%swpused") => m(PagingPercent, Percent, 1.0),
        ("disk", "aqu-sz" | "avgqu-sz") => m(DiskQueueLength, Count, 1.0),
        ("disk", "await") => m(DiskSecPerTransfer, Seconds, 0.001),
        ("disk", "r_await") => m(DiskSecPerRead, Seconds, 0.001),
        ("disk", "w_await") => m(DiskSecPerWrite, Seconds, 0.001),
        ("disk", "%util") => m(DiskBusyPercent, Percent, 1.0),
        ("load", "runq-sz") => m(ProcessorQueueLength, Count, 1.0),
        _ => OTHER,
    }
}

/// A dotnet-counters counter (display name of `System.Runtime`'s EventCounters or
/// the .NET 9+ `System.Runtime` meter instrument, units in parentheses).
pub fn dotnet_meaning(counter: &str) -> Meaning {
    use SeriesKind::*;
    use Unit::*;
    let c = counter.to_ascii_lowercase();
    let name = c.split(" (").next().unwrap_or(&c);
    match name {
        "cpu usage" | "cpu-usage" => m(ProcessCpuPercent, Percent, 1.0),
        "working set" | "working-set" => m(ProcessWorkingSet, Bytes, 1_048_576.0),
        "dotnet.process.memory.working_set" => m(ProcessWorkingSet, Bytes, 1.0),
        "gc heap size" | "gc-heap-size" => m(GcHeapBytes, Bytes, 1_048_576.0),
        "dotnet.gc.last_collection.heap.size" => m(GcHeapBytes, Bytes, 1.0),
        "% time in gc since last gc" | "time-in-gc" => m(GcTimePercent, Percent, 1.0),
        "threadpool queue length" | "threadpool-queue-length" => {
            m(ThreadPoolQueueLength, Count, 1.0)
        }
        "dotnet.thread_pool.queue.length" => m(ThreadPoolQueueLength, Count, 1.0),
        "threadpool thread count" | "threadpool-thread-count" => m(ThreadPoolThreads, Count, 1.0),
        "dotnet.thread_pool.thread.count" => m(ThreadPoolThreads, Count, 1.0),
        "exception count" | "exception-count" | "dotnet.exceptions" => {
            m(ExceptionCount, Count, 1.0)
        }
        _ => OTHER,
    }
}

/// A Prometheus metric by `__name__` (node_exporter, windows_exporter, cAdvisor
/// gauges). Counters (`*_total`, `*_seconds_total`) stay `Other`: a `query_range`
/// response holds what the query computed, and a rate has no `__name__` at all.
pub fn prometheus_meaning(name: &str) -> Meaning {
    use SeriesKind::*;
    use Unit::*;
    match name {
        "node_memory_MemAvailable_bytes" | "windows_memory_available_bytes" => {
            m(MemoryAvailableBytes, Bytes, 1.0)
        }
        "windows_process_private_bytes" => m(ProcessPrivateBytes, Bytes, 1.0),
        "windows_process_working_set_bytes"
        | "windows_process_working_set_private_bytes"
        | "container_memory_working_set_bytes" => m(ProcessWorkingSet, Bytes, 1.0),
        "windows_process_handles" => m(ProcessHandles, Count, 1.0),
        "windows_process_threads" => m(ProcessThreads, Count, 1.0),
        "windows_logical_disk_requests_queued" | "windows_physical_disk_requests_queued" => {
            m(DiskQueueLength, Count, 1.0)
        }
        "windows_system_processor_queue_length" => m(ProcessorQueueLength, Count, 1.0),
        "windows_mssql_bufman_page_life_expectancy" => m(SqlPageLifeExpectancy, Seconds, 1.0),
        "windows_mssql_genstats_blocked_processes" => m(SqlBlockedProcesses, Count, 1.0),
        "windows_mssql_genstats_user_connections" => m(SqlUserConnections, Count, 1.0),
        "windows_mssql_memmgr_pending_memory_grants" => m(SqlMemoryGrantsPending, Count, 1.0),
        _ => OTHER,
    }
}

/// The role a Prometheus series has, from its name and labels.
pub fn prometheus_role(name: &str, labels: &[(String, String)]) -> Role {
    let label = |k: &str| labels.iter().find(|(key, _)| key == k).map(|(_, v)| v.as_str());
    if name.starts_with("windows_mssql_") {
        return Role::SqlServer;
    }
    if name.starts_with("windows_process_") {
        return match label("process").map(str::to_ascii_lowercase).as_deref() {
            Some(p) if p.starts_with("octopus.server") => Role::OctopusServer,
            Some("sqlservr") => Role::SqlServer,
            _ => Role::Process,
        };
    }
    if name.starts_with("container_") {
        let octopus = ["container", "pod", "name"]
            .iter()
            .filter_map(|k| label(k))
            .any(|v| v.to_ascii_lowercase().contains("octopus"));
        return if octopus { Role::OctopusServer } else { Role::Process };
    }
    if name.starts_with("node_") || name.starts_with("windows_") {
        return Role::Host;
    }
    Role::Unknown
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::Clock;

    fn windows(object: &str, instance: Option<&str>, counter: &str) -> CounterSeries {
        let mut s = CounterSeries::new(object, counter, Clock::Utc);
        s.instance = instance.map(str::to_string);
        classify_windows(&mut s);
        s
    }

    #[test]
    fn windows_counters_that_matter() {
        let s = windows("Process", Some("Octopus.Server#1"), "% Processor Time");
        assert_eq!((s.kind, s.role), (SeriesKind::ProcessCpuPercentOfOneCpu, Role::OctopusServer));
        let s = windows("Memory", None, "Available MBytes");
        assert_eq!(
            (s.kind, s.unit, s.scale),
            (SeriesKind::MemoryAvailableBytes, Unit::Bytes, 1_048_576.0)
        );
        let s = windows("MSSQL$OCTO:Buffer Manager", None, "Page life expectancy");
        assert_eq!((s.kind, s.role), (SeriesKind::SqlPageLifeExpectancy, Role::SqlServer));
        let s = windows("SQLServer:Locks", Some("_Total"), "Number of Deadlocks/sec");
        assert_eq!(s.kind, SeriesKind::SqlDeadlocks);
        let s = windows("PhysicalDisk", Some("0 C:"), "Avg. Disk sec/Write");
        assert_eq!((s.kind, s.role), (SeriesKind::DiskSecPerWrite, Role::Host));
        let s = windows("Process", Some("sqlservr"), "Private Bytes");
        assert_eq!((s.kind, s.role), (SeriesKind::ProcessPrivateBytes, Role::SqlServer));
        let s = windows("Process", Some("w3wp"), "IO Data Bytes/sec");
        assert_eq!((s.kind, s.role, s.unit), (SeriesKind::Other, Role::Process, Unit::PerSecond));
    }

    #[test]
    fn instance_base_drops_parent_and_index() {
        assert_eq!(instance_base("Octopus.Server#12"), "Octopus.Server");
        assert_eq!(instance_base("Octopus.Server/3"), "3");
        assert_eq!(instance_base("C#"), "C#");
    }

    #[test]
    fn other_sources() {
        assert_eq!(sadf_meaning("disk", "await").scale, 0.001);
        assert_eq!(dotnet_meaning("Working Set (MB)").kind, SeriesKind::ProcessWorkingSet);
        assert_eq!(dotnet_meaning("dotnet.gc.last_collection.heap.size (By)").scale, 1.0);
        assert_eq!(prometheus_meaning("node_cpu_seconds_total").kind, SeriesKind::Other);
        let labels = vec![("process".to_string(), "Octopus.Server".to_string())];
        assert_eq!(prometheus_role("windows_process_private_bytes", &labels), Role::OctopusServer);
    }
}
