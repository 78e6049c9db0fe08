#!/usr/bin/env bash
# Push ingestion: two `lifeline serve` nodes against one, on the same PostgreSQL database (a
# throwaway cluster with fsync and synchronous_commit on, bench/pg.sh), with wrk as the load
# generator. Both nodes run throughout; the rounds alternate between
#   one: one wrk (THREADS threads, CONNECTIONS connections) against node A only, and
#   two: two wrk at once (THREADS/2 threads, CONNECTIONS/2 connections each), one per node,
# so the load generator has the same threads and connections in both. The same monitors are
# pushed in both: with two nodes, each node gets half of them (as when each job's client talks to
# one node), or with SHARED=1 every monitor through both nodes at once (each row then changes
# under the other node all the time: row locks and re-reads, see docs/BENCHMARKS.md). Per run it also records the CPU used by each node, by PostgreSQL
# the machine's idle CPU, PostgreSQL commits/s and what its busy backends wait on.
#
#   bench/push-cluster.sh [rounds=5] [duration=10s] [monitors=1000]
#   CONNECTIONS=64 THREADS=2 PORT_BASE=5281 bench/push-cluster.sh
#   NODE_CPU=0.4 bench/push-cluster.sh   # each node capped at 0.4 of a core (started in a cgroup of its own, as root)
#   WARMUP=20s bench/push-cluster.sh     # unmeasured load on both nodes first (default 20s; 0 for none)
#
# NODE_CPU stands in for nodes on machines of their own: on one small machine the nodes, PostgreSQL
# and wrk share the cores, so a second node only takes CPU from the first. With each node capped,
# the node is the limit and PostgreSQL and wrk have cores to spare, which is the case the
# two-node figure is about; the output's idle CPU and PostgreSQL's CPU show whether it held.
#
# LIFELINE_BUILD=<folder with lifeline.dll> skips building the server.
# Prints each run and the medians; results are also written to bench/results/push-cluster-<time>.txt.
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${1:-5}
DURATION=${2:-10s}
MONITORS=${3:-1000}
CONNECTIONS=${CONNECTIONS:-64}
THREADS=${THREADS:-2}
PORT_BASE=${PORT_BASE:-5281}
NODE_CPU=${NODE_CPU:-}
SHARED=${SHARED:-}
WARMUP=${WARMUP:-20s}
A_PORT=$PORT_BASE
B_PORT=$((PORT_BASE + 1))
KEY="bench-admin-key-0123456789"
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install -y wrk" >&2; exit 2; }
for p in $A_PORT $B_PORT; do
  if (exec 3<>/dev/tcp/127.0.0.1/$p) 2>/dev/null; then echo "port $p is taken: set PORT_BASE" >&2; exit 2; fi
done
. bench/pg.sh

# A cgroup per node with a CPU quota: cgroup v2 (cpu.max) or v1's cpu controller.
cg_base=""
if [ -n "$NODE_CPU" ]; then
  if [ -w /sys/fs/cgroup/cgroup.subtree_control ] && grep -qw cpu /sys/fs/cgroup/cgroup.controllers 2>/dev/null; then cg_base=/sys/fs/cgroup
  elif [ -w /sys/fs/cgroup/cpu ]; then cg_base=/sys/fs/cgroup/cpu
  else echo "NODE_CPU needs a writable cgroup cpu controller (run as root)" >&2; exit 2; fi
fi
cg_dirs=()
make_cgroup() { # name -> CG_DIR: a cgroup of its own capped at NODE_CPU cores
  local dir="$cg_base/lifeline-bench-$$-$1" quota
  mkdir -p "$dir"; cg_dirs+=("$dir")
  quota=$(awk -v c="$NODE_CPU" 'BEGIN {printf "%d", c * 100000}')
  if [ -e "$dir/cpu.max" ]; then
    echo "+cpu" > /sys/fs/cgroup/cgroup.subtree_control 2>/dev/null || true
    echo "$quota 100000" > "$dir/cpu.max"
  else
    echo 100000 > "$dir/cpu.cfs_period_us"; echo "$quota" > "$dir/cpu.cfs_quota_us"
  fi
  CG_DIR=$dir
}

