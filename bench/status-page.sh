#!/usr/bin/env bash
# Status page benchmark: the real server with one public status page of 20 monitors (a few of
# them with outages, so the page has incidents and notes), read by wrk. The goal (issue #10) is
# p99 <= 20 ms at 1,000 requests/s; wrk here runs open loop at full speed, which is more.
#
#   bench/status-page.sh [duration=15s]
#   CONNECTIONS=20 THREADS=2 bench/status-page.sh
#   PORT_BASE=5291 bench/status-page.sh        # uses one port on 127.0.0.1
#   ROUTE=json bench/status-page.sh           # /status/{slug}/json instead of the HTML page
#   GZIP=0 bench/status-page.sh               # ask without Accept-Encoding: gzip (browsers send it)
#   RATE=1000 bench/status-page.sh            # about that many requests/s: each connection waits
#                                             # CONNECTIONS*1000/RATE ms between requests (wrk's delay())
#
# Prints wrk's report; the result is also written to bench/results/.
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${1:-15s}
CONNECTIONS=${CONNECTIONS:-20}
THREADS=${THREADS:-2}
PORT_BASE=${PORT_BASE:-5291}
ROUTE=${ROUTE:-html}
GZIP=${GZIP:-1}
ENCODING=()
[ "$GZIP" = 0 ] || ENCODING=(-H "Accept-Encoding: gzip")
case $ROUTE in
  html) SUFFIX="" ;;
  json) SUFFIX="/json" ;;
  feed) SUFFIX="/feed" ;;
  *) echo "ROUTE is html, json or feed" >&2; exit 2 ;;
esac
PORT=$PORT_BASE
if (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then echo "port $PORT is in use: set PORT_BASE to a free port" >&2; exit 2; fi
KEY="bench-admin-key-0123456789"
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install -y wrk" >&2; exit 2; }

work=$(mktemp -d)
mkdir -p bench/results
cleanup() {
  kill $(jobs -p) 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

wait_ready() { for _ in $(seq 1 150); do curl -fs "$1" >/dev/null 2>&1 && return 0; sleep 0.2; done; echo "not ready: $1" >&2; exit 1; }
api() { curl -fs -X "$1" "http://127.0.0.1:$PORT$2" -H "Authorization: Bearer $KEY" -H 'Content-Type: application/json' ${3:+-d "$3"}; }

echo "== building (Release)"
dotnet build src/Lifeline -c Release -o "$work/lifeline" -v q -nologo >/dev/null

echo "== starting Lifeline on :$PORT"
LIFELINE_API_KEY=$KEY dotnet "$work/lifeline/lifeline.dll" serve --urls "http://127.0.0.1:$PORT" --data "$work/data" >"$work/lifeline.log" 2>&1 &
wait_ready "http://127.0.0.1:$PORT/healthz"

echo "== creating 20 push monitors, a page showing them in 4 groups, and 3 notes"
ids=()
for i in $(seq 1 20); do
  monitor=$(api POST /api/v1/monitors "{\"name\":\"service-$i\",\"period\":3600}")
  id=$(echo "$monitor" | grep -o '"id":"[^"]*"' | head -1 | cut -d'"' -f4)
  token=$(echo "$monitor" | grep -o '"pushToken":"[^"]*"' | cut -d'"' -f4)
  ids+=("\"$id\"")
  curl -fs "http://127.0.0.1:$PORT/api/push/$token" >/dev/null
  # Every fifth service has had an outage (an incident closed), the last one is down now.
  if [ $((i % 5)) = 0 ]; then
    curl -fs "http://127.0.0.1:$PORT/api/push/$token?status=down" >/dev/null
    [ "$i" = 20 ] || curl -fs "http://127.0.0.1:$PORT/api/push/$token" >/dev/null
  fi
done
groups=""
for g in 0 1 2 3; do
  members=$(IFS=,; echo "${ids[*]:$((g * 5)):5}")
  groups+="${groups:+,}{\"name\":\"Group $((g + 1))\",\"monitors\":[$members]}"
done
page=$(api POST /api/v1/status-pages "{\"slug\":\"bench\",\"title\":\"Bench status\",\"description\":\"20 monitors\",\"groups\":[$groups]}")
page_id=$(echo "$page" | grep -o '"id":"[^"]*"' | head -1 | cut -d'"' -f4)
for state in resolved monitoring investigating; do
  api POST "/api/v1/status-pages/$page_id/incidents" "{\"title\":\"Note $state\",\"body\":\"Some words about it.\",\"state\":\"$state\"}" >/dev/null
done
url="http://127.0.0.1:$PORT/status/bench$SUFFIX"
echo "   $(curl -fs "$url" | wc -c) bytes at $url ($(curl -fs "${ENCODING[@]}" "$url" | wc -c) as sent)"

echo "== warming up"
wrk -t1 -c4 -d3s "${ENCODING[@]}" "$url" >/dev/null

PACE=()
if [ -n "${RATE:-}" ]; then
  # wrk's latency figures leave the wait out: they are the server's answers at this rate.
  echo "function delay() return $((CONNECTIONS * 1000 / RATE)) end" > "$work/pace.lua"
  PACE=(-s "$work/pace.lua")
fi
echo "== wrk -t$THREADS -c$CONNECTIONS -d$DURATION --latency ${ENCODING[*]} ${RATE:+(paced to about $RATE req/s) }$url"
result="bench/results/status-page-$(date -u +%Y%m%dT%H%M%SZ).txt"
wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency "${PACE[@]}" "${ENCODING[@]}" "$url" | tee "$result"
echo "== written to $result"
