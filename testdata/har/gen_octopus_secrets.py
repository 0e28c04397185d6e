#!/usr/bin/env python3
"""Writes octopus-secrets.har: a synthetic Chrome-style HAR of an Octopus
portal session with a unique canary in every place a secret can hide
(reliability.md 5.3). cli/tests/har.rs runs every command on it and checks
that no canary, in any encoding, reaches any output. Run from this folder."""
import base64, json

HOST = "https://octopus.acme.local"
CANARIES = {
    "header_api_key": "API-CANARYHEADERKEY00000000001",
    "query_api_key": "API-CANARYQUERYKEY000000000002",
    "created_api_key": "API-CANARYCREATEDKEY0000000003",
    "base64_api_key": "API-CANARYBASE64KEY00000000004",
    "session_cookie": "CANARYSESSIONCOOKIE3f8a9b",
    "csrf_cookie": "CANARYCSRFCOOKIE71d2e4",
    "csrf_header": "CANARYCSRFHEADER55aa01",
    "jwt_signature": "CANARYJWTSIGNATURE",
    "password": "CANARYPASSWORD9x",
    "set_cookie": "CANARYSETCOOKIE8c7d",
    "sensitive_value": "CANARYSENSITIVEVALUE42",
    "url_password": "CANARYURLPASSWORD",
    "ws_token": "CANARYWSTOKEN77",
}
C = CANARIES
JWT = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJDQU5BUllKV1QifQ." + C["jwt_signature"]
COOKIE = f"OctopusIdentificationToken_abc={C['session_cookie']}; Octopus-Csrf-Token_abc={C['csrf_cookie']}"


def headers(pairs):
    return [{"name": n, "value": v} for n, v in pairs]


def entry(i, method, path, status, wait, req_headers=(), resp_headers=(), post=None, body=None,
          b64=False, cookies=(), resp_cookies=(), query=(), extra=None):
    url = HOST + path
    text = base64.b64encode(body.encode()).decode() if (body is not None and b64) else body
    content = {"size": len(body or ""), "mimeType": "application/json"}
    if text is not None:
        content["text"] = text
        if b64:
            content["encoding"] = "base64"
    e = {
        "_initiator": {"type": "script", "url": HOST + "/app.js"},
        "_priority": "High",
        "_resourceType": "fetch",
        "cache": {},
        "connection": str(4000 + i),
        "pageref": "page_1",
        "request": {
            "method": method,
            "url": url,
            "httpVersion": "http/2.0",
            "headers": headers([(":authority", "octopus.acme.local"), (":method", method), (":path", path),
                                ("accept", "application/json"), ("cookie", COOKIE)] + list(req_headers)),
            "queryString": [{"name": n, "value": v} for n, v in query],
            "cookies": [{"name": "OctopusIdentificationToken_abc", "value": C["session_cookie"]},
                        {"name": "Octopus-Csrf-Token_abc", "value": C["csrf_cookie"]}] + list(cookies),
            "headersSize": -1,
            "bodySize": len(post["text"]) if post else 0,
        },
        "response": {
            "status": status,
            "statusText": "",
            "httpVersion": "http/2.0",
            "headers": headers([("content-type", "application/json"), ("date", "Tue, 03 Nov 2026 04:10:0%d GMT" % i)]
                               + list(resp_headers)),
            "cookies": list(resp_cookies),
            "content": content,
            "redirectURL": "",
            "headersSize": -1,
            "bodySize": len(body or ""),
            "_transferSize": 400 + len(body or ""),
            "_error": None,
        },
        "serverIPAddress": "10.0.0.5",
        "startedDateTime": "2026-11-03T04:10:0%d.%03dZ" % (i, 100 + i),
        "time": round(wait + 1.25 + 0.5 + 2.0, 3),
        "timings": {"blocked": 1.25, "dns": -1, "ssl": -1, "connect": -1, "send": 0.5,
                    "wait": wait, "receive": 2.0, "_blocked_queueing": 0.75},
    }
    if post:
        e["request"]["postData"] = post
    if extra:
        e.update(extra)
    return e


entries = [
    entry(1, "GET", "/api/Spaces-1/dashboard?apikey=" + C["query_api_key"] + "&highestLatestVersionPerProjectAndEnvironment=true",
          200, 8123.5, req_headers=[("x-octopus-apikey", C["header_api_key"])],
          query=[("apikey", C["query_api_key"]), ("highestLatestVersionPerProjectAndEnvironment", "true")],
          body='{"Projects":[],"Environments":[]}'),
    entry(2, "POST", "/api/users/login", 200, 95.25,
          req_headers=[("content-type", "application/json"), ("x-octopus-csrf-token", C["csrf_header"])],
          post={"mimeType": "application/json",
                "text": json.dumps({"Username": "admin", "Password": C["password"], "RememberMe": True, "State": None})},
          resp_headers=[("set-cookie", f"OctopusIdentificationToken_abc={C['set_cookie']}; path=/; secure; HttpOnly")],
          resp_cookies=[{"name": "OctopusIdentificationToken_abc", "value": C["set_cookie"], "path": "/",
                         "httpOnly": True, "secure": True}],
          body='{"Id":"Users-1","Username":"admin"}'),
    entry(3, "GET", "/api/users/me", 200, 40.0, req_headers=[("authorization", "Bearer " + JWT)],
          body='{"Id":"Users-1","DisplayName":"Admin"}'),
    entry(4, "POST", "/api/users/Users-1/apikeys", 201, 150.0,
          post={"mimeType": "application/json", "text": '{"Purpose":"support"}'},
          body=json.dumps({"Id": "apikeys-1", "Purpose": "support", "ApiKey": C["created_api_key"]})),
    entry(5, "POST", "/api/users/Users-1/apikeys", 201, 151.0,
          post={"mimeType": "application/json", "text": '{"Purpose":"ci"}'},
          body=json.dumps({"Id": "apikeys-2", "Purpose": "ci", "ApiKey": C["base64_api_key"]}), b64=True),
    entry(6, "PUT", "/api/Spaces-1/variables/variableset-Projects-1", 200, 300.0,
          post={"mimeType": "application/json",
                "text": json.dumps({"Variables": [{"Name": "DbPassword", "IsSensitive": True,
                                                   "Value": {"HasValue": True, "NewValue": C["sensitive_value"]}}]})},
          body='{"Id":"variableset-Projects-1"}'),
    entry(7, "GET", "/api/octopusservernodes/ping", 200, 3.0,
          extra={"_initiator": {"type": "other", "url": "https://admin:" + C["url_password"] + "@octopus.acme.local/app"}},
          body='{"IsHealthy":true}'),
    entry(8, "GET", "/api/tasks?skip=0&take=10&spaces=Spaces-1", 101, 12.0,
          extra={"_resourceType": "websocket",
                 "_webSocketMessages": [{"type": "send", "time": 1793679008.2, "opcode": 1,
                                         "data": json.dumps({"token": C["ws_token"]})}]},
          body=""),
]
har = {"log": {"version": "1.2", "creator": {"name": "WebInspector", "version": "537.36"},
               "pages": [{"startedDateTime": "2026-11-03T04:10:00.000Z", "id": "page_1",
                          "title": HOST + "/app#/Spaces-1/dashboard?apikey=" + C["query_api_key"],
                          "pageTimings": {"onContentLoad": 512.5, "onLoad": 900.25}}],
               "entries": entries}}
with open("octopus-secrets.har", "w") as f:
    json.dump(har, f, indent=2)
    f.write("\n")
with open("octopus-secrets.canaries", "w") as f:
    f.write("\n".join(CANARIES.values()) + "\n")
