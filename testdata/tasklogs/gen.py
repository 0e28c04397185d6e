"""Writes the task logs of testdata/tasklogs/ and testdata/bundle/{TaskLogs,raw}/.

Run from the repository root: python3 testdata/tasklogs/gen.py
Every time below is written out explicitly: the Rust tests assert these values.
See testdata/tasklogs/README.md for what each file exercises.
"""
import datetime as dt
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
from tasklog import Task, at, plus  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
BUNDLE = os.path.join(HERE, "..", "bundle")
D20 = dt.date(2026, 10, 20)
D21 = dt.date(2026, 10, 21)
N3 = dt.date(2026, 11, 3)


def out(*parts):
    path = os.path.join(*parts)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    return path


# ---------------------------------------------------------------- testdata/tasklogs


def failed_deployment():
    """ServerTasks-1204: FAT in step 2, step 3 abandoned, every category code."""
    t = Task("ServerTasks-1204", "q7w8e9r0t1", "Deploy Contoso.Payments release 3.2.0 to Staging")
    r = t.tree
    r.start(at(D20, 1, 0, 0, 250))
    r.vbs(at(D20, 1, 0, 0, 300), "Guided failure is not enabled for this task")
    ap = r.child("Acquire packages").pln(at(D20, 1, 0, 0, 310))
    s1 = r.child("Step 1: Deploy Contoso.Payments").pln(at(D20, 1, 0, 0, 320))
    s2 = r.child("Step 2: Run database migrations").pln(at(D20, 1, 0, 0, 330))
    s3 = r.child("Step 3: Smoke test").pln(at(D20, 1, 0, 0, 340))
    ap.inf(at(D20, 1, 0, 1, 0), "Acquiring packages")
    a1 = ap.child("app01").start(at(D20, 1, 0, 2, 0))
    up = a1.child("Upload package Contoso.Payments version 3.2.0").start(at(D20, 1, 0, 2, 100))
    for i, pct in enumerate((20, 40, 60, 80, 100)):
        up.ev(at(D20, 1, 0, 3 + i, 0), "UPD", "Uploading package Contoso.Payments 3.2.0", progress=pct)
    up.vbs(at(D20, 1, 0, 8, 0), "Package uploaded").fin(at(D20, 1, 0, 8, 100))
    a1.fin(at(D20, 1, 0, 8, 200))
    ap.inf(at(D20, 1, 0, 9, 0), "All packages have been acquired").fin(at(D20, 1, 0, 9, 50))
    s1.inf(at(D20, 1, 0, 10, 0), "Deploying Contoso.Payments 3.2.0")
    t1 = s1.child("app01").start(at(D20, 1, 0, 10, 500))
    t1.vbs(at(D20, 1, 0, 10, 600), "Octopus Server version: 2025.3.10412")
    t1.inf(at(D20, 1, 0, 11, 0), "Executing script on 'app01'")
    t1.ev(at(D20, 1, 0, 12, 0), "HLT", "Deploying to <IIS site> Payments & Billing")
    t1.ev(at(D20, 1, 0, 30, 0), "WRN", "The IIS application pool 'Payments' took 12 seconds to stop")
    t1.inf(at(D20, 1, 0, 45, 0), "Successfully finished Contoso.Payments on this target").fin(at(D20, 1, 0, 45, 100))
    s1.vbs(at(D20, 1, 0, 45, 500), "Step 1: Deploy Contoso.Payments completed").fin(at(D20, 1, 0, 45, 600))
    s2.inf(at(D20, 1, 0, 46, 0), "Running migrations against PaymentsDb")
    db = s2.child("db01").start(at(D20, 1, 0, 46, 500))
    db.vbs(at(D20, 1, 0, 47, 0), "Calamari version 42.0.1")
    db.ev(at(D20, 1, 1, 30, 0), "ERR",
          "Invoke-Sqlcmd : Timeout expired.  The timeout period elapsed prior to completion of the operation or the server is not responding.\n"
          "At C:\\Octopus\\Work\\20261020010046-1204-15\\Migrate.ps1:14 char:1\n"
          "+ Invoke-Sqlcmd -ServerInstance db01 -InputFile 042_add_index.sql\n"
          "+ ~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~")
    db.ev(at(D20, 1, 1, 30, 500), "FAT", "Script 'Migrate.ps1' failed with exit code 1 <see above>").fin(at(D20, 1, 1, 30, 600))
    s2.ev(at(D20, 1, 1, 30, 700), "FAT", "The step failed: One or more child activities failed.").fin(at(D20, 1, 1, 30, 800))
    s3.inf(at(D20, 1, 1, 31, 0), "Step 3: Smoke test runs only when all previous steps succeeded; skipping").abn(at(D20, 1, 1, 31, 100))
    r.ev(at(D20, 1, 1, 31, 500), "FAT", "The deployment failed because one or more steps failed. Please see the deployment log for details.")
    r.fin(at(D20, 1, 1, 31, 600))
    t.write_disk(out(HERE, "ondisk", t.file + ".txt"))


