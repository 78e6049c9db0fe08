#!/usr/bin/env bash
# Push ingestion benchmark: Lifeline against a bare Kestrel app answering the same route, side by
# side in one run on this machine, with wrk as the load generator (sharing the cores).
#
#   bench/push.sh [rounds=3] [duration=15s] [monitors=1000]
#   CONNECTIONS=64 THREADS=2 DURABILITY=Balanced|Power|Process bench/push.sh
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
KESTREL_PORT=5181
LIFELINE_PORT=5182
KEY="bench-admin-key-0123456789"
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install -y wrk" >&2; exit 2; }

work=$(mktemp -d)
mkdir -p bench/results
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT

echo "== building (Release)"
dotnet build bench/BareKestrel -c Release -o "$work/kestrel" -v q -nologo >/dev/null
dotnet build src/Lifeline -c Release -o "$work/lifeline" -v q -nologo >/dev/null

wait_ready() { for _ in $(seq 1 100); do curl -fs "$1" >/dev/null 2>&1 && return 0; sleep 0.2; done; echo "not ready: $1" >&2; exit 1; }

echo "== starting bare Kestrel on :$KESTREL_PORT"
ASPNETCORE_URLS=http://127.0.0.1:$KESTREL_PORT dotnet "$work/kestrel/BareKestrel.dll" >/dev/null 2>&1 &
wait_ready "http://127.0.0.1:$KESTREL_PORT/api/push/x"

echo "== starting Lifeline on :$LIFELINE_PORT (durability $DURABILITY)"
LIFELINE_API_KEY=$KEY Lifeline__Durability=$DURABILITY dotnet "$work/lifeline/lifeline.dll" serve \
  --urls http://127.0.0.1:$LIFELINE_PORT --data "$work/data" >"$work/lifeline.log" 2>&1 &
LIFELINE_PID=$!
wait_ready "http://127.0.0.1:$LIFELINE_PORT/healthz"

echo "== creating $MONITORS push monitors"
seq 1 "$MONITORS" | xargs -P 8 -I{} curl -fs -X POST "http://127.0.0.1:$LIFELINE_PORT/api/v1/monitors" \
  -H "Authorization: Bearer $KEY" -H 'Content-Type: application/json' -d '{"name":"bench-{}","period":3600}' \
  | grep -o '"pushToken":"[^"]*"' | cut -d'"' -f4 > "$work/tokens"
echo "   $(wc -l < "$work/tokens") tokens"
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
  l=$(run lifeline $LIFELINE_PORT "$work/tokens"); echo "round $r: $l" | tee -a "$results"
done

rss_kb=$(awk '/VmRSS/ {print $2}' /proc/$LIFELINE_PID/status)
median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
k_med=$(awk '$3 == "kestrel" {print $4}' "$results" | median)
l_med=$(awk '$3 == "lifeline" {print $4}' "$results" | median)
l_err=$(awk '$3 == "lifeline" {s += $5 + $6} END {print s + 0}' "$results")
ratio=$(awk -v l="$l_med" -v k="$k_med" 'BEGIN {printf "%.2f", l / k}')
events=$(curl -fs "http://127.0.0.1:$LIFELINE_PORT/metrics" | awk '/^lifeline_signals_total\{result="accepted"\}/ {print $2}')
summary="median req/s: bare Kestrel $k_med, Lifeline $l_med, ratio $ratio; Lifeline errors $l_err; signals stored $events; Lifeline RSS $((rss_kb / 1024)) MB (durability $DURABILITY, $MONITORS monitors, $CONNECTIONS connections, $DURATION x $ROUNDS)"
echo "== $summary"
{ date -u +%FT%TZ; cat "$results"; echo "$summary"; } > "bench/results/push-$(date -u +%Y%m%dT%H%M%SZ).txt"
