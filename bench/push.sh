#!/usr/bin/env bash
# Push ingestion benchmark: Lifeline against a bare Kestrel app answering the same route, side by
# side in one run on this machine, with wrk as the load generator (sharing the cores).
#
#   bench/push.sh [rounds=3] [duration=15s] [monitors=1000]
#   CONNECTIONS=64 THREADS=2 DURABILITY=Balanced|Power|Process bench/push.sh
#   BASELINE=<git ref> bench/push.sh 5 10s   # also an older Lifeline, built from that ref, in the same rounds
#   POSTGRES=1 bench/push.sh 3 10s 1000      # also Lifeline on PostgreSQL (a throwaway cluster), in the same rounds
#   PG_SHARED_BUFFERS=128MB PG_MAX_CONNECTIONS=200 POSTGRES=1 bench/push.sh
#   PG_STATEMENTS=1 POSTGRES=1 bench/push.sh # also where PostgreSQL spends its time (pg_stat_statements)
#   PORT_BASE=5181 bench/push.sh             # uses five ports from PORT_BASE on 127.0.0.1
#   ROUTE=ping bench/push.sh                 # Lifeline gets Healthchecks-style /ping/<token> (Kestrel keeps its route)
#
# With POSTGRES=1 the cluster is made with initdb in a temp folder (as the postgres user when run
# as root) and started with fsync and synchronous_commit on: a 200 is a durable commit there too.
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
ROUTE=${ROUTE:-push}
case $ROUTE in
  push) LIFELINE_PATH="/api/push/%s?status=up&msg=bench" ;;
  ping) LIFELINE_PATH="/ping/%s" ;;
  *) echo "ROUTE is push or ping" >&2; exit 2 ;;
esac
BASELINE=${BASELINE:-}
POSTGRES=${POSTGRES:-}
PG_SHARED_BUFFERS=${PG_SHARED_BUFFERS:-128MB}
PG_MAX_CONNECTIONS=${PG_MAX_CONNECTIONS:-200}
PG_STATEMENTS=${PG_STATEMENTS:-}
PORT_BASE=${PORT_BASE:-5181} # five ports from here: Kestrel, Lifeline, baseline, Lifeline on PostgreSQL, PostgreSQL
KESTREL_PORT=$PORT_BASE
LIFELINE_PORT=$((PORT_BASE + 1))
BASELINE_PORT=$((PORT_BASE + 2))
POSTGRES_LIFELINE_PORT=$((PORT_BASE + 3))
PG_PORT=$((PORT_BASE + 4))
for port in $KESTREL_PORT $LIFELINE_PORT $BASELINE_PORT $POSTGRES_LIFELINE_PORT $PG_PORT; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then echo "port $port is in use: set PORT_BASE to another free range" >&2; exit 2; fi
done
KEY="bench-admin-key-0123456789"
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install -y wrk" >&2; exit 2; }

