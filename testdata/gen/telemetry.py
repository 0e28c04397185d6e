#!/usr/bin/env python3
"""Synthetic counter exports and .NET profiles for testdata/telemetry/ (seeded, stdlib only).

Each file follows the format as documented in shared/exports.md section 4 and the
sources it cites (PDH-CSV layout, typeperf trailer, dotnet-counters CSVExporter header,
Prometheus query_range response, TraceEvent's SpeedScopeStackSourceWriter,
dotnet-gcdump's PrintReportHelper). Values are made up; the bundle's incident
(3 November 2026, 14:00-14:25 local, UTC+10:00) is where the CPU and memory climb.

python3 testdata/gen/telemetry.py rewrites them.
"""
import json
import os
import random

OUT = os.path.join(os.path.dirname(__file__), "..", "telemetry")
rng = random.Random(11032026)


def pdh_octo1():
    """perfmon/relog CSV of the Octopus host: CRLF, bias -600 (UTC+10), blank first rate row."""
    host = r"\\OCTO-NODE1"
    cols = [r"\Processor(_Total)\% Processor Time"] + [r"\Processor(%d)\%% Processor Time" % i for i in range(4)] + [
        r"\Process(Octopus.Server)\% Processor Time", r"\Process(Octopus.Server)\Private Bytes",
        r"\Process(Octopus.Server)\Working Set", r"\Process(Octopus.Server)\Thread Count",
        r"\Memory\Available MBytes", r"\Memory\% Committed Bytes In Use", r"\Paging File(_Total)\% Usage",
        r"\PhysicalDisk(0 C:)\Avg. Disk sec/Read", r"\PhysicalDisk(0 C:)\Avg. Disk sec/Write",
        r"\PhysicalDisk(0 C:)\Current Disk Queue Length", r"\System\Processor Queue Length"]
    lines = ['"(PDH-CSV 4.0) (AUS Eastern Standard Time)(-600)",' + ",".join('"%s%s"' % (host, c) for c in cols)]
    for i in range(40):  # 13:55:00 .. 14:04:45 local, every 15 s
        minute, second = divmod(55 * 60 + i * 15, 60)
        hour, minute = 13 + minute // 60, minute % 60
        busy = i >= 20
        cpu = [rng.uniform(70, 95) if busy else rng.uniform(5, 20) for _ in range(4)]
        row = [sum(cpu) / 4] + cpu + [
            sum(cpu) * 0.8, 2.1e9 + i * 3e7, 1.8e9 + i * 2.5e7, 140 + i,
            (900 if busy else 3500) + rng.uniform(-50, 50), 60 + i * 0.5, 12 + i * 0.1,
            rng.uniform(0.002, 0.02), rng.uniform(0.004, 0.04) * (5 if busy else 1),
            rng.randint(3, 9) if busy else rng.randint(0, 1), rng.randint(6, 14) if busy else 0]
        values = ['" "' if i == 0 and c in (0, 1, 2, 3, 4, 5) else '"%s"' % repr(float(v)) for c, v in enumerate(row)]
        lines.append('"11/03/2026 %02d:%02d:%02d.%03d",' % (hour, minute, second, 120 + i % 7) + ",".join(values))
    return "\r\n".join(lines) + "\r\n"


def typeperf_sql01():
    """typeperf -f TSV of the SQL host redirected to a file: a zone name with parentheses,
    a daylight-saving fall-back (local 02:59:45 -> 02:00:00), a -nan, and the closing messages."""
    host = r"\\OCTO-SQL01"
    cols = [r"\SQLServer:SQL Statistics\Batch Requests/sec", r"\SQLServer:General Statistics\Processes blocked",
            r"\SQLServer:Buffer Manager\Page life expectancy", r"\SQLServer:Locks(_Total)\Lock Waits/sec",
            r"\SQLServer:Locks(_Total)\Number of Deadlocks/sec", r"\Process(sqlservr)\% Processor Time"]
    lines = ['"(PDH-TSV 4.0) (Paris, Madrid (heure d\u2019\u00e9t\u00e9))(-120)"\t' + "\t".join('"%s%s"' % (host, c) for c in cols)]
    times = ["10/25/2026 02:59:15.000", "10/25/2026 02:59:30.000", "10/25/2026 02:59:45.000",
             "10/25/2026 02:00:00.000", "10/25/2026 02:00:15.000"]
    for i, t in enumerate(times):
        vals = [rng.uniform(200, 900), rng.randint(0, 4), rng.randint(200, 3000), rng.uniform(0, 50), 0.0, rng.uniform(50, 300)]
        cells = ['"%s"' % repr(float(v)) for v in vals]
        if i == 2:
            cells[3] = '"-nan"'
        lines.append('"%s"\t' % t + "\t".join(cells))
    lines += ["", "Exiting, please wait...", "The command completed successfully."]
    return "\n".join(lines) + "\n"


