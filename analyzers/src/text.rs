//! Small wording helpers for summaries.

/// `45 s`, `24 min`, `2 h 05 min`, `3 d 4 h`.
pub fn duration(secs: f64) -> String {
    let s = secs.max(0.0);
    if s < 90.0 {
        format!("{s:.0} s")
    } else if s < 5400.0 {
        format!("{:.0} min", s / 60.0)
    } else if s < 172_800.0 {
        format!("{} h {:02} min", (s / 3600.0) as u64, (s % 3600.0 / 60.0) as u64)
    } else {
        format!("{} d {} h", (s / 86400.0) as u64, (s % 86400.0 / 3600.0) as u64)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn durations() {
        assert_eq!(super::duration(45.0), "45 s");
        assert_eq!(super::duration(1450.0), "24 min");
        assert_eq!(super::duration(7500.0), "2 h 05 min");
        assert_eq!(super::duration(3.0 * 86400.0 + 4.0 * 3600.0), "3 d 4 h");
    }
}
