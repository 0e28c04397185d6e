//! comfy-table helpers shared by the table views.

use comfy_table::presets::UTF8_FULL_CONDENSED;
use comfy_table::{ContentArrangement, Table};

/// A table in the house style: condensed borders, wrapped to the terminal
/// (or to 100 columns when not on a terminal), no colour unless allowed.
pub fn new_table(header: &[&str]) -> Table {
    let mut t = Table::new();
    t.load_preset(UTF8_FULL_CONDENSED).set_content_arrangement(ContentArrangement::Dynamic);
    if !crate::output::stdout_is_terminal() {
        t.set_width(100);
    }
    if !crate::output::use_colour() {
        t.force_no_tty();
    }
    t.set_header(header.iter().copied());
    t
}

/// The width tables are laid out for when stdout is not a terminal.
pub const REPORT_WIDTH: usize = 100;

/// Lays a table out in [`REPORT_WIDTH`] columns: every column but `flexible`
/// keeps its natural width (capped at 24, wrapping beyond), and the flexible
/// one (a summary, a description) gets what is left, wrapping its text.
pub fn fit_except(t: &mut Table, flexible: usize) {
    use comfy_table::{ColumnConstraint, Width};
    let widths = t.column_max_content_widths();
    let n = widths.len();
    let capped: Vec<u16> = widths.iter().map(|w| (*w).min(24)).collect();
    // Each column costs its width, two spaces of padding and one border.
    let fixed: usize = capped
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != flexible)
        .map(|(_, w)| *w as usize + 3)
        .sum();
    let left = REPORT_WIDTH.saturating_sub(fixed + 1 + 3).max(12);
    for (i, w) in capped.iter().enumerate().take(n) {
        let width = if i == flexible { (widths[i] as usize).min(left) as u16 } else { *w };
        if let Some(c) = t.column_mut(i) {
            c.set_constraint(ColumnConstraint::Absolute(Width::Fixed(width + 2)));
        }
    }
}

/// Seconds as `1h 02m`, `4m 05s`, `12.3 s`, `850 ms`.
#[allow(dead_code)] // for the analyze tables, not written yet
pub fn human_duration(secs: f64) -> String {
    if !secs.is_finite() {
        return "-".into();
    }
    let s = secs.abs();
    let sign = if secs < 0.0 { "-" } else { "" };
    if s < 1.0 {
        format!("{sign}{:.0} ms", s * 1000.0)
    } else if s < 60.0 {
        format!("{sign}{s:.1} s")
    } else if s < 3600.0 {
        format!("{sign}{}m {:02}s", (s / 60.0) as u64, (s % 60.0) as u64)
    } else if s < 86400.0 {
        format!("{sign}{}h {:02}m", (s / 3600.0) as u64, (s % 3600.0 / 60.0) as u64)
    } else {
        format!("{sign}{}d {:02}h", (s / 86400.0) as u64, (s % 86400.0 / 3600.0) as u64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(human_duration(0.85), "850 ms");
        assert_eq!(human_duration(12.34), "12.3 s");
        assert_eq!(human_duration(245.0), "4m 05s");
        assert_eq!(human_duration(3720.0), "1h 02m");
        assert_eq!(human_duration(2.0 * 86400.0 + 7200.0), "2d 02h");
    }
}
