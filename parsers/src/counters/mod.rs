//! Counter exports attached as "CPU/RAM charts" (`exports.md` §4): Windows
//! PDH-CSV/TSV ([`pdh`]), Linux `sadf -d` ([`sadf`]), `dotnet-counters` CSV
//! ([`dotnet`]) and Prometheus `query_range` responses ([`prometheus`]), all
//! read into [`CounterSeries`] (on [`Parsed::series`](crate::Parsed::series)), not
//! into per-sample events.

pub mod dotnet;
pub mod kinds;
pub mod pdh;
pub mod prometheus;
pub mod sadf;
pub mod series;

pub use series::{CounterSeries, Role, SeriesKind, Unit};

use crate::error::Problem;
use crate::parse::Parsed;

/// One problem summing up the values that were not numbers, naming the worst
/// counter (blank values are normal and not reported).
pub(crate) fn note_bad_values(parsed: &mut Parsed, series: &[CounterSeries]) {
    let total: u64 = series.iter().map(|s| s.unparsable as u64).sum();
    let Some(worst) = series.iter().max_by_key(|s| s.unparsable).filter(|_| total > 0) else {
        return;
    };
    let counters = series.iter().filter(|s| s.unparsable > 0).count();
    parsed.problems.push(Problem::whole(format!(
        "{total} values in {counters} counters are not numbers and were left out \
         (most in {}: {})",
        worst.name(),
        worst.unparsable
    )));
}

/// Sets the source's first and last time from its series.
pub(crate) fn set_span(parsed: &mut Parsed) {
    for s in &parsed.series {
        for &(t, _) in &s.points {
            if parsed.first.is_none_or(|(f, _)| t < f) {
                parsed.first = Some((t, s.clock));
            }
            if parsed.last.is_none_or(|(l, _)| t > l) {
                parsed.last = Some((t, s.clock));
            }
        }
    }
}
