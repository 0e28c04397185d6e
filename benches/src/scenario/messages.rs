//! Server-log message texts by era (octopus.md §1.7): requests, SQL timings,
//! transaction names, pool pressure, Halibut, start-up. Continuation lines
//! follow a `\n`; the renderer turns it into the file's line ending.

use std::fmt::Write as _;

use super::clock::{civil, local, timespan, SEC};
use super::names;
use super::timeline::{Plan, Task, What};
use super::traffic::{Class, Req};
use super::variations::{Era, SqlFlavour};
use crate::rng::Rng;

/// The portal's base URL in `Request took` lines and transaction names.
pub fn base_url(p: &Plan) -> &'static str {
    match p.v.day % 3 {
        0 => "https://octopus.acme.local",
        1 => "http://octopus",
        _ => "https://deploy.contoso.com",
    }
}

/// The host in 2024+ request lines.
fn host(p: &Plan) -> &'static str {
    if p.v.container {
        "localhost:8080"
    } else {
        base_url(p).split("//").nth(1).unwrap_or("octopus")
    }
}

/// The completion line of a request.
pub fn request(p: &Plan, r: &Req) -> String {
    let ms = r.us / 1000;
    match p.v.era {
        Era::V2024 => format!(
            "\"HTTP\" \"{}\" to \"{}\"\"{}\" \"completed\" with {} in {} ({ms}ms) by \"{}\"",
            r.method,
            host(p),
            r.path,
            r.status,
            timespan(r.us),
            r.user
        ),
        _ => format!("Request took {ms}ms: {} {}{} {}", r.method, base_url(p), r.path, r.corr),
    }
}

/// The TRACE line written when a request starts (3.x-style verbose logging).
pub fn request_start(p: &Plan, r: &Req) -> String {
    format!("{:<5} {}{} {}", r.method, base_url(p), r.path, r.corr)
}

/// SQL operations.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    /// A reader.
    Read,
    /// A non-query (DELETE … by statement).
    NonQuery,
    /// `Insert took`.
    Insert,
    /// `Update took`.
    Update,
    /// `Delete took`.
    Delete,
    /// A scalar.
    Scalar,
}

/// An SQL timing message: `{op} took {ms}ms … in transaction '{txn}': {sql}`.
pub fn sql(flavour: SqlFlavour, op: Op, ms: u64, txn: &str, stmt: &str, rng: &mut Rng) -> String {
    let head = match (flavour, op) {
        (SqlFlavour::R1, Op::Read) => {
            let first = (ms as f64 * rng.uniform(0.05, 0.9)) as u64;
            return format!("Reader took {ms}ms ({first}ms until the first record) in transaction '{txn}': {stmt}");
        }
        (SqlFlavour::R1, Op::NonQuery) => "Executing non query",
        (SqlFlavour::R1, Op::Scalar) => "Scalar",
        (SqlFlavour::R2, Op::Read) if rng.chance(0.5) => "Execute reader",
        (SqlFlavour::R2, Op::Read) => "Process reader",
        (SqlFlavour::R2, Op::NonQuery) => "Execute non query",
        (SqlFlavour::R2, Op::Scalar) => "Execute scalar",
        (_, Op::Insert) => "Insert",
        (_, Op::Update) => "Update",
        (_, Op::Delete) => "Delete",
    };
    format!("{head} took {ms}ms in transaction '{txn}': {stmt}")
}

/// The transaction of a web request.
pub fn request_txn(p: &Plan, r: &Req, rng: &mut Rng) -> String {
    match p.v.sql {
        SqlFlavour::R1 => format!("{}{} {}", base_url(p), r.path, r.corr),
        SqlFlavour::R2 => {
            let component = match r.class {
                Class::Dashboard | Class::Ui => "DashboardFactory",
                Class::Login => "OctopusPrincipalLoader",
                Class::Details => "TaskLogReader",
                _ => "ReadOnlyStore",
            };
            format!("{component}|{}|T{}", names::guid(rng), rng.range(1, 40))
        }
    }
}

/// The controller whose transactions a task's work runs in.
fn controller(t: &Task) -> &'static str {
    match t.what {
        What::Retention { .. } => "ApplyRetentionPoliciesTaskController",
        What::Deploy { .. } => "DeploymentTaskController",
        What::Health { .. } => "HealthCheckTaskController",
        What::SecurityGroups { .. } => "SynchronizeExternalSecurityGroupsTaskController",
        What::Integrity => "SystemIntegrityCheckTaskController",
    }
}

