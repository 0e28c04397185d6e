//! A Prometheus HTTP API response saved to a file (`/api/v1/query_range`, or
//! `/api/v1/query`), from node_exporter, windows_exporter or cAdvisor metrics:
//!
//! ```text
//! {"status":"success","data":{"resultType":"matrix","result":[
//!   {"metric":{"__name__":"node_memory_MemAvailable_bytes","instance":"octo1:9100","job":"node"},
//!    "values":[[1795776665.123,"2147483648"],[1795776680.123,"2147000000"]]}]}}
//! ```
//!
//! One [`CounterSeries`] per result: `object` is `prometheus`, `counter` the
//! metric's `__name__`, `host` its `instance` label, the other labels kept.
//! The kind comes from `__name__` ([`prometheus_meaning`]): a response holds
//! whatever the query computed, and a query such as `rate(x[5m])` drops the
//! name, so such series stay `other` and are named by their labels. Times are
//! Unix seconds (UTC); `NaN` samples count as blank, `±Inf` as unparsable.
//! Result types: `matrix` and `vector` (one point per series); a `scalar`
//! becomes one series; a `status: "error"` response is reported as a problem.

use std::borrow::Cow;
use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::value::RawValue;

use super::kinds::{apply, prometheus_meaning, prometheus_role, unit_from_name};
use super::series::CounterSeries;
use crate::error::Problem;
use crate::event::SourceId;
use crate::parse::Parsed;
use crate::time::{Clock, Timestamp};

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Response<'a> {
    #[serde(borrow, default)]
    status: Cow<'a, str>,
    #[serde(borrow, default)]
    data: Option<Data<'a>>,
    #[serde(borrow, default)]
    error_type: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    error: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    warnings: Vec<Cow<'a, str>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Data<'a> {
    #[serde(borrow, default)]
    result_type: Cow<'a, str>,
    #[serde(borrow)]
    result: &'a RawValue,
}

