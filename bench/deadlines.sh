#!/usr/bin/env bash
# Deadline benchmark on SQLite and on PostgreSQL in the same run: a real `lifeline serve` with
# N push monitors loaded through the API, 200 probe monitors going silent, latency from each
# missed deadline to its webhook, server memory, database size; on PostgreSQL also PostgreSQL's
# own memory. PostgreSQL is a throwaway cluster in a temp folder with fsync on (bench/pg.sh).
#
#   bench/deadlines.sh [monitors=100000] [probes=200] [rounds=1]
#   ORDER="postgres sqlite" bench/deadlines.sh 1000000   # which store goes first in each round
#   API_LOAD=20000 ORDER=postgres bench/deadlines.sh 1000000   # PostgreSQL: 20,000 monitors through
#       the API, the rest copied from them in SQL (see --api-load in the program); SQLite always uses the API
#   CHANNELS=each bench/deadlines.sh   # a webhook channel per probe (default: one for all, as before)
#   LIFELINE_BUILD=<folder with lifeline.dll> skips building the server (the same holds for the other bench scripts)
#
# Each round runs SQLite then PostgreSQL (a fresh folder / database each). Prints each run;
# results are also written to bench/results/deadlines-<time>.txt.
set -euo pipefail
cd "$(dirname "$0")/.."
MONITORS=${1:-100000}
PROBES=${2:-200}
ROUNDS=${3:-1}
ORDER=${ORDER:-sqlite postgres}
. bench/pg.sh

work=$(mktemp -d)
mkdir -p bench/results
out="bench/results/deadlines-$(date -u +%Y%m%dT%H%M%SZ).txt"
cleanup() { pg_stop; rm -rf "$work"; }
trap cleanup EXIT

echo "== building (Release)"
build() { local o; o=$(dotnet build "$1" -c Release -o "$2" -v q -nologo 2>&1) || { echo "$o" | grep -E "error" | sort -u >&2; exit 1; }; }
if [ -n "${LIFELINE_BUILD:-}" ]; then ln -s "$(cd "$LIFELINE_BUILD" && pwd)" "$work/lifeline"; else build src/Lifeline "$work/lifeline"; fi
build bench/Lifeline.Bench.Deadlines "$work/bench"
pg_start

{ date -u +%FT%TZ; echo "monitors $MONITORS, probes $PROBES, rounds $ROUNDS, $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"; } > "$out"
for r in $(seq 1 "$ROUNDS"); do
  for store in $ORDER; do
    echo "== round $r: $store, $MONITORS monitors"
    case $store in
      sqlite) dotnet "$work/bench/Lifeline.Bench.Deadlines.dll" "$work/lifeline/lifeline.dll" "$MONITORS" "$PROBES" \
                --label "sqlite r$r" --results "$out" --channels "${CHANNELS:-one}" ;;
      postgres) conn=$(pg_createdb "bench_deadlines_r$r")
                dotnet "$work/bench/Lifeline.Bench.Deadlines.dll" "$work/lifeline/lifeline.dll" "$MONITORS" "$PROBES" \
                  --postgres "$conn" --pg-data "$PG_DATA" ${API_LOAD:+--api-load "$API_LOAD"} --label "postgres r$r" --results "$out" --channels "${CHANNELS:-one}"
                pg_sql "DROP DATABASE bench_deadlines_r$r WITH (FORCE)" ;;
      *) echo "unknown store $store" >&2; exit 2 ;;
    esac
  done
done
echo "== results ($out)"
cat "$out"