def retention_task():
    """ServerTasks-1210: 3 policies, 5 releases deleted, 6 kept."""
    t = Task("ServerTasks-1210", "m3n4b5v6c7", "Apply retention policies")
    r = t.tree
    r.start(at(D20, 2, 0, 0, 100))
    rel = r.child("Apply release retention policies", boxed=True).start(at(D20, 2, 0, 0, 200))
    projects = [
        ("Contoso.Web", ["4.9.0", "4.9.1"], ["5.0.0", "5.1.0", "5.1.1"]),
        ("Contoso.Payments", ["3.0.0", "3.0.1", "3.1.0"], ["3.2.0"]),
        ("Contoso.Reports", [], ["1.0.8", "1.0.9"]),
    ]
    clock = at(D20, 2, 0, 1, 0)
    for name, deleted, kept in projects:
        p = rel.child(f"Apply policy for Default Lifecycle to {name} Default", boxed=True).start(clock)
        p.inf(plus(clock, 0.5), f"Default Lifecycle/[Default] - Project name: {name}\nDefault Lifecycle/[Default] - Channel name: Default")
        clock = plus(clock, 1)
        for v in deleted:
            p.inf(clock, f"Default Lifecycle/[Default] - Release {v} is in phase Production, with a policy of Last 3 items; it will be deleted. Reason: Undeployed, but 3 of 3 have been kept")
            p.vbs(plus(clock, 30), f"Delete release {v}")
            clock = plus(clock, 31)
        for v in kept:
            p.inf(clock, f"Default Lifecycle/[Default] - Release {v} is on the dashboard; it will be kept. Reason: Latest release")
            clock = plus(clock, 2)
        p.fin(clock)
        clock = plus(clock, 1)
    rel.fin(at(D20, 2, 3, 29, 900))
    r.fin(at(D20, 2, 3, 30, 0))
    t.write_disk(out(HERE, "ondisk", t.file + ".txt"))


def health_check_en_us():
    """ServerTasks-1220: raw only, en-US dates, server at UTC-5, three targets."""
    t = Task("ServerTasks-1220", "x", "Check target health for Default Machine Policy")
    r = t.tree
    r.start(at(D20, 14, 15, 3))
    r.inf(at(D20, 14, 15, 3), "Checking health of all deployment targets in Production and Staging")
    for i, (m, took) in enumerate((("app01", 4), ("app02", 6), ("db01", 31))):
        n = r.child(m).start(at(D20, 14, 15, 4 + i))
        n.vbs(at(D20, 14, 15, 4 + i), f"Performing health check on {m}")
        n.inf(at(D20, 14, 15, 4 + i + took),
              f"[Tentacle Listening](~/app#/Spaces-1/infrastructure/machines/Machines-{i + 1}/settings) at https://{m}.contoso.local:10933/, running version 8.1.2210")
    r.inf(at(D20, 14, 15, 41), "Health check completed: 3 healthy, 0 unavailable")
    header = [
        ("Task ID", t.id), ("Task status", "Success"),
        ("Task queued", "Tuesday, October 20, 2026 9:15 AM"),
        ("Task started", "Tuesday, October 20, 2026 9:15 AM"),
        ("Task completed", "Tuesday, October 20, 2026 9:15 AM"),
        ("Task duration", "38 seconds"), ("Server version", "2025.3.10412"), ("Server node", "CONTOSO-OCT1"),
    ]
    t.write_raw(out(HERE, "raw", "ServerTasks-1220.log.txt"), header, -5, crlf=True)


