"""Writers for Octopus task logs (octopus.md sections 2 and 3).

disk_task() writes an on-disk TaskLogs file (JSON lines, UTC, 7 fractional
digits); raw_task() writes a downloaded raw task log (header + `|` gutter).
A task is described once as a tree of Node objects with absolute UTC times.
"""
import datetime as dt
import json
import os

UTC = dt.timezone.utc


class Node:
    def __init__(self, name, start, end, children=(), status="Success", lines=(), planned=True):
        self.name = name
        self.start = start  # naive UTC datetime
        self.end = end
        self.children = list(children)
        self.status = status  # Success, Failed, Skipped (abandoned)
        self.lines = list(lines)  # (datetime, level, text)
        self.planned = planned


def iso(t):
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond:06d}0+00:00"


def disk_lines(task_id, suffix, root, guid_of):
    """JSON-lines records for a task tree, in time order."""
    rid = f"{task_id}_{suffix.upper()}"
    out = []

    def walk(node, path, depth):
        if depth > 0 and node.planned:
            out.append((root.start, 0, [path, "PLN", iso(root.start), node.name, "", 0]))
        if node.status == "Skipped":
            out.append((node.end, 2, [path, "ABN", iso(node.end), "Abandon", "", 0]))
            return
        first = "INF" if depth == 0 or not node.planned else "VBS"
        out.append((node.start, 1, [path, first, iso(node.start), node.name if depth == 0 or not node.planned else f"Starting {node.name}", "", 0]))
        for t, level, text in node.lines:
            code = {"Info": "INF", "Verbose": "VBS", "Warning": "WRN", "Error": "ERR", "Fatal": "FAT"}[level]
            out.append((t, 1, [path, code, iso(t), text, "", 0]))
        for i, c in enumerate(node.children):
            walk(c, f"{path}/{guid_of(path, i)}", depth + 1)
        if node.status == "Failed":
            out.append((node.end, 1, [path, "FAT", iso(node.end), f"{node.name} failed", "", 0]))
        out.append((node.end, 2, [path, "FIN", iso(node.end), "Finished", "", 0]))

    walk(root, rid, 0)
    out.sort(key=lambda x: (x[0], x[1]))
    return [json.dumps(rec[2], separators=(",", ":")).replace("'", "\\u0027") for rec in out]


def guid_maker(seed):
    import hashlib

    def g(path, i):
        return hashlib.md5(f"{seed}:{path}:{i}".encode()).hexdigest()

    return g


def disk_task(folder, task_id, suffix, root, parts=1):
    """Writes servertasks-N_suffix.txt, or a folder of `parts` *.tl.txt files."""
    lines = disk_lines(task_id, suffix, root, guid_maker(task_id))
    base = f"{task_id.lower()}_{suffix.lower()}"
    os.makedirs(folder, exist_ok=True)
    if parts <= 1:
        with open(os.path.join(folder, base + ".txt"), "w", newline="\n") as f:
            f.write("\n".join(lines) + "\n")
        return
    sub = os.path.join(folder, base)
    os.makedirs(sub, exist_ok=True)
    for p in range(parts):
        chunk = lines[p::parts]
        with open(os.path.join(sub, f"part{p + 1:02d}{suffix.lower()[:4]}.tl.txt"), "w", newline="\n") as f:
            f.write("\n".join(chunk) + "\n")


def long_date(t, offset_minutes=None):
    """en-AU long date + long time: `Tuesday, 3 November 2026 2:05:02 PM +10:00`."""
    hour = t.hour % 12 or 12
    ampm = "AM" if t.hour < 12 else "PM"
    s = f"{t.strftime('%A')}, {t.day} {t.strftime('%B')} {t.year} {hour}:{t.minute:02d}:{t.second:02d} {ampm}"
    if offset_minutes is not None:
        sign = "+" if offset_minutes >= 0 else "-"
        m = abs(offset_minutes)
        s += f" {sign}{m // 60:02d}:{m % 60:02d}"
    return s


def raw_task(path, task_id, root, queued, offset_minutes, write_offset=True, node="OCTO-NODE1", status=None,
             version="2025.3.10412", related=()):
    """Writes a downloaded raw task log. Times in the file are server-local."""
    local = lambda t: t + dt.timedelta(minutes=offset_minutes)
    off = offset_minutes if write_offset else None
    status = status or ("Failed" if root.status == "Failed" else "Success")
    dur = (root.end - root.start).total_seconds()
    duration = f"{int(dur // 60)} minutes" if dur >= 120 else f"{int(dur)} seconds"
    header = [
        ("Task ID", task_id),
        ("Related IDs", ", ".join([task_id, *related])),
        ("Task status", status),
        ("Task queued", long_date(local(queued), off)),
        ("Task started", long_date(local(root.start), off)),
        ("Task completed", long_date(local(root.end), off)),
        ("Task duration", duration),
        ("Server version", version),
        ("Server node", node),
    ]
    width = max(len(k) for k, _ in header) + 2
    out = [f"{(k + ':').ljust(width)}{v}" for k, v in header]
    out.append("")

    def walk(node_, depth):
        status_word = {"Skipped": "Skipped", "Failed": "Failed"}.get(node_.status, "Success")
        head = f"== {status_word}: {node_.name} ==" if depth <= 1 else f"{status_word}: {node_.name}"
        out.append(" " * 20 + "| " + "  " * depth + head)
        for t, level, text in sorted(node_.lines):
            out.append(f"{local(t).strftime('%H:%M:%S')}   {level:<8} | " + "  " * (depth + 1) + text)
        if node_.lines:
            out.append(" " * 20 + "| " + "  " * depth)
        for c in node_.children:
            walk(c, depth + 1)

    walk(root, 0)
    with open(path, "w", newline="\n") as f:
        f.write("\n".join(out) + "\n")


def simple_task(description, start, minutes, steps=("Step 1: Deploy",), targets=("web01",), status="Success"):
    """A task with sequential steps spread over `minutes`, each with target children."""
    end = start + dt.timedelta(minutes=minutes)
    n = len(steps)
    children = []
    for i, name in enumerate(steps):
        s = start + dt.timedelta(seconds=5 + (minutes * 60 - 10) * i / n)
        e = start + dt.timedelta(seconds=5 + (minutes * 60 - 10) * (i + 1) / n)
        kids = [Node(t, s + dt.timedelta(seconds=1), e - dt.timedelta(seconds=1), planned=False,
                     lines=[(s + dt.timedelta(seconds=2), "Info", f"Executing script on '{t}'")]) for t in targets]
        children.append(Node(name, s, e, kids, lines=[(e - dt.timedelta(milliseconds=500), "Verbose", f"{name} completed")]))
    root = Node(description, start, end, children, status=status,
                lines=[(start + dt.timedelta(milliseconds=300), "Verbose", "Guided failure is not enabled for this task")])
    return root
