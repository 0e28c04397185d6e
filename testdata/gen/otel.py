#!/usr/bin/env python3
"""Synthetic Octopus OpenTelemetry trace files for testdata/telemetry/.

otel-synthetic.jsonl reproduces the *structure and counts* of OtelImporter's public
sample (tests/OtelImporter.IntegrationTests/TestData/sample-traces.jsonl, as counted in
shared/exports.md section 3.4): 4 batches of 31/30/43/35 spans (139), 12 traces, 82
CLIENT and 57 INTERNAL spans, the same scopes and span-name counts, db.statement on 65
spans, db.spid on 77, `{}` for db.transaction.sqlclient_id 34 times, intValue as bare
JSON numbers, 64-bit times as strings, 7 span events on 4 spans, one root (POST) and 18
parent ids that are not in the file. Ids, times, statements and test-harness values are
made up (seeded); only 5 harness keys per span instead of the sample's 15-31.

otel-server-requests.jsonl adds what the sample lacks: inbound HTTP requests as SERVER
spans the way the OTel HTTP semantic conventions describe them (name "{method} {route}",
http.request.method, http.route, url.path, url.query, http.response.status_code, ...),
two server instances (HA) in one batch, a task span naming ServerTasks-2301 with a SQL
child, a span with status ERROR, and one intValue written as a string.

Deterministic: python3 testdata/gen/otel.py rewrites both files.
"""
import json
import os
import random

OUT = os.path.join(os.path.dirname(__file__), "..", "telemetry")
rng = random.Random(20260526)
T0 = 1779760521808778000  # 2026-05-26T01:55:21.808778Z, the sample's first start
T_LAST = 1779760623225000000  # 01:57:03.225, the sample's last start

RESOURCE = {"attributes": [
    {"key": "service.name", "value": {"stringValue": "Octopus.Tests"}},
    {"key": "service.version", "value": {"stringValue": "2026.2.12259-eft-jrb-e2e-telm-proc"}},
    {"key": "service.instance.id", "value": {"stringValue": "f8d7ed28-38aa-473d-aec5-afafcf9bb856"}},
    {"key": "telemetry.sdk.name", "value": {"stringValue": "opentelemetry"}},
    {"key": "telemetry.sdk.language", "value": {"stringValue": "dotnet"}},
    {"key": "telemetry.sdk.version", "value": {"stringValue": "1.15.3"}},
]}

HARNESS = [
    ("test.run.identifier", "1efe3b1e-0000-4227-a2f5-ad1ed2fdc0a4"),
    ("test.run.git_branch", "refs/pull/40000/head"),
    ("application.version", "2026.2.12259-eft-jrb-e2e-telm-proc"),
    ("teamcity.build.id", "22500000"),
    ("teamcity.projectName", "Test: Integration"),
]

