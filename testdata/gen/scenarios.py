"""Writes testdata/scenarios/: one realistic bundle per injected cause.

Run from the repository root: python3 testdata/gen/scenarios.py
Every scenario is deterministic (seeded) and described in testdata/README.md.
Server logs are written in the server's local time (never with an offset),
task logs on disk in UTC, raw task logs in local time, HAR files in UTC.
"""
import datetime as dt
import os
import random
import shutil
import sys

sys.path.insert(0, os.path.dirname(__file__))
import har  # noqa: E402
from serverlog import Log, background, corr, guid, request, sql, start_up  # noqa: E402
from tasklog import Node, disk_task, raw_task, simple_task  # noqa: E402

ROOT = os.path.join(os.path.dirname(__file__), "..", "scenarios")
D = dt.datetime
S = dt.timedelta
DAY = D(2026, 10, 14)


class Scenario:
    def __init__(self, name, offset_minutes, seed):
        self.dir = os.path.join(ROOT, name)
        shutil.rmtree(self.dir, ignore_errors=True)
        os.makedirs(self.dir)
        self.off = S(minutes=offset_minutes)
        self.offset_minutes = offset_minutes
        self.rng = random.Random(seed)
        self.log = Log(pid=4100 + seed % 100)
        self.n = 0

    def local(self, t):
        return t + self.off

    def traffic(self, start_utc, end_utc, per_min=2.0):
        background(self.log, self.local(start_utc), self.local(end_utc), self.rng, per_min=per_min)

    def burst(self, start_utc, end_utc, per_min, ms, paths=None):
        """Slow requests during a cause (times are completion times)."""
        t = start_utc + S(seconds=self.rng.uniform(5, 40))
        paths = paths or [
            "/api/Spaces-1/dashboard?highestLatestVersionPerProjectAndEnvironment=true",
            "/api/Spaces-1/projects/Projects-{p}/releases?skip=0&take=30",
            "/api/tasks?skip=0&take=10&spaces=Spaces-1",
        ]
        while t < end_utc:
            path = self.rng.choice(paths).format(p=self.rng.randint(1, 40))
            request(self.log, self.local(t), self.rng.randint(*ms), "GET", path, self.rng)
            t += S(seconds=self.rng.expovariate(per_min / 60.0))

    def task(self, description, start_utc, minutes, steps=("Step 1: Deploy",), targets=("web01",), kind_line=True,
             suffix=None, node="OCTO-NODE1", parts=1, root=None):
        self.n += 1
        task_id = f"ServerTasks-{3000 + self.n}"
        suffix = suffix or "".join(self.rng.choice("abcdefghjkmnpqrstuvwxyz23456789") for _ in range(10))
        # Real tasks never take exactly the same time: jitter keeps each run distinct.
        root = root or simple_task(description, start_utc, minutes + self.rng.uniform(-0.3, 0.3), steps, targets)
        disk_task(os.path.join(self.dir, "TaskLogs"), task_id, suffix, root, parts=parts)
        if kind_line:
            ms = int((root.end - root.start).total_seconds() * 1000)
            self.log.add(self.local(root.end) + S(milliseconds=40), "INFO", f"Executing task \"{description}\" \"completed\" after {ms}ms.")
        return task_id, root

    def write_log(self, node="OCTO-NODE1", name="OctopusServer.txt"):
        os.makedirs(os.path.join(self.dir, node, "Logs"), exist_ok=True)
        self.log.write(os.path.join(self.dir, node, "Logs", name))