#[derive(Deserialize)]
struct RawSeries<'a> {
    #[serde(borrow, default)]
    metric: BTreeMap<Cow<'a, str>, Cow<'a, str>>,
    #[serde(borrow, default)]
    values: Vec<(f64, Cow<'a, str>)>,
    #[serde(borrow, default)]
    value: Option<(f64, Cow<'a, str>)>,
}

/// Parses a Prometheus API response.
pub fn parse(_id: SourceId, bytes: &[u8]) -> Parsed {
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let mut parsed =
        Parsed { lines: 1 + memchr::memchr_iter(b'\n', body).count() as u64, ..Parsed::default() };
    let response: Response = match serde_json::from_slice(body) {
        Ok(r) => r,
        Err(e) => {
            return failed(parsed, e.line() as u64, format!("not a Prometheus API response: {e}"))
        }
    };
    parsed.notes.extend(response.warnings.iter().map(|w| format!("Prometheus warning: {w}")));
    if response.status != "success" {
        let what = response.error_type.as_deref().unwrap_or("error");
        let why = response.error.as_deref().unwrap_or("no message");
        return failed(parsed, 0, format!("the Prometheus query failed ({what}): {why}"));
    }
    let Some(data) = response.data else {
        return failed(parsed, 0, "a success response without `data`".into());
    };
    match series_of(&data) {
        Ok(series) => {
            parsed.entries = series.iter().map(|s| s.points.len() as u64).sum();
            super::note_bad_values(&mut parsed, &series);
            parsed.series = series;
        }
        Err(e) => return failed(parsed, 0, e),
    }
    parsed
}

fn failed(mut parsed: Parsed, line: u64, reason: String) -> Parsed {
    let p = if line > 0 { Problem::at_line(line, reason) } else { Problem::whole(reason) };
    parsed.problems.push(p);
    parsed
}

fn series_of(data: &Data<'_>) -> Result<Vec<CounterSeries>, String> {
    let raw = data.result.get();
    let bad = |e: serde_json::Error| format!("`{}` result not as expected: {e}", data.result_type);
    match &*data.result_type {
        "matrix" | "vector" => {
            let list: Vec<RawSeries> = serde_json::from_str(raw).map_err(bad)?;
            Ok(list.into_iter().map(convert).collect())
        }
        "scalar" => {
            let (t, v): (f64, Cow<str>) = serde_json::from_str(raw).map_err(bad)?;
            let raw = RawSeries { metric: BTreeMap::new(), values: vec![(t, v)], value: None };
            Ok(vec![convert(raw)])
        }
        other => Err(format!("result type `{other}` holds no series")),
    }
}

fn convert(raw: RawSeries<'_>) -> CounterSeries {
    let name = raw.metric.get("__name__").map(|n| n.to_string());
    let labels: Vec<(String, String)> = raw
        .metric
        .iter()
        .filter(|(k, _)| *k != "__name__" && *k != "instance")
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let counter = name.clone().unwrap_or_else(|| label_text(&labels));
    let mut s = CounterSeries::new("prometheus", counter, Clock::Utc);
    s.host = raw.metric.get("instance").map(|i| i.to_string());
    apply(&mut s, prometheus_meaning(name.as_deref().unwrap_or_default()));
    s.role = prometheus_role(name.as_deref().unwrap_or_default(), &labels);
    if s.unit == super::Unit::Unknown {
        s.unit = unit_from_name(name.as_deref().unwrap_or_default());
    }
    s.labels = labels;
    for (t, v) in raw.values.into_iter().chain(raw.value) {
        push(&mut s, t, &v);
    }
    s
}

fn push(s: &mut CounterSeries, t: f64, v: &str) {
    let time = Timestamp((t * 1e6).round() as i64);
    match v.trim().parse::<f64>() {
        Ok(x) if x.is_finite() => s.points.push((time, x * s.scale)),
        Ok(x) if x.is_nan() => s.blank += 1,
        _ => s.unparsable += 1,
    }
}

/// `{job="node",mode="idle"}` for a series without a name.
fn label_text(labels: &[(String, String)]) -> String {
    let inner: Vec<String> = labels.iter().map(|(k, v)| format!("{k}=\"{v}\"")).collect();
    format!("{{{}}}", inner.join(","))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::counters::{Role, SeriesKind, Unit};

    const MATRIX: &str = r#"{"status":"success","data":{"resultType":"matrix","result":[
{"metric":{"__name__":"node_memory_MemAvailable_bytes","instance":"octo1:9100","job":"node"},"values":[[1795776665.123,"2147483648"],[1795776680.123,"NaN"]]},
{"metric":{"__name__":"windows_process_private_bytes","instance":"octo1:9182","process":"Octopus.Server","process_id":"4242"},"values":[[1795776665,"1.5e9"],[1795776680,"+Inf"]]},
{"metric":{"instance":"octo1:9100","mode":"idle"},"values":[[1795776665,"0.93"]]}]}}"#;

    #[test]
    fn matrix_with_several_series() {
        let p = parse(0, MATRIX.as_bytes());
        assert_eq!(p.series.len(), 3);
        let mem = &p.series[0];
        assert_eq!(
            (mem.kind, mem.role, mem.unit),
            (SeriesKind::MemoryAvailableBytes, Role::Host, Unit::Bytes)
        );
        assert_eq!(mem.host.as_deref(), Some("octo1:9100"));
        assert_eq!(mem.points, vec![(Timestamp(1_795_776_665_123_000), 2_147_483_648.0)]);
        assert_eq!(mem.blank, 1);
        assert_eq!(mem.labels, vec![("job".to_string(), "node".to_string())]);
        let octo = &p.series[1];
        assert_eq!((octo.kind, octo.role), (SeriesKind::ProcessPrivateBytes, Role::OctopusServer));
        assert_eq!((octo.points.len(), octo.unparsable), (1, 1));
        let rate = &p.series[2];
        assert_eq!((rate.kind, rate.counter.as_str()), (SeriesKind::Other, "{mode=\"idle\"}"));
        assert_eq!(p.entries, 3);
        assert_eq!(p.problems.list.len(), 1, "the +Inf");
    }

    #[test]
    fn vector_scalar_and_errors() {
        let v = r#"{"status":"success","data":{"resultType":"vector","result":[{"metric":{"__name__":"up"},"value":[1795776665,"1"]}]},"warnings":["partial"]}"#;
        let p = parse(0, v.as_bytes());
        assert_eq!(p.series[0].points, vec![(Timestamp(1_795_776_665_000_000), 1.0)]);
        assert_eq!(p.notes, ["Prometheus warning: partial"]);
        let s = r#"{"status":"success","data":{"resultType":"scalar","result":[1795776665,"42"]}}"#;
        assert_eq!(parse(0, s.as_bytes()).series[0].points[0].1, 42.0);
        let e = r#"{"status":"error","errorType":"bad_data","error":"1:5: parse error"}"#;
        let p = parse(0, e.as_bytes());
        assert_eq!(
            p.problems.list[0].reason,
            "the Prometheus query failed (bad_data): 1:5: parse error"
        );
        let p = parse(0, b"{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\",\"result\":[{\"metric\":{},\"values\":[[1,2]]}]}}");
        assert!(p.problems.list[0].reason.starts_with("`matrix` result not as expected"));
    }
}