# (scope, name, count, kind) in the sample's proportions; kind 3 CLIENT, 1 INTERNAL.
SPANS = [
    ("Octopus.DataAccess", "EF SQL", 27, 3),
    ("Octopus.DataAccess", "SQL", 24, 3),
    ("Octopus.DataAccess", "Set Transaction Isolation Level", 10, 3),
    ("Octopus.DataAccess", "EF TransactionStart", 10, 3),
    ("Octopus.DataAccess", "EF TransactionDisposed", 4, 3),
    ("Octopus.DataAccess", "Stored Procedure: GetNextKeyBlock", 3, 3),
    ("Octopus.DataAccess", "EF TransactionCommit", 2, 3),
    ("Octopus.DataAccess", "TryPopulateEventRelatedDocumentsAsync", 2, 1),
    ("Octopus.DataAccess", "RelatedDocumentsInterceptor.SavingChangesAsync", 2, 1),
    ("Octopus.DataAccess", "Stored Procedure: sp_getapplock", 1, 3),
    ("Octopus.DataAccess", "DeleteRelatedDocumentsAsync", 1, 1),
    ("Octopus.Git", "GitCommitReader.FileExists", 13, 1),
    ("Octopus.Git", "GitCommitReader.GetFileText", 7, 1),
    ("Octopus.Git", "LibGit2SharpRepositoryClone.GetClonedRepository", 2, 1),
    ("Octopus.Git", "LibGit2SharpRepositoryClone.GetCommitForRef", 2, 1),
    ("Octopus.Git", "LibGit2SharpRepositoryClone.GetCommitReaderForReference", 2, 1),
    ("Octopus.Git", "LibGit2SharpRepositoryClone.Fetch", 1, 1),
    ("Octopus.Git", "LibGit2SharpRepositoryClone.EnsureCloned", 1, 1),
    ("Octopus.Git", "LibGit2SharpRepositoryClone.GetReference", 1, 1),
    ("Octopus.Git", "LibGit2SharpRepositoryClone.Checkout", 1, 1),
    ("Octopus.Git", "RawGitRepository.GetCommitReader", 1, 1),
    ("Octopus", "OctopusKeyAllocator.GetNextMaxValue", 4, 1),
    ("Octopus", "OctopusDbContext.SaveChangesAsync", 2, 1),
    ("Octopus", "FindReferences GitRepositoryReferenceCacheHighWatermark", 2, 1),
    ("Octopus", "UnitOfWork: CreateAsync", 1, 1),
    ("Octopus", "UnitOfWork: Do", 1, 1),
    ("Octopus", "UnitOfWork: RunHandler", 1, 1),
    ("Octopus", "KeyedCacheInvalidator.Invalidate", 1, 1),
    ("Octopus", "Invoking DomainEventHandler UserCreatedEventHandler", 1, 1),
    ("Octopus", "DocumentDeletionVetoCheck.EnsureCanBeDeleted", 1, 1),
    ("Octopus", "DeleteRelatedDocumentsCommand.Delete", 1, 1),
    ("Octopus.FileSystem", "OctopusPhysicalFileSystem.DeleteFile", 1, 1),
    ("Octopus.FileSystem", "OctopusPhysicalFileSystem.CreateTemporaryFile", 1, 1),
    ("Octopus.Mediator", "Mediator.Do CreateUserCommand", 1, 1),
    ("Octopus.Mediator", "Mediator.Do DeleteDeploymentCommand", 1, 1),
    ("Octopus.TaskQueue", "GetActiveConcurrencyTags", 1, 1),
    ("Octopus.Tests", "UnitOfWorkMediator.Do: CreateUserCommand", 1, 1),
    ("System.Net.Http", "POST", 1, 3),
]
LONGEST_MS = {"Mediator.Do DeleteDeploymentCommand": 163.2, "UnitOfWorkMediator.Do: CreateUserCommand": 155.4,
              "POST": 153.7, "UnitOfWork: Do": 149.3}
STATEMENTS = ["SELECT * FROM dbo.[User] WHERE [Id] = @id", "SELECT COUNT(*) FROM sys.databases WHERE name = @name",
              "SET TRANSACTION ISOLATION LEVEL READ COMMITTED", "IF EXISTS (SELECT 1 FROM dbo.[Event] WHERE Id = @p0) SELECT 1",
              "SAVE TRANSACTION [sp1]", "/* comment */ SELECT [Id], [Json] FROM dbo.[Deployment] WHERE [Id] = @p0",
              "DELETE FROM dbo.[Deployment] WHERE [Id] = @p0", "\nselect count(*)\nfrom sys.columns\nwhere object_id = object_id('X')"]