def queued_for_days():
    """ServerTasks-1231: en-AU, queued Friday evening, ran on Sunday; a Tentacle mutex wait."""
    t = Task("ServerTasks-1231", "x", "Deploy Contoso.Web release 5.1.1 to Production")
    r = t.tree
    day = dt.date(2026, 10, 25)
    r.start(at(day, 13, 51, 5))
    r.vbs(at(day, 13, 51, 5), "Guided failure is not enabled for this task")
    r.inf(at(day, 13, 57, 38), "The deployment completed successfully.")
    s1 = r.child("Step 1: Deploy Contoso.Web").start(at(day, 13, 51, 6))
    w = s1.child("web01").start(at(day, 13, 51, 6))
    w.vbs(at(day, 13, 51, 6), "Octopus Server version: 3.3.16")
    w.vbs(at(day, 13, 51, 7), "Environment Information:\n  OperatingSystem: Microsoft Windows NT 10.0.20348.0\n  OsBitVersion: x64\n  Success: True")
    w.inf(at(day, 13, 51, 20), "This Tentacle is currently busy performing a task that cannot be run in conjunction with any other task. Please wait...")
    w.inf(at(day, 13, 53, 5), "Executing script on 'web01'")
    w.ev(at(day, 13, 53, 6), "HLT", "Deploying Contoso.Web 5.1.1")
    w.inf(at(day, 13, 57, 30), "Successfully finished Contoso.Web on this target")
    s1.vbs(at(day, 13, 57, 31), "Step 1: Deploy Contoso.Web completed")
    header = [
        ("Task ID", t.id), ("Task status", "Success"),
        ("Task queued", "Friday, 23 October 2026 8:16 PM"),
        ("Task started", "Sunday, 25 October 2026 1:51 PM"),
        ("Task duration", "7 minutes"), ("Server version", "3.3.16-ci.1+Branch.master.Sha.477470fd43c6d16974b64f8741787ab248cc3ff9"),
    ]
    t.write_raw(out(HERE, "raw", "ServerTasks-1231.log.txt"), header, 0)


def across_midnight():
    """ServerTasks-1232: en-GB 24 h with seconds; the body crosses midnight."""
    t = Task("ServerTasks-1232", "x", "Deploy Contoso.Reports release 1.0.9 to Production")
    r = t.tree
    r.start(at(D20, 23, 57, 30))
    r.vbs(at(D20, 23, 57, 30), "Guided failure is not enabled for this task")
    r.inf(at(D21, 0, 4, 12), "The deployment completed successfully.")
    s1 = r.child("Step 1: Deploy Contoso.Reports").start(at(D20, 23, 57, 31))
    s1.vbs(at(D21, 0, 2, 10), "Step 1: Deploy Contoso.Reports completed")
    n = s1.child("rpt01").start(at(D20, 23, 57, 32))
    n.inf(at(D20, 23, 57, 32), "Executing script on 'rpt01'")
    n.inf(at(D20, 23, 59, 59), "Rebuilding report cache")
    n.inf(at(D21, 0, 2, 9), "Successfully finished Contoso.Reports on this target")
    ret = r.child("Apply retention policy on Tentacles").start(at(D21, 0, 2, 11))
    ret.inf(at(D21, 0, 2, 11), "Apply retention policies...")
    rr = ret.child("rpt01").start(at(D21, 0, 2, 12))
    rr.vbs(at(D21, 0, 2, 12), "Tentacle retention policy set to keep 3 releases")
    rr.vbs(at(D21, 0, 4, 11), "Apply Tentacle Retention Policy completed")
    header = [
        ("Task ID", t.id), ("Task status", "Success"),
        ("Task queued", "Tuesday, 20 October 2026 23:57:29"),
        ("Task started", "Tuesday, 20 October 2026 23:57:30"),
        ("Task completed", "Wednesday, 21 October 2026 00:04:12"),
        ("Task duration", "6 minutes"), ("Server node", "CONTOSO-OCT1"),
    ]
    t.write_raw(out(HERE, "raw", "ServerTasks-1232.log.txt"), header, 0)


def dutch_failed():
    """ServerTasks-813: the 3.1.1 header of issue #2028 (nl culture, no Server version)."""
    t = Task("ServerTasks-813", "x", "Deploy Controller Service release 3.0.1245 to Dev")
    r = t.tree
    r.raw_status = "Running"
    day = dt.date(2015, 9, 24)
    r.start(at(day, 16, 5, 12))
    r.vbs(at(day, 16, 5, 12), "Guided failure is not enabled for this task")
    s = r.child("Step 1: Deploy Controller Service").start(at(day, 16, 5, 13))
    s.raw_status = "Failed"
    m = s.child("DEV-APP01").start(at(day, 16, 5, 14))
    m.raw_status = "Failed"
    m.inf(at(day, 16, 5, 14), "Deploying package 'Controller.Service.3.0.1245.nupkg' to 'DEV-APP01'")
    m.ev(at(day, 16, 5, 40), "ERR", "Error: The service 'ControllerService' could not be stopped\nwithin the configured time-out of 30 seconds")
    m.ev(at(day, 16, 5, 41), "FAT", "The deployment failed because one or more steps failed. Please see the deployment log for details.")
    header = [
        ("Task ID", t.id), ("Task status", "Failed"),
        ("Task queued", "24 september 2015 16:05"),
        ("Task started", "24 september 2015 16:05"),
        ("Task duration", "29 seconds"),
    ]
    t.write_raw(out(HERE, "raw", "ServerTasks-813.log.txt"), header, 0)


