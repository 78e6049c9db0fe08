#!/usr/bin/env bash
# Remote probes benchmark (issue #13), two parts in one run, each on a real `lifeline serve` (Release)
# with a fresh SQLite data folder:
#  1. One real `lifeline probe` running N http checks at a 60 s interval against a tiny Kestrel
#     target on loopback (bench/probes.cs target): after one interval of warm-up, the probe's CPU
#     (utime + stime from /proc over the window) and RSS (VmRSS, sampled every 5 s), the results the
#     server stored per second (lifeline_signals_total), and how late checks started after their slots.
#  2. Ingestion: bench/probes.cs enrols 10 probes and acts as all of them, each posting batches of
#     500 results back to back; then, on the same server, plain pushes as fast as it takes them.
#
#   bench/probes.sh [checks=10000]
#   BENCH_SECONDS=180 WARMUP=30 INGEST_SECONDS=30 bench/probes.sh   # the defaults (about 8 minutes, the build aside)
#   BENCH_SECONDS=60 WARMUP=60 INGEST_SECONDS=10 bench/probes.sh 2000  # a quick look
#   PROBES=10 LOCATIONS=10 BATCH=500 INGEST_MONITORS=2000 PUSH_CONCURRENCY=64 bench/probes.sh
#   PORT_BASE=5461 bench/probes.sh            # uses three ports from PORT_BASE on 127.0.0.1
#   LIFELINE_BUILD=<folder with lifeline.dll> skips building the server
#
# Prints each part; the results are also written to bench/results/probes-<time>.txt.
set -euo pipefail
cd "$(dirname "$0")/.."
CHECKS=${1:-10000}
BENCH_SECONDS=${BENCH_SECONDS:-180}
WARMUP=${WARMUP:-30}
INGEST_SECONDS=${INGEST_SECONDS:-30}
PROBES=${PROBES:-10}
LOCATIONS=${LOCATIONS:-10}
BATCH=${BATCH:-500}
INGEST_MONITORS=${INGEST_MONITORS:-2000}
PUSH_CONCURRENCY=${PUSH_CONCURRENCY:-64}
PORT_BASE=${PORT_BASE:-5461} # three ports from here: the target, the server of part 1, the server of part 2
TARGET_PORT=$PORT_BASE
SCALE_PORT=$((PORT_BASE + 1))
INGEST_PORT=$((PORT_BASE + 2))
for port in $TARGET_PORT $SCALE_PORT $INGEST_PORT; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then echo "port $port is in use: set PORT_BASE to another free range" >&2; exit 2; fi
done
KEY="bench-admin-key-0123456789"

work=$(mktemp -d)
mkdir -p bench/results
out="bench/results/probes-$(date -u +%Y%m%dT%H%M%SZ).txt"
cleanup() {
  kill $(jobs -p) 2>/dev/null || true
  wait 2>/dev/null || true
  # KEEP=1 keeps the servers' data folders and logs for a look afterwards.
  if [ -n "${KEEP:-}" ]; then echo "kept: $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT
say() { echo "$@" | tee -a "$out"; }

echo "== building (Release)"
build() { local o; o=$(dotnet build "$1" -c Release -o "$2" -v q -nologo 2>&1) || { echo "$o" | grep -E "error" | sort -u >&2; exit 1; }; }
if [ -n "${LIFELINE_BUILD:-}" ]; then ln -s "$(cd "$LIFELINE_BUILD" && pwd)" "$work/lifeline"; else build src/Lifeline "$work/lifeline"; fi
# The helper runs outside the repository: its central package versions and analyzers are not the helper's.
mkdir "$work/helper"
cp bench/probes.cs "$work/helper/"
(cd "$work/helper" && build probes.cs "$work/helper-bin")
helper() { dotnet "$work/helper-bin/probes.dll" "$@"; }

wait_ready() { for _ in $(seq 1 150); do curl -fs "$1" >/dev/null 2>&1 && return 0; sleep 0.2; done; echo "not ready: $1" >&2; exit 1; }
field() { grep -o "\"$1\":\"[^\"]*\"" | head -1 | cut -d'"' -f4; }
start_server() { # name port -> pid in $STARTED_PID
  LIFELINE_API_KEY=$KEY dotnet "$work/lifeline/lifeline.dll" serve --urls "http://127.0.0.1:$2" --data "$work/$1-data" \
    --Lifeline:RateLimitLoopback=false >"$work/$1.log" 2>&1 &
  STARTED_PID=$!
  wait_ready "http://127.0.0.1:$2/healthz"
}
CLK_TCK=$(getconf CLK_TCK)
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; } # user + system (no spaces in the name "dotnet")
rss_kb() { awk '/VmRSS/ {print $2}' "/proc/$1/status"; }
accepted() { { curl -fs "http://127.0.0.1:$1/metrics" || true; } | awk '/^lifeline_signals_total\{result="accepted"\}/ {print $2; exit}'; }
median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }

