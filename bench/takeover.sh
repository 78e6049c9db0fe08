#!/usr/bin/env bash
# Takeover benchmark: two `lifeline serve` nodes on one PostgreSQL (a throwaway cluster, fsync on),
# kill -9 of one just before its probes' deadlines; how late do its monitors alert, and when does
# the survivor hold every shard? See bench/Lifeline.Bench.Takeover/Program.cs.
#
#   bench/takeover.sh [rounds=5] [probes=200] [period=20] [spread=15]
#   CHANNELS=one bench/takeover.sh   # one webhook channel for all probes instead of one each
#   Lifeline__ClusterLeaseSeconds=6 Lifeline__ClusterCheckInSeconds=2 bench/takeover.sh   # other lease settings
#
# LIFELINE_BUILD=<folder with lifeline.dll> skips building the server.
# Results are also written to bench/results/takeover-<time>.txt.
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${1:-5}
PROBES=${2:-200}
PERIOD=${3:-20}
SPREAD=${4:-15}
. bench/pg.sh

work=$(mktemp -d)
mkdir -p bench/results
out="bench/results/takeover-$(date -u +%Y%m%dT%H%M%SZ).txt"
cleanup() { pg_stop; rm -rf "$work"; }
trap cleanup EXIT

echo "== building (Release)"
build() { local o; o=$(dotnet build "$1" -c Release -o "$2" -v q -nologo 2>&1) || { echo "$o" | grep -E "error" | sort -u >&2; exit 1; }; }
if [ -n "${LIFELINE_BUILD:-}" ]; then ln -s "$(cd "$LIFELINE_BUILD" && pwd)" "$work/lifeline"; else build src/Lifeline "$work/lifeline"; fi
build bench/Lifeline.Bench.Takeover "$work/bench"
pg_start
{ date -u +%FT%TZ; echo "rounds $ROUNDS, probes $PROBES, period $PERIOD s, spread $SPREAD s, channels ${CHANNELS:-each}, lease ${Lifeline__ClusterLeaseSeconds:-10} s, check-in ${Lifeline__ClusterCheckInSeconds:-2} s, load average $(cut -d' ' -f1-3 /proc/loadavg)"; } > "$out"
dotnet "$work/bench/Lifeline.Bench.Takeover.dll" "$work/lifeline/lifeline.dll" --postgres "$PG_CONN" \
  --rounds "$ROUNDS" --probes "$PROBES" --period "$PERIOD" --spread "$SPREAD" --channels "${CHANNELS:-each}" --results "$out" --details "${out%.txt}.csv"
echo "== results in $out"
