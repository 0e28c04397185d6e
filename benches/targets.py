"""Checks the figures compare.sh measured against the targets of the benchmark
issue and prints a Markdown table (figure, target, measured, met?).

Figures are "key value" lines; keys are SIZE:INDEX:s (median seconds) and
SIZE:INDEX:kb (peak RSS) for the commands in compare.sh's order: 0 wc -l,
1 rg -c, 2 analyze -j2, 3 analyze -j1, 4 inputs -j2, 5 inputs -j1,
6 angle-grinder, 7 lnav; SIZE:bytes; gz:mbs; har:mbs.
"""
import sys

figs = {}
for line in open(sys.argv[1]):
    key, value = line.split()
    figs[key] = float(value)


def get(key):
    return figs.get(key)


rows = []


def row(what, target, measured, met):
    rows.append(f"| {what} | {target} | {measured} | {'yes' if met else 'no'} |")


size = "1GiB"
rg, an2, an1 = get(f"{size}:1:s"), get(f"{size}:2:s"), get(f"{size}:3:s")
in2, in1, ag = get(f"{size}:4:s"), get(f"{size}:5:s"), get(f"{size}:6:s")
file_mib = (get(f"{size}:bytes") or 0) / 2**20
if rg and an2:
    row("analyze 1 GiB vs `rg -c`", "≤ 2×", f"{an2 / rg:.1f}× ({an2:.2f} s vs {rg:.2f} s)", an2 <= 2 * rg)
if ag and an2:
    row("analyze vs angle-grinder", "≥ 10× faster", f"{ag / an2:.1f}× ({ag:.2f} s)", ag >= 10 * an2)
if in1:
    gbs = get(f"{size}:bytes") / 1e9 / in1
    row("parse (`inputs -j 1`, whole process)", "≥ 1 GB/s per core", f"{gbs:.2f} GB/s", gbs >= 1.0)
if in1 and in2:
    row("parse, 2 threads vs 1", "≥ 1.6×", f"{in1 / in2:.2f}×", in1 / in2 >= 1.6)
if an1 and an2:
    row("analyze, 2 threads vs 1", "≥ 1.6×", f"{an1 / an2:.2f}×", an1 / an2 >= 1.6)
kb = get(f"{size}:2:kb")
if kb:
    beyond = kb / 1024 - file_mib
    row("analyze peak memory beyond the mapped file", "< 200 MB", f"{beyond:.0f} MiB (peak {kb / 1024:.0f} MiB)", beyond * 1.048576 < 200)
sizes = [s for s in ("100MiB", "1GiB", "4GiB") if get(f"{s}:2:s")]
if len(sizes) >= 2:
    per = [f"{s}: {get(f'{s}:bytes') / 1e6 / get(f'{s}:2:s'):.0f} MB/s" for s in sizes]
    rates = [get(f"{s}:bytes") / get(f"{s}:2:s") for s in sizes]
    linear = min(rates[1:]) >= 0.8 * rates[1] if len(rates) > 2 else True
    row("analyze cost linear in size (2 threads)", "same MB/s at every size", ", ".join(per), linear)
if get("gz:mbs"):
    row("`.gz` input", "≥ 700 MB/s", f"{get('gz:mbs'):.0f} MB/s", get("gz:mbs") >= 700)
if get("har:mbs"):
    row("HAR", "≥ 1 GB/s", f"{get('har:mbs'):.0f} MB/s", get("har:mbs") >= 1000)

print("| figure | target | measured | met? |")
print("|---|---|---|---|")
print("\n".join(rows))
