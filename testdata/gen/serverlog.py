"""Helpers to write realistic Octopus Server log lines (octopus.md section 1).

Used by the scenario and bundle generators in this folder. Deterministic: every
generator takes a seeded random.Random. Times are naive local datetimes.
"""
import datetime as dt
import gzip
import random

LEVELS = {"TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL"}


class Log:
    """Collects entries and writes them in the 3.15+ (pid) or 3.x layout."""

    def __init__(self, pid=None, layout="pid"):
        self.pid = pid
        self.layout = layout
        self.entries = []  # (time, tid, level, message, continuation lines)

    def add(self, t, level, message, tid=None, cont=()):
        assert level in LEVELS
        self.entries.append((t, tid if tid is not None else 40 + len(self.entries) % 60, level, message, list(cont)))

    def render(self):
        self.entries.sort(key=lambda e: e[0])
        out = []
        for t, tid, level, message, cont in self.entries:
            stamp = t.strftime("%Y-%m-%d %H:%M:%S.") + f"{t.microsecond // 100:04d}"
            if self.layout == "pid":
                out.append(f"{stamp}  {self.pid:>5}  {tid:>5} {level:>5}  {message}")
            else:
                out.append(f"{stamp}  {tid:>5} {level:>5}  {message}")
            out.extend(cont)
        return "\n".join(out) + "\n"

    def write(self, path, gz=False, crlf=False):
        text = self.render()
        if crlf:
            text = text.replace("\n", "\r\n")
        data = text.encode("utf-8")
        if gz:
            data = gzip.compress(data, mtime=0)
        with open(path, "wb") as f:
            f.write(data)


def corr(rng):
    return "%032x" % rng.getrandbits(128)


def guid(rng):
    h = "%032x" % rng.getrandbits(128)
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def start_up(log, t, version, node, machine=None, processors=4):
    log.add(t, "INFO", "==== RunCommand ====", tid=1)
    log.add(t + dt.timedelta(milliseconds=120), "INFO", f"Octopus.Server version {version} ({version}) instance OctopusServer", tid=1)
    log.add(t + dt.timedelta(milliseconds=160), "INFO", "Environment Information:", tid=1, cont=[
        "  OperatingSystem: Microsoft Windows NT 10.0.20348.0",
        "  OsBitVersion: x64",
        "  Is64BitProcess: True",
        "  CurrentUser: ACME\\svc-octopus",
        f"  MachineName: {machine or node}",
        f"  ProcessorCount: {processors}",
        "  CurrentDirectory: C:\\Program Files\\Octopus Deploy\\Octopus",
        "  HostProcessName: Octopus.Server",
        f"  PID: {log.pid or 4242}",
    ])
    log.add(t + dt.timedelta(seconds=2), "INFO", f"Defaulting server node name to '\"{node}\"'.", tid=1)


def request(log, t, ms, method, path, rng, host="https://octopus.acme.local", level=None, correlation=None):
    """A `Request took` line, logged when the request completes (t is the completion time)."""
    c = correlation or corr(rng)
    lvl = level or ("INFO" if ms >= 1000 else "DEBUG")
    log.add(t, lvl, f"Request took {ms}ms: {method} {host}{path} {c}")
    return c


def sql(log, t, ms, op, txn, statement, cont=()):
    lvl = "INFO" if ms >= 300 else "DEBUG"
    log.add(t, lvl, f"{op} took {ms}ms in transaction '{txn}': {statement}", cont=cont)


NORMAL_PATHS = [
    ("GET", "/api/Spaces-1/dashboard?highestLatestVersionPerProjectAndEnvironment=true"),
    ("GET", "/api/Spaces-1/projects/Projects-{p}/releases?skip=0&take=30"),
    ("GET", "/api/tasks?skip=0&take=10&spaces=Spaces-1"),
    ("GET", "/api/Spaces-1/deployments?skip=0&take=30&projects=Projects-{p}"),
    ("POST", "/api/Spaces-1/deployments"),
    ("GET", "/api/Spaces-1/environments?skip=0&take=2147483647"),
    ("GET", "/api/users/me"),
    ("GET", "/api/Spaces-1/machines?skip=0&take=100"),
    ("GET", "/api/events?skip=0&take=30&spaces=Spaces-1"),
]


def background(log, start, end, rng, per_min=2.0, slow_ms=(1000, 1600), quiet_ms=(40, 400), verbose=False):
    """Baseline traffic: a few >1 s requests (INFO) and, if verbose, every fast request (DEBUG)."""
    t = start
    while t < end:
        t += dt.timedelta(seconds=rng.expovariate(per_min / 60.0))
        if t >= end:
            break
        method, path = rng.choice(NORMAL_PATHS)
        path = path.format(p=rng.randint(1, 40))
        if rng.random() < 0.25:
            request(log, t, rng.randint(*slow_ms), method, path, rng)
        elif verbose:
            request(log, t, rng.randint(*quiet_ms), method, path, rng)