/// A task's transaction: the bare controller (R1), `Controller|ServerTasks-N-guid|Tn` (R2).
pub fn task_txn(p: &Plan, t: &Task, n: u64) -> String {
    match p.v.sql {
        SqlFlavour::R1 => controller(t).to_string(),
        SqlFlavour::R2 => {
            let g = names::guid(&mut Rng::new(t.uid as u64 + 17));
            format!("{}|{}-{g}|T{n}", controller(t), t.task_id())
        }
    }
}

/// A named component's transaction (`OctopusPrincipalLoader`, `ConfigurationStore`).
pub fn component_txn(p: &Plan, component: &str, rng: &mut Rng) -> String {
    match p.v.sql {
        SqlFlavour::R1 => component.to_string(),
        SqlFlavour::R2 => format!("{component}|{}|T{}", names::guid(rng), rng.range(1, 200)),
    }
}

/// Statements a request of each class runs.
pub fn request_statement(class: Class, rng: &mut Rng) -> (Op, &'static str) {
    match class {
        Class::Dashboard => (Op::Read, "SELECT *\nFROM dbo.[Release]\nWHERE ([SpaceId] = @spaceid)\nORDER BY [Assembled] DESC"),
        Class::Tasks | Class::Details => (Op::Read, "SELECT *\nFROM (SELECT *, Row_Number() over (ORDER BY [QueueTime] DESC) as RowNum FROM dbo.[ServerTask] WHERE ([SpaceId] = @spaceid)) RS\nWHERE RowNum >= @_minrow And RowNum <= @_maxrow\nORDER BY RowNum"),
        Class::Login => (Op::Read, "SELECT *\nFROM dbo.[User]\nWHERE ([Id] = @id)"),
        _ if rng.chance(0.5) => (Op::Read, "SELECT *\nFROM dbo.[Project]\nWHERE ([SpaceId] = @spaceid)\nORDER BY [Name]"),
        _ => (Op::Read, "SELECT *\nFROM dbo.[Environment]\nORDER BY [SortOrder]"),
    }
}

/// Statements of a task's own work.
pub fn task_statement(t: &Task, rng: &mut Rng) -> (Op, &'static str) {
    let pick = rng.below(4);
    match (&t.what, pick) {
        (What::Retention { .. }, 0) => (Op::Delete, "DELETE FROM dbo.[Release] WHERE [Id] = @id"),
        (What::Retention { .. }, 1) => (Op::NonQuery, "DELETE FROM dbo.[Deployment]\nWHERE [ReleaseId] = @releaseId"),
        (What::Retention { .. }, 2) => (Op::NonQuery, "DELETE FROM dbo.[Event]\nWHERE [Id] IN (SELECT [EventId] FROM dbo.[EventRelatedDocument] WHERE [RelatedDocumentId] = @relatedDocumentId)"),
        (What::Retention { .. }, _) => (Op::Read, "SELECT *\nFROM dbo.[Release]\nWHERE ([ProjectId] = @projectid) AND ([ChannelId] = @channelid)\nORDER BY [Assembled] DESC"),
        (What::Deploy { .. }, 0 | 1) => (Op::Read, "SELECT *\nFROM dbo.[VariableSet]\nWHERE ([Id] = @id)"),
        (What::Deploy { .. }, 2) => (Op::Insert, "INSERT INTO dbo.[Event] ([Id], [Category], [Occurred], [JSON]) VALUES (@Id, @Category, @Occurred, @JSON)"),
        (What::Deploy { .. }, _) => (Op::Update, "UPDATE dbo.[ServerTask] SET [State] = @State, [JSON] = @JSON WHERE [Id] = @Id"),
        (What::Health { .. }, _) => (Op::Update, "UPDATE dbo.[Machine] SET [HealthStatus] = @HealthStatus, [JSON] = @JSON WHERE [Id] = @Id"),
        (What::SecurityGroups { .. }, 0 | 1) => (Op::Update, "UPDATE dbo.[User] SET [JSON] = @JSON WHERE [Id] = @Id"),
        (What::SecurityGroups { .. }, _) => (Op::Read, "SELECT *\nFROM dbo.[Team]\nORDER BY [Id]"),
        (What::Integrity, _) => (Op::Scalar, "SELECT COUNT(*) FROM dbo.[Release]"),
    }
}

