//! Scoring: one `octodiag analyze --format json` report against its
//! expectation, and the accuracy table per kind.
//!
//! * top-1 right: `suspects[0].cause` is one of the expected causes, with
//!   confidence ≥ 0.5, and its subject names the expected project or node when
//!   one is expected (case-insensitive containment); on `none`, no suspect at all
//!   reaches 0.5. A bundle that holds nothing tying the server's clock to the
//!   task logs' and browser's (`offset_derivable` false) cannot line its task and
//!   browser times up with the server log: there, a report that says it assumed
//!   the offset and names no suspect with 0.5 or more is right too (an honest
//!   "cannot tell" beats a confident guess);
//! * questionnaire right: `answers.ha_cluster`, `answers.unresponsive` and
//!   `answers.recovered_without_restart` start with the expected words;
//! * offset right: `server_utc_offset.value` is the generated offset, scored only
//!   on bundles from which it can be derived.

use std::fmt::Write as _;

use serde_json::Value;

use super::expected::Expected;
use super::kinds::Kind;

/// A suspect as reported.
#[derive(Clone, Debug, PartialEq)]
pub struct Got {
    /// Cause.
    pub cause: String,
    /// Subject.
    pub subject: String,
    /// Confidence.
    pub confidence: f64,
}

/// The verdict on one bundle.
#[derive(Clone, Debug, PartialEq)]
pub struct Verdict {
    /// Bundle name.
    pub bundle: String,
    /// Kind.
    pub kind: Kind,
    /// Top suspect right (on `none`: nothing ≥ 0.5).
    pub top1: bool,
    /// HA answer right.
    pub ha: bool,
    /// Unresponsive answer right.
    pub unresponsive: bool,
    /// Recovered answer right.
    pub recovered: bool,
    /// On `none` bundles: no suspect ≥ 0.5.
    pub none_clean: Option<bool>,
    /// When derivable: the offset is right.
    pub offset: Option<bool>,
    /// What was expected, in one line.
    pub expected: String,
    /// The top three suspects.
    pub got: Vec<Got>,
    /// The three answers as reported.
    pub answers: [String; 3],
    /// The offset as reported.
    pub got_offset: String,
    /// Why there is no report, when the tool failed.
    pub error: Option<String>,
}

impl Verdict {
    /// All three answers right.
    pub fn questionnaire(&self) -> bool {
        self.ha && self.unresponsive && self.recovered
    }

    /// Everything scored is right.
    pub fn passed(&self) -> bool {
        self.top1 && self.questionnaire() && self.offset != Some(false)
    }
}

fn text<'a>(v: &'a Value, path: &[&str]) -> &'a str {
    path.iter().fold(v, |v, k| &v[*k]).as_str().unwrap_or("")
}

fn suspects(report: &Value) -> Vec<Got> {
    report["suspects"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|s| Got {
                    cause: s["cause"].as_str().unwrap_or("").to_string(),
                    subject: s["subject"].as_str().unwrap_or("").to_string(),
                    confidence: s["confidence"].as_f64().unwrap_or(0.0),
                })
                .collect()
        })
        .unwrap_or_default()
}

fn top_right(e: &Expected, all: &[Got], clock_assumed: bool) -> bool {
    let unsure = all.iter().all(|s| s.confidence < 0.5);
    if e.causes.is_empty() || (!e.offset_derivable && clock_assumed && unsure) {
        return unsure;
    }
    let Some(top) = all.first() else { return false };
    let subject = top.subject.to_lowercase();
    e.causes.contains(&top.cause)
        && top.confidence >= 0.5
        && (e.subject_any.is_empty()
            || e.subject_any.iter().any(|s| subject.contains(&s.to_lowercase())))
}

/// Whether `answer` starts with the words `expected` (so `not applicable` is not `no`).
fn says(answer: &str, expected: &str) -> bool {
    answer
        .strip_prefix(expected)
        .is_some_and(|rest| !rest.starts_with(|c: char| c.is_alphanumeric()))
}

