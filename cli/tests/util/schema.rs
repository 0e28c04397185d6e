//! A small JSON Schema (2020-12) validator for the keywords
//! `docs/analyze.schema.json` uses: `type`, `properties`, `required`,
//! `additionalProperties`, `items`, `prefixItems`, `minItems`, `maxItems`,
//! `enum`, `minimum`, `maximum`, `pattern`, `oneOf`, `anyOf` and local `$ref`s
//! (`format` is an annotation, as in 2020-12 by default). Any other keyword makes validation fail, so the
//! schema cannot silently rely on a keyword this checker ignores.

use serde_json::Value;

const ANNOTATIONS: &[&str] = &["$schema", "$id", "title", "description", "$defs", "format"];

/// Validates `value` against `schema`; returns every violation with its JSON path.
pub fn validate(schema: &Value, value: &Value) -> Vec<String> {
    let mut errors = Vec::new();
    check(schema, schema, value, "$", &mut errors);
    errors
}

fn check(root: &Value, schema: &Value, v: &Value, path: &str, errs: &mut Vec<String>) {
    let Some(s) = schema.as_object() else {
        errs.push(format!("{path}: schema is not an object"));
        return;
    };
    for (k, kv) in s {
        match k.as_str() {
            "$ref" => {
                let target = kv
                    .as_str()
                    .and_then(|r| r.strip_prefix("#/"))
                    .map(|p| p.split('/').fold(root, |n, seg| &n[seg]));
                match target {
                    Some(t) if !t.is_null() => check(root, t, v, path, errs),
                    _ => errs.push(format!("{path}: unresolvable $ref {kv}")),
                }
            }
            "type" => {
                let types: Vec<&str> = match kv {
                    Value::String(t) => vec![t.as_str()],
                    Value::Array(a) => a.iter().filter_map(Value::as_str).collect(),
                    _ => vec![],
                };
                if !types.iter().any(|t| is_type(v, t)) {
                    errs.push(format!("{path}: expected {types:?}, got {v}"));
                }
            }
            "properties" => {
                if let (Some(props), Some(obj)) = (kv.as_object(), v.as_object()) {
                    for (name, sub) in props {
                        if let Some(x) = obj.get(name) {
                            check(root, sub, x, &format!("{path}.{name}"), errs);
                        }
                    }
                }
            }
            "required" => {
                if let (Some(req), Some(obj)) = (kv.as_array(), v.as_object()) {
                    for r in req.iter().filter_map(Value::as_str) {
                        if !obj.contains_key(r) {
                            errs.push(format!("{path}: missing required {r}"));
                        }
                    }
                }
            }
            "additionalProperties" => {
                if let Some(obj) = v.as_object() {
                    let known = s.get("properties").and_then(Value::as_object);
                    for (name, x) in obj {
                        if known.is_some_and(|k| k.contains_key(name)) {
                            continue;
                        }
                        match kv {
                            Value::Bool(false) => {
                                errs.push(format!("{path}: unexpected property {name}"))
                            }
                            Value::Bool(true) => {}
                            sub => check(root, sub, x, &format!("{path}.{name}"), errs),
                        }
                    }
                }
            }
            "items" => {
                if let Some(a) = v.as_array() {
                    for (i, x) in a.iter().enumerate() {
                        check(root, kv, x, &format!("{path}[{i}]"), errs);
                    }
                }
            }
            "prefixItems" => {
                if let (Some(subs), Some(a)) = (kv.as_array(), v.as_array()) {
                    for (i, (sub, x)) in subs.iter().zip(a).enumerate() {
                        check(root, sub, x, &format!("{path}[{i}]"), errs);
                    }
                }
            }
            "minItems" | "maxItems" => {
                if let (Some(n), Some(a)) = (kv.as_u64(), v.as_array()) {
                    let len = a.len() as u64;
                    if (k == "minItems" && len < n) || (k == "maxItems" && len > n) {
                        errs.push(format!("{path}: {len} items breaks {k} {n}"));
                    }
                }
            }
            "anyOf" => {
                let passing = branches_passing(root, kv, v, path);
                if passing == 0 {
                    errs.push(format!("{path}: no anyOf branch matches {v}"));
                }
            }
            "enum" => {
                if !kv.as_array().is_some_and(|a| a.contains(v)) {
                    errs.push(format!("{path}: {v} not in {kv}"));
                }
            }
            "minimum" => {
                if let (Some(m), Some(x)) = (kv.as_f64(), v.as_f64()) {
                    if x < m {
                        errs.push(format!("{path}: {x} < minimum {m}"));
                    }
                }
            }
            "maximum" => {
                if let (Some(m), Some(x)) = (kv.as_f64(), v.as_f64()) {
                    if x > m {
                        errs.push(format!("{path}: {x} > maximum {m}"));
                    }
                }
            }
            "pattern" => {
                if let (Some(p), Some(x)) = (kv.as_str(), v.as_str()) {
                    let re = regex::Regex::new(p).expect("schema pattern");
                    if !re.is_match(x) {
                        errs.push(format!("{path}: {x:?} does not match {p}"));
                    }
                }
            }
            "oneOf" => {
                let passing = branches_passing(root, kv, v, path);
                if passing != 1 {
                    errs.push(format!(
                        "{path}: {passing} oneOf branches match, expected exactly 1"
                    ));
                }
            }
            other if ANNOTATIONS.contains(&other) => {}
            other => errs.push(format!("{path}: keyword {other} is not supported by this checker")),
        }
    }
}

/// How many of the schemas in the array `branches` `v` passes.
fn branches_passing(root: &Value, branches: &Value, v: &Value, path: &str) -> usize {
    let passes = |sub: &&Value| {
        let mut e = Vec::new();
        check(root, sub, v, path, &mut e);
        e.is_empty()
    };
    branches.as_array().map_or(0, |a| a.iter().filter(passes).count())
}

fn is_type(v: &Value, t: &str) -> bool {
    match t {
        "object" => v.is_object(),
        "array" => v.is_array(),
        "string" => v.is_string(),
        "integer" => v.is_u64() || v.is_i64(),
        "number" => v.is_number(),
        "boolean" => v.is_boolean(),
        "null" => v.is_null(),
        _ => false,
    }
}