/// Trivial statements that only a slow database makes slow.
pub const TRIVIAL: &[&str] = &[
    "SELECT *\nFROM dbo.[OctopusServerNode]\nORDER BY [Id]",
    "SELECT *\nFROM dbo.[Configuration]\nWHERE ([Id] = @id)",
    "SELECT TOP 1 *\nFROM dbo.[User]\nWHERE ([Id] = @id)",
    "SELECT *\nFROM dbo.[Team]\nORDER BY [Id]",
    "SELECT *\nFROM dbo.[Space]\nORDER BY [Id]",
    "SELECT *\nFROM dbo.[Project]\nWHERE ([Id] = @id)",
];

/// `2026-11-03T14:16:05` on the server's clock.
pub fn dump_time(p: &Plan, utc: i64) -> String {
    let (y, mo, d, h, mi, s, _) = civil(local(utc, p.v.offset_min));
    format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}")
}

/// Seconds with the culture's group separator: `27,070.73`.
fn seconds_n2(us: i64) -> String {
    let hundredths = us / 10_000;
    let (whole, frac) = (hundredths / 100, hundredths % 100);
    let digits = whole.to_string();
    let mut grouped = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    format!("{grouped}.{frac:02}")
}

/// The high-transactions dump (ERROR when the pool is full).
pub fn dump(p: &Plan, at: i64, rng: &mut Rng) -> String {
    let mut s = String::from("There are a high number of transactions active. The below information may help the Octopus team diagnose the problem:\n");
    let _ = write!(s, "Now: {}", dump_time(p, at));
    for _ in 0..rng.range(6, 16) {
        let age = rng.span(2 * SEC, 900 * SEC);
        let component =
            *rng.pick(&["DashboardFactory", "OctopusPrincipalLoader", "ConfigurationStore"]);
        let name = component_txn(p, component, rng);
        let started = dump_time(p, at - age);
        let cmds = rng.range(1, 4);
        let _ = write!(s, "\n\nTransaction '{name}' Open with {cmds} commands started at {started} ({} seconds ago)", seconds_n2(age));
        for _ in 0..cmds {
            let _ = write!(s, "\n{started} {}", rng.pick(TRIVIAL).replace('\n', " "));
        }
    }
    s
}

const POOL: &str = "Timeout expired.  The timeout period elapsed prior to obtaining a connection from the pool.  This may have occurred because all pooled connections were in use and max pool size was reached.";

/// A request that failed to get a connection from the pool.
pub fn pool_error(p: &Plan) -> String {
    let (head, ns) = match p.v.era {
        Era::V2024 => {
            ("An unhandled exception has occurred while executing the request.", "Microsoft.Data")
        }
        _ => ("Unhandled exception from web server: ", "System.Data"),
    };
    let first = if p.v.era == Era::V2024 { head.to_string() } else { format!("{head}{POOL}") };
    format!(
        "{first}\nSystem.InvalidOperationException: {POOL}\n   at {ns}.ProviderBase.DbConnectionFactory.TryGetConnection(DbConnection owningConnection, TaskCompletionSource`1 retry, DbConnectionOptions userOptions, DbConnectionInternal oldConnection, DbConnectionInternal& connection)\n   at {ns}.ProviderBase.DbConnectionInternal.TryOpenConnectionInternal(DbConnection outerConnection, DbConnectionFactory connectionFactory, TaskCompletionSource`1 retry, DbConnectionOptions userOptions)\n   at {ns}.SqlClient.SqlConnection.TryOpen(TaskCompletionSource`1 retry)\n   at {ns}.SqlClient.SqlConnection.Open()"
    )
}

/// A deadlock reported by the retention run (I7985).
pub fn deadlock(p: &Plan, t: &Task, at: i64, rng: &mut Rng) -> String {
    let age = rng.span(SEC, 10 * SEC);
    format!(
        "Error while deleting expired runbook runs Transaction (Process ID {}) was deadlocked on lock resources with another process and has been chosen as the deadlock victim. Rerun the transaction.\nCurrent transactions: \n\nTransaction '{}' Open with {} commands started at {} ({} seconds ago)",
        rng.range(51, 200),
        task_txn(p, t, rng.range(20, 200)),
        rng.range(2, 20),
        dump_time(p, at - age),
        seconds_n2(age)
    )
}

