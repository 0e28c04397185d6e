use super::*;
use crate::event::{EventKind, Level};
use crate::span::{hex_id, AttrValue, Span, SpanKind, SpanRole, SpanStatus};
use crate::time::{Clock, Timestamp};

fn spans(p: &Parsed) -> Vec<&Span> {
    p.events
        .iter()
        .map(|e| match &e.kind {
            EventKind::Span(s) => &**s,
            other => panic!("not a span: {other:?}"),
        })
        .collect()
}

/// One batch line with the given scope and span objects, resource as in the Octopus sample.
fn batch(scope: &str, spans: &[&str]) -> String {
    format!(
        r#"{{"resourceSpans":[{{"resource":{{"attributes":[{{"key":"service.name","value":{{"stringValue":"Octopus.Server"}}}},{{"key":"service.instance.id","value":{{"stringValue":"f8d7ed28-38aa-473d-aec5-afafcf9bb856"}}}}]}},"scopeSpans":[{{"scope":{{"name":"{scope}","version":""}},"spans":[{}]}}]}}]}}"#,
        spans.join(",")
    )
}

/// Verbatim from OtelImporter's sample-traces.jsonl (Apache-2.0), test-harness attributes cut.
const SQL_SPAN: &str = r#"{"traceId":"d65a9b2cfddba31e298c169250b3bea6","spanId":"331e099ed4ce1acb","parentSpanId":"03f02aeda865a704","name":"SQL","kind":3,"startTimeUnixNano":"1779760522225467800","endTimeUnixNano":"1779760522260584400","flags":257,"attributes":[{"key":"test.run.identifier","value":{"stringValue":"1efe3b1e-388c-4227-a2f5-ad1ed2fdc0a4"}},{"key":"db.name","value":{"stringValue":"master"}},{"key":"db.statement","value":{"stringValue":"SELECT COUNT(*) FROM sys.databases WHERE name = @name"}},{"key":"db.statement_type","value":{"stringValue":"Text"}},{"key":"db.spid","value":{"intValue":51}},{"key":"db.connection.sqlclient_id","value":{"stringValue":"4a33170e-3464-4eec-96aa-c6a6b536dec7"}},{"key":"db.transaction.sqlclient_id","value":{}},{"key":"peer.service","value":{"stringValue":"localhost"}}]}"#;

#[test]
fn sql_span_from_the_sample() {
    let text = batch("Octopus.DataAccess", &[SQL_SPAN]);
    let p = parse_bytes(3, text.as_bytes());
    assert!(p.problems.is_empty(), "{:?}", p.problems);
    assert_eq!((p.entries, p.lines, p.events.len()), (1, 1, 1));
    let e = &p.events[0];
    assert_eq!((e.source, e.line, e.clock, e.level), (3, 1, Clock::Utc, Level::Info));
    assert_eq!(e.time, Timestamp(1_779_760_522_225_467));
    let s = spans(&p)[0];
    let b = text.as_bytes();
    assert_eq!(hex_id(&s.trace_id), "d65a9b2cfddba31e298c169250b3bea6");
    assert_eq!(hex_id(&s.span_id), "331e099ed4ce1acb");
    assert_eq!(s.parent_span_id.map(|p| hex_id(&p)).as_deref(), Some("03f02aeda865a704"));
    assert_eq!(s.duration_ns, 35_116_600);
    assert_eq!(s.end(), Timestamp(1_779_760_522_260_584));
    assert_eq!((s.kind, s.status), (SpanKind::Client, SpanStatus::Unset));
    assert_eq!(s.scope.resolve(b), "Octopus.DataAccess");
    assert_eq!(s.instance.as_ref().unwrap().resolve(b), "f8d7ed28-38aa-473d-aec5-afafcf9bb856");
    let SpanRole::Sql(sql) = &s.role else { panic!("{:?}", s.role) };
    assert_eq!(sql.operation.resolve(b), "SQL");
    assert_eq!(sql.statement.resolve(b), "SELECT COUNT(*) FROM sys.databases WHERE name = @name");
    assert_eq!(sql.duration_ms, 35.1166);
    assert!(sql.transaction.is_none(), "{{}} is null");
    // Kept: everything but the test key and the statement (it is in the role).
    let keys: Vec<_> = s.attributes.iter().map(|a| a.key.resolve(b).into_owned()).collect();
    assert_eq!(
        keys,
        [
            "db.name",
            "db.statement_type",
            "db.spid",
            "db.connection.sqlclient_id",
            "db.transaction.sqlclient_id",
            "peer.service"
        ]
    );
    assert_eq!(s.attribute("db.spid", b), Some(&AttrValue::Int(51)));
    assert_eq!(s.attribute("db.transaction.sqlclient_id", b), Some(&AttrValue::Null));
}