def german_upgrade():
    """ServerTasks-2410: de-DE dates, a Tentacle upgrade."""
    t = Task("ServerTasks-2410", "x", "Upgrade Tentacle on web01, web02")
    r = t.tree
    r.start(at(N3, 14, 5, 7))
    r.inf(at(N3, 14, 5, 7), "Upgrading 2 Tentacles")
    for i, m in enumerate(("web01", "web02")):
        n = r.child(m).start(at(N3, 14, 5, 8 + i))
        n.inf(at(N3, 14, 5, 8 + i), f"Upgrading Tentacle on {m} to 8.1.2210")
        n.inf(at(N3, 14, 6, 40 + i * 12), "Tentacle upgraded")
    header = [
        ("Task ID", t.id), ("Task status", "Success"),
        ("Task queued", "Dienstag, 3. November 2026 14:05"),
        ("Task started", "Dienstag, 3. November 2026 14:05"),
        ("Task completed", "Dienstag, 3. November 2026 14:06"),
        ("Server version", "2025.3.10412"), ("Server node", "OCTO-NODE1"),
    ]
    t.write_raw(out(HERE, "raw", "ServerTasks-2410.log.txt"), header, 0)


def folder_layout():
    """ServerTasks-1240 in the 2025.2+ folder layout: three interleaved parts."""
    t = Task("ServerTasks-1240", "h5j6k7l8m9", "Deploy Contoso.Web release 5.2.0 to Production")
    r = t.tree
    r.start(at(D21, 3, 0, 0, 0))
    r.vbs(at(D21, 3, 0, 0, 50), "Guided failure is not enabled for this task")
    s1 = r.child("Step 1: Deploy Contoso.Web").pln(at(D21, 3, 0, 0, 100))
    s1.inf(at(D21, 3, 0, 10, 0), "Deploying Contoso.Web 5.2.0 to 2 targets")
    w1 = s1.child("web01").start(at(D21, 3, 0, 10, 250))
    w2 = s1.child("web02").start(at(D21, 3, 0, 10, 500))
    w1.inf(at(D21, 3, 0, 11, 0), "Executing script on 'web01'")
    w2.inf(at(D21, 3, 0, 20, 250), "Waiting for the script in task ServerTasks-1239 to finish as that script requires that no other Octopus scripts are executing on this target at the same time.")
    for k in range(6):
        w1.vbs(plus(at(D21, 3, 0, 15), k * 10), f"Copying file {k + 1} of 6")
    w2.inf(at(D21, 3, 0, 50, 250), "Waiting for the script in task ServerTasks-1239 to finish as that script requires that no other Octopus scripts are executing on this target at the same time.")
    w1.inf(at(D21, 3, 1, 20, 0), "Successfully finished Contoso.Web on this target").fin(at(D21, 3, 1, 20, 100))
    w2.inf(at(D21, 3, 1, 32, 750), "Executing script on 'web02'")
    w2.inf(at(D21, 3, 2, 40, 0), "Successfully finished Contoso.Web on this target").fin(at(D21, 3, 2, 40, 100))
    s1.fin(at(D21, 3, 2, 40, 200))
    r.fin(at(D21, 3, 2, 40, 300))
    folder = os.path.join(HERE, "ondisk", t.file)
    os.makedirs(folder, exist_ok=True)
    web = lambda n: n.key.endswith("/web01") or "/web01/" in n.key  # noqa: E731
    web2 = lambda n: n.key.endswith("/web02") or "/web02/" in n.key  # noqa: E731
    t.write_disk(os.path.join(folder, "0f3a9c1d.tl.txt"), only=lambda _t, n: web(n))
    t.write_disk(os.path.join(folder, "7b21e4aa.tl.txt"), only=lambda _t, n: web2(n))
    t.write_disk(os.path.join(folder, "c5d8f2b0.tl.txt"), only=lambda _t, n: not web(n) and not web2(n))
    # The same task as one file: the oracle the stitched folder must equal.
    t.write_disk(out(HERE, "stitch-oracle", t.file + ".txt"))