{ date -u +%FT%TZ; echo "$(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg); $CHECKS checks, warm-up $WARMUP s, window $BENCH_SECONDS s; ingestion $PROBES probes in $LOCATIONS locations, batches of $BATCH, $INGEST_SECONDS s"; } > "$out"

echo "== part 1: one probe running $CHECKS http checks every 60 s"
dotnet "$work/helper-bin/probes.dll" target "$TARGET_PORT" >/dev/null 2>&1 &
wait_ready "http://127.0.0.1:$TARGET_PORT/"
start_server scale "$SCALE_PORT"
SERVER=$STARTED_PID
location=$(curl -fs -X POST "http://127.0.0.1:$SCALE_PORT/api/v1/locations" -H "Authorization: Bearer $KEY" -H 'Content-Type: application/json' -d '{"name":"bench-region"}')
location_id=$(echo "$location" | field id)
token=$(echo "$location" | field enrollToken)
helper seed "http://127.0.0.1:$SCALE_PORT" "$KEY" "$CHECKS" "http://127.0.0.1:$TARGET_PORT" "$work/ids" "$location_id"
dotnet "$work/lifeline/lifeline.dll" probe --server "http://127.0.0.1:$SCALE_PORT" --token "$token" --spool "$work/probe-spool" --name bench-probe \
  >"$work/probe.log" 2>&1 &
PROBE=$!
echo "   probe started (pid $PROBE); warming up for $WARMUP s"
sleep "$WARMUP"
kill -0 $PROBE 2>/dev/null || { echo "the probe stopped:" >&2; tail -20 "$work/probe.log" >&2; exit 1; }

echo "   measuring for $BENCH_SECONDS s"
from=$(date -u +%FT%T.%3NZ)
t0=$(date +%s.%N)
p0=$(cpu_ticks $PROBE); s0=$(cpu_ticks $SERVER); a0=$(accepted "$SCALE_PORT")
: > "$work/rss"
end=$(( $(date +%s) + BENCH_SECONDS ))
while [ "$(date +%s)" -lt "$end" ]; do
  echo "$(rss_kb $PROBE) $(rss_kb $SERVER)" >> "$work/rss"
  sleep 5
done
p1=$(cpu_ticks $PROBE); s1=$(cpu_ticks $SERVER); a1=$(accepted "$SCALE_PORT")
t1=$(date +%s.%N)
to=$(date -u +%FT%T.%3NZ)
probe_rss_med=$(awk '{print $1}' "$work/rss" | median); probe_rss_max=$(awk '{print $1}' "$work/rss" | sort -n | tail -1)
server_rss_med=$(awk '{print $2}' "$work/rss" | median)
summary1=$(awk -v p0="$p0" -v p1="$p1" -v s0="$s0" -v s1="$s1" -v a0="$a0" -v a1="$a1" -v t0="$t0" -v t1="$t1" -v hz="$CLK_TCK" \
  -v pm="$probe_rss_med" -v px="$probe_rss_max" -v sm="$server_rss_med" -v n="$CHECKS" 'BEGIN {
  s = t1 - t0
  printf "probe: %d checks every 60 s (%.1f/s due); server stored %.1f results/s (%.0f/min); probe CPU %.1f %% of one core; probe RSS median %.0f MB, max %.0f MB; server CPU %.1f %% of one core, RSS median %.0f MB (%d s window)",
    n, n / 60, (a1 - a0) / s, (a1 - a0) / s * 60, (p1 - p0) / hz / s * 100, pm / 1024, px / 1024, (s1 - s0) / hz / s * 100, sm / 1024, s }')
say "== $summary1"
helper lag "http://127.0.0.1:$SCALE_PORT" "$KEY" "$work/ids" "$location_id" "$from" "$to" 200 | tee -a "$out"
grep -E "warn|fail|error" -i "$work/probe.log" | head -5 | sed 's/^/   probe log: /' || true
kill $PROBE $SERVER 2>/dev/null || true
wait $PROBE $SERVER 2>/dev/null || true

echo "== part 2: ingestion from $PROBES probes, side by side with plain push, on one server"
start_server ingest "$INGEST_PORT"
helper ingest "http://127.0.0.1:$INGEST_PORT" "$KEY" --probes "$PROBES" --locations "$LOCATIONS" --monitors "$INGEST_MONITORS" \
  --seconds "$INGEST_SECONDS" --batch "$BATCH" --push-concurrency "$PUSH_CONCURRENCY" --server-pid "$STARTED_PID" | tee -a "$out"
say "   server RSS after ingestion: $(( $(rss_kb "$STARTED_PID") / 1024 )) MB"
echo "== written to $out"