#[test]
fn sixty_four_bit_numbers_as_numbers_or_strings() {
    let span = r#"{"traceId":"00000000000000000000000000000001","spanId":"0000000000000002","name":"x","kind":"1","startTimeUnixNano":1779760522000000000,"endTimeUnixNano":"1779760522000001500","attributes":[{"key":"db.spid","value":{"intValue":"9007199254740993"}}]}"#;
    let p = parse_bytes(0, batch("Octopus", &[span]).as_bytes());
    let s = spans(&p)[0];
    assert_eq!((s.start_ns, s.duration_ns), (1_779_760_522_000_000_000, 1500));
    assert_eq!(s.kind, SpanKind::Internal);
    assert!(matches!(s.attributes[0].value, AttrValue::Int(9_007_199_254_740_993)));
}

#[test]
fn hex_ids_in_either_case_and_bad_ids() {
    let upper = r#"{"traceId":"D65A9B2CFDDBA31E298C169250B3BEA6","spanId":"331E099ED4CE1ACB","parentSpanId":"","name":"a","startTimeUnixNano":"1","endTimeUnixNano":"2"}"#;
    let bad = r#"{"traceId":"xyz","spanId":"331e099ed4ce1acb","parentSpanId":"03F02AEDA865A7","name":"b","startTimeUnixNano":"1","endTimeUnixNano":"2"}"#;
    let p = parse_bytes(0, batch("Octopus", &[upper, bad]).as_bytes());
    let s = spans(&p);
    assert_eq!(hex_id(&s[0].trace_id), "d65a9b2cfddba31e298c169250b3bea6");
    assert_eq!(s[0].parent_span_id, None, "empty parent is a root");
    assert_eq!(s[1].trace_id, [0; 16]);
    assert_eq!(s[1].parent_span_id, None);
    let reasons: Vec<&str> = p.problems.list.iter().map(|x| x.reason.as_str()).collect();
    assert_eq!(reasons, ["span 'b': invalid parentSpanId '03F02AEDA865A7'"]);
    assert_eq!(
        convert::decode_id::<8>("Mx4JntTOGss="),
        convert::decode_id::<8>("331e099ed4ce1acb")
    );
}