def both_forms():
    """ServerTasks-1250 on disk and downloaded raw; the server is at UTC+10:30 and the
    raw header carries no offset."""
    t = Task("ServerTasks-1250", "z9y8x7w6v5", "Deploy Contoso.Api release 2.4.0 to Test")
    r = t.tree
    r.start(at(D21, 4, 5, 2, 118))
    r.vbs(at(D21, 4, 5, 2, 200), "Guided failure is not enabled for this task")
    s1 = r.child("Step 1: Deploy Contoso.Api").pln(at(D21, 4, 5, 2, 300))
    s2 = r.child("Step 2: Warm up").pln(at(D21, 4, 5, 2, 310))
    s1.inf(at(D21, 4, 5, 3, 0), "Deploying Contoso.Api 2.4.0")
    a = s1.child("api01").start(at(D21, 4, 5, 3, 400))
    a.inf(at(D21, 4, 5, 4, 0), "Executing script on 'api01'")
    a.inf(at(D21, 4, 6, 10, 0), "Successfully finished Contoso.Api on this target").fin(at(D21, 4, 6, 10, 50))
    s1.fin(at(D21, 4, 6, 10, 100))
    s2.inf(at(D21, 4, 6, 11, 0), "Requesting https://api.contoso.local/health")
    s2.inf(at(D21, 4, 6, 42, 654), "Warm-up finished").fin(at(D21, 4, 6, 42, 700))
    r.inf(at(D21, 4, 6, 43, 0), "The deployment completed successfully.")
    r.fin(at(D21, 4, 6, 43, 321))
    t.write_disk(out(HERE, "ondisk", t.file + ".txt"))
    header = [
        ("Task ID", t.id), ("Related IDs", "Deployments-911, Projects-12, Releases-3004, Environments-2, Spaces-1"),
        ("Task status", "Success"),
        ("Task queued", "Wednesday, 21 October 2026 2:34 PM"),
        ("Task started", "Wednesday, 21 October 2026 2:35 PM"),
        ("Task completed", "Wednesday, 21 October 2026 2:36 PM"),
        ("Task duration", "1 minute"), ("Server version", "2025.3.10412"), ("Server node", "CONTOSO-OCT2"),
    ]
    t.write_raw(out(HERE, "raw", "ServerTasks-1250.log.txt"), header, 10.5)


def malformed():
    """ServerTasks-1260: good lines around a non-array line, a bad escape, an impossible
    date, a blank line and a truncated last line (a live file)."""
    root = "ServerTasks-1260_B1N2M3K4J5"
    step = root + "/5d41402abc4b2a76b9719d911017c592"
    lines = [
        f'["{root}","INF","2026-10-21T05:00:00.0000000+00:00","Send Telemetry","",0]',
        f'["{root}","VBS","2026-10-21T05:00:00.5000000+00:00","Collecting usage","",0]',
        '{"Message":"not an array"}',
        "",
        f'["{step}","INF","2026-10-21T05:00:01.0000000+00:00","Upload","",0]',
        f'["{root}","INF","2026-10-21T05:00:03.0000000+00:00","bad \\x escape","",0]',
        f'["{step}","FIN","2026-10-21T05:00:04.2500000+00:00","Finished","",0]',
        f'["{root}","VBS","2026-13-45T05:00:03.0000000+00:00","impossible date","",0]',
        f'["{root}","INF","2026-10-21T05:0',
    ]
    with open(out(HERE, "malformed", "servertasks-1260_b1n2m3k4j5.txt"), "w", newline="\n") as f:
        f.write("\n".join(lines))


def scheduled_job():
    lines = []
    for i in range(5):
        t = plus(at(D21, 6, 0, 0), i * 30)
        msg = ["Auto-deploy triggered", "Checking 4 triggers", "No deployments required", "Auto-deploy complete", "Sleeping"][i]
        lines.append(f'["ScheduledTasks_AutoDeploy","INF","{t:%Y-%m-%dT%H:%M:%S}.0000000+00:00","{msg}","",0]')
    with open(out(HERE, "ondisk", "scheduledtasks_autodeploy.txt"), "w", newline="\n") as f:
        f.write("\n".join(lines) + "\n")


# ---------------------------------------------------------------- testdata/bundle
# Octopus Server 2025.3, HA nodes OCTO-NODE1 and OCTO-NODE2, server clock UTC+10:00,
# 2026-11-03 local. Times below are UTC (local minus 10 h).


