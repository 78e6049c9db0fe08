#!/usr/bin/env bash
# Push ingestion benchmark: Lifeline against a bare Kestrel app answering the same route, side by
# side in one run on this machine, with wrk as the load generator (sharing the cores).
#
#   bench/push.sh [rounds=3] [duration=15s] [monitors=1000]
#   CONNECTIONS=64 THREADS=2 DURABILITY=Balanced|Power|Process bench/push.sh
#   BASELINE=<git ref> bench/push.sh 5 10s   # also an older Lifeline, built from that ref, in the same rounds
#
# Prints each round and the medians; results are also written to bench/results/.
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${1:-3}
DURATION=${2:-15s}
MONITORS=${3:-1000}
CONNECTIONS=${CONNECTIONS:-64}
THREADS=${THREADS:-2}
DURABILITY=${DURABILITY:-Balanced}
BASELINE=${BASELINE:-}
KESTREL_PORT=5181
LIFELINE_PORT=5182
BASELINE_PORT=5183
KEY="bench-admin-key-0123456789"
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install -y wrk" >&2; exit 2; }

work=$(mktemp -d)
mkdir -p bench/results
cleanup() {
  kill $(jobs -p) 2>/dev/null || true
  [ -z "$BASELINE" ] || git worktree remove --force "$work/baseline-src" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

echo "== building (Release)"
dotnet build bench/BareKestrel -c Release -o "$work/kestrel" -v q -nologo >/dev/null
dotnet build src/Lifeline -c Release -o "$work/lifeline" -v q -nologo >/dev/null
if [ -n "$BASELINE" ]; then
  echo "== building the baseline $BASELINE (Release)"
  git worktree add -q --detach "$work/baseline-src" "$BASELINE"
  dotnet build "$work/baseline-src/src/Lifeline" -c Release -o "$work/baseline" -v q -nologo >/dev/null
fi

wait_ready() { for _ in $(seq 1 100); do curl -fs "$1" >/dev/null 2>&1 && return 0; sleep 0.2; done; echo "not ready: $1" >&2; exit 1; }

echo "== starting bare Kestrel on :$KESTREL_PORT"
ASPNETCORE_URLS=http://127.0.0.1:$KESTREL_PORT dotnet "$work/kestrel/BareKestrel.dll" >/dev/null 2>&1 &
wait_ready "http://127.0.0.1:$KESTREL_PORT/api/push/x"

start_lifeline() { # name dll port -> pid in $STARTED_PID, tokens in $work/<name>-tokens
  echo "== starting $1 on :$3 (durability $DURABILITY)"
  LIFELINE_API_KEY=$KEY Lifeline__Durability=$DURABILITY dotnet "$2" serve \
    --urls "http://127.0.0.1:$3" --data "$work/$1-data" >"$work/$1.log" 2>&1 &
  STARTED_PID=$!
  wait_ready "http://127.0.0.1:$3/healthz"
  echo "== creating $MONITORS push monitors on $1"
  seq 1 "$MONITORS" | xargs -P 8 -I{} curl -fs -X POST "http://127.0.0.1:$3/api/v1/monitors" \
    -H "Authorization: Bearer $KEY" -H 'Content-Type: application/json' -d '{"name":"bench-{}","period":3600}' \
    | grep -o '"pushToken":"[^"]*"' | cut -d'"' -f4 > "$work/$1-tokens"
  echo "   $(wc -l < "$work/$1-tokens") tokens"
}
start_lifeline lifeline "$work/lifeline/lifeline.dll" $LIFELINE_PORT
LIFELINE_PID=$STARTED_PID
if [ -n "$BASELINE" ]; then
  start_lifeline baseline "$work/baseline/lifeline.dll" $BASELINE_PORT
  BASELINE_PID=$STARTED_PID
fi
for i in $(seq 1 "$MONITORS"); do echo "t$i"; done > "$work/kestrel-tokens"

run() { # name port tokens
  local out
  out=$(TOKENS=$3 wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" -s bench/push.lua "http://127.0.0.1:$2" 2>&1)
  local rps errors p50 p99
  rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
  errors=$(echo "$out" | awk '/Non-2xx/ {print $5}'); errors=${errors:-0}
  sock=$(echo "$out" | awk -F'[ ,]+' '/Socket errors/ {print $4+$6+$8+$10}'); sock=${sock:-0}
  echo "$1 $rps $errors $sock"
}

results="$work/rounds"
: > "$results"
echo "== $ROUNDS rounds of $DURATION, $CONNECTIONS connections, $THREADS wrk threads"
for r in $(seq 1 "$ROUNDS"); do
  k=$(run kestrel $KESTREL_PORT "$work/kestrel-tokens"); echo "round $r: $k" | tee -a "$results"
  l=$(run lifeline $LIFELINE_PORT "$work/lifeline-tokens"); echo "round $r: $l" | tee -a "$results"
  if [ -n "$BASELINE" ]; then
    b=$(run baseline $BASELINE_PORT "$work/baseline-tokens"); echo "round $r: $b" | tee -a "$results"
  fi
done

rss_mb() { echo $(( $(awk '/VmRSS/ {print $2}' /proc/$1/status) / 1024 )); }
median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
med() { awk -v n="$1" '$3 == n {print $4}' "$results" | median; }
errs() { awk -v n="$1" '$3 == n {s += $5 + $6} END {print s + 0}' "$results"; }
k_med=$(med kestrel)
l_med=$(med lifeline)
ratio=$(awk -v l="$l_med" -v k="$k_med" 'BEGIN {printf "%.2f", l / k}')
events=$(curl -fs "http://127.0.0.1:$LIFELINE_PORT/metrics" | awk '/^lifeline_signals_total\{result="accepted"\}/ {print $2}')
summary="median req/s: bare Kestrel $k_med, Lifeline $l_med, ratio $ratio; Lifeline errors $(errs lifeline); signals stored $events; Lifeline RSS $(rss_mb $LIFELINE_PID) MB (durability $DURABILITY, $MONITORS monitors, $CONNECTIONS connections, $DURATION x $ROUNDS)"
if [ -n "$BASELINE" ]; then
  b_med=$(med baseline)
  b_ratio=$(awk -v b="$b_med" -v k="$k_med" 'BEGIN {printf "%.2f", b / k}')
  vs=$(awk -v l="$l_med" -v b="$b_med" 'BEGIN {printf "%.2f", l / b}')
  summary="$summary; baseline $BASELINE: $b_med req/s, ratio $b_ratio, errors $(errs baseline), RSS $(rss_mb $BASELINE_PID) MB; this build / baseline $vs"
fi
echo "== $summary"
{ date -u +%FT%TZ; cat "$results"; echo "$summary"; } > "bench/results/push-$(date -u +%Y%m%dT%H%M%SZ).txt"