def hexid(bits):
    return "%0*x" % (bits // 4, rng.getrandbits(bits))


def s(v):
    return {"stringValue": v}


def attributes(name, scope, state):
    attrs = [{"key": k, "value": s(v)} for k, v in HARNESS]
    if scope != "Octopus.DataAccess":
        if name == "POST":
            attrs += [{"key": "http.request.method", "value": s("POST")},
                      {"key": "server.address", "value": s("test-seq.octopushq.com")},
                      {"key": "server.port", "value": {"intValue": 443}},
                      {"key": "url.full", "value": s("https://test-seq.octopushq.com/api/events/raw")},
                      {"key": "http.response.status_code", "value": {"intValue": 201}},
                      {"key": "network.protocol.version", "value": s("1.1")}]
        elif scope == "Octopus.Git":
            attrs += [{"key": "octopus.git.repositoryuri", "value": s("/QI3KLH4XAV2NURLCMKY3SYQ25YTJ3GFS")},
                      {"key": "octopus.git.ref", "value": s("refs/heads/main")}]
        return attrs
    statement = name in ("SQL", "EF SQL", "Set Transaction Isolation Level") or name.startswith("Stored Procedure: ")
    plain = name in ("SQL", "Set Transaction Isolation Level") or name.startswith("Stored Procedure: ")
    if statement:
        text = name[len("Stored Procedure: "):] if name.startswith("Stored") else rng.choice(STATEMENTS)
        if name == "Set Transaction Isolation Level":
            text = "SET TRANSACTION ISOLATION LEVEL READ COMMITTED"
        attrs += [{"key": "db.statement", "value": s(text)},
                  {"key": "db.statement_type", "value": s("StoredProcedure" if name.startswith("Stored") else "Text")}]
    if statement or name in ("EF TransactionStart", "EF TransactionCommit"):
        attrs.append({"key": "db.spid", "value": {"intValue": rng.choice([0, 51, 52, 57])}})
    if plain:
        attrs += [{"key": "db.name", "value": s("Octopus.Server.IntegrationTests-1")},
                  {"key": "peer.service", "value": s("localhost")},
                  {"key": "db.connection.sqlclient_id", "value": s("4a33170e-3464-4eec-96aa-c6a6b536dec7")}]
        state["plain"] += 1
        tx = {} if state["plain"] <= 34 else s("%08x-0000-4000-8000-000000000000" % rng.getrandbits(32))
        attrs.append({"key": "db.transaction.sqlclient_id", "value": tx})
        if name == "Set Transaction Isolation Level":
            attrs.append({"key": "db.transaction.isolation_level", "value": s(rng.choice(["ReadCommitted", "ReadUncommitted"]))})
    elif name.startswith("EF"):
        attrs += [{"key": "ef.db_context.type_name", "value": s("OctopusDbContext")},
                  {"key": "db.transaction.ef_id", "value": s("ef-%04x" % rng.getrandbits(16))}]
    return attrs


def span_events(name, state):
    want = {"EF TransactionStart": [["Starting Transaction", "Completed"]] * 2,
            "EF TransactionCommit": [["Creating savepoint", "Releasing savepoint"]],
            "EF TransactionDisposed": [["Completed"]]}.get(name, [])
    used = state["events"].get(name, 0)
    if used >= len(want):
        return None
    state["events"][name] = used + 1
    return [{"timeUnixNano": "0", "name": n, "attributes": []} for n in want[used]]


def synthetic():
    flat = [(scope, name, kind) for scope, name, n, kind in SPANS for _ in range(n)]
    rng.shuffle(flat)
    post = next(i for i, f in enumerate(flat) if f[1] == "POST")
    flat.insert(0, flat.pop(post))
    traces = [hexid(128) for _ in range(12)]
    missing = [hexid(64) for _ in range(18)]
    state = {"plain": 0, "events": {}}
    spans, longest_sql_done = [], False
    starts = sorted(rng.randint(T0 + 1, T_LAST - 1) for _ in range(len(flat) - 2)) + [T_LAST]
    for i, (scope, name, kind) in enumerate(flat):
        start = T0 if i == 0 else starts[i - 1]
        ms = LONGEST_MS.get(name, rng.uniform(0.05, 40.0))
        if name == "SQL" and not longest_sql_done:
            ms, longest_sql_done = 213.9, True
        span = {"traceId": traces[0] if i == 0 else traces[1 + i % 11], "spanId": hexid(64),
                "name": name, "kind": kind, "startTimeUnixNano": str(start),
                "endTimeUnixNano": str(start + int(ms * 1e6)), "flags": 257,
                "attributes": attributes(name, scope, state)}
        if i > 0:
            # The first 18 non-root spans hang off parents outside the file; the rest off earlier
            # spans of the same trace.
            same = [sp["spanId"] for _, sp in spans[1:] if sp["traceId"] == span["traceId"]]
            span["parentSpanId"] = missing[i - 1] if i <= 18 else rng.choice(same)
        ev = span_events(name, state)
        if ev:
            for e in ev:
                e["timeUnixNano"] = str(start + 1000)
            span["events"] = ev
        spans.append((scope, span))
    batches, at = [], 0
    for size in (31, 30, 43, 35):
        part = spans[at:at + size]
        at += size
        by_scope = {}
        for scope, span in part:
            by_scope.setdefault(scope, []).append(span)
        scope_spans = [{"scope": {"name": sc, "version": "2026.2.12259" if sc == "Octopus.Mediator" else ""},
                        "spans": ss} for sc, ss in by_scope.items()]
        batches.append({"resourceSpans": [{"resource": RESOURCE, "scopeSpans": scope_spans}]})
    return batches


def server_requests():
    base = 1793679600000000000  # 2026-11-03T04:20:00Z (14:20 local in the bundle, UTC+10)
    routes = [("GET", "/api/{spaceId}/dashboard", "/api/Spaces-1/dashboard", "highestLatestVersionPerProjectAndEnvironment=true", 200, 4210.5),
              ("GET", "/api/{spaceId}/releases/{id}", "/api/Spaces-1/releases/Releases-42", "", 200, 980.25),
              ("POST", "/api/{spaceId}/deployments", "/api/Spaces-1/deployments", "apikey=API-ABCDEFGHIJKLMNOPQRSTUVWX12", 201, 350.0),
              ("GET", "/api/{spaceId}/tasks", "/api/Spaces-1/tasks", "skip=0&take=30", 500, 30000.0)]
    nodes = []
    for n, instance in enumerate(["0b8a3c1e-1111-4c2d-9e0f-a1b2c3d4e5f6", "7d6e5f4a-2222-4b3c-8d9e-f6e5d4c3b2a1"]):
        spans = []
        for i, (method, route, path, query, status, ms) in enumerate(routes):
            start = base + (n * 4 + i) * 7_000_000_000
            attrs = [{"key": "http.request.method", "value": s(method)}, {"key": "http.route", "value": s(route)},
                     {"key": "url.scheme", "value": s("https")}, {"key": "url.path", "value": s(path)},
                     {"key": "server.address", "value": s("octopus.example.com")}, {"key": "server.port", "value": {"intValue": 443}},
                     {"key": "network.protocol.version", "value": s("2")}, {"key": "user_agent.original", "value": s("Mozilla/5.0")},
                     {"key": "client.address", "value": s("10.0.0.%d" % (10 + i))},
                     {"key": "http.response.status_code", "value": {"intValue": str(status) if i == 3 else status}}]
            if query:
                attrs.insert(4, {"key": "url.query", "value": s(query)})
            span = {"traceId": hexid(128), "spanId": hexid(64), "name": "%s %s" % (method, route), "kind": 2,
                    "startTimeUnixNano": str(start), "endTimeUnixNano": str(start + int(ms * 1e6)), "flags": 1,
                    "attributes": attrs}
            if status >= 500:
                span["status"] = {"code": 2, "message": "Unhandled exception"}
            spans.append(span)
        res = json.loads(json.dumps(RESOURCE))
        res["attributes"][0]["value"] = s("Octopus.Server")
        res["attributes"][2]["value"] = s(instance)
        nodes.append({"resource": res, "scopeSpans": [{"scope": {"name": "Microsoft.AspNetCore", "version": ""}, "spans": spans}]})
    trace, task_span = hexid(128), hexid(64)
    task = {"traceId": trace, "spanId": task_span, "name": "Execute task", "kind": 1,
            "startTimeUnixNano": str(base), "endTimeUnixNano": str(base + 1_450_000_000_000),
            "attributes": [{"key": "octopus.task.id", "value": s("ServerTasks-2301")},
                           {"key": "octopus.task.description", "value": s("Apply retention policies")}]}
    sql = {"traceId": trace, "spanId": hexid(64), "parentSpanId": task_span, "name": "SQL", "kind": 3,
           "startTimeUnixNano": str(base + 60_000_000_000), "endTimeUnixNano": str(base + 60_000_000_000 + 8_250_000_000),
           "attributes": [{"key": "db.statement", "value": s("DELETE FROM dbo.[Release] WHERE [Id] = @p0")},
                          {"key": "db.spid", "value": {"intValue": 61}},
                          {"key": "octopus.task.id", "value": s("ServerTasks-2301")}]}
    nodes[0]["scopeSpans"] += [{"scope": {"name": "Octopus.Tasks", "version": ""}, "spans": [task]},
                               {"scope": {"name": "Octopus.DataAccess", "version": ""}, "spans": [sql]}]
    return [{"resourceSpans": nodes}]


def write(name, batches):
    with open(os.path.join(OUT, name), "w", newline="\n") as f:
        for b in batches:
            f.write(json.dumps(b, separators=(",", ":")) + "\n")


if __name__ == "__main__":
    batches = synthetic()
    flat = [sp for b in batches for ss in b["resourceSpans"][0]["scopeSpans"] for sp in ss["spans"]]
    assert len(flat) == 139 and len({s["traceId"] for s in flat}) == 12
    assert sum(s["kind"] == 3 for s in flat) == 82 and sum(s["kind"] == 1 for s in flat) == 57
    ids = {s["spanId"] for s in flat}
    assert sum("parentSpanId" not in s for s in flat) == 1
    assert len({s["parentSpanId"] for s in flat if "parentSpanId" in s} - ids) == 18
    keys = [a["key"] for s in flat for a in s["attributes"]]
    assert keys.count("db.statement") == 65 and keys.count("db.spid") == 77
    assert sum(a["value"] == {} for s in flat for a in s["attributes"]) == 34
    assert sum(len(s.get("events", [])) for s in flat) == 7 and sum("events" in s for s in flat) == 4
    write("otel-synthetic.jsonl", batches)
    write("otel-server-requests.jsonl", server_requests())