def bundle_health():
    """ServerTasks-2300 on OCTO-NODE2, 13:50:02-13:51:40 local, raw only, en-AU without offset."""
    t = Task("ServerTasks-2300", "x", "Check target health for Default Machine Policy")
    r = t.tree
    r.start(at(N3, 3, 50, 2))
    r.inf(at(N3, 3, 50, 2), "Checking health of 3 deployment targets in Production")
    for i, (m, end) in enumerate((("web01", (3, 50, 9)), ("web02", (3, 50, 11)), ("web03", (3, 51, 38)))):
        n = r.child(m).start(at(N3, 3, 50, 3 + i))
        n.vbs(at(N3, 3, 50, 3 + i), f"Performing health check on {m}")
        if m == "web03":
            n.raw_status = "SuccessWithWarning"
            n.ev(at(N3, *end), "WRN", "web03 took 93 seconds to respond to the health check")
        n.inf(at(N3, *end), f"[Tentacle Listening](~/app#/Spaces-1/infrastructure/machines/Machines-{21 + i}/settings) at https://{m}.acme.local:10933/, running version 8.1.2210")
    r.inf(at(N3, 3, 51, 40), "Health check completed: 3 healthy, 0 unavailable")
    header = [
        ("Task ID", t.id), ("Related IDs", "Spaces-1"), ("Task status", "Success"),
        ("Task queued", "Tuesday, 3 November 2026 1:50 PM"),
        ("Task started", "Tuesday, 3 November 2026 1:50 PM"),
        ("Task completed", "Tuesday, 3 November 2026 1:51 PM"),
        ("Task duration", "1 minute"), ("Server version", "2025.3.10412"), ("Server node", "OCTO-NODE2"),
    ]
    t.write_raw(out(BUNDLE, "raw", "ServerTasks-2300.log.txt"), header, 10, crlf=True)


BUNDLE_PROJECTS = [
    # project, releases deleted, releases kept
    ("Acme.Web", 8, 3), ("Acme.Api", 7, 3), ("Acme.Worker", 6, 3),
    ("Acme.Reports", 5, 3), ("Acme.Identity", 6, 3), ("Acme.Docs", 5, 3),
]


def bundle_retention():
    """ServerTasks-2301 on OCTO-NODE1, 04:00:00.512Z-04:24:10.250Z, 37 releases deleted in
    6 projects, in the folder layout with two parts (split at 04:12:00Z)."""
    t = Task("ServerTasks-2301", "k3m9q2x7ab", "Apply retention policies")
    r = t.tree
    r.start(at(N3, 4, 0, 0, 512))
    rel = r.child("Apply release retention policies", boxed=True).start(at(N3, 4, 0, 1, 0))
    clock = at(N3, 4, 0, 3, 0)
    for pi, (name, deleted, kept) in enumerate(BUNDLE_PROJECTS):
        p = rel.child(f"Apply policy for Default Lifecycle to {name} Default", boxed=True).start(clock)
        p.inf(plus(clock, 0.2), f"Default Lifecycle/[Default] - Project name: {name}\nDefault Lifecycle/[Default] - Channel name: Default")
        clock = plus(clock, 1)
        major = pi + 1
        for k in range(deleted):
            v = f"{major}.{k}.0"
            p.inf(clock, f"Default Lifecycle/[Default] - Release {v} is in phase Production, with a policy of Last 3 items; it will be deleted. Reason: Undeployed, but 3 of 3 have been kept")
            p.vbs(plus(clock, 0.1), f"Delete release {v}")
            if name == "Acme.Worker" and k == 4:
                # The deadlock the server log shows at 14:11:42.3 local.
                p.ev(at(N3, 4, 11, 42, 400), "WRN",
                     "Transaction (Process ID 109) was deadlocked on lock resources with another process and has been chosen as the deadlock victim. Rerun the transaction. Retrying the deletion of release 3.4.0")
            clock = plus(clock, 36)
        for k in range(kept):
            v = f"{major}.{deleted + k}.0"
            p.inf(clock, f"Default Lifecycle/[Default] - Release {v} is on the dashboard; it will be kept. Reason: Latest release")
            clock = plus(clock, 1)
        p.fin(clock)
        clock = plus(clock, 2)
    rel.inf(at(N3, 4, 24, 9, 900), "Deleted 37 releases across 6 projects").fin(at(N3, 4, 24, 10, 0))
    r.fin(at(N3, 4, 24, 10, 250))
    folder = os.path.join(BUNDLE, "TaskLogs", t.file)
    os.makedirs(folder, exist_ok=True)
    split = at(N3, 4, 12, 0)
    # Named so that the later part sorts first: stitching must go by time, not by name.
    t.write_disk(os.path.join(folder, "1c7e5b0d.tl.txt"), only=lambda tm, _n: tm >= split)
    t.write_disk(os.path.join(folder, "9a4f2e61.tl.txt"), only=lambda tm, _n: tm < split)
    return clock


