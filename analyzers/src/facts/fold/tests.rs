use octodiag_parsers::server_log::{parse, parse_into, ServerLogOptions};
use octodiag_parsers::UtcOffset;

use super::*;
use crate::facts::join::join;

const SAMPLE: &[u8] = include_bytes!("../../../../testdata/server-log/mixed-versions.txt");
/// 353, 588, 60007, 412 and 1204 ms; and one of 1 ms.
const SLOW_SQL: usize = 5;
const SQL_TOTAL: usize = 6;

fn fold(chunk_size: usize) -> Facts {
    let opts = ServerLogOptions { chunk_size, keep_generic: false };
    let (_, parts) = parse_into(0, SAMPLE, &opts, &|| Part::new(false));
    join(parts)
}

fn summary(f: &Facts) -> Vec<String> {
    let reqs = f.requests.iter().map(|r| {
        let at = (r.origin.offset, r.origin.len);
        format!("req {} {} {} {} {at:?}", r.origin.line, f.endpoint(r), r.ms, r.time.0)
    });
    let sql = f.sql.iter().map(|s| {
        let table = s.table.map(|t| f.name(t));
        format!("sql {} {} {table:?} {} {:?}", s.origin.line, f.name(s.operation), s.ms, s.task)
    });
    let points =
        f.errors.iter().chain(&f.task_lines).map(|p| format!("pt {} {}", p.origin.line, p.label));
    reqs.chain(sql).chain(points).collect()
}

/// Folding while parsing gives the same facts for any chunking, with whole-file
/// line numbers, as folding the events of a whole-file parse.
#[test]
fn folded_facts_do_not_depend_on_chunks() {
    let whole = fold(1 << 30);
    // The sample's 4 request lines; its SQL lines of 300 ms or more are kept, the rest counted.
    assert_eq!(whole.requests.len(), 4);
    assert_eq!((whole.sql.len(), whole.sql_total()), (SLOW_SQL, SQL_TOTAL));
    for size in [1, 64, 300, 4096] {
        assert_eq!(summary(&fold(size)), summary(&whole), "chunk size {size}");
    }
    let log = parse(0, SAMPLE, &ServerLogOptions { chunk_size: 1 << 30, keep_generic: false });
    let mut part = Part::new(false);
    log.events.iter().for_each(|e| part.fold(e, SAMPLE));
    assert_eq!(summary(&join(vec![part])), summary(&whole));
}

/// Local times move by the offset; UTC ones stay.
#[test]
fn to_utc_moves_local_times_only() {
    let mut f = fold(1 << 30);
    let before: Vec<(i64, bool)> = f.requests.iter().map(|r| (r.time.0, r.local)).collect();
    assert!(before.iter().any(|b| b.1), "the sample has local times");
    f.to_utc(UtcOffset { minutes: 600 });
    for (r, (t, local)) in f.requests.iter().zip(before) {
        let shift = if local { -600 * 60_000_000 } else { 0 };
        assert_eq!(r.time.0, t + shift);
        assert!(!r.local);
    }
}

/// Restricting keeps `[since, until)` of every list, by each list's own key.
#[test]
fn restrict_keeps_the_window() {
    let mut f = fold(1 << 30);
    f.to_utc(UtcOffset::UTC);
    let times: Vec<_> = f.requests.iter().map(|r| r.end()).collect();
    let (since, until) = (times[1], times[3]);
    f.restrict(Some(since), Some(until));
    assert_eq!(f.requests.iter().map(|r| r.end()).collect::<Vec<_>>(), times[1..3].to_vec());
    assert!(f.sql.iter().all(|s| s.time >= since && s.time < until));
}

#[test]
fn tables_from_statements() {
    assert_eq!(table_of(b"DELETE FROM dbo.[Release] WHERE [Id] = @id"), Some("Release"));
    assert_eq!(table_of(b"SELECT * FROM dbo.[Dashboard] ORDER BY Id"), Some("Dashboard"));
    assert_eq!(table_of(b"INSERT INTO [ServerTask] (Id) VALUES (1)"), Some("ServerTask"));
    assert_eq!(table_of(b"UPDATE dbo.[DeploymentHistory] SET x = 1"), Some("DeploymentHistory"));
    assert_eq!(table_of(b"SELECT 1"), None);
}
