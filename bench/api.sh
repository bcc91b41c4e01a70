#!/usr/bin/env bash
# REST API benchmark (docs/benchmark.md): a generated corpus of N calls is
# loaded by sipnab with --api; then Debian's wrk requests
# /v1/dialogs?limit=50 and /v1/dialogs/{id} at about 1 000 requests/s and we
# report p50/p99 latency. Capture throughput is measured three ways: no API,
# API idle, API under wrk load. Needs wrk (scripts/deps.sh --bench).
set -euo pipefail
export LC_ALL=C

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
BUILD="$ROOT/build"
CALLS=100000
DURATION=20
PORT=18300
RATE=1000
KEY="bench-key"

usage() {
    cat <<'USAGE'
usage: bench/api.sh [--build DIR] [--calls N] [--duration S] [--rate R] [--port P]
  --calls N     dialogs held (default 100000)
  --duration S  seconds of wrk load per endpoint (default 20)
  --rate R      target requests per second (default 1000)
USAGE
}
while [[ $# -gt 0 ]]; do
    case $1 in
    --build) BUILD=$2; shift 2 ;;
    --calls) CALLS=$2; shift 2 ;;
    --duration) DURATION=$2; shift 2 ;;
    --rate) RATE=$2; shift 2 ;;
    --port) PORT=$2; shift 2 ;;
    -h | --help) usage; exit 0 ;;
    *) echo "api.sh: unknown option $1" >&2; usage >&2; exit 2 ;;
    esac
done
for tool in wrk bc curl python3 /usr/bin/time; do
    command -v "$tool" >/dev/null || { echo "api.sh: $tool is not installed (scripts/deps.sh --bench)" >&2; exit 2; }
done
SIPNAB="$BUILD/sipnab"
[[ -x $SIPNAB && -x $BUILD/libexec/sipnab-api && -x $BUILD/bench/sipnab-gen ]] ||
    cmake --build "$BUILD" --target sipnab-all sipnab-gen >&2

. "$HERE/api_corpus.sh"
api_corpus "$HERE/out" "$BUILD" "$CALLS"
BASE="http://127.0.0.1:$PORT"
export SIPNAB_API_KEY=$KEY

now() { date +%s.%N; }
api() { curl -s -H "Authorization: Bearer $KEY" "$BASE$1"; }
metric() { api /metrics | awk -v m="$1" '$1 == m { print $2 }'; }
held() { api /v1/stats | python3 -c 'import json,sys; print(json.load(sys.stdin)["dialogs"]["total"])' 2>/dev/null || echo 0; }
hwm() { awk '/VmHWM/ { print $2 }' "/proc/$1/status" 2>/dev/null || echo 0; }

start_api() {
    "$SIPNAB" -q -N -c /dev/null -I "$CORPUS" -o sip.output=none --api "127.0.0.1:$PORT" \
        -o http.rate_limit=0 -o http.max_conn=1000 -o http.refresh=100ms >/dev/null 2>"$HERE/out/api-bench.err" &
    PID=$!
    for _ in $(seq 1 200); do curl -sf "$BASE/health" >/dev/null && return 0; sleep 0.05; done
    echo "api.sh: the API did not come up" >&2
    exit 1
}
stop_api() { kill -INT "$PID"; wait "$PID" || true; }
wait_packets() { # seconds since $1 when the capture has read the whole file
    while [[ $(metric sipnab_capture_packets_total) != "$PACKETS" ]]; do sleep 0.02; done
    echo "$(now) - $1" | bc
}
wait_held() {
    while [[ $(held) != "$CALLS" ]]; do sleep 0.05; done
    echo "$(now) - $1" | bc
}
load() { # PATH SECONDS: wrk at about $RATE requests/s
    local conns=$((RATE / 100))
    API_PATH="$1" API_DELAY_MS=10 wrk -t2 -c"$conns" -d"${2}s" -s "$HERE/api-load.lua" "$BASE" |
        sed -n 's/^RESULT //p'
}

echo "corpus: $CORPUS ($CALLS calls, $PACKETS packets)"
t0=$(now)
/usr/bin/time -f %M -o "$HERE/out/api-bench.rss" \
    "$SIPNAB" -q -N -c /dev/null -I "$CORPUS" -o sip.output=none >/dev/null
base_s=$(echo "$(now) - $t0" | bc)
printf 'capture, no API:          %6.2f s  %9.0f packets/s; peak RSS %s KiB\n' "$base_s" \
    "$(echo "$PACKETS / $base_s" | bc -l)" "$(cat "$HERE/out/api-bench.rss")"

t0=$(now)
start_api
read_s=$(wait_packets "$t0")
held_s=$(wait_held "$t0")
printf 'capture, API idle:        %6.2f s  %9.0f packets/s; all %d dialogs served after %.2f s\n' \
    "$read_s" "$(echo "$PACKETS / $read_s" | bc -l)" "$CALLS" "$held_s"
child=$(cat "/proc/$PID/task/$PID/children" | awk '{ print $1 }')
id=$(api "/v1/dialogs?limit=1&offset=$((CALLS / 2))" | python3 -c 'import json,sys,urllib.parse; print(urllib.parse.quote(json.load(sys.stdin)["dialogs"][0]["call_id"], safe=""))')
echo "GET /v1/dialogs?limit=50   $(load '/v1/dialogs?limit=50' "$DURATION")"
echo "GET /v1/dialogs/{id}       $(load "/v1/dialogs/$id" "$DURATION")"
echo "GET /v1/stats              $(load '/v1/stats' "$DURATION")"
echo "peak RSS: capture process $(hwm "$PID") KiB, API process $(hwm "$child") KiB"
stop_api

t0=$(now)
start_api
load '/v1/dialogs?limit=50' 120 >"$HERE/out/api-bench-load.txt" &
WRK=$!
read_s=$(wait_packets "$t0")
held_s=$(wait_held "$t0")
# $WRK is the subshell of load's pipeline: stop wrk itself too, or it goes
# on loading the machine for the rest of its 120 s after this script.
pkill -P "$WRK" 2>/dev/null || true
kill "$WRK" 2>/dev/null || true
wait "$WRK" 2>/dev/null || true
printf 'capture, API under load:  %6.2f s  %9.0f packets/s; all %d dialogs served after %.2f s\n' \
    "$read_s" "$(echo "$PACKETS / $read_s" | bc -l)" "$CALLS" "$held_s"
stop_api