def retention():
    s = Scenario("retention", 600, 11)
    t0, t1 = DAY + S(hours=-1), DAY + S(hours=3)  # 09:00-13:00 local
    start_up(s.log, s.local(t0 - S(minutes=2)), "2025.3.10412", "OCTO-NODE1")
    s.traffic(t0, t1)
    r0 = DAY + S(minutes=30, seconds=1, milliseconds=200)
    root = Node("Apply retention policies", r0, r0 + S(minutes=22, seconds=14), [
        Node(f"Apply policy for Default Lifecycle to Project{p} Default", r0 + S(seconds=20 + p * 180), r0 + S(seconds=190 + p * 180),
             lines=[(r0 + S(seconds=30 + p * 180 + k), "Info", f"Default Lifecycle/[Default] - Release 1.{p}.{k} is in phase Production, with a policy of Last 3 items; it will be deleted. Reason: Undeployed, but 3 of 3 have been kept") for k in range(4)]
             + [(r0 + S(seconds=40 + p * 180 + k), "Verbose", f"Delete release 1.{p}.{k}") for k in range(4)], planned=False)
        for p in range(7)])
    s.task("Apply retention policies", r0, 0, root=root)
    txn = f"ApplyRetentionPoliciesTaskController|ServerTasks-{3000 + s.n}-{guid(s.rng)}|T88"
    t = r0 + S(seconds=10)
    while t < root.end:
        sql(s.log, s.local(t), s.rng.randint(900, 4800), "Execute non query", txn, "DELETE FROM dbo.[Release] WHERE [Id] = @id")
        t += S(seconds=s.rng.randint(25, 70))
    s.burst(r0, root.end, 2.0, (4000, 9500))
    for i, h in enumerate((-0.6, 1.4, 2.2)):
        start = DAY + S(hours=h)
        tid, root_d = s.task("Deploy Acme.Web release 1.4.%d to Production" % i, start, 6, steps=("Acquire packages", "Step 1: Deploy Acme.Web"), targets=("web01", "web02"))
        if i == 1:
            raw_task(os.path.join(s.dir, f"{tid}.log.txt"), tid, root_d, start - S(seconds=20), 600)
    s.write_log()


def project():
    s = Scenario("project", 0, 12)
    t0, t1 = DAY + S(hours=9), DAY + S(hours=15)
    s.traffic(t0, t1)
    for i, (h, m) in enumerate(((9, 10), (10, 40), (12, 5), (13, 30))):
        start = DAY + S(hours=h, minutes=m)
        s.task(f"Deploy Acme.Reporting release 3.2.{i} to Production", start, 10, steps=("Step 1: Rebuild reporting cache", "Step 2: Deploy"), targets=("rpt01",))
        s.burst(start + S(minutes=1), start + S(minutes=10), 1.6, (3000, 8000), paths=["/api/Spaces-1/dashboard?highestLatestVersionPerProjectAndEnvironment=true", "/api/Spaces-1/reporting/deployments-counted-by-week?projectIds=Projects-7"])
    for i, (h, m) in enumerate(((9, 40), (11, 10), (12, 40), (14, 10))):
        s.task(f"Deploy Acme.Web release 1.5.{i} to Production", DAY + S(hours=h, minutes=m), 8, targets=("web01", "web02"))
    s.write_log()


def task_queue():
    s = Scenario("task-queue", -300, 13)
    t0, t1 = DAY + S(hours=18), DAY + S(hours=21)  # 13:00-16:00 local
    s.traffic(t0, t1)
    burst = DAY + S(hours=19, minutes=0, seconds=5)
    cap, run = 5, S(minutes=7)
    slots = [burst] * cap
    names = ["Acme.Web", "Acme.Api", "Acme.Worker", "Acme.Reporting", "Acme.Auth", "Acme.Billing"]
    for i in range(12):
        queued = burst + S(seconds=i * 4)
        slots.sort()
        start = max(slots[0], queued) + S(seconds=2)
        slots[0] = start + run
        project = names[i % len(names)]
        desc = f"Deploy {project} release 2.{i}.0 to Production"
        tid, root = s.task(desc, start, 7, targets=(f"{project.split('.')[1].lower()}01",))
        raw_task(os.path.join(s.dir, f"{tid}.log.txt"), tid, root, queued, -300)
    s.burst(burst + S(minutes=2), burst + S(minutes=24), 0.5, (1200, 2500))
    s.write_log()