/// Scores one report.
pub fn score(e: &Expected, report: &Value) -> Verdict {
    let all = suspects(report);
    let answers = [
        text(report, &["answers", "ha_cluster"]).to_string(),
        text(report, &["answers", "unresponsive"]).to_string(),
        text(report, &["answers", "recovered_without_restart"]).to_string(),
    ];
    let got_offset = text(report, &["server_utc_offset", "value"]).to_string();
    let subject = if e.subject_any.is_empty() {
        String::new()
    } else {
        format!(" ({})", e.subject_any.join("|"))
    };
    let cause =
        if e.causes.is_empty() { "nothing ≥ 0.5".to_string() } else { e.causes.join("|") };
    Verdict {
        bundle: e.bundle.clone(),
        kind: e.kind,
        top1: top_right(e, &all, report["server_utc_offset"]["assumed"] == true),
        ha: says(&answers[0], &e.ha_cluster),
        unresponsive: says(&answers[1], &e.unresponsive),
        recovered: says(&answers[2], &e.recovered_without_restart),
        none_clean: e.causes.is_empty().then(|| all.iter().all(|s| s.confidence < 0.5)),
        offset: e.offset_derivable.then(|| got_offset == e.server_utc_offset),
        expected: format!(
            "{cause}{subject}; {}; unresponsive {}; recovered {}; offset {}{}",
            e.ha_cluster,
            e.unresponsive,
            e.recovered_without_restart,
            e.server_utc_offset,
            if e.offset_derivable { "" } else { " (not derivable)" }
        ),
        got: all.into_iter().take(3).collect(),
        answers,
        got_offset,
        error: None,
    }
}

/// Counts of one kind.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct KindStats {
    /// Bundles.
    pub bundles: usize,
    /// Top-1 right.
    pub top1: usize,
    /// All three answers right.
    pub questionnaire: usize,
    /// HA right.
    pub ha: usize,
    /// Unresponsive right.
    pub unresponsive: usize,
    /// Recovered right.
    pub recovered: usize,
    /// `none` bundles with nothing ≥ 0.5, of `none` bundles.
    pub none_clean: (usize, usize),
    /// Offsets right, of derivable ones.
    pub offset: (usize, usize),
}

impl KindStats {
    /// Share of bundles with the top suspect right.
    pub fn top1_share(&self) -> f64 {
        self.top1 as f64 / self.bundles.max(1) as f64
    }

    /// Share of bundles with all three answers right.
    pub fn questionnaire_share(&self) -> f64 {
        self.questionnaire as f64 / self.bundles.max(1) as f64
    }
}

/// Counts per kind, in [`Kind::ALL`] order (kinds without bundles left out).
pub fn stats(verdicts: &[Verdict]) -> Vec<(Kind, KindStats)> {
    Kind::ALL
        .into_iter()
        .filter_map(|k| {
            let mine: Vec<&Verdict> = verdicts.iter().filter(|v| v.kind == k).collect();
            if mine.is_empty() {
                return None;
            }
            let count = |f: &dyn Fn(&Verdict) -> bool| mine.iter().filter(|v| f(v)).count();
            let pair = |f: &dyn Fn(&Verdict) -> Option<bool>| {
                (
                    mine.iter().filter(|v| f(v) == Some(true)).count(),
                    mine.iter().filter(|v| f(v).is_some()).count(),
                )
            };
            Some((
                k,
                KindStats {
                    bundles: mine.len(),
                    top1: count(&|v| v.top1),
                    questionnaire: count(&|v| v.questionnaire()),
                    ha: count(&|v| v.ha),
                    unresponsive: count(&|v| v.unresponsive),
                    recovered: count(&|v| v.recovered),
                    none_clean: pair(&|v| v.none_clean),
                    offset: pair(&|v| v.offset),
                },
            ))
        })
        .collect()
}

fn pct(n: usize, of: usize) -> String {
    if of == 0 {
        "-".into()
    } else {
        format!("{n}/{of} {:.0}%", 100.0 * n as f64 / of as f64)
    }
}

/// The accuracy table, one row per kind and a total.
pub fn table(verdicts: &[Verdict]) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "{:<25} {:>7}  {:<13} {:<13} {:<19} {:<13} {:<13}",
        "kind",
        "bundles",
        "top-1 right",
        "questionnaire",
        "(HA/unresp/recov)",
        "none clean",
        "offset right"
    );
    let rows = stats(verdicts);
    let mut total = KindStats::default();
    for (k, x) in &rows {
        row(&mut s, k.name(), x);
        add(&mut total, x);
    }
    row(&mut s, "all", &total);
    s
}