def bundle_deploy_web():
    """ServerTasks-2302 on OCTO-NODE1: both forms; web02 waits 95 s on the Tentacle mutex."""
    t = Task("ServerTasks-2302", "p8d2n4v6tr", "Deploy Acme.Web release 1.4.2 to Production")
    r = t.tree
    r.start(at(N3, 4, 5, 2, 118))
    r.vbs(at(N3, 4, 5, 2, 200), "Guided failure is not enabled for this task")
    ap = r.child("Acquire packages").pln(at(N3, 4, 5, 2, 300))
    s1 = r.child("Step 1: Deploy Acme.Web").pln(at(N3, 4, 5, 2, 310))
    ap.inf(at(N3, 4, 5, 2, 600), "Acquiring packages")
    for i, m in enumerate(("web01", "web02")):
        n = ap.child(m).start(at(N3, 4, 5, 3, 100 + i * 100))
        up = n.child("Upload package Acme.Web version 1.4.2").start(at(N3, 4, 5, 3, 300 + i * 100))
        for k in range(4):
            up.ev(at(N3, 4, 5, 5 + k * 8, i * 100), "UPD", "Uploading package Acme.Web 1.4.2", progress=25 * (k + 1))
        up.vbs(at(N3, 4, 5, 38, i * 500), "Package uploaded").fin(at(N3, 4, 5, 38, 100 + i * 500))
        n.fin(at(N3, 4, 5, 38, 200 + i * 500))
    ap.inf(at(N3, 4, 5, 40, 200), "All packages have been acquired").fin(at(N3, 4, 5, 40, 300))
    s1.inf(at(N3, 4, 5, 41, 900), "Deploying Acme.Web 1.4.2 to 2 targets")
    w1 = s1.child("web01").start(at(N3, 4, 5, 42, 0))
    w1.inf(at(N3, 4, 5, 42, 500), "Executing script on 'web01'")
    w1.inf(at(N3, 4, 8, 10, 0), "Successfully finished Acme.Web on this target").fin(at(N3, 4, 8, 10, 100))
    w2 = s1.child("web02").start(at(N3, 4, 5, 42, 800))
    w2.inf(at(N3, 4, 5, 43, 0), "Waiting for the script in task ServerTasks-2299 to finish as that script requires that no other Octopus scripts are executing on this target at the same time.")
    w2.inf(at(N3, 4, 7, 18, 0), "Executing script on 'web02'")
    w2.inf(at(N3, 4, 11, 30, 0), "Successfully finished Acme.Web on this target").fin(at(N3, 4, 11, 30, 100))
    s1.vbs(at(N3, 4, 11, 30, 900), "Step 1: Deploy Acme.Web completed").fin(at(N3, 4, 11, 31, 0))
    ret = r.child("Apply retention policy on Tentacles").pln(at(N3, 4, 11, 31, 200))
    ret.inf(at(N3, 4, 11, 31, 500), "Apply retention policies...")
    for i, m in enumerate(("web01", "web02")):
        n = ret.child(m).start(at(N3, 4, 11, 32, i * 500))
        n.vbs(at(N3, 4, 11, 32, 100 + i * 500), "Tentacle retention policy set to keep 3 releases")
        n.vbs(at(N3, 4, 12, 40 + i * 6, 0), "Apply Tentacle Retention Policy completed").fin(at(N3, 4, 12, 40 + i * 6, 100))
    ret.fin(at(N3, 4, 12, 47, 0))
    r.inf(at(N3, 4, 12, 47, 500), "The deployment completed successfully.")
    r.fin(at(N3, 4, 12, 47, 904))
    t.write_disk(out(BUNDLE, "TaskLogs", t.file + ".txt"))
    header = [
        ("Task ID", t.id),
        ("Related IDs", "Deployments-2188, Projects-3, Releases-1544, Environments-4, Spaces-1"),
        ("Task status", "Success"),
        ("Task queued", "Tuesday, 3 November 2026 2:04:31 PM +10:00"),
        ("Task started", "Tuesday, 3 November 2026 2:05:02 PM +10:00"),
        ("Task completed", "Tuesday, 3 November 2026 2:12:47 PM +10:00"),
        ("Task duration", "7 minutes"), ("Server version", "2025.3.10412"), ("Server node", "OCTO-NODE1"),
    ]
    t.write_raw(out(BUNDLE, "raw", "ServerTasks-2302.log.txt"), header, 10, crlf=True)