work=$(mktemp -d)
mkdir -p bench/results
pg_dir=""
cleanup() {
  kill $(jobs -p) 2>/dev/null || true
  if [ -n "$pg_dir" ]; then as_postgres "$PG_BIN/pg_ctl" stop -D "$pg_dir/data" -m fast -w >/dev/null 2>&1 || true; rm -rf "$pg_dir"; fi
  [ -z "$BASELINE" ] || git worktree remove --force "$work/baseline-src" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# PostgreSQL's binaries: initdb on PATH first, then Debian's versioned folders, newest first.
find_pg_bin() {
  local dir
  for dir in $(echo "$PATH" | tr ':' ' '); do [ -x "$dir/initdb" ] && { dirname "$(readlink -f "$dir/initdb")"; return; }; done
  ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -t/ -k5 -n -r | while read -r dir; do [ -x "$dir/initdb" ] && { echo "$dir"; break; }; done
}
# PostgreSQL refuses to run as root: as root, the cluster belongs to the postgres user.
as_postgres() { if [ "$(id -u)" = 0 ]; then (cd / && runuser -u postgres -- "$@"); else "$@"; fi; }
if [ -n "$POSTGRES" ]; then
  PG_BIN=$(find_pg_bin)
  [ -n "$PG_BIN" ] || { echo "PostgreSQL is missing: apt-get install -y postgresql" >&2; exit 2; }
fi

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

start_lifeline() { # name dll port [serve options...] -> pid in $STARTED_PID, tokens in $work/<name>-tokens
  local name=$1 dll=$2 port=$3; shift 3
  echo "== starting $name on :$port (durability $DURABILITY${1:+, $1})"
  LIFELINE_API_KEY=$KEY Lifeline__Durability=$DURABILITY dotnet "$dll" serve \
    --urls "http://127.0.0.1:$port" --data "$work/$name-data" "$@" >"$work/$name.log" 2>&1 &
  STARTED_PID=$!
  wait_ready "http://127.0.0.1:$port/healthz"
  echo "== creating $MONITORS push monitors on $name"
  seq 1 "$MONITORS" | xargs -P 8 -I{} curl -fs -X POST "http://127.0.0.1:$port/api/v1/monitors" \
    -H "Authorization: Bearer $KEY" -H 'Content-Type: application/json' -d '{"name":"bench-{}","period":3600}' \
    | grep -o '"pushToken":"[^"]*"' | cut -d'"' -f4 > "$work/$name-tokens"
  echo "   $(wc -l < "$work/$name-tokens") tokens"
}
start_lifeline lifeline "$work/lifeline/lifeline.dll" $LIFELINE_PORT
LIFELINE_PID=$STARTED_PID
if [ -n "$POSTGRES" ]; then
  pg_dir=$(mktemp -d /tmp/lifeline-bench-pg.XXXXXX)
  [ "$(id -u)" != 0 ] || chown postgres: "$pg_dir"
  echo "== starting PostgreSQL ($PG_BIN) on :$PG_PORT: fsync on, synchronous_commit on, shared_buffers $PG_SHARED_BUFFERS"
  as_postgres "$PG_BIN/initdb" -D "$pg_dir/data" -U lifeline --auth=trust --encoding=UTF8 --locale=C >/dev/null
  as_postgres "$PG_BIN/pg_ctl" start -D "$pg_dir/data" -w -t 120 -l "$pg_dir/server.log" -o \
    "-c listen_addresses=127.0.0.1 -p $PG_PORT -k $pg_dir -c fsync=on -c synchronous_commit=on -c full_page_writes=on \
     -c shared_buffers=$PG_SHARED_BUFFERS -c max_connections=$PG_MAX_CONNECTIONS ${PG_STATEMENTS:+-c shared_preload_libraries=pg_stat_statements}" >/dev/null
  psql -q -h 127.0.0.1 -p "$PG_PORT" -U lifeline -d postgres -c "CREATE DATABASE lifeline_bench" >/dev/null
  [ -z "$PG_STATEMENTS" ] || psql -q -h 127.0.0.1 -p "$PG_PORT" -U lifeline -d lifeline_bench -c "CREATE EXTENSION pg_stat_statements" >/dev/null
  PG_CONN="Host=127.0.0.1;Port=$PG_PORT;Database=lifeline_bench;Username=lifeline"
  start_lifeline postgres "$work/lifeline/lifeline.dll" $POSTGRES_LIFELINE_PORT --postgres "$PG_CONN"
  POSTGRES_PID=$STARTED_PID
fi
if [ -n "$BASELINE" ]; then
  start_lifeline baseline "$work/baseline/lifeline.dll" $BASELINE_PORT
  BASELINE_PID=$STARTED_PID
fi
for i in $(seq 1 "$MONITORS"); do echo "t$i"; done > "$work/kestrel-tokens"

run() { # name port tokens
  local out path=$LIFELINE_PATH
  [ "$1" != kestrel ] || path="/api/push/%s?status=up&msg=bench"
  out=$(TOKENS=$3 PUSH_PATH=$path wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" -s bench/push.lua "http://127.0.0.1:$2" 2>&1)
  local rps errors p50 p99
  rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
  errors=$(echo "$out" | awk '/Non-2xx/ {print $5}'); errors=${errors:-0}
  sock=$(echo "$out" | awk -F'[ ,]+' '/Socket errors/ {print $4+$6+$8+$10}'); sock=${sock:-0}
  echo "$1 $rps $errors $sock"
}

CLK_TCK=$(getconf CLK_TCK)
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo 0; } # user + system, in ticks
# The postmaster and its children (the backends of pooled connections stay for the run).
pg_cpu_ticks() {
  local pm t=0 pid
  pm=$(head -1 "$pg_dir/data/postmaster.pid")
  for pid in $pm $(pgrep -P "$pm"); do t=$(( t + $(cpu_ticks "$pid") )); done
  echo $t
}

results="$work/rounds"
: > "$results"
echo "== $ROUNDS rounds of $DURATION, $CONNECTIONS connections, $THREADS wrk threads"
for r in $(seq 1 "$ROUNDS"); do
  k=$(run kestrel $KESTREL_PORT "$work/kestrel-tokens"); echo "round $r: $k" | tee -a "$results"
  before_l=$(cpu_ticks "$LIFELINE_PID")
  l=$(run lifeline $LIFELINE_PORT "$work/lifeline-tokens"); echo "round $r: $l" | tee -a "$results"
  [ -z "$POSTGRES" ] || echo "   CPU during the SQLite round: Lifeline $(( ($(cpu_ticks "$LIFELINE_PID") - before_l) / CLK_TCK )) s" | tee -a "$work/cpu"
  if [ -n "$BASELINE" ]; then
    b=$(run baseline $BASELINE_PORT "$work/baseline-tokens"); echo "round $r: $b" | tee -a "$results"
  fi
  if [ -n "$POSTGRES" ]; then
    before_l=$(cpu_ticks "$POSTGRES_PID"); before_p=$(pg_cpu_ticks)
    p=$(run postgres $POSTGRES_LIFELINE_PORT "$work/postgres-tokens"); echo "round $r: $p" | tee -a "$results"
    echo "   CPU during the PostgreSQL round: Lifeline $(( ($(cpu_ticks "$POSTGRES_PID") - before_l) / CLK_TCK )) s, PostgreSQL $(( ($(pg_cpu_ticks) - before_p) / CLK_TCK )) s (of $DURATION x 2 cores, shared with wrk)" | tee -a "$work/cpu"
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
summary="median req/s: bare Kestrel $k_med, Lifeline $l_med, ratio $ratio; Lifeline errors $(errs lifeline); signals stored $events; Lifeline RSS $(rss_mb $LIFELINE_PID) MB (durability $DURABILITY, $MONITORS monitors, route $ROUTE, $CONNECTIONS connections, $DURATION x $ROUNDS)"
if [ -n "$BASELINE" ]; then
  b_med=$(med baseline)
  b_ratio=$(awk -v b="$b_med" -v k="$k_med" 'BEGIN {printf "%.2f", b / k}')
  vs=$(awk -v l="$l_med" -v b="$b_med" 'BEGIN {printf "%.2f", l / b}')
  summary="$summary; baseline $BASELINE: $b_med req/s, ratio $b_ratio, errors $(errs baseline), RSS $(rss_mb $BASELINE_PID) MB; this build / baseline $vs"
fi
if [ -n "$POSTGRES" ]; then
  p_med=$(med postgres)
  p_ratio=$(awk -v p="$p_med" -v k="$k_med" 'BEGIN {printf "%.2f", p / k}')
  p_vs=$(awk -v p="$p_med" -v l="$l_med" 'BEGIN {printf "%.2f", p / l}')
  p_events=$(curl -fs "http://127.0.0.1:$POSTGRES_LIFELINE_PORT/metrics" | awk '/^lifeline_signals_total\{result="accepted"\}/ {print $2}')
  summary="$summary; PostgreSQL: Lifeline $p_med req/s, ratio $p_ratio, errors $(errs postgres), signals stored $p_events, RSS $(rss_mb $POSTGRES_PID) MB; PostgreSQL / SQLite $p_vs"
fi
echo "== $summary"
if [ -n "$PG_STATEMENTS" ]; then
  echo "== PostgreSQL's statements by total time (all rounds)"
  psql -h 127.0.0.1 -p "$PG_PORT" -U lifeline -d lifeline_bench -P pager=off -c \
    "SELECT calls, round(total_exec_time) AS total_ms, round(mean_exec_time::numeric, 3) AS mean_ms, rows, left(regexp_replace(query, '\s+', ' ', 'g'), 90) AS query
     FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = 'lifeline_bench') ORDER BY total_exec_time DESC LIMIT 10" | tee -a "$work/cpu"
fi
{ date -u +%FT%TZ; cat "$results"; [ ! -e "$work/cpu" ] || cat "$work/cpu"; echo "$summary"; } > "bench/results/push-$(date -u +%Y%m%dT%H%M%SZ).txt"