fn row(s: &mut String, name: &str, x: &KindStats) {
    let _ = writeln!(
        s,
        "{name:<25} {:>7}  {:<13} {:<13} {:<19} {:<13} {:<13}",
        x.bundles,
        pct(x.top1, x.bundles),
        pct(x.questionnaire, x.bundles),
        format!("{}/{}/{}", x.ha, x.unresponsive, x.recovered),
        pct(x.none_clean.0, x.none_clean.1),
        pct(x.offset.0, x.offset.1)
    );
}

fn add(t: &mut KindStats, x: &KindStats) {
    t.bundles += x.bundles;
    t.top1 += x.top1;
    t.questionnaire += x.questionnaire;
    t.ha += x.ha;
    t.unresponsive += x.unresponsive;
    t.recovered += x.recovered;
    t.none_clean = (t.none_clean.0 + x.none_clean.0, t.none_clean.1 + x.none_clean.1);
    t.offset = (t.offset.0 + x.offset.0, t.offset.1 + x.offset.1);
}

/// One line per failed bundle: expected, then what the tool said.
pub fn failures(verdicts: &[Verdict]) -> String {
    let mut s = String::new();
    for v in verdicts.iter().filter(|v| !v.passed()) {
        let got: Vec<String> = v
            .got
            .iter()
            .map(|g| format!("{} [{}] {:.2}", g.cause, g.subject, g.confidence))
            .collect();
        let _ = writeln!(
            s,
            "{}: expected {} | got {} | answers: {:?} / {:?} / {:?} | offset {}",
            v.bundle,
            v.expected,
            match &v.error {
                Some(e) => format!("no report ({e})"),
                None if got.is_empty() => "no suspects".into(),
                None => got.join(", "),
            },
            short(&v.answers[0]),
            short(&v.answers[1]),
            short(&v.answers[2]),
            v.got_offset
        );
    }
    s
}

