#!/usr/bin/env bash
# octodiag against the floor (wc -l, rg -c) and the tools users would otherwise use
# (angle-grinder, lnav) on the same generated Octopus Server logs, in one run.
# Writes benches/RESULTS.md. Warm cache: each command runs once before timing.
#
#   benches/compare.sh                 # 100 MiB, 1 GiB, and 4 GiB when the disk has room
#   SIZES="100MiB 1GiB" benches/compare.sh
#   INSTALL=1 benches/compare.sh       # install missing peers first (apt-get, cargo install ag)
#
# Needs: hyperfine, rg, lnav, agrind, /usr/bin/time, gzip. It says exactly what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
OUT=${OUT:-$ROOT/benches/out/compare}
# 4 GiB needs ~5 GiB free for the file and its gzip copy is not made; skip it otherwise.
free_gib=$(( $(df --output=avail -k "$ROOT" | tail -1) / 1024 / 1024 ))
if [ "$free_gib" -ge 12 ]; then DEFAULT_SIZES="100MiB 1GiB 4GiB"; else DEFAULT_SIZES="100MiB 1GiB"; fi
SIZES=${SIZES:-$DEFAULT_SIZES}
PEER_MAX_MIB=${PEER_MAX_MIB:-1024}   # angle-grinder and lnav only up to this size (they are slow)
RUNS=${RUNS:-3}
RESULTS=$ROOT/benches/RESULTS.md

missing=()
need() { command -v "$1" >/dev/null 2>&1 || missing+=("$1 (install: $2)"); }
if [ "${INSTALL:-0}" = 1 ]; then
  command -v hyperfine >/dev/null && command -v rg >/dev/null && command -v lnav >/dev/null \
    || { apt-get update -qq && apt-get install -y -qq hyperfine ripgrep lnav; }
  command -v agrind >/dev/null || cargo install ag
fi
need hyperfine "apt-get install hyperfine"
need rg "apt-get install ripgrep"
need lnav "apt-get install lnav"
need agrind "cargo install ag"
need gzip "apt-get install gzip"
[ -x /usr/bin/time ] || missing+=("/usr/bin/time (install: apt-get install time)")
if [ ${#missing[@]} -gt 0 ]; then
  printf 'compare.sh: missing:\n'; printf '  %s\n' "${missing[@]}"; exit 2
fi

cargo build --release -q -p octodiag -p octodiag-bench
BIN=$ROOT/target/release
mkdir -p "$OUT"

# The question every tool answers: per-endpoint request count and p95 of `Request took`.
AG_QUERY='"Request took" | parse "Request took *ms: * *" as ms, method, rest | parse regex "^(?P<url>[^ ?]+)" from rest | p95(ms), count by url | sort by _count desc | limit 10'
LNAV_SQL=";WITH r AS (SELECT regexp_replace(regexp_match('Request took \\d+ms: \\S+ ([^ ?]+)', log_body), '\\d+', '{n}') AS url, CAST(regexp_match('Request took (\\d+)ms', log_body) AS INTEGER) AS ms FROM octopus_server_log WHERE log_body LIKE 'Request took %'), k AS (SELECT url, ms, ROW_NUMBER() OVER (PARTITION BY url ORDER BY ms) AS rn, COUNT(*) OVER (PARTITION BY url) AS n FROM r) SELECT url, n, MIN(ms) AS p95 FROM k WHERE rn * 100 >= n * 95 GROUP BY url ORDER BY n DESC LIMIT 10"

mib() { case "$1" in *GiB) echo $(( ${1%GiB} * 1024 ));; *MiB) echo "${1%MiB}";; esac; }
peak_kb() { /usr/bin/time -f '%M' "$@" >/dev/null 2>"$OUT/time.err" || true; tail -n 1 "$OUT/time.err"; }
median_s() { python3 -c "import json,sys; print('%.3f' % json.load(open(sys.argv[1]))['results'][int(sys.argv[2])]['median'])" "$1" "$2"; }

rows=()
add_row() { rows+=("| $1 | $2 | $3 | $4 | $5 | $6 | $7 |"); }
# Figures the targets are checked against, as "key value" lines for the summary.
FIGS=$OUT/figures.txt
: > "$FIGS"
fig() { echo "$1 $2" >> "$FIGS"; }