def sql_pool():
    s = Scenario("sql-pool", 60, 14)
    t0, t1 = DAY + S(hours=7), DAY + S(hours=11)  # 08:00-12:00 local
    s.traffic(t0, t1)
    s.task("Apply retention policies", DAY + S(hours=7, minutes=30), 14, steps=("Apply policy for Default Lifecycle to Acme.Web Default",), targets=())
    p0, p1 = DAY + S(hours=9, minutes=15), DAY + S(hours=9, minutes=35)
    t, active = p0, 78
    while t < p1:
        active = min(100, active + s.rng.randint(0, 3))
        s.log.add(s.local(t), "INFO", f"{active} transactions active")
        t += S(seconds=s.rng.randint(20, 45))
    s.log.add(s.local(p0 + S(minutes=9)), "ERROR", "There are a high number of transactions active. The below information may help the Octopus team diagnose the problem:", cont=[
        "Now: " + s.local(p0 + S(minutes=9)).strftime("%Y-%m-%dT%H:%M:%S"), "",
        f"Transaction 'DashboardFactory|{guid(s.rng)}|T41' Open with 3 commands started at {s.local(p0).strftime('%Y-%m-%dT%H:%M:%S')} (540.20 seconds ago)",
        f"Transaction 'OctopusPrincipalLoader' Open with 1 commands started at {s.local(p0 + S(minutes=2)).strftime('%Y-%m-%dT%H:%M:%S')} (420.05 seconds ago)",
    ])
    for k in range(6):
        at = p0 + S(minutes=5 + k * 2, seconds=s.rng.randint(0, 50))
        s.log.add(s.local(at), "ERROR", "Unhandled exception from web server: Timeout expired.  The timeout period elapsed prior to obtaining a connection from the pool.  This may have occurred because all pooled connections were in use and max pool size was reached.",
                  cont=["System.InvalidOperationException: Timeout expired.  The timeout period elapsed prior to obtaining a connection from the pool.  This may have occurred because all pooled connections were in use and max pool size was reached.",
                        "   at Microsoft.Data.SqlClient.ConnectionPool.GetConnection(DbConnection owningObject)"])
    for k in range(8):
        at = p0 + S(minutes=2 + k * 2, seconds=s.rng.randint(0, 50))
        sql(s.log, s.local(at), s.rng.randint(2500, 15000), "Execute reader", f"DashboardFactory|{guid(s.rng)}|T{k + 40}", "SELECT * FROM dbo.[Dashboard]")
    s.burst(p0, p1, 3.0, (5000, 30000))
    s.write_log()


def crash_restart():
    s = Scenario("crash-restart", 120, 15)
    t0, t1 = DAY + S(hours=4), DAY + S(hours=8)  # 06:00-10:00 local
    crash, back = DAY + S(hours=6, minutes=5), DAY + S(hours=6, minutes=35)
    start_up(s.log, s.local(t0 - S(minutes=3)), "2025.3.10412", "OCTO-NODE1")
    s.traffic(t0, crash, per_min=3.0)
    s.traffic(back + S(minutes=2), t1, per_min=3.0)
    # Every minute a scheduled job line: the log's usual rhythm.
    t = t0
    while t < t1:
        if not (crash <= t < back):
            s.log.add(s.local(t) + S(seconds=7), "INFO", "Processed 0 subscriptions for 12 events")
        t += S(minutes=1)
    s.burst(crash - S(minutes=15), crash, 3.0, (6000, 30000))
    for k in range(5):
        s.log.add(s.local(crash - S(minutes=4 - k, seconds=20)), "ERROR", "Unhandled exception from web server: The semaphore timeout period has expired",
                  cont=["System.Net.HttpListenerException (0x80004005): The semaphore timeout period has expired"])
    restarted = Log(pid=7312)
    start_up(restarted, s.local(back), "2025.3.10412", "OCTO-NODE1")
    s.log.entries.extend(restarted.entries)
    for h in range(4):
        s.task("Check target health for Default Machine Policy", t0 + S(hours=h, minutes=40), 2, steps=("Check web01", "Check web02"), targets=())
    s.write_log()