def bundle_deploy_api():
    """ServerTasks-2303 on OCTO-NODE2, on-disk only: web03 refuses connections (the
    server log shows it at 14:09:31 local), step 2 fails, step 3 is abandoned."""
    t = Task("ServerTasks-2303", "z1x2c3v4b5", "Deploy Acme.Api release 2.0.7 to Production")
    r = t.tree
    r.start(at(N3, 4, 6, 12, 400))
    r.vbs(at(N3, 4, 6, 12, 450), "Guided failure is not enabled for this task")
    ap = r.child("Acquire packages").pln(at(N3, 4, 6, 12, 500))
    s1 = r.child("Step 1: Deploy Acme.Api").pln(at(N3, 4, 6, 12, 510))
    s2 = r.child("Step 2: Migrate database").pln(at(N3, 4, 6, 12, 520))
    s3 = r.child("Step 3: Smoke test").pln(at(N3, 4, 6, 12, 530))
    ap.inf(at(N3, 4, 6, 13, 0), "Acquiring packages")
    ap.inf(at(N3, 4, 6, 21, 0), "All packages have been acquired").fin(at(N3, 4, 6, 21, 100))
    s1.inf(at(N3, 4, 6, 22, 0), "Deploying Acme.Api 2.0.7")
    a = s1.child("web01").start(at(N3, 4, 6, 22, 200))
    a.inf(at(N3, 4, 6, 22, 700), "Executing script on 'web01'")
    a.inf(at(N3, 4, 8, 40, 0), "Successfully finished Acme.Api on this target").fin(at(N3, 4, 8, 40, 100))
    s1.fin(at(N3, 4, 8, 40, 200))
    s2.inf(at(N3, 4, 8, 41, 0), "Running database migrations for Acme.Api")
    w3 = s2.child("web03").start(at(N3, 4, 8, 41, 300))
    w3.vbs(at(N3, 4, 9, 0, 0), "Connecting to https://web03.acme.local:10933/")
    w3.ev(at(N3, 4, 9, 31, 200), "ERR", "An error occurred when sending a request to 'https://web03.acme.local:10933/', before the request could begin: No connection could be made because the target machine actively refused it")
    w3.ev(at(N3, 4, 9, 54, 600), "FAT", "Halibut.HalibutClientException: An error occurred when sending a request to 'https://web03.acme.local:10933/', before the request could begin: No connection could be made because the target machine actively refused it").fin(at(N3, 4, 9, 54, 650))
    s2.ev(at(N3, 4, 9, 54, 700), "FAT", "The step failed: One or more child activities failed.").fin(at(N3, 4, 9, 54, 750))
    s3.inf(at(N3, 4, 9, 54, 800), "Step 3: Smoke test runs only when all previous steps succeeded; skipping").abn(at(N3, 4, 9, 54, 900))
    r.ev(at(N3, 4, 9, 54, 950), "FAT", "The deployment failed because one or more steps failed. Please see the deployment log for details.")
    r.fin(at(N3, 4, 9, 55, 10))
    t.write_disk(out(BUNDLE, "TaskLogs", t.file + ".txt"))


def bundle_scheduled():
    lines = []
    start = at(N3, 3, 45, 0)
    for i in range(12):
        tm = plus(start, i * 240)
        for j, msg in enumerate(("Processing subscriptions", "2 subscriptions found; 0 events to notify", "Subscriptions processed")):
            t2 = plus(tm, j * 0.25)
            lines.append(f'["ScheduledTasks_ProcessSubscriptions","INF","{t2:%Y-%m-%dT%H:%M:%S}.{t2.microsecond:06d}0+00:00","{msg}","",0]')
    with open(out(BUNDLE, "TaskLogs", "scheduledtasks_processsubscriptions.txt"), "w", newline="\n") as f:
        f.write("\n".join(lines) + "\n")


def main():
    failed_deployment()
    retention_task()
    health_check_en_us()
    queued_for_days()
    across_midnight()
    dutch_failed()
    german_upgrade()
    folder_layout()
    both_forms()
    malformed()
    scheduled_job()
    bundle_health()
    bundle_retention()
    bundle_deploy_web()
    bundle_deploy_api()
    bundle_scheduled()


if __name__ == "__main__":
    main()
