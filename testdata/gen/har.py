"""Writes small HAR 1.2 files shaped like Chrome DevTools exports (har.md section 4.1)."""
import json


def iso_utc(t):
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}Z"


def entry(t, method, url, status, blocked, wait, receive, connect=-1, dns=-1, ssl=-1, send=0.2, cached=None, error=None):
    timings = {"blocked": blocked, "dns": dns, "ssl": ssl, "connect": connect, "send": send, "wait": wait,
               "receive": receive, "_blocked_queueing": blocked * 0.9 if blocked > 0 else -1}
    total = sum(v for k, v in timings.items() if v > 0 and not k.startswith("_") and k != "ssl")
    e = {
        "_initiator": {"type": "script"},
        "_priority": "High",
        "_resourceType": "xhr",
        "cache": {},
        "connection": "443",
        "pageref": "page_1",
        "request": {"method": method, "url": url, "httpVersion": "http/2.0",
                    "headers": [{"name": "accept", "value": "application/json"}],
                    "queryString": [], "cookies": [], "headersSize": -1, "bodySize": 0},
        "response": {"status": status, "statusText": "", "httpVersion": "http/2.0",
                     "headers": [{"name": "content-type", "value": "application/json"}], "cookies": [],
                     "content": {"size": 1200, "mimeType": "application/json", "text": "{}"},
                     "redirectURL": "", "headersSize": -1, "bodySize": 900, "_transferSize": 1100, "_error": error},
        "serverIPAddress": "10.0.0.15",
        "startedDateTime": iso_utc(t),
        "time": round(total, 3),
        "timings": timings,
    }
    if cached:
        e["_fromCache"] = cached
    return e


def write(path, title, start, entries):
    doc = {"log": {"version": "1.2", "creator": {"name": "WebInspector", "version": "537.36"},
                   "pages": [{"startedDateTime": iso_utc(start), "id": "page_1", "title": title,
                              "pageTimings": {"onContentLoad": 1500.0, "onLoad": 2500.0}}],
                   "entries": entries}}
    with open(path, "w") as f:
        json.dump(doc, f, indent=2)