fn short(s: &str) -> String {
    s.chars().take(60).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::Rng;
    use crate::scenario::variations::draw;
    use serde_json::json;

    fn expected(kind: Kind, subject: &[&str]) -> Expected {
        let v = draw(kind, &mut Rng::new(1));
        Expected {
            kind,
            seed: 1,
            bundle: format!("{}-1", kind.name()),
            causes: kind.causes().iter().map(|c| c.to_string()).collect(),
            subject_any: subject.iter().map(|s| s.to_string()).collect(),
            ha_cluster: "single node".into(),
            unresponsive: if kind.is_hang() { "yes" } else { "no" }.into(),
            recovered_without_restart: match kind {
                Kind::HangRecover => "yes",
                Kind::HangRestart => "no",
                _ => "not applicable",
            }
            .into(),
            server_utc_offset: "+10:00".into(),
            offset_derivable: true,
            offset_evidence: vec![],
            incident: None,
            noise: vec![],
            variations: v,
            files: vec![],
        }
    }

    fn report(suspects: Value, ha: &str, unresp: &str, rec: &str, offset: &str) -> Value {
        json!({
            "suspects": suspects,
            "answers": {"ha_cluster": ha, "unresponsive": unresp, "recovered_without_restart": rec},
            "server_utc_offset": {"value": offset, "derived_from": "x", "assumed": false}
        })
    }

    #[test]
    fn a_right_project_diagnosis_passes() {
        let e = expected(Kind::Project, &["Reporting.Warehouse"]);
        let r = report(
            json!([{"cause": "project", "subject": "reporting.warehouse", "confidence": 0.81}, {"cause": "sql", "subject": "", "confidence": 0.6}]),
            "single node (OCTO-NODE-1)",
            "no: no silent period",
            "not applicable: no unresponsive period",
            "+10:00",
        );
        let v = score(&e, &r);
        assert!(v.top1 && v.questionnaire() && v.passed(), "{v:?}");
        assert_eq!((v.offset, v.none_clean, v.got.len()), (Some(true), None, 2));
    }

    #[test]
    fn wrong_subject_low_confidence_or_wrong_answers_fail() {
        let e = expected(Kind::Project, &["Reporting.Warehouse"]);
        let other = json!([{"cause": "project", "subject": "Acme.Web", "confidence": 0.9}]);
        assert!(!score(&e, &report(other, "single node", "no", "not applicable", "+10:00")).top1);
        let weak =
            json!([{"cause": "project", "subject": "Reporting.Warehouse", "confidence": 0.49}]);
        assert!(!score(&e, &report(weak, "single node", "no", "not applicable", "+10:00")).top1);
        let right =
            json!([{"cause": "project", "subject": "Reporting.Warehouse", "confidence": 0.7}]);
        let v =
            score(&e, &report(right, "HA cluster of 2 nodes", "no", "not applicable", "+00:00"));
        assert!(v.top1 && !v.ha && v.unresponsive && v.recovered && !v.questionnaire());
        assert_eq!(v.offset, Some(false));
        assert!(failures(&[v])
            .starts_with("project-1: expected project (Reporting.Warehouse); single node;"));
    }

    #[test]
    fn none_passes_only_when_nothing_reaches_half() {
        let e = expected(Kind::None, &[]);
        let calm = json!([{"cause": "retention", "subject": "Apply retention policies", "confidence": 0.3}]);
        let v = score(&e, &report(calm, "single node", "no", "not applicable", "+10:00"));
        assert_eq!((v.top1, v.none_clean), (true, Some(true)));
        let alarmed = json!([{"cause": "retention", "subject": "x", "confidence": 0.3}, {"cause": "sql", "subject": "", "confidence": 0.5}]);
        let v = score(&e, &report(alarmed, "single node", "no", "not applicable", "+10:00"));
        assert_eq!((v.top1, v.none_clean), (false, Some(false)));
        let v = score(&e, &report(json!([]), "single node", "no", "not applicable", "+10:00"));
        assert!(v.top1);
    }

    /// Without a way to line the clocks up, "assumed, nothing ≥ 0.5" is right; a
    /// confident wrong cause is not, and neither is silence when the clock was derivable.
    #[test]
    fn an_honest_cannot_tell_passes_only_when_the_clock_is_unknowable() {
        let mut e = expected(Kind::Project, &["Billing.Batch"]);
        e.offset_derivable = false;
        let unsure = json!([{"cause": "sql", "subject": "database", "confidence": 0.45}]);
        let mut r = report(unsure.clone(), "single node", "no", "not applicable", "+00:00");
        r["server_utc_offset"]["assumed"] = json!(true);
        assert!(score(&e, &r).top1);
        let sure = json!([{"cause": "sql", "subject": "database", "confidence": 0.61}]);
        let mut wrong = report(sure, "single node", "no", "not applicable", "+00:00");
        wrong["server_utc_offset"]["assumed"] = json!(true);
        assert!(!score(&e, &wrong).top1);
        e.offset_derivable = true;
        assert!(!score(&e, &r).top1);
    }

    #[test]
    fn hang_causes_and_the_table() {
        let e = expected(Kind::HangRestart, &[]);
        let r = report(
            json!([{"cause": "restart", "subject": "OCTO-NODE-1", "confidence": 0.9}]),
            "single node",
            "yes: 14 minutes silent",
            "no: restarted",
            "+10:00",
        );
        let a = score(&e, &r);
        assert!(a.passed());
        let e2 = expected(Kind::HangRecover, &[]);
        let b = score(&e2, &r);
        assert!(!b.top1 && !b.recovered);
        let t = table(&[a, b]);
        let lines: Vec<&str> = t.lines().collect();
        assert_eq!(lines.len(), 4);
        assert!(lines[1].starts_with("hang-restart") && lines[1].contains("1/1 100%"));
        assert!(
            lines[2].starts_with("hang-recover")
                && lines[2].contains("0/1 0%")
                && lines[2].contains("1/1/0")
        );
        assert!(lines[3].starts_with("all") && lines[3].contains("1/2 50%"));
    }

    #[test]
    fn answers_are_read_by_whole_words() {
        assert!(says("no: restarted at 14:02", "no") && says("no", "no"));
        assert!(!says("not applicable: no unresponsive period", "no"));
        assert!(says("HA cluster of 2 nodes", "HA cluster") && !says("single node", "HA cluster"));
    }

    #[test]
    fn missing_fields_are_wrong_not_a_crash() {
        let e = expected(Kind::Retention, &[]);
        let v = score(&e, &json!({"suspects": "nonsense"}));
        assert!(!v.top1 && !v.ha && v.got.is_empty() && v.got_offset.is_empty());
    }
}