def network():
    s = Scenario("network", 60, 16)
    t0, t1 = DAY + S(hours=8), DAY + S(hours=10)  # 09:00-11:00 local
    s.traffic(t0, t1, per_min=1.0)
    h0 = DAY + S(hours=9, minutes=20)
    entries = []
    t = h0
    for i in range(30):
        t += S(seconds=s.rng.uniform(4, 12))
        url = "https://octopus.acme.local" + s.rng.choice([
            "/api/Spaces-1/dashboard?highestLatestVersionPerProjectAndEnvironment=true",
            "/api/Spaces-1/projects/Projects-%d/releases?skip=0&take=30" % s.rng.randint(1, 9),
            "/api/tasks?skip=0&take=10&spaces=Spaces-1",
        ])
        if i % 2 == 0:
            blocked, wait, receive = s.rng.uniform(900, 2500), s.rng.uniform(1100, 1500), s.rng.uniform(1500, 4000)
            e = har.entry(t, "GET", url, 200, blocked, wait, receive, connect=s.rng.uniform(200, 600), dns=40, ssl=150)
            server_ms = int(wait - s.rng.uniform(40, 90))
            done = t + S(milliseconds=blocked + 40 + 0.2 + wait - 30)
            request(s.log, s.local(done), server_ms, "GET", url.replace("https://octopus.acme.local", ""), s.rng)
        elif i % 4 == 1:
            e = har.entry(t, "GET", url, 200, s.rng.uniform(800, 2000), s.rng.uniform(150, 400), s.rng.uniform(900, 2500))
        else:
            e = har.entry(t, "GET", url, 200, 2.0, s.rng.uniform(40, 120), s.rng.uniform(5, 20))
        entries.append(e)
    har.write(os.path.join(s.dir, "dashboard-slow.har"), "Octopus Deploy", h0, entries)
    s.write_log()


def health_check():
    s = Scenario("health-check", 330, 17)
    t0, t1 = DAY + S(minutes=30), DAY + S(hours=6, minutes=30)  # 06:00-12:00 local
    s.traffic(t0, t1)
    t = t0 + S(minutes=10)
    while t < t1 - S(minutes=6):
        took = S(minutes=5, seconds=s.rng.randint(-40, 40))
        root = Node("Check target health for Default Machine Policy", t, t + took, [
            Node(f"Check {m}", t + S(seconds=5), t + S(minutes=4, seconds=50), planned=False,
                 lines=[(t + S(seconds=6), "Info", f"Performing health check on {m}")]) for m in ("web01", "web02", "web03", "db01")])
        s.task("Check target health for Default Machine Policy", t, 5, root=root)
        s.burst(t + S(seconds=20), t + took, 1.5, (2000, 6000))
        t += S(minutes=30)
    s.write_log()


def quiet_day():
    s = Scenario("quiet-day", -480, 18)
    t0, t1 = DAY + S(hours=16), DAY + S(hours=25)  # 08:00-17:00 local
    s.traffic(t0, t1, per_min=2.0)
    s.task("Apply retention policies", DAY + S(hours=20), 12, steps=("Apply policy for Default Lifecycle to Acme.Web Default",), targets=())
    for i, h in enumerate((17, 18.5, 19.2, 21, 22.4, 23.6)):
        project = ("Acme.Web", "Acme.Api")[i % 2]
        s.task(f"Deploy {project} release 1.{i}.0 to Production", DAY + S(hours=h), 6, targets=("web01",))
    for h in range(16, 25):
        s.task("Check target health for Default Machine Policy", DAY + S(hours=h, minutes=45), 2, targets=())
    s.write_log()


def main():
    os.makedirs(ROOT, exist_ok=True)
    for f in (retention, project, task_queue, sql_pool, crash_restart, network, health_check, quiet_day):
        f()


if __name__ == "__main__":
    main()