#[test]
fn nested_values_are_kept_as_json_and_name_tasks() {
    let span = r#"{"traceId":"d65a9b2cfddba31e298c169250b3bea6","spanId":"0000000000000003","name":"Execute","kind":1,"startTimeUnixNano":"10","endTimeUnixNano":"20","attributes":[
{"key":"octopus.task.ids","value":{"arrayValue":{"values":[{"stringValue":"ServerTasks-"},{"stringValue":"ServerTasks-4711"}]}}},
{"key":"octopus.context","value":{"kvlistValue":{"values":[{"key":"a","value":{"intValue":1}}]}}},
{"key":"octopus.flag","value":{"boolValue":true}},{"key":"octopus.ratio","value":{"doubleValue":"NaN"}},
{"key":"http.weird","value":{"unknownValue":5}}]}"#;
    let text = batch("Octopus", &[span]);
    let p = parse_bytes(0, text.as_bytes());
    let s = spans(&p)[0];
    let b = text.as_bytes();
    assert!(matches!(s.role, SpanRole::Task));
    assert_eq!(s.task_id.as_ref().unwrap().resolve(b), "ServerTasks-4711");
    let AttrValue::Json(j) = &s.attributes[0].value else { panic!() };
    assert!(j.resolve(b).starts_with(r#"{"values":[{"stringValue":"ServerTasks-"}"#));
    let AttrValue::Json(k) = &s.attributes[1].value else { panic!() };
    assert_eq!(k.resolve(b), r#"{"values":[{"key":"a","value":{"intValue":1}}]}"#);
    assert_eq!(s.attributes[2].value, AttrValue::Bool(true));
    assert!(matches!(s.attributes[3].value, AttrValue::Double(d) if d.is_nan()));
    assert_eq!(s.attributes[4].value, AttrValue::Null);
}

#[test]
fn task_scope_and_server_request() {
    let task = r#"{"traceId":"d65a9b2cfddba31e298c169250b3bea6","spanId":"0000000000000004","name":"GetActiveConcurrencyTags","kind":1,"startTimeUnixNano":"10","endTimeUnixNano":"20"}"#;
    let server = r#"{"traceId":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA","spanId":"0000000000000005","name":"GET /api/{spaceId}/tasks","kind":2,"startTimeUnixNano":"1779760521000000000","endTimeUnixNano":"1779760530500000000","status":{"code":2,"message":"boom"},"events":[{"timeUnixNano":"1","name":"exception"}],
"attributes":[{"key":"http.request.method","value":{"stringValue":"GET"}},{"key":"http.route","value":{"stringValue":"/api/{spaceId}/tasks"}},{"key":"url.path","value":{"stringValue":"/api/Spaces-1/tasks"}},{"key":"url.query","value":{"stringValue":"skip=0&apikey=API-ABCDEFGHIJKLMNOP1234"}},{"key":"server.address","value":{"stringValue":"octo.example"}},{"key":"http.response.status_code","value":{"intValue":"500"}}]}"#;
    let text = format!(
        "{}\n{}\n",
        batch("Octopus.TaskQueue", &[task]),
        batch("Microsoft.AspNetCore", &[&server.replace('\n', "")])
    );
    let p = parse_bytes(0, text.as_bytes());
    let b = text.as_bytes();
    assert!(p.problems.is_empty(), "{:?}", p.problems);
    let s = spans(&p);
    assert!(matches!(s[0].role, SpanRole::Task));
    assert!(s[0].task_id.is_none());
    let SpanRole::Request(r) = &s[1].role else { panic!("{:?}", s[1].role) };
    assert_eq!(r.method.resolve(b), "GET");
    assert_eq!(r.url.resolve(b), "/api/Spaces-1/tasks?skip=0&apikey=API-ABCDEFGHIJKLMNOP1234");
    assert_eq!(r.host.as_ref().unwrap().resolve(b), "octo.example");
    assert_eq!((r.status, r.duration_ms), (Some(500), 9500.0));
    assert_eq!((s[1].status, s[1].events), (SpanStatus::Error, 1));
    assert_eq!(s[1].status_message.as_ref().unwrap().resolve(b), "boom");
    assert_eq!(p.events[1].level, Level::Error);
    assert_eq!(p.events[1].line, 2);
}

#[test]
fn bad_line_in_the_middle_costs_that_line_only() {
    let good = batch("Octopus.DataAccess", &[SQL_SPAN]);
    let text = format!("{good}\r\n{{\"resourceSpans\":[{{oops}}]}}\n\n{{\"other\":1}}\n{good}\n");
    let p = parse_bytes(0, text.as_bytes());
    assert_eq!((p.entries, p.skipped_lines, p.lines), (2, 2, 5));
    let lines: Vec<Option<u64>> = p.problems.list.iter().map(|x| x.line).collect();
    assert_eq!(lines, [Some(2), Some(4)]);
    assert!(p.problems.list[0]
        .reason
        .starts_with("not an OTLP/JSON trace batch (key must be a string"));
    assert_eq!(p.problems.list[1].reason, "not an OTLP trace batch: no `resourceSpans`");
    assert_eq!(p.events[1].line, 5);
}

#[test]
fn truncated_last_line_is_reported() {
    let good = batch("Octopus.DataAccess", &[SQL_SPAN]);
    let text = format!("{good}\n{}", &good[..good.len() / 2]);
    let p = parse_bytes(0, text.as_bytes());
    assert_eq!(p.entries, 1);
    let reason = &p.problems.list[0].reason;
    assert_eq!(p.problems.list[0].line, Some(2));
    assert!(reason.starts_with("truncated last line ("), "{reason}");
}

#[test]
fn pretty_printed_document_and_old_field_names() {
    let text = "{\n  \"resourceSpans\": [ {\n    \"resource\": {},\n    \"instrumentationLibrarySpans\": [ {\n      \"instrumentationLibrary\": { \"name\": \"Octopus.Git\" },\n      \"spans\": [ { \"traceId\": \"d65a9b2cfddba31e298c169250b3bea6\", \"spanId\": \"0000000000000009\",\n        \"name\": \"GitCommitReader.FileExists\", \"kind\": 1, \"startTimeUnixNano\": \"5\", \"endTimeUnixNano\": \"7\" } ]\n    } ]\n  } ]\n}\n";
    let p = parse_bytes(0, text.as_bytes());
    assert!(p.problems.is_empty(), "{:?}", p.problems);
    let s = spans(&p)[0];
    assert_eq!(s.scope.resolve(text.as_bytes()), "Octopus.Git");
    assert_eq!((s.duration_ns, p.events[0].line), (2, 1));
    assert!(matches!(s.role, SpanRole::Other));
}

#[test]
fn spans_without_start_are_skipped_and_counted() {
    let span =
        r#"{"traceId":"d65a9b2cfddba31e298c169250b3bea6","spanId":"0000000000000009","name":"x"}"#;
    let p = parse_bytes(0, batch("Octopus", &[span, span]).as_bytes());
    assert_eq!(p.entries, 0);
    assert_eq!(
        p.problems.list[0].reason,
        "2 spans without a start time were skipped (they cannot be placed in time)"
    );
}

#[test]
fn escaped_strings_become_owned_text() {
    let span = r#"{"traceId":"d65a9b2cfddba31e298c169250b3bea6","spanId":"0000000000000009","name":"SQL","startTimeUnixNano":"5","endTimeUnixNano":"7","attributes":[{"key":"db.statement","value":{"stringValue":"SELECT SERVERPROPERTY(\u0027EngineEdition\u0027)\nFROM x"}}]}"#;
    let text = batch("Octopus.DataAccess", &[span]);
    let p = parse_bytes(0, text.as_bytes());
    let SpanRole::Sql(sql) = &spans(&p)[0].role else { panic!() };
    assert!(matches!(sql.statement, crate::event::Text::Owned(_)));
    assert_eq!(sql.statement.resolve(b""), "SELECT SERVERPROPERTY('EngineEdition')\nFROM x");
}
