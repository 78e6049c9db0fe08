#!/usr/bin/env bash
# The web app at 10,000 monitors with 500 down (issue #10): starts a real `lifeline serve` on a fresh
# SQLite data folder, seeds it through the admin API, and drives headless Chromium (bench/app.cs).
# Usage: bench/app.sh [monitors] [down]     (needs /usr/bin/chromium; builds src/Lifeline first)
set -euo pipefail
cd "$(dirname "$0")/.."
MONITORS=${1:-10000}
DOWN=${2:-500}
PORT=${PORT:-5391}
DATA=$(mktemp -d)
KEY=bench-key-0123456789abcdef
dotnet build src/Lifeline -c Release -v q -nologo >/dev/null
LIFELINE_API_KEY=$KEY LIFELINE_ADMIN_USER=bench LIFELINE_ADMIN_PASSWORD=bench-password-0123 dotnet src/Lifeline/bin/Release/net10.0/lifeline.dll serve \
  --urls "http://127.0.0.1:$PORT" --Lifeline:Data="$DATA" --Lifeline:RateLimitLoopback=false >"$DATA/server.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null; wait $SERVER 2>/dev/null; rm -rf "$DATA"' EXIT
for _ in $(seq 100); do curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.2; done
# Run outside the repository: its central package versions and analyzers are not the driver's.
DRIVER=$(mktemp -d)
cp bench/app.cs "$DRIVER/"
(cd "$DRIVER" && dotnet run app.cs -- "http://127.0.0.1:$PORT" "$KEY" --seed "$MONITORS" --down "$DOWN" --runs 10)
rm -rf "$DRIVER"
# The same first byte with curl, signed in by the session cookie the browser would hold.
echo "curl, / with a signed-in session:"
JAR="$DATA/cookies"
TOKEN=$(curl -fs -c "$JAR" "http://127.0.0.1:$PORT/login" | grep -o 'name="__RequestVerificationToken" value="[^"]*"' | sed 's/.*value="//;s/"$//')
curl -fs -b "$JAR" -c "$JAR" -o /dev/null --data-urlencode "__RequestVerificationToken=$TOKEN" --data-urlencode "_handler=login" \
  --data-urlencode "Input.Username=bench" --data-urlencode "Input.Password=bench-password-0123" "http://127.0.0.1:$PORT/login"
for _ in 1 2 3 4 5; do
  curl -s -b "$JAR" -o /dev/null -w '  ttfb %{time_starttransfer}s total %{time_total}s bytes %{size_download} (%{http_code})\n' "http://127.0.0.1:$PORT/"
done
curl -s -b "$JAR" -o /dev/null -H 'Accept-Encoding: gzip, br' -w '  compressed: bytes %{size_download}\n' "http://127.0.0.1:$PORT/"