for size in $SIZES; do
  dir=$OUT/$size
  mkdir -p "$dir"
  file=$dir/OctopusServer.0.txt
  [ -s "$file" ] || "$BIN/gen" --out "$dir" --size "$size" --kind server-log --seed 42 >/dev/null
  touch -d '1 hour ago' "$file"   # an archive, not the live log: octodiag maps it
  bytes=$(stat -c %s "$file")
  mb=$(python3 -c "print($bytes/1e6)")
  cmds=("wc -l $file" "rg -c 'Request took' $file" "$BIN/octodiag analyze --format json -j 2 $file" "$BIN/octodiag analyze --format json -j 1 $file" "$BIN/octodiag inputs -j 2 $file" "$BIN/octodiag inputs -j 1 $file")
  names=("wc -l" "rg -c 'Request took'" "octodiag analyze (2 threads)" "octodiag analyze (1 thread)" "octodiag parse only: inputs (2 threads)" "octodiag parse only: inputs (1 thread)")
  if [ "$(mib "$size")" -le "$PEER_MAX_MIB" ]; then
    cmds+=("agrind --file $file '$AG_QUERY'" "lnav -I $ROOT/benches/lnav -n -c \"$LNAV_SQL\" $file")
    names+=("angle-grinder (same question)" "lnav (same question)")
  fi
  json=$dir/hyperfine.json
  hyperfine --warmup 1 --runs "$RUNS" --export-json "$json" --style none "${cmds[@]}" >/dev/null
  rg_s=$(median_s "$json" 1)
  for i in "${!cmds[@]}"; do
    s=$(median_s "$json" "$i")
    kb=$(eval "peak_kb ${cmds[$i]}")
    mbs=$(python3 -c "print('%.0f' % ($mb / $s))")
    ratio=$(python3 -c "print('%.2f' % ($s / $rg_s))")
    add_row "$size" "${names[$i]}" "$s" "$mbs" "$ratio" "$(( kb / 1024 ))" "\`${cmds[$i]//$ROOT\//}\`"
    fig "$size:$i:s" "$s"
    fig "$size:$i:kb" "$kb"
  done
  fig "$size:bytes" "$bytes"
done

# One core, stage by stage, on the 1 GiB log: the floor of reading every entry.
floor_rows=()
if [ -s "$OUT/1GiB/OctopusServer.0.txt" ]; then
  "$BIN/floor" "$OUT/1GiB/OctopusServer.0.txt" >/dev/null   # warm
  while IFS= read -r line; do floor_rows+=("$line"); done < <("$BIN/floor" "$OUT/1GiB/OctopusServer.0.txt")
fi

# Compressed input: decompressed megabytes per second through the .gz path.
gzfile=$OUT/1GiB/OctopusServer.1.txt.gz
if [ -s "$OUT/1GiB/OctopusServer.0.txt" ]; then
  [ -s "$gzfile" ] || gzip -1 -c "$OUT/1GiB/OctopusServer.0.txt" > "$gzfile"
  hyperfine --warmup 1 --runs "$RUNS" --export-json "$OUT/gz.json" --style none "$BIN/octodiag inputs $gzfile" >/dev/null
  s=$(median_s "$OUT/gz.json" 0)
  bytes=$(stat -c %s "$OUT/1GiB/OctopusServer.0.txt")
  add_row "1GiB (.gz)" "octodiag inputs on .gz (MB/s of decompressed output)" "$s" "$(python3 -c "print('%.0f' % ($bytes/1e6/$s))")" "-" "$(( $(peak_kb "$BIN/octodiag" inputs "$gzfile") / 1024 ))" "\`octodiag inputs OctopusServer.1.txt.gz\`"
  fig "gz:mbs" "$(python3 -c "print('%.0f' % ($bytes/1e6/$s))")"
fi

# HAR: the generated ~265 MB recording with large base64 bodies.
har=$OUT/large.har
[ -s "$har" ] || "$BIN/parse_har" gen large "$har" >/dev/null
hyperfine --warmup 1 --runs "$RUNS" --export-json "$OUT/har.json" --style none "$BIN/octodiag inputs $har" >/dev/null
s=$(median_s "$OUT/har.json" 0)
hb=$(stat -c %s "$har")
add_row "$(( hb / 1000000 )) MB HAR" "octodiag inputs on a HAR" "$s" "$(python3 -c "print('%.0f' % ($hb/1e6/$s))")" "-" "$(( $(peak_kb "$BIN/octodiag" inputs "$har") / 1024 ))" "\`octodiag inputs large.har\`"
fig "har:mbs" "$(python3 -c "print('%.0f' % ($hb/1e6/$s))")"

{
  echo "# Benchmark results"
  echo
  echo "Written by \`benches/compare.sh\` on $(date -u +%Y-%m-%dT%H:%MZ). Do not edit by hand."
  echo
  echo "* Machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
  echo "* Versions: $("$BIN/octodiag" --version), $(rg --version | head -1), $(agrind --version 2>/dev/null | head -1), lnav $(lnav -V | head -1 | awk '{print $2}'), $(hyperfine --version)"
  echo "* Inputs: generated by \`gen --kind server-log --seed 42\` (normal INFO mix, 3.15+ layout; see benches/src/server_gen.rs), warm page cache."
  echo "* Times are hyperfine medians of $RUNS runs after one warm-up; peak memory is \`/usr/bin/time\` max RSS (it includes the mapped file's touched pages)."
  echo "* The question for analyze/angle-grinder/lnav: per-endpoint count and p95 of \`Request took\` lines (octodiag answers it and everything else in its report)."
  echo
  echo "| input | command | median s | MB/s | × rg -c | peak MiB | command line |"
  echo "|---|---|---|---|---|---|---|"
  printf '%s\n' "${rows[@]}"
  if [ ${#floor_rows[@]} -gt 0 ]; then
    echo
    echo "## One core, stage by stage (1 GiB, \`target/release/floor\`)"
    echo
    echo "What reading every entry costs before any analysis: counting lines, framing (every line, header"
    echo "checked), the full parse with events dropped, and the parse folding events into analysis facts."
    echo
    echo '```text'
    printf '%s\n' "${floor_rows[@]}"
    echo '```'
  fi
  echo
  echo "## Targets"
  echo
  python3 "$ROOT/benches/targets.py" "$FIGS"
} > "$RESULTS"
echo "wrote $RESULTS"