def dotnet_counters():
    rows = ["Timestamp,Provider,Counter Name,Counter Type,Mean/Increment"]
    for i in range(10):
        stamp = "11/3/2026 2:%02d:%02d PM" % (i // 6, (i * 10) % 60)
        rows += [f"{stamp},System.Runtime,CPU Usage (%),Metric,{rng.uniform(10, 90):.3f}",
                 f"{stamp},System.Runtime,Working Set (MB),Metric,{1800 + i * 25}",
                 f"{stamp},System.Runtime,GC Heap Size (MB),Metric,{900 + i * 20}",
                 f"{stamp},System.Runtime,ThreadPool Queue Length,Metric,{rng.randint(0, 40)}",
                 f"{stamp},System.Runtime,Exception Count (Count / 1 sec),Rate,{rng.randint(0, 3)}",
                 f"{stamp},Microsoft.AspNetCore.Hosting,Request Rate (Count / 1 sec),Rate,{rng.randint(20, 60)}"]
    return "\n".join(rows) + "\n"


def prometheus():
    start = 1793678400  # 2026-11-03T04:00:00Z
    def values(f):
        return [[start + i * 60, f(i)] for i in range(10)]
    result = [
        {"metric": {"__name__": "windows_memory_available_bytes", "instance": "octo-node1:9182", "job": "windows"},
         "values": values(lambda i: str(3.6e9 - i * 3e8))},
        {"metric": {"__name__": "windows_process_private_bytes", "instance": "octo-node1:9182", "job": "windows",
                    "process": "Octopus.Server", "process_id": "4242"},
         "values": values(lambda i: "%d" % (2_100_000_000 + i * 50_000_000))},
        {"metric": {"instance": "octo-node1:9182", "job": "windows"},
         "values": values(lambda i: "NaN" if i == 3 else "%.4f" % (0.1 + i * 0.08))},
    ]
    return json.dumps({"status": "success", "data": {"resultType": "matrix", "result": result}}) + "\n"


def speedscope():
    """dotnet-trace's shape: exporter first, startValue/endValue as strings, one evented
    profile per thread, times in ms from the trace start."""
    frames = ["Thread (4242)", "Octopus.Server.Web.Dashboard.Get()", "Octopus.Core.Persistence.Query.ToList()",
              "Microsoft.Data.SqlClient.SqlDataReader.Read()", "UNMANAGED_CODE_TIME", "CPU_TIME",
              "Thread (4343)", "Octopus.Server.Orchestration.RetentionTask.Execute()"]
    def ev(t, f, at):
        return {"type": t, "frame": f, "at": at}
    t1 = [ev("O", 0, 0), ev("O", 1, 10), ev("O", 2, 15), ev("O", 3, 20), ev("O", 4, 20), ev("C", 4, 1800),
          ev("C", 3, 1800), ev("O", 5, 1800), ev("C", 5, 2100), ev("C", 2, 2100), ev("C", 1, 2150), ev("C", 0, 5000)]
    t2 = [ev("O", 6, 100), ev("O", 7, 100), ev("O", 5, 100), ev("C", 5, 4900), ev("C", 7, 4900), ev("C", 6, 4950)]
    profiles = [{"type": "evented", "name": "Thread (4242)", "unit": "milliseconds", "startValue": "0", "endValue": "5000", "events": t1},
                {"type": "evented", "name": "Thread (4343)", "unit": "milliseconds", "startValue": "100", "endValue": "4950", "events": t2}]
    doc = {"exporter": "speedscope@1.3.2", "name": "Octopus.Server_20261103_140500", "activeProfileIndex": 0,
           "$schema": "https://www.speedscope.app/file-format-schema.json",
           "shared": {"frames": [{"name": f} for f in frames]}, "profiles": profiles}
    return json.dumps(doc, indent=None, separators=(", ", ": ")) + "\n"


def gcdump_report():
    rows = [(412_330_112, 1_802, "System.Byte[] (Bytes > 1M)", "System.Private.CoreLib.dll"),
            (210_551_204, 2_911_843, "System.String", "System.Private.CoreLib.dll"),
            (98_112_640, 1_226_408, "Octopus.Core.Model.Events.Event", "Octopus.Core.dll"),
            (45_000_000, None, "Octopus.Server.Caching.DocumentCache+Entry[]", "Octopus.Server.dll"),
            (12_024, 3, "System.Collections.Generic.Dictionary<System.String, System.Object>", "System.Private.CoreLib.dll")]
    out = ["%15s  GC Heap bytes" % "{:,}".format(sum(r[0] for r in rows)),
           "%15s  GC Heap objects" % "{:,}".format(sum(r[1] or 1 for r in rows)), "",
           "%15s  %8s  Type" % ("Object Bytes", "Count")]
    for size, count, name, module in rows:
        c = "{:,}".format(count) if count is not None else ""
        out.append("%15s  %8s  %s  [%s]" % ("{:,}".format(size), c, name, module))
    return "\n".join(out) + "\n"


def write(name, text, binary=False):
    mode = "wb" if binary else "w"
    with open(os.path.join(OUT, name), mode, **({} if binary else {"newline": "", "encoding": "utf-8"})) as f:
        f.write(text)


if __name__ == "__main__":
    write("perfmon-octo-node1.csv", pdh_octo1())
    write("typeperf-octo-sql01.tsv", typeperf_sql01())
    write("dotnet-counters.csv", dotnet_counters())
    write("prometheus-range.json", prometheus())
    write("Octopus.Server_20261103_140500.speedscope.json", speedscope())
    write("heap-report.txt", gcdump_report())
    write("Octopus.Server.dtt", bytes([0x00, 0x01, 0xD7, 0x7E, 0x00, 0x00, 0x02, 0x00, 0x10, 0x00, 0x00, 0x00] * 4), binary=True)
    write("memory.dmp", b"MDMP\x93\xa7\x00\x00\x0d\x00\x00\x00\x20\x00\x00\x00" + bytes(48), binary=True)