/// A Halibut message: endpoint left-aligned in 30, thread id right-aligned in 4.
pub fn halibut(endpoint: &str, tid: u32, text: &str) -> String {
    format!("{endpoint:<30} {tid:>4}  {text}")
}

/// A TLS thumbprint.
pub fn thumbprint(rng: &mut Rng) -> String {
    format!("{:016X}{:016X}{:08X}", rng.next_u64(), rng.next_u64(), rng.next_u64() as u32)
}

/// The start-up block: command banner, version, Environment Information,
/// node name (2024+), extensions.
pub fn start_up(p: &Plan, node: usize, pid: u32) -> Vec<(i64, &'static str, String)> {
    let n = &p.nodes[node];
    let exe = if p.v.container { "Octopus.Server" } else { "Octopus.Server.exe" };
    let ver = &p.v.version;
    let env = environment(p, node, pid);
    let mut lines = vec![
        (0, "INFO", "==== OctopusServerCommand ====".to_string()),
        (120_000, "INFO", format!("{exe} version {ver} ({ver}) instance OctopusServer")),
        (160_000, "INFO", env),
    ];
    if p.v.era == Era::V2024 {
        lines.push((2 * SEC, "INFO", format!("Defaulting server node name to '\"{}\"'.", n.name)));
    }
    if !p.v.container {
        lines.push((
            3 * SEC,
            "INFO",
            "Loading plugins from: C:\\Program Files\\Octopus Deploy\\Octopus\\BuiltInExtensions"
                .into(),
        ));
    }
    lines.push((4 * SEC, "INFO", "Loading BuiltIn extension: AzureAD (2.0.9.0)".into()));
    lines.push((
        6 * SEC,
        "INFO",
        "Checking to see if database schema upgrade is required...".into(),
    ));
    if ver.starts_with("2025") {
        lines.push((9 * SEC, "WARN", "Ignoring incompatible step package \"kustomize 1.0.12\": \"kustomize step package is deprecated\"".into()));
    }
    lines
}

fn environment(p: &Plan, node: usize, pid: u32) -> String {
    let n = &p.nodes[node];
    let (os, user, dir, temp) = if p.v.container {
        ("Unix 5.15.0.1057", "octopus", "/Octopus", "/tmp/")
    } else {
        (
            "Microsoft Windows NT 10.0.20348.0",
            "ACME\\svc-octopus",
            "C:\\Program Files\\Octopus Deploy\\Octopus",
            "C:\\Windows\\TEMP\\",
        )
    };
    format!(
        "Environment Information:\n  OperatingSystem: {os}\n  OsBitVersion: x64\n  Is64BitProcess: True\n  CurrentUser: {user}\n  MachineName: {}\n  ProcessorCount: {}\n  CurrentDirectory: {dir}\n  TempDirectory: {temp}\n  HostProcessName: Octopus.Server\n  PID: {pid}",
        n.name, n.processors
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sql_messages_of_both_flavours() {
        let mut rng = Rng::new(1);
        let r1 = sql(
            SqlFlavour::R1,
            Op::NonQuery,
            812,
            "ApplyRetentionPoliciesTaskController",
            "DELETE FROM dbo.[Release]",
            &mut rng,
        );
        assert_eq!(r1, "Executing non query took 812ms in transaction 'ApplyRetentionPoliciesTaskController': DELETE FROM dbo.[Release]");
        let r2 = sql(SqlFlavour::R2, Op::Delete, 5, "X|ServerTasks-1-g|T2", "DELETE", &mut rng);
        assert_eq!(r2, "Delete took 5ms in transaction 'X|ServerTasks-1-g|T2': DELETE");
        let read = sql(SqlFlavour::R1, Op::Read, 400, "t", "SELECT", &mut rng);
        assert!(
            read.starts_with("Reader took 400ms (")
                && read.ends_with("ms until the first record) in transaction 't': SELECT")
        );
    }

    #[test]
    fn grouped_seconds_and_halibut_columns() {
        assert_eq!(seconds_n2(27_070_730_000), "27,070.73");
        assert_eq!(seconds_n2(127_050_000), "127.05");
        assert_eq!(seconds_n2(1_234_567_890_000), "1,234,567.89");
        let h = halibut("https://web01:10933/", 45, "Opening a new connection");
        assert_eq!(h, "https://web01:10933/             45  Opening a new connection");
    }
}
