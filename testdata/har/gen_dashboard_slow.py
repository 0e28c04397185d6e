#!/usr/bin/env python3
"""Writes ../bundle/browser/dashboard-slow.har and its README table.

The story: an administrator of https://octopus.acme.local (server clock
UTC+10:00) recorded the dashboard being slow on 2026-11-03 between
04:10:00Z and 04:12:30Z with Chrome DevTools. The dashboard API call waits
8-9.5 s, a release list 4 s; static assets come partly from the memory and
disk caches; one releases call is aborted when the user navigates away.
Secrets are obvious placeholders (they are redacted in output anyway).
Run from this folder; the output is deterministic."""
import datetime, json

HOST = "https://octopus.acme.local"
OUT = "../bundle/browser/dashboard-slow.har"
README = "../bundle/browser/README.md"
COOKIE = ("OctopusIdentificationToken_e7c1=SAMPLE-SESSION-PLACEHOLDER; "
          "Octopus-Csrf-Token_e7c1=SAMPLE-CSRF-PLACEHOLDER")
T0 = datetime.datetime(2026, 11, 3, 4, 10, 0, tzinfo=datetime.timezone.utc)

# (seconds after 04:10:00Z, method, path, status, wait ms, kind, extra)
# kind: doc, script, css, font, img, api, cached-memory, cached-disk, aborted
ROWS = [
    (0.412, "GET", "/app", 200, 48.7, "doc", {}),
    (0.531, "GET", "/main.9f3c1e.js", 200, 35.2, "script", {}),
    (0.533, "GET", "/vendor.4b7a90.js", 200, 41.8, "script", {}),
    (0.534, "GET", "/styles.2c8d11.css", 200, 0.21, "cached-disk", {}),
    (0.902, "GET", "/fonts/roboto-regular.woff2", 200, 0.08, "cached-memory", {}),
    (0.903, "GET", "/images/octopus-logo.svg", 200, 0.06, "cached-memory", {}),
    (1.118, "GET", "/api", 200, 22.4, "api", {}),
    (1.305, "GET", "/api/users/me", 200, 31.9, "api", {}),
    (1.307, "GET", "/api/octopusservernodes/ping", 200, 6.3, "api", {"apikey": True}),
    (1.502, "GET", "/api/Spaces-1", 200, 27.5, "api", {}),
    (1.731, "GET", "/api/Spaces-1/dashboard?highestLatestVersionPerProjectAndEnvironment=true", 200, 8412.6, "api", {}),
    (1.733, "GET", "/api/tasks?skip=0&take=10&spaces=Spaces-1", 200, 412.3, "api", {}),
    (1.736, "GET", "/api/Spaces-1/dashboardconfiguration", 200, 58.1, "api", {}),
    (2.004, "GET", "/images/avatar-default.png", 200, 0.05, "cached-memory", {}),
    (10.911, "GET", "/api/tasks?skip=0&take=10&spaces=Spaces-1", 200, 388.9, "api", {}),
    (20.915, "GET", "/api/tasks?skip=0&take=10&spaces=Spaces-1", 200, 455.0, "api", {}),
    (31.309, "GET", "/api/octopusservernodes/ping", 200, 5.9, "api", {}),
    (40.118, "GET", "/api/Spaces-1/projects/Projects-21", 200, 44.6, "api", {}),
    (40.342, "GET", "/api/Spaces-1/projects/Projects-21/releases?skip=0&take=30", 200, 4037.2, "api", {}),
    (40.344, "GET", "/api/Spaces-1/projects/Projects-21/progression", 200, 1210.4, "api", {}),
    (52.601, "GET", "/api/Spaces-1/projects/Projects-21/releases?skip=0&take=30", 0, 0, "aborted", {"blocked": 1843.2}),
    (52.910, "GET", "/app", 200, 0.19, "cached-memory", {}),
    (53.020, "GET", "/api/Spaces-1/dashboard?highestLatestVersionPerProjectAndEnvironment=true", 200, 9318.4, "api", {}),
    (53.022, "GET", "/api/tasks?skip=0&take=10&spaces=Spaces-1", 200, 501.7, "api", {}),
    (61.309, "GET", "/api/octopusservernodes/ping", 200, 6.8, "api", {}),
    (70.118, "GET", "/api/Spaces-1/projects/Projects-21/releases?skip=0&take=30", 200, 3968.5, "api", {}),
    (91.310, "GET", "/api/octopusservernodes/ping", 200, 7.2, "api", {}),
    (95.402, "GET", "/api/Spaces-1/dashboard?highestLatestVersionPerProjectAndEnvironment=true", 200, 8855.1, "api", {}),
    (95.405, "GET", "/api/tasks?skip=0&take=10&spaces=Spaces-1", 200, 437.6, "api", {}),
    (121.311, "GET", "/api/octopusservernodes/ping", 200, 6.1, "api", {}),
    (131.700, "GET", "/api/Spaces-1/dashboard?highestLatestVersionPerProjectAndEnvironment=true", 200, 9102.9, "api", {}),
    (131.702, "GET", "/api/tasks?skip=0&take=10&spaces=Spaces-1", 200, 398.2, "api", {}),
    (141.905, "GET", "/api/Spaces-1/dashboardconfiguration", 200, 61.5, "api", {}),
]

