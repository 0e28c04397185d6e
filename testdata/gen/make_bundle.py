"""Writes the server logs of testdata/bundle (see testdata/README.md for the story).

Run from the repository root: python3 testdata/gen/make_bundle.py
"""
import datetime as dt
import os
import random
import sys

sys.path.insert(0, os.path.dirname(__file__))
from serverlog import Log, background, corr, guid, request, sql, start_up  # noqa: E402

ROOT = os.path.join(os.path.dirname(__file__), "..", "bundle")
D = dt.datetime
S = dt.timedelta


def node1_today(rng):
    log = Log(pid=5120)
    start = D(2026, 11, 3, 13, 30, 0)
    log.add(start, "INFO", "Request took 1180ms: GET https://octopus.acme.local/api/Spaces-1/dashboard?highestLatestVersionPerProjectAndEnvironment=true " + corr(rng))
    background(log, start, D(2026, 11, 3, 14, 40), rng, per_min=2.0)
    retention_start = D(2026, 11, 3, 14, 0, 0, 512000)
    retention_end = D(2026, 11, 3, 14, 24, 10, 250000)
    txn = f"ApplyRetentionPoliciesTaskController|ServerTasks-2301-{guid(rng)}|T110"
    t = retention_start + S(seconds=3)
    n = 0
    while t < retention_end:
        n += 1
        ms = rng.randint(1800, 6400)
        sql(log, t, ms, "Execute non query", txn, "DELETE FROM dbo.[Release] WHERE [Id] = @id")
        if n % 3 == 0:
            log.add(t + S(milliseconds=200), "INFO", f"{rng.randint(82, 96)} transactions active")
        t += S(seconds=rng.randint(20, 50))
    # Slow requests during the retention run.
    t = retention_start + S(seconds=20)
    while t < retention_end:
        if rng.random() < 0.6:
            request(log, t, rng.randint(7800, 9600), "GET", "/api/Spaces-1/dashboard?highestLatestVersionPerProjectAndEnvironment=true", rng)
        else:
            request(log, t, rng.randint(3500, 5200), "GET", f"/api/Spaces-1/projects/Projects-{rng.randint(1, 40)}/releases?skip=0&take=30", rng)
        t += S(seconds=rng.randint(15, 35))
    log.add(D(2026, 11, 3, 14, 11, 42, 300000), "ERROR",
            "Error while executing SQL command in transaction '" + txn + "': Transaction (Process ID 109) was deadlocked on lock resources with another process and has been chosen as the deadlock victim. Rerun the transaction.",
            cont=["The command being executed was:", "DELETE FROM dbo.[Release] WHERE [Id] = @id"])
    log.add(D(2026, 11, 3, 14, 16, 5, 10000), "ERROR", "There are a high number of transactions active. The below information may help the Octopus team diagnose the problem:", cont=[
        "Now: 2026-11-03T14:16:05", "",
        f"Transaction '{txn}' Open with 412 commands started at 2026-11-03T14:00:01 (964.01 seconds ago)",
        "2026-11-03T14:16:04 DELETE FROM dbo.[Release] WHERE [Id] = @id", "",
        "Transaction 'DashboardFactory|" + guid(rng) + "|T12' Open with 3 commands started at 2026-11-03T14:15:58 (7.20 seconds ago)",
    ])
    log.add(D(2026, 11, 3, 14, 30, 12, 0), "WARN", "Ignoring incompatible step package \"kustomize 1.0.12\": \"kustomize step package is deprecated\"")
    log.write(os.path.join(ROOT, "OCTO-NODE1", "Logs", "OctopusServer.txt"))


def node1_yesterday(rng):
    log = Log(pid=5120)
    start_up(log, D(2026, 11, 2, 8, 58, 1), "2025.3.10412", "OCTO-NODE1", processors=8)
    background(log, D(2026, 11, 2, 9, 0), D(2026, 11, 2, 17, 0), rng, per_min=0.8)
    log.write(os.path.join(ROOT, "OCTO-NODE1", "Logs", "OctopusServer.0.txt.gz"), gz=True)


def node2_today(rng):
    # This node's NLog layout was customised without the process id (3.x style).
    log = Log(layout="nopid")
    background(log, D(2026, 11, 3, 13, 45), D(2026, 11, 3, 14, 30), rng, per_min=1.0)
    log.add(D(2026, 11, 3, 13, 51, 40, 300000), "INFO", "Executing task \"Check target health for Default Machine Policy\" \"completed\" after 98115ms.")
    log.add(D(2026, 11, 3, 14, 9, 55, 40000), "ERROR", "Executing task \"Deploy Acme.Api release 2.0.7 to Production\" \"failed\" after 222610ms.")
    log.add(D(2026, 11, 3, 14, 9, 0, 0), "INFO", "https://web03.acme.local:10933/  88  Opening a new connection to https://web03.acme.local:10933/")
    log.add(D(2026, 11, 3, 14, 9, 31, 0), "ERROR", "https://web03.acme.local:10933/  88  No connection could be made because the target machine actively refused it https://web03.acme.local:10933/")
    log.write(os.path.join(ROOT, "OCTO-NODE2", "Logs", "OctopusServer.txt"), crlf=True)


def main():
    for node in ("OCTO-NODE1", "OCTO-NODE2"):
        os.makedirs(os.path.join(ROOT, node, "Logs"), exist_ok=True)
    node1_today(random.Random(2301))
    node1_yesterday(random.Random(2300))
    node2_today(random.Random(2302))


if __name__ == "__main__":
    main()