work=$(mktemp -d)
mkdir -p bench/results
out="bench/results/push-cluster-$(date -u +%Y%m%dT%H%M%SZ).txt"
cleanup() {
  kill $(jobs -p) 2>/dev/null || true
  wait 2>/dev/null || true
  pg_stop
  local dir
  for dir in "${cg_dirs[@]}"; do rmdir "$dir" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

echo "== building (Release)"
build() { local o; o=$(dotnet build "$1" -c Release -o "$2" -v q -nologo 2>&1) || { echo "$o" | grep -E "error" | sort -u >&2; exit 1; }; }
if [ -n "${LIFELINE_BUILD:-}" ]; then ln -s "$(cd "$LIFELINE_BUILD" && pwd)" "$work/lifeline"; else build src/Lifeline "$work/lifeline"; fi
pg_start
conn=$(pg_createdb bench_push)

wait_ready() { for _ in $(seq 1 300); do curl -fs "$1" >/dev/null 2>&1 && return 0; sleep 0.2; done; echo "not ready: $1" >&2; exit 1; }
start_node() { # name port -> pid in $STARTED_PID
  local procs=""
  if [ -n "$NODE_CPU" ]; then make_cgroup "$1"; procs="$CG_DIR/cgroup.procs"; fi
  # The node starts inside its cgroup, as in a container with a CPU limit: .NET sizes itself to the
  # limit from the start (one processor: no thread-pool spinning, one I/O queue).
  LIFELINE_API_KEY=$KEY bash -c '[ -z "$0" ] || echo $$ > "$0"; exec "$@"' "$procs" \
    dotnet "$work/lifeline/lifeline.dll" serve --urls "http://127.0.0.1:$2" \
    --data "$work/$1-data" --postgres "$conn" >"$work/$1.log" 2>&1 &
  STARTED_PID=$!
  wait_ready "http://127.0.0.1:$2/healthz"
}
echo "== starting nodes a on :$A_PORT and b on :$B_PORT, one database"
start_node a "$A_PORT"; A_PID=$STARTED_PID
start_node b "$B_PORT"; B_PID=$STARTED_PID
echo "== creating $MONITORS push monitors"
seq 1 "$MONITORS" | xargs -P 8 -I{} curl -fs -X POST "http://127.0.0.1:$A_PORT/api/v1/monitors" \
  -H "Authorization: Bearer $KEY" -H 'Content-Type: application/json' -d '{"name":"bench-{}","period":3600}' \
  | grep -o '"pushToken":"[^"]*"' | cut -d'"' -f4 > "$work/tokens"
echo "   $(wc -l < "$work/tokens") tokens"
if [ -n "$SHARED" ]; then cp "$work/tokens" "$work/tokens-a"; cp "$work/tokens" "$work/tokens-b"
else
  half=$(( $(wc -l < "$work/tokens") / 2 ))
  head -n "$half" "$work/tokens" > "$work/tokens-a"; tail -n +$((half + 1)) "$work/tokens" > "$work/tokens-b"
fi

ticks() { # CPU ticks (user + system) of the given pids and their threads
  local t=0 p
  for p in "$@"; do
    [ -r "/proc/$p/stat" ] && t=$((t + $(awk '{sub(/.*\) /, ""); print $12 + $13}' "/proc/$p/stat")))
  done
  echo $t
}
pid_ticks() { # "pid ticks" per line, for PostgreSQL's processes (backends come and go)
  local p
  for p in $(pg_pids); do [ -r "/proc/$p/stat" ] && echo "$p $(awk '{sub(/.*\) /, ""); print $12 + $13}' "/proc/$p/stat")"; done
}
pg_delta() { # ticks used since the snapshot in $1 by the processes alive now (a new one counts from 0)
  pid_ticks | awk 'NR == FNR {t0[$1] = $2; next} {s += $2 - ($1 in t0 ? t0[$1] : 0)} END {print s + 0}' "$1" -
}
pg_pids() { local pm; pm=$(head -1 "$PG_DATA/postmaster.pid"); echo "$pm $(pgrep -P "$pm" | tr '\n' ' ')"; }
idle_ticks() { awk '/^cpu / {print $5 + $6}' /proc/stat; }
commits() { pg_sql "SELECT xact_commit FROM pg_stat_database WHERE datname = 'bench_push'"; }
HZ=$(getconf CLK_TCK)

sample_waits() { # what PostgreSQL's active client backends wait on, once a second, until killed
  while true; do
    pg_sql "SELECT coalesce(wait_event_type || ':' || wait_event, 'CPU') FROM pg_stat_activity WHERE state = 'active' AND backend_type = 'client backend' AND datname = 'bench_push'" 2>/dev/null || true
    sleep 1
  done
}

wrk_run() { # port threads connections tokens -> "rps errors"
  local o rps errors sock
  o=$(TOKENS="$4" wrk -t"$2" -c"$3" -d"$DURATION" -s bench/push.lua "http://127.0.0.1:$1" 2>&1)
  rps=$(echo "$o" | awk '/Requests\/sec/ {print $2}')
  errors=$(echo "$o" | awk '/Non-2xx/ {print $5}'); errors=${errors:-0}
  sock=$(echo "$o" | awk -F'[ ,]+' '/Socket errors/ {print $4+$6+$8+$10}'); sock=${sock:-0}
  echo "$rps $((errors + sock))"
}

run() { # mode -> one line of results
  local mode=$1 a0 b0 i0 c0 t0 a1 b1 pt i1 c1 t1 rps errs sampler
  a0=$(ticks "$A_PID"); b0=$(ticks "$B_PID"); pid_ticks > "$work/pg-ticks"; i0=$(idle_ticks); c0=$(commits); t0=$(date +%s.%N)
  sample_waits > "$work/waits-$mode" & sampler=$!
  if [ "$mode" = one ]; then
    read -r rps errs < <(wrk_run "$A_PORT" "$THREADS" "$CONNECTIONS" "$work/tokens")
  else
    wrk_run "$A_PORT" $((THREADS / 2 > 0 ? THREADS / 2 : 1)) $((CONNECTIONS / 2)) "$work/tokens-a" > "$work/wrk-a" &
    local wa=$!
    wrk_run "$B_PORT" $((THREADS / 2 > 0 ? THREADS / 2 : 1)) $((CONNECTIONS / 2)) "$work/tokens-b" > "$work/wrk-b"
    wait $wa
    read -r ra ea < "$work/wrk-a"; read -r rb eb < "$work/wrk-b"
    rps=$(awk -v a="$ra" -v b="$rb" 'BEGIN {printf "%.2f", a + b}'); errs=$((ea + eb))
  fi
  kill $sampler 2>/dev/null; wait $sampler 2>/dev/null || true
  t1=$(date +%s.%N); a1=$(ticks "$A_PID"); b1=$(ticks "$B_PID"); pt=$(pg_delta "$work/pg-ticks"); i1=$(idle_ticks); c1=$(commits)
  local secs waits
  secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN {print b - a}')
  # The top three things active backends were seen waiting on, as shares of the samples.
  waits=$(sort "$work/waits-$mode" | uniq -c | sort -rn | awk -v n="$(wc -l < "$work/waits-$mode")" 'NR <= 3 {printf "%s%s %d%%", (NR > 1 ? ", " : ""), $2, 100 * $1 / (n ? n : 1)}')
  awk -v m="$mode" -v r="$rps" -v e="$errs" -v s="$secs" -v hz="$HZ" -v a=$((a1 - a0)) -v b=$((b1 - b0)) -v p="$pt" -v i=$((i1 - i0)) -v c=$((c1 - c0)) -v w="$waits" \
    'BEGIN {printf "%s %s req/s, errors %d, CPU cores: node a %.2f, node b %.2f, postgres %.2f, machine idle %.2f of 2; commits/s %.0f; backends wait on: %s\n", m, r, e, a / hz / s, b / hz / s, p / hz / s, i / hz / s, c / s, w}'
}

# Both nodes warm up first (JIT tiering, connection pools, the rows each node knows), unmeasured:
# a node capped at a fraction of a core takes a while to reach its pace.
if [ "$WARMUP" != 0 ]; then
  echo "== warming up both nodes for $WARMUP"
  TOKENS="$work/tokens-a" wrk -t1 -c$((CONNECTIONS / 2)) -d"$WARMUP" -s bench/push.lua "http://127.0.0.1:$A_PORT" >/dev/null 2>&1 &
  warm_a=$!
  TOKENS="$work/tokens-b" wrk -t1 -c$((CONNECTIONS / 2)) -d"$WARMUP" -s bench/push.lua "http://127.0.0.1:$B_PORT" >/dev/null 2>&1 || true
  wait "$warm_a" || true
  TOKENS="$work/tokens" wrk -t"$THREADS" -c"$CONNECTIONS" -d"$WARMUP" -s bench/push.lua "http://127.0.0.1:$A_PORT" >/dev/null 2>&1
fi

results="$work/rounds"
: > "$results"
LOAD0=$(cut -d' ' -f1-3 /proc/loadavg)
echo "== $ROUNDS rounds of $DURATION: one node ($THREADS wrk threads, $CONNECTIONS connections) and two nodes (two wrk, half each), alternating order"
for r in $(seq 1 "$ROUNDS"); do
  if [ $((r % 2)) = 1 ]; then order="one two"; else order="two one"; fi
  for mode in $order; do
    line=$(run "$mode"); echo "round $r: $line" | tee -a "$results"
  done
done

median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
one=$(awk '$3 == "one" {print $4}' "$results" | median)
two=$(awk '$3 == "two" {print $4}' "$results" | median)
ratios=$(awk '$3 == "one" {o[$2] = $4} $3 == "two" {t[$2] = $4} END {for (r in o) if (r in t) printf "%.2f\n", t[r] / o[r]}' "$results" | sort -n | tr '\n' ' ')
rss_mb() { echo $(( $(awk '/VmRSS/ {print $2}' /proc/$1/status) / 1024 )); }
summary="median req/s: one node $one, two nodes $two${NODE_CPU:+ (each node capped at $NODE_CPU cores)}${SHARED:+ (every monitor through both nodes)}, ratio $(awk -v a="$two" -v b="$one" 'BEGIN {printf "%.2f", a / b}') (per-round ratios: $ratios); RSS a $(rss_mb $A_PID) MB, b $(rss_mb $B_PID) MB; database $(pg_sql "SELECT pg_size_pretty(pg_database_size('bench_push'))") ($MONITORS monitors, $CONNECTIONS connections, $DURATION x $ROUNDS, load average at the start $LOAD0)"
echo "== $summary"
{ date -u +%FT%TZ; cat "$results"; echo "$summary"; } > "$out"
echo "== results in $out"