MIME = {"doc": "text/html", "script": "application/javascript", "css": "text/css",
        "font": "font/woff2", "img": "image/png", "api": "application/json", "aborted": ""}
TYPE = {"doc": "document", "script": "script", "css": "stylesheet", "font": "font", "img": "image",
        "api": "xhr", "aborted": "xhr"}


def cached_kind(path):
    for ext, kind in ((".js", "script"), (".css", "css"), (".woff2", "font"), (".svg", "img"), (".png", "img")):
        if path.endswith(ext):
            return kind
    return "doc"


def body_for(path, kind):
    if kind != "api":
        return None
    if "dashboard?" in path:
        return '{"Projects":[{"Id":"Projects-21","Name":"Web"}],"Environments":[{"Id":"Environments-1","Name":"Production"}],"Items":[]}'
    if "releases" in path:
        return '{"ItemType":"Release","TotalResults":412,"ItemsPerPage":30,"Items":[]}'
    if path.startswith("/api/tasks"):
        return '{"ItemType":"Task","TotalResults":10,"Items":[]}'
    if "ping" in path:
        return '{"IsHealthy":true}'
    return '{"Id":"x"}'


def iso(t):
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (t.microsecond // 1000)


def entry(i, row, first_connection):
    secs, method, path, status, wait, kind, extra = row
    start = T0 + datetime.timedelta(seconds=secs)
    cache = None
    if kind.startswith("cached-"):
        cache, kind = kind.split("-")[1], cached_kind(path)
    mime = MIME[kind]
    body = body_for(path, kind)
    headers = [(":authority", "octopus.acme.local"), (":method", method), (":path", path),
               (":scheme", "https"), ("accept", "application/json, text/plain, */*" if kind == "api" else "*/*"),
               ("accept-language", "en-AU,en;q=0.9"), ("cookie", COOKIE),
               ("referer", HOST + "/app"), ("user-agent", "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 "
                                                          "(KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36")]
    if kind == "api":
        headers.append(("x-octopus-csrf-token", "SAMPLE-CSRF-PLACEHOLDER"))
    if extra.get("apikey"):
        headers.append(("x-octopus-apikey", "API-SAMPLEKEYSAMPLEKEYSAMPLE"))
    query = []
    if "?" in path:
        for pair in path.split("?", 1)[1].split("&"):
            k, v = pair.split("=", 1)
            query.append({"name": k, "value": v})
    if kind == "aborted":
        blocked = extra["blocked"]
        timings = {"blocked": blocked, "dns": -1, "ssl": -1, "connect": -1, "send": 0, "wait": 0,
                   "receive": 0, "_blocked_queueing": 1.12}
        total = blocked
    elif cache:
        receive = round(wait * 0.4, 3)
        timings = {"blocked": -1, "dns": -1, "ssl": -1, "connect": -1, "send": 0, "wait": wait,
                   "receive": receive, "_blocked_queueing": -1}
        total = round(wait + receive, 3)
    else:
        blocked = 2.84 if i % 3 else 1.07
        dns, connect, ssl = (3.12, 18.44, 11.02) if first_connection else (-1, -1, -1)
        send, receive = 0.31, (3.9 if kind == "api" else 12.6)
        timings = {"blocked": blocked, "dns": dns, "ssl": ssl, "connect": connect, "send": send,
                   "wait": wait, "receive": receive, "_blocked_queueing": round(blocked * 0.6, 3)}
        total = round(sum(v for k, v in timings.items() if k in ("blocked", "dns", "connect", "send", "wait", "receive") and v > 0), 3)
    resp_headers = [] if kind == "aborted" else [
        ("cache-control", "no-cache, no-store" if kind == "api" else "public, max-age=31536000"),
        ("content-type", mime + ("; charset=utf-8" if kind in ("api", "doc") else "")),
        ("date", (start + datetime.timedelta(milliseconds=wait)).strftime("%a, %d %b %Y %H:%M:%S GMT")),
        ("server", "Microsoft-HTTPAPI/2.0"),
        ("x-content-type-options", "nosniff")]
    size = len(body) if body else {"doc": 2417, "script": 918322, "css": 88210, "font": 64112, "img": 5281}.get(kind, 0)
    content = {"size": size, "mimeType": mime}
    if body:
        content["text"] = body
    e = {
        "_initiator": {"type": "parser", "url": HOST + "/app", "lineNumber": 12} if kind != "api" and kind != "aborted"
        else {"type": "script", "stack": {"callFrames": [{"functionName": "fetchJson", "scriptId": "41",
                                                           "url": HOST + "/main.9f3c1e.js", "lineNumber": 1, "columnNumber": 88121}]}},
        "_priority": "High" if kind in ("api", "doc", "script", "css", "aborted") else "Low",
        "_resourceType": TYPE[kind],
        "cache": {},
        "connection": "" if kind == "aborted" else "443",
        "pageref": "page_1" if secs < 52.9 else "page_2",
        "request": {"method": method, "url": HOST + path, "httpVersion": "http/2.0",
                    "headers": [{"name": n, "value": v} for n, v in headers],
                    "queryString": query,
                    "cookies": [{"name": "OctopusIdentificationToken_e7c1", "value": "SAMPLE-SESSION-PLACEHOLDER", "path": "/",
                                 "domain": "octopus.acme.local", "expires": "1969-12-31T23:59:59.000Z", "httpOnly": True, "secure": True},
                                {"name": "Octopus-Csrf-Token_e7c1", "value": "SAMPLE-CSRF-PLACEHOLDER", "path": "/",
                                 "domain": "octopus.acme.local", "expires": "1969-12-31T23:59:59.000Z", "httpOnly": False, "secure": True}],
                    "headersSize": -1, "bodySize": 0},
        "response": {"status": status, "statusText": "", "httpVersion": "" if kind == "aborted" else "http/2.0",
                     "headers": [{"name": n, "value": v} for n, v in resp_headers],
                     "cookies": [], "content": content, "redirectURL": "", "headersSize": -1,
                     "bodySize": -1 if kind == "aborted" else (0 if cache else size),
                     "_transferSize": 0 if (cache or kind == "aborted") else size + 310,
                     "_error": "net::ERR_ABORTED" if kind == "aborted" else None},
        "serverIPAddress": "" if kind == "aborted" else "10.20.30.40",
        "startedDateTime": iso(start),
        "time": total,
        "timings": timings,
    }
    if cache:
        e["_fromCache"] = cache
    return e


entries = [entry(i, r, i == 0) for i, r in enumerate(ROWS)]
har = {"log": {"version": "1.2", "creator": {"name": "WebInspector", "version": "537.36"},
               "pages": [{"startedDateTime": iso(T0 + datetime.timedelta(seconds=0.405)), "id": "page_1",
                          "title": HOST + "/app#/Spaces-1", "pageTimings": {"onContentLoad": 912.4, "onLoad": 1288.7}},
                         {"startedDateTime": iso(T0 + datetime.timedelta(seconds=52.905)), "id": "page_2",
                          "title": HOST + "/app#/Spaces-1", "pageTimings": {"onContentLoad": 402.2, "onLoad": 655.0}}],
               "entries": entries}}
with open(OUT, "w") as f:
    json.dump(har, f, indent=2)
    f.write("\n")

lines = ["# dashboard-slow.har", "",
         "Requests of `dashboard-slow.har` that reached the server (cached and aborted entries left out), "
         "for matching `Request took` lines in the server log. The server clock is UTC+10:00.", "",
         "| # | method | path | startedDateTime (UTC) | server local (+10:00) | wait ms |",
         "|---:|---|---|---|---|---:|"]
for i, (row, e) in enumerate(zip(ROWS, entries), 1):
    if "_fromCache" in e or e["response"]["status"] == 0:
        continue
    local = T0 + datetime.timedelta(seconds=row[0], hours=10)
    lines.append("| %d | %s | `%s` | %s | %s | %s |" % (i, row[1], row[2], e["startedDateTime"],
                 local.strftime("%Y-%m-%d %H:%M:%S.") + "%03d" % (local.microsecond // 1000), e["timings"]["wait"]))
with open(README, "w") as f:
    f.write("\n".join(lines) + "\n")
