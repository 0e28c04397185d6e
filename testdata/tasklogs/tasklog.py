"""Helpers to write realistic Octopus task logs in both forms (octopus.md sections 2 and 3).

One task tree is described once (nodes, their lines with UTC times) and rendered as:
  * the on-disk form: JSON lines in time order, one 6-element array per line;
  * the raw form: the downloaded text, header then body in tree order, server-local times.
Deterministic: node ids are hashes of the task id and node path.
"""
import datetime as dt
import hashlib
import json

UTC = dt.timezone.utc
LEVELS = {"INF": "Info", "VBS": "Verbose", "WRN": "Warning", "ERR": "Error", "FAT": "Fatal", "HLT": "Highlight", "WAT": "Wait"}


def html_safe(text):
    """.NET's default JSON encoder escapes HTML-sensitive characters."""
    s = json.dumps(text, ensure_ascii=True)
    for ch, esc in (("'", "\\u0027"), ("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026")):
        s = s.replace(ch, esc)
    return s


def stamp(t):
    """yyyy-MM-ddTHH:mm:ss.fffffff+00:00"""
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond:06d}0+00:00"


class Node:
    def __init__(self, task, name, parent=None, boxed=None):
        # Raw logs box the root and the steps (== Success: … ==), not deeper nodes.
        if boxed is None:
            boxed = parent is None or parent.parent is None
        self.task, self.name, self.parent, self.boxed = task, name, parent, boxed
        self.children, self.events = [], []
        self.raw_status = None
        path = name if parent is None else parent.key + "/" + name
        self.key = path
        self.guid = hashlib.md5(f"{task.root}/{path}".encode()).hexdigest()
        if parent is not None:
            parent.children.append(self)

    def corr(self):
        if self.parent is None:
            return self.task.root
        return self.parent.corr() + "/" + self.guid

    def child(self, name, boxed=None):
        return Node(self.task, name, self, boxed)

    def ev(self, t, cat, msg="", progress=0, naming=False):
        self.task.seq += 1
        self.events.append((t, self.task.seq, cat, msg, progress, naming))
        return self

    def pln(self, t):
        return self.ev(t, "PLN", self.name, naming=True)

    def start(self, t):
        """The INF line that creates a node on the fly (its message is the node name)."""
        return self.ev(t, "INF", self.name, naming=True)

    def inf(self, t, msg):
        return self.ev(t, "INF", msg)

    def vbs(self, t, msg):
        return self.ev(t, "VBS", msg)

    def fin(self, t):
        return self.ev(t, "FIN", "Finished")

    def abn(self, t):
        return self.ev(t, "ABN", "Abandon")

    def walk(self):
        yield self
        for c in self.children:
            yield from c.walk()

    def depth(self):
        return 0 if self.parent is None else self.parent.depth() + 1


class Task:
    def __init__(self, task_id, suffix, description):
        self.id, self.description = task_id, description
        self.root = f"{task_id}_{suffix.upper()}"
        self.file = f"{task_id.lower()}_{suffix.lower()}"
        self.seq = 0
        self.tree = Node(self, description)

    def disk_lines(self, only=None):
        """(time, seq, json line) of every event, in time order."""
        out = []
        for n in self.tree.walk():
            for (t, seq, cat, msg, progress, _naming) in n.events:
                if only is not None and not only(t, n):
                    continue
                # A multi-line message is written as one entry per physical line.
                for part in msg.split("\n"):
                    fields = [json.dumps(n.corr()), json.dumps(cat), json.dumps(stamp(t)), html_safe(part), '""', str(progress)]
                    out.append((t, seq, "[" + ",".join(fields) + "]"))
        out.sort(key=lambda x: (x[0], x[1]))
        return out

    def write_disk(self, path, only=None, tail=""):
        text = "".join(l + "\n" for (_, _, l) in self.disk_lines(only)) + tail
        with open(path, "w", encoding="utf-8", newline="\n") as f:
            f.write(text)

    def raw_text(self, header, offset_hours):
        """Header lines (label, value), then the body with times moved by offset_hours."""
        width = max(len(label) for label, _ in header) + 2
        out = [f"{label + ':':<{width}}{value}" for label, value in header]
        out.append("")
        shift = dt.timedelta(hours=offset_hours)
        for n in self.tree.walk():
            d = n.depth()
            status = n.raw_status or "Success"
            head = f"== {status}: {n.name} ==" if n.boxed else f"{status}: {n.name}"
            out.append(" " * 20 + "| " + "  " * d + head)
            msgs = [e for e in n.events if e[2] in LEVELS and not e[5]]
            msgs.sort(key=lambda e: (e[0], e[1]))
            for (t, _seq, cat, msg, _p, _n) in msgs:
                first, *rest = msg.split("\n")
                local = (t + shift).strftime("%H:%M:%S")
                out.append(f"{local}   {LEVELS[cat]:<8} | " + "  " * (d + 1) + first)
                for more in rest:
                    out.append(" " * 20 + "| " + "  " * (d + 1) + more)
            if msgs:
                out.append(" " * 20 + "| " + "  " * d)
        return "\n".join(out) + "\n"

    def write_raw(self, path, header, offset_hours, crlf=False):
        text = self.raw_text(header, offset_hours)
        if crlf:
            text = text.replace("\n", "\r\n")
        with open(path, "w", encoding="utf-8", newline="") as f:
            f.write(text)


def at(day, h, m, s, ms=0):
    """A UTC datetime on `day` (a date)."""
    return dt.datetime(day.year, day.month, day.day, h, m, s, ms * 1000)


def plus(t, seconds):
    return t + dt.timedelta(seconds=seconds)
