#!/usr/bin/env bash
# How far behind a live capture the REST API is (docs/benchmark.md, issue
# 19): bench/api.sh's SIP corpus is replayed with tcpreplay onto the
# loopback interface at a fixed call rate while `sipnab -d lo --api`
# captures it; the API process's sipnab_api_feed_lag_seconds histogram
# (capture of a dialog's latest message -> its record in the API process)
# is printed with the capture's drops and each process's CPU time.
# Needs root (live capture, raw sends) and tcpreplay (scripts/deps.sh --bench).
set -euo pipefail
export LC_ALL=C

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
BUILD="$ROOT/build"
CALLS=100000
RATE=10000
CONCURRENCY=200
PORT=18310
KEY="bench-key"
EXTRA=()

usage() {
    cat <<'USAGE'
usage: bench/feedlag.sh [--build DIR] [--calls N] [--rate CPS] [--concurrency C] [--port P]
                        [-o MOD.KEY=VALUE ...]
  --calls N   calls replayed (default 100000; the corpus of bench/api.sh)
  --rate CPS  new calls per second (default 10000)
  --concurrency C
              calls overlapping (default 200, bench/api.sh's corpus): at
              RATE calls/s a call lasts about C/RATE s, so a larger C spreads
              a dialog's changes over more refreshes (more renders a call)
  -o ...      passed to sipnab (e.g. -o http.refresh=200ms)
USAGE
}
while [[ $# -gt 0 ]]; do
    case $1 in
    --build) BUILD=$2; shift 2 ;;
    --calls) CALLS=$2; shift 2 ;;
    --rate) RATE=$2; shift 2 ;;
    --concurrency) CONCURRENCY=$2; shift 2 ;;
    --port) PORT=$2; shift 2 ;;
    -o) EXTRA+=(-o "$2"); shift 2 ;;
    -h | --help) usage; exit 0 ;;
    *) echo "feedlag.sh: unknown option $1" >&2; usage >&2; exit 2 ;;
    esac
done
[[ $(id -u) -eq 0 ]] || { echo "feedlag.sh: needs root (live capture on lo)" >&2; exit 2; }
for tool in tcpreplay curl python3; do
    command -v "$tool" >/dev/null || { echo "feedlag.sh: $tool is not installed (scripts/deps.sh --bench)" >&2; exit 2; }
done
SIPNAB="$BUILD/sipnab"
[[ -x $SIPNAB && -x $BUILD/libexec/sipnab-api && -x $BUILD/bench/sipnab-gen ]] ||
    cmake --build "$BUILD" --target sipnab-all sipnab-gen >&2

. "$HERE/api_corpus.sh"
api_corpus "$HERE/out" "$BUILD" "$CALLS" "$CONCURRENCY"
PPS=$((PACKETS * RATE / CALLS))
BASE="http://127.0.0.1:$PORT"
export SIPNAB_API_KEY=$KEY
api() { curl -s -H "Authorization: Bearer $KEY" "$BASE$1"; }
metric() { api /metrics | awk -v m="$1" '$1 == m { print $2 }'; }
held() { api /v1/stats | python3 -c 'import json,sys; print(json.load(sys.stdin)["dialogs"]["total"])' 2>/dev/null || echo 0; }
cpu_s() { # user+system seconds of a process (clock ticks in fields 14, 15)
    awk -v hz="$(getconf CLK_TCK)" '{ printf "%.2f", ($14 + $15) / hz }' "/proc/$1/stat"
}

# Our own HTTP polls on lo are not SIP: keep them out of the capture.
"$SIPNAB" -q -N -c /dev/null -d lo -o sip.output=none --api "127.0.0.1:$PORT" -o http.rate_limit=0 \
    "${EXTRA[@]}" "not port $PORT" >/dev/null 2>"$HERE/out/feedlag.err" &
PID=$!
trap 'kill -INT "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true' EXIT
for _ in $(seq 1 200); do curl -sf "$BASE/health" >/dev/null && break; sleep 0.05; done
curl -sf "$BASE/health" >/dev/null || { echo "feedlag.sh: the API did not come up" >&2; exit 1; }
sleep 0.5 # the capture thread is running once /health answers; let it settle

echo "corpus: $CORPUS ($CALLS calls, $PACKETS packets, $CONCURRENCY overlapping)"
t0=$(date +%s.%N)
tcpreplay -q -i lo --pps="$PPS" --pps-multi=$((PPS / 1000 > 1 ? PPS / 1000 : 1)) "$CORPUS" >"$HERE/out/feedlag.tcpreplay" 2>&1
replay_s=$(echo "$(date +%s.%N) - $t0" | bc)
printf 'replayed on lo at %d calls/s (%d packets/s asked): %.2f s, %s\n' "$RATE" "$PPS" "$replay_s" \
    "$(sed -n 's/.* \([0-9.]*\) pps$/tcpreplay says \1 packets\/s/p' "$HERE/out/feedlag.tcpreplay")"
# Every dialog: at most 30 s more.
for _ in $(seq 1 600); do [[ $(held) == "$CALLS" ]] && break; sleep 0.05; done
settle_s=$(echo "$(date +%s.%N) - $t0 - $replay_s" | bc)
printf 'API: %s of %d dialogs held %.2f s after the replay ended\n' "$(held)" "$CALLS" "$settle_s"
sleep 1 # the last records' lag reaches the histogram
M=$(api /metrics)
m() { awk -v m="$1" '$1 == m { print $2 }' <<<"$M"; }
printf 'capture: %s packets read; dropped: kernel %s, queue %s\n' "$(m sipnab_capture_packets_total)" \
    "$(m sipnab_capture_dropped_kernel_total)" "$(m sipnab_capture_dropped_queue_total)"
count=$(m sipnab_api_feed_lag_seconds_count)
line="feed lag of $count dialog records:"
for le in 0.1 0.25 0.5 1 2 5; do
    n=$(m "sipnab_api_feed_lag_seconds_bucket{le=\"$le\"}")
    line+=$(printf ' <=%ss %.1f%%' "$le" "$(echo "100 * $n / ($count + (${count} == 0))" | bc -l)")
done
printf '%s; mean %.3f s\n' "$line" "$(echo "$(m sipnab_api_feed_lag_seconds_sum) / ($count + ($count == 0))" | bc -l)"
child=$(awk '{ print $1 }' "/proc/$PID/task/$PID/children")
printf 'CPU during the run: capture process %s s, API process %s s\n' "$(cpu_s "$PID")" "$(cpu_s "$child")"
